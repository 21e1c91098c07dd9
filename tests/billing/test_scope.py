"""Staff are kept to their houses in every billing import and bulk action (issue 11, item 2): a manager of houses
1–2 cannot charge an account in house 3, issue its receipts, export it or move the reports' latest month."""

from datetime import UTC
from datetime import date
from datetime import datetime

import pytest

from portal.billing import actions
from portal.billing import issuing
from portal.billing import receipts
from portal.billing.tables import Charge
from portal.billing.tables import ImportBatch
from portal.billing.tables import LedgerEntry
from portal.billing.tables import Receipt
from portal.core import clock
from portal.core.security import Principal
from portal.core.web import Refused
from tests.billing.conftest import EVERY_HOUSE
from tests.billing.conftest import SAMPLE
from tests.billing.conftest import checked
from tests.billing.conftest import import_sample
from tests.billing.conftest import upload_charges

OCTOBER, NOVEMBER = date(2026, 10, 1), date(2026, 11, 1)
ELSEWHERE = "7700000003"


@pytest.fixture
async def houses(make_account, catalog):
    """Houses 1 and 2 with the sample's accounts, house 3 with an account of its own; October charged everywhere."""
    first = await make_account(number="7700000001")
    second = await make_account(number="7700000002")
    third = await make_account(number=ELSEWHERE)
    await import_sample(OCTOBER, datetime(2026, 10, 28, tzinfo=UTC))
    line = f"{ELSEWHERE};maintenance;54,3;32,50;1764,75;0;;norm;\n"
    await actions.import_charges(EVERY_HOUSE, await checked(_with(line), OCTOBER), OCTOBER)
    return first, second, third


def _with(line: str) -> bytes:
    return SAMPLE.read_bytes() + line.encode()


async def test_a_row_for_an_account_in_another_house_is_refused_like_an_unknown_account(
    client, login, make_user, houses
):
    first, second, _third = houses
    await login(client, await make_user(roles=("manager",), houses=(first.house, second.house)))
    # 12 rows of the manager's own accounts, and on line 14 the forged one: 12 345,67 ₽ onto house 3.
    page = await upload_charges(client, _with(f"{ELSEWHERE};waste;1;12345,67;12345,67;0;;norm;\n"), "2026-11")
    assert page.status_code == 422
    assert "Строка 14: Лицевого счёта 7700000003 нет в реестре." in page.text
    assert 'name="token"' not in page.text
    assert await Charge.count().where(Charge.period == NOVEMBER) == 0
    assert await ImportBatch.count().where(ImportBatch.period == NOVEMBER) == 0


async def test_the_action_checks_the_scope_again_whoever_checked_the_file(houses):
    first, second, _ = houses
    manager = Principal(user_id=None, name="Управляющий", house_ids=frozenset({first.house, second.house}))
    parsed = await checked(_with(f"{ELSEWHERE};waste;1;12345,67;12345,67;0;;norm;\n"), NOVEMBER)
    assert parsed.ok, "checked for the whole company, the file is fine"
    with pytest.raises(Refused):
        await actions.import_charges(manager, parsed, NOVEMBER)
    assert await LedgerEntry.count().where(LedgerEntry.period == NOVEMBER) == 0


async def test_another_house_s_new_month_does_not_become_the_managers_latest_month(client, login, make_user, houses):
    first, second, _third = houses
    line = f"{ELSEWHERE};maintenance;54,3;32,50;1764,75;0;;norm;\n"
    lone = b"account;service;volume;tariff;amount;recalculation;reason;basis;basis_note\n" + line.encode()
    await actions.import_charges(EVERY_HOUSE, await checked(lone, NOVEMBER), NOVEMBER)
    await login(client, await make_user(roles=("manager",), houses=(first.house, second.house)))
    page = await client.get("/staff/billing")
    assert "Начисления: октябрь 2026" in page.text
    assert "ноябрь 2026" not in page.text


async def test_receipt_runs_keep_to_the_staff_members_houses(client, login, make_user, houses):
    first, second, third = houses
    await login(client, await make_user(roles=("accountant",), houses=(first.house, second.house)))
    response = await client.form("/staff/billing/receipts", {"period": "2026-10", "house": str(third.house)})
    assert response.status_code == 303
    assert await Receipt.count() == 0
    await client.form("/staff/billing/receipts", {"period": "2026-10"})  # "all my houses"
    await issuing.work(clock.now())
    issued = {r["account"] for r in await Receipt.select(Receipt.account)}
    assert issued == {first.account, second.account}
    response = await client.form(f"/staff/billing/accounts/{third.account}/reissue", {"period": "2026-10"})
    assert response.status_code == 404
    await receipts.issue(OCTOBER, [third.account])
    assert (await client.get(f"/staff/billing/accounts/{third.account}")).status_code == 404


async def test_debtor_lists_and_exports_keep_to_the_staff_members_houses(client, login, make_user, houses):
    first, second, third = houses
    await import_sample(NOVEMBER, datetime(2026, 11, 28, tzinfo=UTC))
    line = f"{ELSEWHERE};maintenance;54,3;32,50;1764,75;0;;norm;\n"
    await actions.import_charges(EVERY_HOUSE, await checked(_with(line), NOVEMBER), NOVEMBER)
    await login(client, await make_user(roles=("accountant",), houses=(first.house, second.house)))
    for path in ("/staff/billing/debtors", "/staff/billing/debtors.csv"):
        text = (await client.get(path, params={"period": "2026-11", "house": str(third.house)})).text
        assert ELSEWHERE not in text, path
    everything = (await client.get("/staff/billing/debtors.csv", params={"period": "2026-11"})).text
    assert ELSEWHERE not in everything and "7700000001" in everything
    assert "Все подъезды" not in (await client.get("/staff/billing/debtors", params={"house": third.house})).text
    assert "Все подъезды" in (await client.get("/staff/billing/debtors", params={"house": first.house})).text
