"""Demo: refunds of card payments made on the portal, one of each state an accountant meets.

- Returned (succeeded): resident@demo.ru paid his first flat's receipt into his second flat's account by mistake;
  the accountant returned the whole payment at his request. The payment reads «возвращён» in his payment history,
  and the account's history has the payment and its refund (the balance is as before).
- Waiting for the gateway (pending): part of another resident's card payment of last month, returned at their
  request, not confirmed by the gateway yet: nothing is posted until it is. The local sandbox keeps it pending
  (as a bank may keep a refund for days), so reconciliation, which asks about it every five minutes, leaves it so.

Both are dated this month, before the moment the demo is loaded (a billed month's receipts stay as issued), and
have fixed ids, so a second load writes nothing twice. Where the portal is served with the local sandbox gateway,
the payment and the returned money are made there too (``demo_gateway``), so the gateway agrees with the portal.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from datetime import time
from datetime import timedelta
from decimal import ROUND_CEILING
from decimal import Decimal

from portal.billing import ledger
from portal.billing import notes
from portal.billing import rules
from portal.billing.tables import EntryKind
from portal.core import clock
from portal.core.db import to_kopecks
from portal.demo import DemoContext
from portal.housing.tables import PersonalAccount
from portal.payments import demo_gateway
from portal.payments.tables import Payment
from portal.payments.tables import PaymentKind
from portal.payments.tables import PaymentPurpose
from portal.payments.tables import PaymentStatus
from portal.payments.tables import Refund
from portal.payments.tables import RefundStatus

DEMO_IDS = uuid.UUID("3b0e6f52-8d1c-4c57-9a34-5f2d6c1e7a90")
RETURNED = "Оплачен не тот лицевой счёт: по заявлению жителя платёж возвращён на карту"
PENDING = "Переплата: по заявлению жителя часть платежа возвращается на карту"


def _uid(name: str) -> str:
    return str(uuid.uuid5(DEMO_IDS, name))


async def seed(ctx: DemoContext) -> None:
    users = ctx.shared.get("users", {})
    residents = ctx.shared.get("resident_accounts") or []
    if len(residents) < 2 or "accountant" not in users:
        return
    paid_at, returned_at = _this_month(ctx.now)
    await _returned(residents, users, paid_at, returned_at)
    await _pending(ctx, users["accountant"], paid_at + (returned_at - paid_at) / 2)
    ctx.say("payments: a card payment returned, a refund waiting for the gateway")


def _this_month(now: datetime) -> tuple[datetime, datetime]:
    """When the payment was made and returned: in the daytime, two and four fifths into the month so far; early
    in the month (on the 1st, before these hours) between its start and ``now``, in that order."""
    today = clock.local(now).date()
    first = rules.month_start(today)

    def day_of(share: int, at: time) -> datetime:
        return datetime.combine(first + timedelta(days=(today - first).days * share // 5), at, tzinfo=clock.zone())

    paid = day_of(2, time(10, 15))
    if paid >= now:
        paid = clock.day_start(first) + (now - clock.day_start(first)) / 3
    returned = day_of(4, time(14, 40))
    if not paid < returned < now:
        returned = paid + (now - paid) / 2
    return paid.replace(microsecond=0), returned.replace(microsecond=0)


async def _returned(residents: list[int], users: dict[str, int], paid_at: datetime, returned_at: datetime) -> None:
    """The resident's payment into the wrong account, credited as the portal credits it, and returned in full."""
    uid, refund_uid = _uid("payment-into-the-wrong-account"), _uid("refund-of-the-wrong-account")
    if await Payment.exists().where(Payment.uid == uid):
        return
    meant, paid_into = residents[0], residents[1]
    amount = max(await ledger.amount_due(meant), Decimal("1000")).quantize(Decimal("1"), ROUND_CEILING)
    kopecks = to_kopecks(amount)
    number = await PersonalAccount.select(PersonalAccount.number).where(PersonalAccount.id == paid_into).first()
    description = f"ЖКУ, л/с {number['number']}"  # as a checkout names it at the gateway
    intent = demo_gateway.paid_intent(kopecks, uid, description)
    inserted = await Payment.insert(
        Payment(
            uid=uid, batch=uid, kind=PaymentKind.CHECKOUT, purpose=PaymentPurpose.UTILITIES, account=paid_into,
            amount_kopecks=kopecks, refunded_kopecks=kopecks, status=PaymentStatus.REFUNDED, intent_id=intent,
            idempotency_key=uid, created_by=users.get("resident"), description=description, method="card",
            created_at=paid_at, updated_at=returned_at, paid_at=paid_at, credited_at=paid_at,
        )
    ).returning(Payment.id)  # fmt: skip
    payment_id = inserted[0]["id"]
    await Refund.insert(
        Refund(
            uid=refund_uid, payment=payment_id, amount_kopecks=kopecks, reason=RETURNED,
            status=RefundStatus.SUCCEEDED, gateway_refund_id=demo_gateway.refunded(intent, kopecks, refund_uid),
            idempotency_key=refund_uid, created_by=users["accountant"], created_at=returned_at, posted_at=returned_at,
        )
    )  # fmt: skip
    # Posted when they happened, as the portal posts a card payment and a refund (the same month: no receipt moves).
    paid = {"kind": EntryKind.PAYMENT, "amount_kopecks": -kopecks, "occurred_at": paid_at, "created_at": paid_at,
            "reference": f"payment:{uid}", "note": notes.ONLINE_PAYMENT.write(number=payment_id)}  # fmt: skip
    back = {"kind": EntryKind.REFUND, "amount_kopecks": kopecks, "occurred_at": returned_at, "created_at": returned_at,
            "reference": f"refund:{refund_uid}", "note": RETURNED}  # fmt: skip
    await ledger.post_bulk([{**paid, "account": paid_into}, {**back, "account": paid_into}], ledger.period_of(paid_at))


async def _pending(ctx: DemoContext, accountant: int, asked_at: datetime) -> None:
    """A part of the newest card payment of another account of the first house, asked back and not yet confirmed
    by the gateway: a refund row only (the ledger and the payment change when the gateway confirms it)."""
    refund_uid = _uid("refund-waiting-for-the-gateway")
    if await Refund.exists().where(Refund.uid == refund_uid):
        return
    houses = ctx.shared.get("houses") or []
    residents = ctx.shared.get("resident_accounts") or []
    query = Payment.select(Payment.id, Payment.amount_kopecks, Payment.intent_id).where(
        (Payment.status == PaymentStatus.SUCCEEDED)
        & (Payment.purpose == PaymentPurpose.UTILITIES)
        & Payment.account.not_in(residents)
        & (Payment.paid_at < asked_at)
    )
    if houses:
        query = query.where(Payment.account.premise.house == houses[0])
    payment = await query.order_by(Payment.paid_at, ascending=False).first()
    if payment is None:
        return
    kopecks = max(100, payment["amount_kopecks"] // 3 // 100 * 100)  # a third, in whole roubles
    asked = demo_gateway.refunded(payment["intent_id"], kopecks, refund_uid, pending=True)
    await Refund.insert(
        Refund(
            uid=refund_uid, payment=payment["id"], amount_kopecks=kopecks, reason=PENDING,
            status=RefundStatus.PENDING, gateway_refund_id=asked, idempotency_key=refund_uid, created_by=accountant,
            created_at=asked_at,
        )
    )  # fmt: skip
