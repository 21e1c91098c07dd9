"""A payment started from a receipt names the receipt's month and pays it first; any other payment pays the oldest
debt (DOMAIN.md §2.5). Through the portal and the sandbox gateway over real HTTP, on both database engines."""

from __future__ import annotations

from datetime import date
from datetime import datetime
from datetime import time
from decimal import Decimal as D

from portal.billing import actions as billing_actions
from portal.billing import ledger
from portal.billing import penalties
from portal.billing import receipts
from portal.billing import rules
from portal.billing.tables import Charge
from portal.billing.tables import EntryKind
from portal.billing.tables import LedgerEntry
from portal.billing.tables import PenaltyAccrual
from portal.core import clock
from portal.core.db import to_kopecks
from portal.payments import actions
from portal.payments.tables import Payment
from tests.payments.test_pay_flow import _path
from tests.payments.test_refunds_autopay import RECEIPT_DAY
from tests.payments.test_refunds_autopay import save_card
from tests.payments.test_refunds_autopay import turn_on

OCTOBER, NOVEMBER = date(2026, 10, 1), date(2026, 11, 1)


async def _charge(account: int, period: date, amount: D) -> None:
    """A charge of a billing month as the import writes it: the charge line and its ledger entry."""
    services = (await billing_actions.ensure_catalog())["services"]
    await Charge.insert(
        Charge(
            account=account,
            period=period,
            service=services["maintenance"],
            volume=D("1"),
            amount_kopecks=to_kopecks(amount),
        )
    )
    moment = datetime.combine(rules.month_end(period), time(20), tzinfo=clock.zone())
    await ledger.post_entry(account, EntryKind.CHARGE, to_kopecks(amount), moment, period=period)


async def _two_months_owed(household) -> None:
    for account in household["accounts"]:
        await _charge(account, OCTOBER, D("1000.00"))
        await _charge(account, NOVEMBER, D("1000.00"))
    await receipts.issue(NOVEMBER, household["accounts"])


async def _unpaid_months(account: int) -> set[date]:
    """What the penalty job finds unpaid from the whole ledger (its own reading of debts and payments)."""
    debts, paid = await penalties._history([account], date(2027, 3, 1))
    allocation = rules.allocate(debts.get(account, []), penalties._net_payments(paid.get(account, [])))
    return {period for period, _ in allocation.unpaid}


async def _months_with_penalty(account: int) -> set[date]:
    await penalties.post_penalties(date(2027, 3, 1), [account])
    rows = await PenaltyAccrual.select(PenaltyAccrual.debt_period).where(PenaltyAccrual.account == account)
    return {r["debt_period"] for r in rows}


async def test_paying_from_a_receipt_pays_its_month_first_and_the_pay_sheet_pays_the_oldest(
    client, login, household, gateway
):
    named, plain = household["accounts"]
    await _two_months_owed(household)
    await login(client, household["resident"])
    # The receipt's «Оплатить» opens the sheet of that account with the receipt's month.
    page = await client.get(f"/accounts/{named}/receipts/2026-11")
    link = f"/pay?account={named}&amp;period=2026-11"
    assert f'href="{link}"' in page.text
    sheet = await client.get(link.replace("&amp;", "&"))
    assert 'name="period" value="2026-11"' in sheet.text
    assert "Сначала оплачивается квитанция за ноябрь 2026" in sheet.text
    response = await client.form("/pay", {"only": str(named), f"amount_{named}": "1000,00", "period": "2026-11"})
    assert response.status_code == 303, response.text
    hosted = await gateway.pay(response.headers["location"], "4242424242424242")
    await gateway.settle()
    assert (await client.get(_path(hosted.headers["location"]))).status_code == 200
    # The same money from the pay sheet opened from the home page names no month.
    response = await client.form("/pay", {"only": str(plain), f"amount_{plain}": "1000,00"})
    assert response.status_code == 303, response.text
    await gateway.pay(response.headers["location"], "4242424242424242")
    await gateway.settle()

    payments = {r["account"]: r for r in await Payment.select().where(Payment.account.is_in([named, plain]))}
    assert payments[named]["status"] == payments[plain]["status"] == "succeeded"
    assert payments[named]["period"] == NOVEMBER and payments[plain]["period"] is None
    entries = {
        r["account"]: r["pays_period"]
        for r in await LedgerEntry.select(LedgerEntry.account, LedgerEntry.pays_period).where(
            LedgerEntry.account.is_in([named, plain]) & (LedgerEntry.kind == EntryKind.PAYMENT)
        )
    }
    assert entries == {named: NOVEMBER, plain: None}
    # November is paid on the named account, October (the oldest) on the other; the penalty follows the debt.
    assert await _unpaid_months(named) == {OCTOBER}
    assert await _unpaid_months(plain) == {NOVEMBER}
    assert await _months_with_penalty(named) == {OCTOBER}
    assert await _months_with_penalty(plain) == {NOVEMBER}


async def test_a_month_in_the_form_of_a_sheet_of_several_accounts_is_ignored(client, login, household, gateway):
    a, b = household["accounts"]
    await _two_months_owed(household)
    await login(client, household["resident"])
    data = {f"pay_{a}": "1", f"amount_{a}": "100", f"pay_{b}": "1", f"amount_{b}": "100", "period": "2026-11"}
    response = await client.form("/pay", data)
    assert response.status_code == 303, response.text
    rows = await Payment.select(Payment.period).where(Payment.account.is_in([a, b]))
    assert [r["period"] for r in rows] == [None, None]
    sheet = await client.get("/pay?period=2026-11")
    assert 'name="period"' not in sheet.text


async def test_autopay_on_the_receipt_day_pays_the_receipts_month_first(client, login, household, gateway):
    a = household["accounts"][0]
    await _two_months_owed(household)
    card = await save_card(client, login, household, gateway, "4242424242424242")
    assert card is not None
    await turn_on(client, household, card)
    assert await gateway.exclusive(actions.run_autopay(RECEIPT_DAY)) == 1
    await gateway.settle()
    payment = await Payment.select().where((Payment.account == a) & (Payment.kind == "autopay")).first()
    assert payment["status"] == "succeeded" and payment["period"] == NOVEMBER
    entry = (
        await LedgerEntry.select(LedgerEntry.pays_period)
        .where((LedgerEntry.account == a) & (LedgerEntry.kind == EntryKind.PAYMENT))
        .first()
    )
    assert entry["pays_period"] == NOVEMBER
