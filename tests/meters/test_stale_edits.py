"""Two staff members edit the same meter's card at once, on a committed database of each engine: both open it,
Анна saves, then Борис saves the card he opened before her change. Refused (409): her values stay, his typed ones
come back with who changed it and when, and «changed» at her fields (core.stale)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from portal.core.tables import AuditEvent
from portal.meters.tables import HouseMeter
from portal.meters.tables import Meter
from portal.meters.tables import VerificationChange
from tests.conftest import committed
from tests.two_staff import FIRST
from tests.two_staff import SECOND
from tests.two_staff import make_registry
from tests.two_staff import remove_registry
from tests.two_staff import two_staff
from tests.two_staff import version


@pytest.fixture(params=["sqlite", "postgres"])
async def meter(request: pytest.FixtureRequest, engines: dict[str, Any]) -> AsyncIterator[dict[str, Any]]:
    """A flat's account with a cold-water meter, committed."""
    async with committed(engines, request.param):
        ids = await make_registry()
        made = Meter(account=ids["account"], service="cold_water", serial="ХВ-100", place="санузел")
        await made.save()
        try:
            yield {**ids, "meter": made.id}
        finally:
            await AuditEvent.delete().where((AuditEvent.entity == "meter") & (AuditEvent.entity_id == made.id))
            await VerificationChange.delete().where(VerificationChange.meter == made.id)
            await Meter.delete().where(Meter.id == made.id)
            await remove_registry(ids)


async def test_a_card_saved_from_a_form_read_before_someone_elses_change_is_refused(app, meter):
    url = f"/staff/meters/meter/{meter['meter']}"
    card = {"service": "cold_water", "zones": "1", "serial": "ХВ-100", "digits": "5", "decimals": "3",
            "status": "active"}  # fmt: skip
    async with two_staff(app, roles=("manager",), houses=(meter["house"],)) as (anna, boris):
        hers, his = version(await anna.get(url)), version(await boris.get(url))
        saved = await anna.form(url, {**card, "place": "кухня", "version": hers})
        assert saved.status_code == 303, saved.text[-2000:]

        refused = await boris.form(url, {**card, "place": "щит на площадке", "version": his})
        assert refused.status_code == 409, refused.text[-3000:]
        assert f"Пока вы правили, запись изменил(а) {FIRST}" in refused.text
        assert 'value="щит на площадке"' in refused.text  # what he typed is kept
        assert "Изменено, пока вы правили" in refused.text  # at the place she changed
        row = await Meter.select(Meter.place).where(Meter.id == meter["meter"]).first()
        assert row["place"] == "кухня"


@pytest.fixture(params=["sqlite", "postgres"])
async def house_meter(request: pytest.FixtureRequest, engines: dict[str, Any]) -> AsyncIterator[dict[str, Any]]:
    """A house's heat meter (ОДПУ), committed."""
    async with committed(engines, request.param):
        ids = await make_registry()
        made = HouseMeter(house=ids["house"], service="heating", serial="ОДПУ-1", place="ИТП")
        await made.save()
        try:
            yield {**ids, "house_meter": made.id}
        finally:
            await AuditEvent.delete().where((AuditEvent.entity == "house_meter") & (AuditEvent.entity_id == made.id))
            await HouseMeter.delete().where(HouseMeter.id == made.id)
            await remove_registry(ids)


async def test_a_verification_recorded_from_a_card_read_before_someone_elses_is_refused(app, meter):
    """Анна records the technician's paper; Борис, his card opened before, records another paper's dates: refused
    (409) with her name and «changed» at the dates, hers kept. His card typed to her very dates writes nothing."""
    url = f"/staff/meters/meter/{meter['meter']}"
    async with two_staff(app, roles=("manager",), houses=(meter["house"],)) as (anna, boris):
        hers, his = version(await anna.get(url)), version(await boris.get(url))
        paper = {"verified_on": "2026-11-02", "next_verification": "2032-11-01"}
        saved = await anna.form(f"{url}/verification", {**paper, "version": hers})
        assert saved.status_code == 303, saved.text[-2000:]

        typed = {"verified_on": "2026-11-03", "next_verification": "2030-11-01"}
        refused = await boris.form(f"{url}/verification", {**typed, "version": his})
        assert refused.status_code == 409, refused.text[-3000:]
        assert f"Пока вы правили, запись изменил(а) {FIRST}" in refused.text
        assert 'value="2030-11-01"' in refused.text  # what he typed is kept
        assert "Изменено, пока вы правили" in refused.text
        row = await Meter.select(Meter.next_verification).where(Meter.id == meter["meter"]).first()
        assert row["next_verification"].isoformat() == "2032-11-01"

        same = await boris.form(f"{url}/verification", {**paper, "version": his})
        assert same.status_code == 303, same.text[-2000:]
        assert await AuditEvent.count().where((AuditEvent.entity == "meter") & (AuditEvent.actor_name == SECOND)) == 0


async def test_a_house_meters_verification_recorded_from_a_card_read_before_someone_elses_is_refused(app, house_meter):
    url = f"/staff/meters/house-meter/{house_meter['house_meter']}"
    async with two_staff(app, roles=("manager",), houses=(house_meter["house"],)) as (anna, boris):
        hers, his = version(await anna.get(url)), version(await boris.get(url))
        paper = {"verified_on": "2026-11-02", "next_verification": "2030-11-01"}
        saved = await anna.form(f"{url}/verification", {**paper, "version": hers})
        assert saved.status_code == 303, saved.text[-2000:]

        refused = await boris.form(f"{url}/verification", {**paper, "next_verification": "2031-11-01", "version": his})
        assert refused.status_code == 409, refused.text[-3000:]
        assert f"Пока вы правили, запись изменил(а) {FIRST}" in refused.text
        assert 'value="2031-11-01"' in refused.text
        row = await HouseMeter.select(HouseMeter.next_verification).where(HouseMeter.id == house_meter["house_meter"])
        assert row[0]["next_verification"].isoformat() == "2030-11-01"

        again = await boris.form(f"{url}/verification", {**paper, "next_verification": "2031-11-01",
                                                            "version": version(refused, 409)})  # fmt: skip
        assert again.status_code == 303, again.text[-2000:]
