"""The staff billing overview's figures per house, from one pass over a month's snapshots: for every house and
for a manager's own. Both engines."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D
from typing import Any

from portal.billing import queries
from portal.billing.tables import Balance
from portal.core.security import Principal

SEPTEMBER = date(2026, 9, 1)  # long past: only its own charges (due 15 October) were not yet due at its end


async def snapshot(account: int, opening: int, charged: int, paid: int) -> None:
    closing = opening + charged - paid
    await Balance(
        account=account,
        period=SEPTEMBER,
        opening_kopecks=opening,
        charged_kopecks=charged,
        paid_kopecks=paid,
        closing_kopecks=closing,
    ).save()


async def test_each_house_s_month_counts_its_debt_overdue_part_and_debtors(db: Any, make_account: Any) -> None:
    owing = await make_account()
    paid_up = await make_account(house=owing.house)
    ahead = await make_account(house=owing.house)
    other = await make_account()
    await snapshot(owing.account, opening=1000_00, charged=500_00, paid=0)  # 1 500 owed, 1 000 of it overdue
    await snapshot(paid_up.account, opening=0, charged=500_00, paid=500_00)
    await snapshot(ahead.account, opening=0, charged=500_00, paid=700_00)  # 200 paid ahead: no debt
    await snapshot(other.account, opening=300_00, charged=400_00, paid=0)  # 700 owed, 300 overdue

    admin = Principal(user_id=1, name="Админ", staff_roles=frozenset({"admin"}), house_ids=None)
    every = {t.house_id: t for t in await queries.house_totals(SEPTEMBER, admin)}
    first, second = every[owing.house], every[other.house]
    assert (first.accounts, first.charged, first.paid) == (3, D("1500.00"), D("1200.00"))
    assert (first.debt, first.overdue, first.debtors) == (D("1500.00"), D("1000.00"), 1)
    assert (second.accounts, second.debt, second.overdue, second.debtors) == (1, D("700.00"), D("300.00"), 1)
    assert first.area == D("162.90") and first.debt_per_m2 == D("9.21")

    manager = Principal(user_id=2, name="Управляющий", staff_roles=frozenset({"manager"}), house_ids={other.house})
    (own,) = await queries.house_totals(SEPTEMBER, manager)
    assert (own.house_id, own.accounts, own.debt, own.overdue, own.debtors) == (
        other.house,
        1,
        D("700.00"),
        D("300.00"),
        1,
    )
    total = queries.sum_totals(list(every.values()))
    assert (total.debt, total.overdue, total.debtors) == (D("2200.00"), D("1300.00"), 2)


async def test_a_month_counts_the_accounts_carrying_a_balance_into_it_not_those_long_settled(
    db: Any, make_account: Any
) -> None:
    billed = await make_account()
    dormant = await make_account(house=billed.house)  # owes August's 800, nothing posted since
    settled = await make_account(house=billed.house)  # closed at 0 in August
    await snapshot(billed.account, opening=0, charged=500_00, paid=500_00)
    for place, closing in ((dormant, 800_00), (settled, 0)):
        await Balance(
            account=place.account, period=date(2026, 8, 1), charged_kopecks=closing, closing_kopecks=closing
        ).save()
    admin = Principal(user_id=1, name="Админ", staff_roles=frozenset({"admin"}), house_ids=None)
    (house,) = [t for t in await queries.house_totals(SEPTEMBER, admin) if t.house_id == billed.house]
    assert (house.accounts, house.charged, house.debt, house.overdue, house.debtors) == (
        2,
        D("500.00"),
        D("800.00"),
        D("800.00"),
        1,
    )
