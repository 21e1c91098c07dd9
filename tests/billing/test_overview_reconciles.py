"""The staff billing overview's figures reconcile, as the ledger has them: balance at the start + charged (the
services alone, as on the receipt) + corrections (signed) + penalties − received (net of refunds) = balance at the
end, for each house and in total; on the demo, and on an account with a balance correction. Both engines."""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC
from datetime import date
from datetime import datetime
from decimal import Decimal as D
from typing import Any

from portal.billing import demo
from portal.billing import ledger
from portal.billing import queries
from portal.billing.tables import EntryKind
from portal.billing.tables import LedgerEntry
from portal.core import clock
from portal.core.db import from_kopecks
from portal.core.security import Principal
from portal.demo import DemoContext
from portal.housing import demo as housing_demo

ADMIN = Principal(user_id=1, name="Админ", staff_roles=frozenset({"admin"}), house_ids=None)
TODAY = date(2026, 12, 2)
AUGUST, SEPTEMBER, OCTOBER, NOVEMBER = (date(2026, m, 1) for m in (8, 9, 10, 11))


@dataclass
class Books:
    """A house's months as the ledger has them (kopecks)."""

    opening: int = 0
    charged: int = 0
    corrections: int = 0
    penalties: int = 0
    paid: int = 0
    closing: int = 0


async def from_ledger(start: date, last: date) -> dict[int, Books]:
    """Each house's months ``start`` … ``last`` summed from its ledger entries, not from the balance snapshots."""
    house = LedgerEntry.account.premise.house
    rows = await LedgerEntry.select(
        house.as_alias("house"), LedgerEntry.kind, LedgerEntry.period, LedgerEntry.amount_kopecks
    )
    books: dict[int, Books] = defaultdict(Books)
    for r in rows:
        b, period, amount = books[r["house"]], r["period"], r["amount_kopecks"]
        if period > last:
            continue
        b.closing += amount
        if period < start:
            b.opening += amount
        elif r["kind"] == EntryKind.CHARGE:
            b.charged += amount
        elif r["kind"] == EntryKind.CORRECTION:
            b.corrections += amount
        elif r["kind"] == EntryKind.PENALTY:
            b.penalties += amount
        else:  # a payment is written negative; a refund, positive, gives part of it back
            b.paid -= amount
    return books


def figures(t: queries.HouseTotals | Books) -> tuple[D, ...]:
    values = (t.opening, t.charged, t.corrections, t.penalties, t.paid, t.closing)
    return tuple(from_kopecks(v) if isinstance(v, int) else v for v in values)


def reconciles(t: queries.HouseTotals) -> bool:
    return t.opening + t.charged + t.corrections + t.penalties - t.paid == t.closing


async def test_the_demo_s_overview_reconciles_with_its_ledger_house_by_house(db: Any, monkeypatch: Any) -> None:
    ctx = DemoContext(rng=random.Random(20261125), today=TODAY)
    await housing_demo.seed(ctx)
    await demo.seed(ctx)
    monkeypatch.setattr(clock, "today_local", lambda: TODAY)
    first = (await LedgerEntry.select(LedgerEntry.period).order_by(LedgerEntry.period).first())["period"]
    assert await LedgerEntry.exists().where(LedgerEntry.kind == EntryKind.CORRECTION), "the demo takes balances over"
    # the whole history (its balances taken over, as corrections, in the first month), a range, a month
    for start, last in ((first, NOVEMBER), (SEPTEMBER, NOVEMBER), (OCTOBER, OCTOBER)):
        houses = await queries.house_totals(start, ADMIN, until=last)
        books = await from_ledger(start, last)
        for t in houses:
            assert figures(t) == figures(books[t.house_id]), (start, last, t.address)
            assert reconciles(t), (start, last, t.address)
        total = queries.sum_totals(houses)
        assert reconciles(total) and total.charged > 0 and total.paid > 0, (start, last)
    whole = queries.sum_totals(await queries.house_totals(first, ADMIN, until=NOVEMBER))
    assert whole.corrections > 0, "the balances taken over are corrections, not charges"


async def test_a_correction_is_its_own_figure_and_not_charged(db: Any, make_account: Any, monkeypatch: Any) -> None:
    monkeypatch.setattr(clock, "today_local", lambda: TODAY)
    place = await make_account()
    dormant = await make_account(house=place.house)  # owes August's charge, nothing posted since

    def at(month: date) -> datetime:
        return datetime(month.year, month.month, 20, tzinfo=UTC)

    await ledger.post_entry(dormant.account, EntryKind.CHARGE, 300_00, at(AUGUST))
    for month in (SEPTEMBER, OCTOBER):
        await ledger.post_entry(place.account, EntryKind.CHARGE, 1000_00, at(month))
        await ledger.post_payment(place.account, D("900.00"), f"pay-{month}", at(month))
    await ledger.post_entry(place.account, EntryKind.CORRECTION, -250_00, at(OCTOBER), note="перерасчёт")
    await ledger.post_entry(place.account, EntryKind.PENALTY, 12_34, at(OCTOBER))
    await ledger.post_refund(place.account, D("100.00"), "refund-1", at(OCTOBER))

    (october,) = await queries.house_totals(OCTOBER, ADMIN, houses=[place.house])
    assert figures(october) == (D("400.00"), D("1000.00"), D("-250.00"), D("12.34"), D("800.00"), D("362.34"))
    (both,) = await queries.house_totals(SEPTEMBER, ADMIN, until=OCTOBER, houses=[place.house])
    assert figures(both) == (D("300.00"), D("2000.00"), D("-250.00"), D("12.34"), D("1700.00"), D("362.34"))
    assert reconciles(october) and reconciles(both)
    assert figures(both) == figures((await from_ledger(SEPTEMBER, OCTOBER))[place.house])


async def test_the_overview_shows_corrections_in_a_column_of_their_own(
    db: Any, client: Any, login: Any, make_user: Any, make_account: Any, monkeypatch: Any
) -> None:
    monkeypatch.setattr(clock, "today_local", lambda: TODAY)
    place = await make_account()
    moment = datetime(2026, 11, 20, tzinfo=UTC)
    await ledger.post_entry(place.account, EntryKind.CHARGE, 1000_00, moment)
    await ledger.post_entry(place.account, EntryKind.CORRECTION, -250_00, moment)
    await login(client, await make_user(roles=("accountant",), houses=(place.house,)))
    page = (await client.get("/staff/billing?period=2026-11")).text
    # the figures in rubles without a sign each (the table says so once), a correction with its minus
    assert 'data-label="Начислено">1\u00a0000,00<' in page
    assert 'data-label="Корректировки">\u2212250,00<' in page
    assert "Сальдо на начало 0,00\u00a0₽ + начислено 1\u00a0000,00\u00a0₽ + корректировки \u2212250,00\u00a0₽" in page
    assert "= сальдо на конец 750,00\u00a0₽" in page and "Суммы в таблице — в рублях." in page
