"""A checkout continued in another language: its payments closed unpaid are marked replaced by the new payment of
their account in one UPDATE, however many accounts it paid; one paid meanwhile keeps its own place. Checkouts a
newer one closed before that rule are marked by a migration (both engines)."""

from __future__ import annotations

import importlib
import uuid
from datetime import UTC
from datetime import datetime
from datetime import timedelta

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


async def _payment(household, account: int, status: str, minutes: int, **values) -> int:
    """A checkout's payment on ``account`` started ``minutes`` after a fixed time, opened at the gateway."""
    batch = str(uuid.uuid4())
    row = Payment(
        uid=str(uuid.uuid4()),
        batch=values.pop("batch", batch),
        account=account,
        amount_kopecks=10000,
        status=status,
        session_id=values.pop("session_id", f"cs_test_{batch[:8]}"),
        idempotency_key=batch,
        created_by=values.pop("created_by", household["resident"]),
        created_at=datetime(2026, 12, 3, 9, 0, tzinfo=UTC) + timedelta(minutes=minutes),
        **values,
    )
    return (await Payment.insert(row).returning(Payment.id))[0]["id"]


async def test_the_migration_marks_checkouts_closed_by_a_newer_one_before_the_code_did(db, household, make_user):
    """Checkouts a newer one of the same debt closed before every new checkout marked what it closed: each is
    replaced by the next checkout its payer started on its account while it could still be paid (within the
    hour of its lifetime), in one UPDATE on either engine; run again it changes nothing. One whose time ran out
    first, or whose next checkout was someone else's, of another debt or never opened at the gateway, keeps its
    own place; so does one paid, and one already replaced keeps what replaced it."""
    migration = importlib.import_module("migrations.payments.payments_2026_12_05t01_00_00_000000")
    a, b = household["accounts"]
    other = await make_user(name="Иванова Мария", accounts={a: "owner", b: "owner"})
    both = str(uuid.uuid4())  # one checkout of both accounts, then a new one of the first only
    left_a = await _payment(household, a, "expired", 0, batch=both)
    left_b = await _payment(household, b, "expired", 0, batch=both)
    new_a = await _payment(household, a, "expired", 10)  # left in turn: replaced by the next
    newest_a = await _payment(household, a, "open", 20)
    timed_out_b = await _payment(household, b, "expired", 100)  # the next started after its hour ran out
    later_b = await _payment(household, b, "expired", 200)  # its next is someone else's, then an order's
    await _payment(household, b, "open", 205, created_by=other)
    await _payment(household, b, "open", 210, purpose="order", reference="order-1")
    refused_b = await _payment(household, b, "expired", 300)  # its next was never opened at the gateway
    await _payment(household, b, "failed", 305, session_id=None)
    paid_b = await _payment(household, b, "succeeded", 400)
    kept_b = await _payment(household, b, "expired", 500, replaced_by=paid_b)
    await _payment(household, b, "open", 510)

    for _ in range(2):
        with captured(db) as seen:
            await migration.mark_replaced(db)
        assert len(seen) == 1
        rows = await Payment.select(Payment.id, Payment.replaced_by).where(Payment.account.is_in([a, b]))
        replaced = {r["id"]: r["replaced_by"] for r in rows if r["replaced_by"] is not None}
        assert replaced == {left_a: new_a, new_a: newest_a, kept_b: paid_b}
    assert not {left_b, timed_out_b, later_b, refused_b, paid_b} & set(replaced)


async def test_staff_read_whether_a_checkout_was_continued_in_another_language_or_replaced_by_a_new_payment(
    client, new_client, login, household, gateway
):
    """Staff are told why a checkout closed unpaid has a successor: the payer continued it in another language
    («продолжен как № N»), or started a new payment of the same account from the pay page, which closed it
    («заменён платежом № N»): that one was not continued, and its page says so too (both languages)."""
    a = household["accounts"][0]
    await login(client, household["resident"])
    await client.speak("en")
    await client.form("/pay", {f"pay_{a}": "1", f"amount_{a}": "3540.00"})
    first = (await Payment.select(Payment.id).where(Payment.account == a).first())["id"]
    await client.speak("ru")
    assert (await client.form(f"/payments/{first}/continue")).status_code == 303
    await client.form("/pay", {f"pay_{a}": "1", f"amount_{a}": "1000.00"})
    await gateway.settle()
    rows = await Payment.select(Payment.id, Payment.replaced_by).where(Payment.account == a).order_by(Payment.id)
    second, third = rows[1]["id"], rows[2]["id"]
    assert [r["replaced_by"] for r in rows] == [second, third, None]

    staff = new_client()
    await login(staff, household["accountant"])
    words = {
        "ru": (
            "продолжен как №\u00a0{}",
            "заменён платежом №\u00a0{}",
            "продолжил оплату на другом языке",
            "Его место занял",
        ),
        "en": (
            "continued as No.\u00a0{}",
            "replaced by payment No.\u00a0{}",
            "continued the payment in another",
            "took its place",
        ),
    }
    for lang, (continued, replaced, said_continued, said_replaced) in words.items():
        await staff.speak(lang)
        listed = (await staff.get("/staff/payments")).text
        assert continued.format(second) in listed and replaced.format(third) in listed
        assert continued.format(third) not in listed and replaced.format(second) not in listed
        detail = (await staff.get(f"/staff/payments/{second}")).text
        assert said_replaced in detail and said_continued not in detail
        detail = (await staff.get(f"/staff/payments/{first}")).text
        assert said_continued in detail and said_replaced not in detail


async def test_the_migration_marks_the_replaced_checkouts_of_orders_continued(db, household):
    """An order's checkout is only ever replaced by its continuation in another language; a utilities checkout
    replaced before staff were told which cannot be told apart, and reads «заменён» (true of both)."""
    migration = importlib.import_module("migrations.payments.payments_2026_12_05t01_10_00_000000")
    a = household["accounts"][0]
    order = await _payment(household, a, "expired", 0, purpose="order", reference="order-1")
    order_next = await _payment(household, a, "open", 5, purpose="order", reference="order-1")
    bills = await _payment(household, a, "expired", 10)
    bills_next = await _payment(household, a, "open", 15)
    for old, new in ((order, order_next), (bills, bills_next)):
        await Payment.update({Payment.replaced_by: new}).where(Payment.id == old)
    await db.run_ddl(migration.STATEMENTS[-1])
    rows = await Payment.select(Payment.id, Payment.continued).where(Payment.account == a)
    assert {r["id"] for r in rows if r["continued"]} == {order}
