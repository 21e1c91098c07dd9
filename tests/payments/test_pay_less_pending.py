"""The pay sheet offers the amount due less the account's payments still pending (anyone's: a co-owner's autopay
charge not answered yet, the payer's own payment being confirmed) and says why; the payer may still type another
amount and pay it. A pending payment past its time no longer counts (both engines)."""

from __future__ import annotations

import uuid
from datetime import timedelta
from decimal import Decimal

from portal.core import clock
from portal.core.i18n import format_moment
from portal.payments import queries
from portal.payments.tables import Payment
from portal.settings import get_settings


async def _pending(
    account: int, user: int, kopecks: int, *, kind: str = "autopay", expires_in: int = 30, purpose: str = "utilities"
) -> str:
    """A payment of ``account`` by ``user`` whose answer is not in yet; the moment the sheet names, in Russian."""
    now = clock.now()
    created = now - timedelta(minutes=5)
    uid = str(uuid.uuid4())
    await Payment.insert(
        Payment(
            uid=uid,
            batch=uid,
            kind=kind,
            purpose=purpose,
            account=account,
            amount_kopecks=kopecks,
            status="pending",
            idempotency_key=uid,
            created_by=user,
            session_id=None if kind == "autopay" else f"cs_{uid[:8]}",
            created_at=created,
            expires_at=None if kind == "autopay" else now + timedelta(minutes=expires_in),
        )
    )
    return format_moment(created, get_settings().time_zone, "ru")


async def test_a_co_owners_pending_autopay_is_taken_off_the_amount_offered_and_another_amount_may_be_paid(
    client, login, make_user, household, gateway
):
    a = household["accounts"][0]
    second = await make_user(name="Иванова Мария", accounts={a: "owner"}, rights=("view", "pay"))
    since = await _pending(a, second, 100000)
    await login(client, household["resident"])
    page = (await client.get(f"/pay?account={a}")).text
    assert 'value="2540,00"' in page  # 3 540,00 due, 1 000,00 of it being paid by the co-owner
    assert f"1\u00a0000,00\u00a0₽ уже в обработке: оплата совладельца от {since}." in page
    assert '<span class="money">3\u00a0540,00\u00a0₽</span>' in page  # the amount due itself is stated as it is
    paid = await client.form("/pay", {"only": str(a), f"amount_{a}": "3540.00"})  # the whole debt, as typed
    assert paid.status_code == 303, paid.text
    opened = await Payment.select(Payment.amount_kopecks).where((Payment.account == a) & (Payment.kind == "checkout"))
    assert [p["amount_kopecks"] for p in opened] == [354000]


async def test_the_payers_own_payment_being_confirmed_is_named_as_theirs_and_one_past_its_time_no_longer_counts(
    client, login, household, gateway
):
    a, b = household["accounts"]
    since = await _pending(a, household["resident"], 40000, kind="checkout")
    await _pending(b, household["resident"], 50000, kind="checkout", expires_in=-1)  # its time ran out
    await login(client, household["resident"])
    page = (await client.get("/pay")).text
    assert 'value="3140,00"' in page and f"400,00\u00a0₽ уже в обработке: ваша оплата от {since}." in page
    assert 'value="1200,50"' in page  # the expired one is not taken off
    assert page.count("уже в обработке") == 1


async def test_a_paid_service_order_being_paid_is_not_taken_off_the_utilities_due(client, login, household, gateway):
    # A plumber's visit (an order of paid services) paid from the same account is no part of its debt: the sheet said
    # «1 500,00 ₽ уже в обработке: ваша оплата» and offered 2 040,00 of the 3 540,00 due, and autopay would take as
    # little.
    a = household["accounts"][0]
    await _pending(a, household["resident"], 150000, kind="checkout", purpose="order")
    await login(client, household["resident"])
    page = (await client.get(f"/pay?account={a}")).text
    assert 'value="3540,00"' in page and "уже в обработке" not in page
    assert await queries.pending_of(a, household["resident"], clock.now()) == queries.Pending(Decimal("0.00"), False)
