"""The ledger contract other domains rely on (CONTRACTS.md), on both engines."""

from datetime import UTC
from datetime import date
from datetime import datetime
from decimal import Decimal as D

import pytest

from portal.billing import ledger
from portal.billing.ledger import EntryKind
from portal.billing.tables import Balance
from portal.billing.tables import LedgerEntry

MOMENT = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


async def test_a_payment_posted_twice_with_one_reference_credits_once(make_account):
    account = (await make_account()).account
    assert await ledger.post_payment(account, D("1500.00"), "pay-1", MOMENT) is True
    assert await ledger.post_payment(account, D("1500.00"), "pay-1", MOMENT) is False
    assert await ledger.balance_of(account) == D("-1500.00")
    assert await LedgerEntry.count().where(LedgerEntry.reference == "pay-1") == 1


async def test_balance_and_amount_due_follow_charges_payments_and_refunds(make_account):
    account = (await make_account()).account
    assert await ledger.balance_of(account) == D("0.00")
    await ledger.post_entry(account, EntryKind.CHARGE, 341250, MOMENT, period=date(2026, 11, 1))
    assert await ledger.balance_of(account) == D("3412.50")
    assert await ledger.amount_due(account) == D("3412.50")
    await ledger.post_payment(account, D("4000.00"), "pay-2", MOMENT)
    assert await ledger.balance_of(account) == D("-587.50")
    assert await ledger.amount_due(account) == D("0.00")
    assert await ledger.post_refund(account, D("587.50"), "refund-1", MOMENT, reason="Возврат переплаты") is True
    assert await ledger.post_refund(account, D("587.50"), "refund-1", MOMENT) is False
    assert await ledger.balance_of(account) == D("0.00")


async def test_an_entry_in_an_earlier_month_shifts_the_later_snapshots(make_account):
    account = (await make_account()).account
    await ledger.post_entry(account, EntryKind.CHARGE, 100000, MOMENT, period=date(2026, 10, 1))
    await ledger.post_entry(account, EntryKind.CHARGE, 50000, MOMENT, period=date(2026, 11, 1))
    await ledger.post_entry(account, EntryKind.CORRECTION, -20000, MOMENT, period=date(2026, 10, 1))
    rows = await Balance.select().where(Balance.account == account).order_by(Balance.period)
    assert [(r["opening_kopecks"], r["closing_kopecks"]) for r in rows] == [(0, 80000), (80000, 130000)]
    assert await ledger.balance_of(account) == D("1300.00")


async def test_bulk_posting_rebuilds_the_snapshots_and_skips_known_references(make_account):
    a, b = (await make_account()).account, (await make_account()).account
    await ledger.post_payment(a, D("100.00"), "pay-a", datetime(2026, 11, 3, tzinfo=UTC))
    entries = [
        {"account": a, "kind": EntryKind.CHARGE, "amount_kopecks": 250000, "occurred_at": MOMENT, "reference": "c-a"},
        {"account": b, "kind": EntryKind.CHARGE, "amount_kopecks": 10000, "occurred_at": MOMENT, "reference": "c-b"},
    ]
    assert await ledger.post_bulk(entries, date(2026, 11, 1)) == 2
    assert await ledger.post_bulk(entries, date(2026, 11, 1)) == 0
    assert await ledger.balances_of([a, b]) == {a: D("2400.00"), b: D("100.00")}
    row = await Balance.select().where((Balance.account == a) & (Balance.period == date(2026, 11, 1))).first()
    assert (row["charged_kopecks"], row["paid_kopecks"], row["closing_kopecks"]) == (250000, 10000, 240000)


async def test_amounts_must_be_positive_and_moments_aware(make_account):
    account = (await make_account()).account
    with pytest.raises(ValueError):
        await ledger.post_payment(account, D("0"), "x", MOMENT)
    with pytest.raises(ValueError):
        await ledger.post_payment(account, D("1"), "x", datetime(2026, 11, 1))
