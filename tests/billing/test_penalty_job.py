"""The monthly penalty job against the pure rule, on both engines (DOMAIN.md §2.2–2.5).

The job runs month after month over a history; whatever it posted for an account must equal, to the kopeck, what
``rules.account_penalties`` gives for the same debts and payments: the rate of each payment's own day, the rate of
the calculation day for what is unpaid, one rounding per debt item.
"""

from __future__ import annotations

from datetime import date
from datetime import datetime
from datetime import time
from decimal import Decimal as D

from piccolo.query.functions.aggregate import Sum

from portal.billing import ledger
from portal.billing import penalties
from portal.billing import rules
from portal.billing.tables import Charge
from portal.billing.tables import EntryKind
from portal.billing.tables import LedgerEntry
from portal.billing.tables import PenaltyAccrual
from portal.core import clock
from portal.core.db import to_kopecks


def _at(day: date, hour: int = 12) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=clock.zone())


async def _charge(account: int, service: int, period: date, amount: D) -> None:
    await Charge.insert(
        Charge(account=account, period=period, service=service, volume=D("1"), amount_kopecks=to_kopecks(amount))
    )
    await ledger.post_entry(
        account, EntryKind.CHARGE, to_kopecks(amount), _at(rules.month_end(period), 20), period=period
    )


async def _run(account: int, first: date, last: date) -> None:
    period = first
    while period <= last:
        await penalties.post_penalties(period, [account], now=_at(rules.month_end(period), 23))
        period = rules.add_months(period, 1)


async def _posted(account: int) -> int:
    row = (
        await LedgerEntry.select(Sum(LedgerEntry.amount_kopecks).as_alias("total"))
        .where((LedgerEntry.account == account) & (LedgerEntry.kind == EntryKind.PENALTY))
        .first()
    )
    return int(row["total"] or 0)


def _rule(debts: list[rules.DebtItem], payments: list[rules.PaymentItem], until: date) -> int:
    return sum(to_kopecks(item.amount) for item in rules.account_penalties(debts, payments, until))


async def test_the_job_month_by_month_posts_the_rules_figure_to_the_kopeck(make_account, catalog):
    """Issue 13's case: 2 500.00 of April 2019 paid on 20.11.2019 — 158.75 by the rule (the job posted 168.64
    when it fixed each month at that month's rate). Here part of it is paid on day 49, at 7.50 %, the rest after
    day 90 at 6.50 %; May's charge stays unpaid and takes the rate of the calculation day; capital repair beside."""
    account = (await make_account(number="7700001301")).account
    services = catalog["services"]
    april, may = date(2019, 4, 1), date(2019, 5, 1)
    await _charge(account, services["maintenance"], april, D("2500.00"))
    await _charge(account, services["capital_repair"], april, D("300.00"))
    await _charge(account, services["maintenance"], may, D("1200.00"))
    # Paid: 1 000.00 on 01.07.2019 (day 49 of April's debt, due 13.05.2019), the rest of April on 20.11.2019.
    await ledger.post_payment(account, D("1000.00"), "p-1301-1", _at(date(2019, 7, 1)))
    await ledger.post_payment(account, D("1800.00"), "p-1301-2", _at(date(2019, 11, 20)))

    await _run(account, date(2019, 5, 1), date(2019, 12, 1))

    debts = [
        rules.DebtItem(april, D("2500.00")),
        rules.DebtItem(april, D("300.00"), capital_repair=True),
        rules.DebtItem(may, D("1200.00")),
    ]
    payments = [
        rules.PaymentItem(date(2019, 7, 1), D("1000.00")),
        rules.PaymentItem(date(2019, 11, 20), D("1800.00")),
    ]
    expected = _rule(debts, payments, date(2019, 12, 31))
    assert await _posted(account) == expected
    # Per debt item too: April's housing debt is the issue's case with a partial payment on day 49.
    april_item = await PenaltyAccrual.select(Sum(PenaltyAccrual.amount_kopecks).as_alias("total")).where(
        (PenaltyAccrual.account == account)
        & (PenaltyAccrual.debt_period == april)
        & (PenaltyAccrual.capital_repair == False)  # noqa: E712 (a column comparison)
    )
    april_rule = rules.penalty(
        D("2500.00"),
        rules.due_date(april),
        date(2019, 12, 31),
        payments=[(date(2019, 7, 1), D("1000.00")), (date(2019, 11, 20), D("1500.00"))],
    )
    assert april_item[0]["total"] == to_kopecks(april_rule.amount)
    # Re-running every month changes nothing.
    entries = await LedgerEntry.count().where(LedgerEntry.account == account)
    await _run(account, date(2019, 5, 1), date(2019, 12, 1))
    assert await _posted(account) == expected
    assert await LedgerEntry.count().where(LedgerEntry.account == account) == entries


async def test_the_issue_case_paid_in_full_after_day_90(make_account, catalog):
    """2 500.00 of April 2019, due 13.05.2019, paid 20.11.2019: 158.75 (issue 13), run month by month."""
    account = (await make_account(number="7700001302")).account
    await _charge(account, catalog["services"]["maintenance"], date(2019, 4, 1), D("2500.00"))
    await ledger.post_payment(account, D("2500.00"), "p-1302", _at(date(2019, 11, 20)))
    await _run(account, date(2019, 5, 1), date(2020, 1, 1))
    assert await _posted(account) == 15875
    # The unpaid debt takes the rate of each run's calculation day: September's run (7.00 % on 30.09, after 7.25 %)
    # re-prices June–August downwards, beside September's own days.
    september = (
        await PenaltyAccrual.select()
        .where((PenaltyAccrual.account == account) & (PenaltyAccrual.period == date(2019, 9, 1)))
        .output(load_json=True)
    )
    assert len(september) == 1
    assert september[0]["recalculated_kopecks"] < 0 < september[0]["amount_kopecks"]
    assert sum(line["days"] for line in september[0]["lines"]) == 30


async def test_a_payment_naming_a_period_pays_that_period_first(make_account, catalog):
    """DOMAIN.md §2.5: 1 000.00 paid on 05.03.2019 from February's receipt pays February (due 11.03.2019) on time;
    January's debt (due 11.02.2019) stays unpaid and accrues. Without a named period the same money pays January
    (on day 22: nothing) and February accrues."""
    maintenance = catalog["services"]["maintenance"]
    january, february = date(2019, 1, 1), date(2019, 2, 1)
    named = (await make_account(number="7700001303")).account
    oldest = (await make_account(number="7700001304")).account
    for account in (named, oldest):
        await _charge(account, maintenance, january, D("1000.00"))
        await _charge(account, maintenance, february, D("1000.00"))
    await ledger.post_payment(named, D("1000.00"), "p-1303", _at(date(2019, 3, 5)), pays_period=february)
    await ledger.post_payment(oldest, D("1000.00"), "p-1304", _at(date(2019, 3, 5)))
    for account in (named, oldest):
        await _run(account, date(2019, 3, 1), date(2019, 6, 1))

    async def debts_with_penalty(account: int) -> set[date]:
        rows = await PenaltyAccrual.select(PenaltyAccrual.debt_period).where(PenaltyAccrual.account == account)
        return {r["debt_period"] for r in rows}

    assert await debts_with_penalty(named) == {january}
    assert await debts_with_penalty(oldest) == {february}
    debts = [rules.DebtItem(january, D("1000.00")), rules.DebtItem(february, D("1000.00"))]
    until = date(2019, 6, 30)
    assert await _posted(named) == _rule(debts, [rules.PaymentItem(date(2019, 3, 5), D("1000.00"), february)], until)
    assert await _posted(oldest) == _rule(debts, [rules.PaymentItem(date(2019, 3, 5), D("1000.00"))], until)
    assert await _posted(named) > 0 and await _posted(oldest) > 0
