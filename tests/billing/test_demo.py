"""The demo bills a month after it ends, as a management company does: on 2 December the last receipt is
November's, due 15 December, and the good payer owes nothing overdue; on both engines."""

from __future__ import annotations

import random
from datetime import date
from decimal import Decimal as D

from portal.billing import demo
from portal.billing import queries
from portal.billing.registry_tables import LineStatus
from portal.billing.registry_tables import PaymentRegistry
from portal.billing.registry_tables import RegistryPayment
from portal.billing.tables import Charge
from portal.billing.tables import EntryKind
from portal.billing.tables import LedgerEntry
from portal.billing.tables import Receipt
from portal.core import calendar
from portal.core import clock
from portal.core.security import Principal
from portal.demo import DemoContext
from portal.housing import demo as housing_demo
from portal.payments.tables import Payment

TODAY = date(2026, 12, 2)
NOVEMBER, DECEMBER = date(2026, 11, 1), date(2026, 12, 1)


async def test_on_2_december_the_demo_resident_has_novembers_receipt_due_15_december_and_nothing_overdue(
    db, monkeypatch, make_user
):
    ctx = DemoContext(rng=random.Random(20261125), today=TODAY)
    await housing_demo.seed(ctx)
    await demo.seed(ctx)

    assert await Charge.count().where(Charge.period >= DECEMBER) == 0, "December is not billed before it ends"
    assert await Receipt.count().where(Receipt.period >= DECEMBER) == 0
    assert await Charge.count().where(Charge.period == NOVEMBER) > 0

    monkeypatch.setattr(clock, "today_local", lambda: TODAY)
    good, ahead = ctx.shared["resident_accounts"][:2]
    user = await make_user(accounts={good: "tenant", ahead: "tenant"})
    resident = Principal(user_id=user, account_rights={good: frozenset({"view"}), ahead: frozenset({"view"})})
    balances = {b.info.id: b for b in await queries.home_balances(resident)}
    assert balances[good].receipt is not None
    assert (balances[good].receipt.period, balances[good].receipt.due_date) == (NOVEMBER, date(2026, 12, 15))
    assert balances[good].receipt.issued_at.date() == date(2026, 11, 30)
    assert balances[good].state.kind == "debt" and balances[good].overdue == 0
    assert (balances[ahead].state.kind, balances[ahead].state.amount) == ("overpaid", D("120.00"))

    # A card payment on the portal is credited the moment it is paid, not the day the demo was loaded.
    paid = {
        f"payment:{r['uid']}": r["paid_at"]
        for r in await Payment.select(Payment.uid, Payment.paid_at).where(Payment.intent_id.like("pi_%"))
    }
    assert paid
    entries = await LedgerEntry.select(LedgerEntry.reference, LedgerEntry.created_at).where(
        LedgerEntry.reference.is_in(list(paid))
    )
    assert len(entries) == len(paid)
    for e in entries:
        assert clock.local(e["created_at"]).date() == clock.local(paid[e["reference"]]).date(), e["reference"]

    # The bank's payments come in a file a day and are credited the next working morning, not on the load day.
    lines = await RegistryPayment.select(RegistryPayment.reference, RegistryPayment.paid_on).where(
        RegistryPayment.status == LineStatus.CREDITED
    )
    assert len(lines) >= 10
    credited = {
        e["reference"]: clock.local(e["created_at"]).date()
        for e in await LedgerEntry.select(LedgerEntry.reference, LedgerEntry.created_at).where(
            LedgerEntry.reference.is_in([r["reference"] for r in lines])
        )
    }
    for r in lines:
        assert credited[r["reference"]] == calendar.add_working_days(r["paid_on"], 1), r["reference"]
    days = {r["paid_on"] for r in await RegistryPayment.select(RegistryPayment.paid_on)}
    assert await PaymentRegistry.count() == len(days) > 10


async def test_every_demo_receipt_carries_the_penalties_posted_for_its_month(db):
    """Each month's receipt was issued before that month's penalties were posted, so the resident's history showed
    «Пени: 0,00 ₽» on a receipt above a penalty line of 1,80 ₽ for the same month."""
    ctx = DemoContext(rng=random.Random(20261125), today=TODAY)
    await housing_demo.seed(ctx)
    await demo.seed(ctx)

    posted: dict[tuple[int, date], int] = {}
    for e in await LedgerEntry.select(LedgerEntry.account, LedgerEntry.period, LedgerEntry.amount_kopecks).where(
        LedgerEntry.kind == EntryKind.PENALTY
    ):
        key = (e["account"], e["period"])
        posted[key] = posted.get(key, 0) + e["amount_kopecks"]
    assert sum(1 for kopecks in posted.values() if kopecks > 0) >= 10, "the demo has penalties to show"
    receipts = await Receipt.select(Receipt.account, Receipt.period, Receipt.penalties_kopecks)
    assert receipts
    wrong = [
        (r["account"], r["period"], r["penalties_kopecks"], posted.get((r["account"], r["period"]), 0))
        for r in receipts
        if r["penalties_kopecks"] != posted.get((r["account"], r["period"]), 0)
    ]
    assert wrong == []
    assert {period for _, period in posted} <= {r["period"] for r in receipts}, "no penalties of a month unbilled"


def test_the_demo_writes_the_area_behind_the_maintenance_charge_with_a_decimal_comma():
    rng = random.Random(1)
    lines = demo._charges_of(rng, demo._Profile(rng, 1), D("37.8"), "flat", NOVEMBER, False, date(2026, 7, 1))
    (note,) = [note for code, *_, note in lines if code == "maintenance"]
    assert note == "Площадь помещения 37,80 м²"
