"""The demo's refunds (portal/payments/demo.py): the resident's card payment returned in full — the payment reads
«возвращён», the account's history has it and its refund, the balance is as before — and a refund of another
account's payment waiting for the gateway, posted nowhere; dated this month before the load, in that order, and
loaded once however often the seed runs; on both engines."""

from __future__ import annotations

import random
from datetime import UTC
from datetime import date
from datetime import datetime

import pytest

from portal.accounts import demo as accounts_demo
from portal.billing import demo as billing_demo
from portal.billing import ledger
from portal.billing.tables import EntryKind
from portal.billing.tables import LedgerEntry
from portal.core import clock
from portal.demo import DemoContext
from portal.housing import demo as housing_demo
from portal.housing.tables import PersonalAccount
from portal.payments import demo
from portal.payments.tables import Payment
from portal.payments.tables import PaymentStatus
from portal.payments.tables import Refund
from portal.payments.tables import RefundStatus

TODAY = date(2026, 12, 9)


async def test_the_demo_has_a_returned_payment_and_a_refund_waiting_for_the_gateway(db):
    ctx = DemoContext(rng=random.Random(20261125), today=TODAY)
    for module in (housing_demo, accounts_demo, billing_demo):
        await module.seed(ctx)
    resident = ctx.shared["resident_accounts"][1]
    balance = await ledger.balance_of(resident)
    entries = await LedgerEntry.count()

    await demo.seed(ctx)
    refunds = {r["status"]: r for r in await Refund.select()}
    assert set(refunds) == {RefundStatus.SUCCEEDED, RefundStatus.PENDING}
    returned, pending = refunds[RefundStatus.SUCCEEDED], refunds[RefundStatus.PENDING]
    paid = await Payment.select().where(Payment.id == returned["payment"]).first()
    assert (paid["account"], paid["status"], paid["created_by"]) == (
        resident,
        PaymentStatus.REFUNDED,
        ctx.shared["users"]["resident"],
    )
    assert paid["refunded_kopecks"] == paid["amount_kopecks"] == returned["amount_kopecks"] > 0
    assert returned["created_by"] == pending["created_by"] == ctx.shared["users"]["accountant"]
    # Paid and returned this month, in that order, before the demo's moment: the billed months stay as issued.
    month_start = clock.day_start(TODAY.replace(day=1))
    assert month_start <= paid["paid_at"] < returned["posted_at"] < ctx.now
    posted = await LedgerEntry.select(LedgerEntry.kind, LedgerEntry.amount_kopecks, LedgerEntry.period).where(
        LedgerEntry.account == resident
    )
    kinds = {(e["kind"], e["amount_kopecks"], e["period"]) for e in posted}
    assert (EntryKind.PAYMENT, -paid["amount_kopecks"], TODAY.replace(day=1)) in kinds
    assert (EntryKind.REFUND, paid["amount_kopecks"], TODAY.replace(day=1)) in kinds
    assert await ledger.balance_of(resident) == balance
    assert await LedgerEntry.count() == entries + 2  # the pending refund posts nothing

    waiting = await Payment.select().where(Payment.id == pending["payment"]).first()
    assert (waiting["status"], waiting["refunded_kopecks"]) == (PaymentStatus.SUCCEEDED, 0)
    assert 0 < pending["amount_kopecks"] < waiting["amount_kopecks"] and pending["posted_at"] is None
    assert waiting["account"] not in ctx.shared["resident_accounts"]
    house = await PersonalAccount.select(PersonalAccount.premise.house.as_alias("house")).where(
        PersonalAccount.id == waiting["account"]
    )
    assert house[0]["house"] == ctx.shared["houses"][0]  # a house of the demo accountant's
    assert waiting["paid_at"] < pending["created_at"] < ctx.now

    await demo.seed(ctx)  # a second run writes nothing twice
    assert (await Refund.count(), await LedgerEntry.count()) == (2, entries + 2)
    assert await Payment.count().where(Payment.id == returned["payment"]) == 1


@pytest.mark.parametrize(
    "now",
    [
        datetime(2026, 12, 9, 9, 0, tzinfo=UTC),  # 12:00 on the 9th: the 4th at 10:15, the 8th at 14:40
        datetime(2026, 12, 1, 9, 0, tzinfo=UTC),  # 12:00 on the 1st: 10:15, then between it and now
        datetime(2026, 11, 30, 21, 5, tzinfo=UTC),  # five minutes into the 1st: minutes apart
        datetime(2026, 12, 31, 20, 59, tzinfo=UTC),  # the last minute of the month
    ],
)
def test_the_returned_payment_is_paid_then_returned_this_month_before_the_load(now):
    paid, returned = demo._this_month(now)
    assert clock.day_start(clock.local(now).date().replace(day=1)) <= paid < returned < now
