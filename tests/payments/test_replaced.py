"""A checkout continued in another language: its payments closed unpaid are marked replaced by the new payment of
their account in one UPDATE, however many accounts it paid; one paid meanwhile keeps its own place (both engines)."""

from __future__ import annotations

import uuid

from portal.payments import actions
from portal.payments.tables import Payment
from tests.querylog import captured


async def _checkout(household, batch: str, statuses: list[str]) -> dict[int, int]:
    ids = {}
    for account, status in zip(household["accounts"], statuses, strict=True):
        row = Payment(
            uid=str(uuid.uuid4()),
            batch=batch,
            account=account,
            amount_kopecks=10000,
            status=status,
            idempotency_key=batch,
            created_by=household["resident"],
        )
        ids[account] = (await Payment.insert(row).returning(Payment.id))[0]["id"]
    return ids


async def test_the_payments_of_a_continued_checkout_are_marked_replaced_in_one_update(db, household):
    a, b = household["accounts"]
    old, new = str(uuid.uuid4()), str(uuid.uuid4())
    before = await _checkout(household, old, ["expired", "expired"])
    after = await _checkout(household, new, ["open", "open"])

    with captured(db) as seen:
        await actions._mark_replaced([old], after)

    assert len([q for q in seen if str(q).lstrip().upper().startswith("UPDATE")]) == 1
    assert len(seen) == 1
    rows = await Payment.select(Payment.id, Payment.replaced_by).where(Payment.batch == old)
    assert {r["id"]: r["replaced_by"] for r in rows} == {before[a]: after[a], before[b]: after[b]}


async def test_a_payment_of_the_continued_checkout_paid_meanwhile_is_not_replaced(db, household):
    a, b = household["accounts"]
    old, new = str(uuid.uuid4()), str(uuid.uuid4())
    before = await _checkout(household, old, ["expired", "succeeded"])
    after = await _checkout(household, new, ["open", "open"])

    await actions._mark_replaced([old], {a: after[a], b: after[b]})

    rows = await Payment.select(Payment.id, Payment.replaced_by).where(Payment.batch == old)
    assert {r["id"]: r["replaced_by"] for r in rows} == {before[a]: after[a], before[b]: None}
