"""Two accountants edit the same payee's requisites at once, on a committed database of each engine: both open the
form, Анна saves, then Борис saves the form he opened before her change. Changing anything, his save is refused
(409): her requisites stay, his typed ones come back with who changed them and when, and «changed» at her fields;
typed to exactly what she saved, it is no conflict and writes nothing (core.stale)."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from typing import Any

import pytest

from portal.billing.tables import Payee
from portal.core.tables import AuditEvent
from tests.conftest import committed
from tests.two_staff import FIRST
from tests.two_staff import SECOND
from tests.two_staff import two_staff
from tests.two_staff import version

# DOMAIN.md §3.1's example requisites (the account passes the control key for the BIC)
FORM = {
    "name": "ООО «Спорный получатель»",
    "inn": "7700000000",
    "kpp": "770001001",
    "bank_name": "Банк",
    "bic": "044525225",
    "settlement_account": "40702810200000000001",
    "corresp_account": "30101810400000000225",
    "address": "г. Симферополь",
    "phone": "+7 978 000-00-01",
    "email": "",
    "site": "",
    "dispatch_phones": "",
}


@pytest.fixture(params=["sqlite", "postgres"])
async def payee(request: pytest.FixtureRequest, engines: dict[str, Any]) -> AsyncIterator[int]:
    async with committed(engines, request.param):
        made = Payee(code=f"stale-{secrets.token_hex(3)}", **FORM)
        await made.save()
        try:
            yield made.id
        finally:
            await AuditEvent.delete().where((AuditEvent.entity == "payee") & (AuditEvent.entity_id == made.id))
            await Payee.delete().where(Payee.id == made.id)


async def test_requisites_saved_from_a_form_read_before_someone_elses_change_are_refused(app, payee):
    url = f"/staff/billing/payees/{payee}"
    async with two_staff(app, roles=("accountant",)) as (anna, boris):
        hers, his = version(await anna.get(url)), version(await boris.get(url))
        saved = await anna.form(url, {**FORM, "phone": "+7 978 111-22-33", "version": hers})
        assert saved.status_code == 303, saved.text[-2000:]

        refused = await boris.form(url, {**FORM, "address": "г. Ялта", "version": his})
        assert refused.status_code == 409, refused.text[-3000:]
        assert f"Пока вы правили, запись изменил(а) {FIRST}" in refused.text
        assert 'value="г. Ялта"' in refused.text  # what he typed is kept
        assert "Изменено, пока вы правили" in refused.text  # at the phone she changed
        row = await Payee.select(Payee.phone, Payee.address).where(Payee.id == payee).first()
        assert row == {"phone": "+7 978 111-22-33", "address": "г. Симферополь"}

        # The form shown again carries the version now: saved once more, it is his choice and goes through.
        again = await boris.form(url, {**FORM, "address": "г. Ялта", "version": version(refused, 409)})
        assert again.status_code == 303, again.text[-2000:]


async def test_a_stale_save_repeating_the_requisites_saved_now_writes_nothing(app, payee):
    url = f"/staff/billing/payees/{payee}"
    async with two_staff(app, roles=("accountant",)) as (anna, boris):
        his = version(await boris.get(url))
        saved = await anna.form(url, {**FORM, "phone": "+7 978 111-22-33", "version": version(await anna.get(url))})
        assert saved.status_code == 303
        same = await boris.form(url, {**FORM, "phone": "+7 978 111-22-33", "version": his})
        assert same.status_code == 303, same.text[-2000:]
        assert await AuditEvent.count().where((AuditEvent.entity == "payee") & (AuditEvent.actor_name == SECOND)) == 0
