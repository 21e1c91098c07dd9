"""Two staff members edit the same meter's card at once, on a committed database of each engine: both open it,
Анна saves, then Борис saves the card he opened before her change. Refused (409): her values stay, his typed ones
come back with who changed it and when, and «changed» at her fields (core.stale)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from portal.core.tables import AuditEvent
from portal.meters.tables import Meter
from portal.meters.tables import VerificationChange
from tests.conftest import committed
from tests.two_staff import FIRST
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
