"""Reads and writes of the payments domain; the gateway is asked for the truth, the ledger credited once.

Every change that follows the gateway goes through ``apply_outcome`` (payments) or ``apply_refund`` (refunds):
conditional updates decide who wins when two deliveries of one event race, and the ledger's unique reference
is the last guard, so a payment is credited exactly once whatever the number or order of events.
"""

from __future__ import annotations

import logging
import os
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from portal.billing import ledger
from portal.billing.queries import accounts_info
from portal.core.db import atomic, from_kopecks, to_kopecks
from portal.core.i18n import get_locale, set_locale
from portal.core.i18n import gettext as _
from portal.core.pagination import Page, PageRequest
from portal.core.security import Principal
from portal.payments import rules
from portal.payments.gateway import (
    CheckoutSession,
    GatewayError,
    PaymentIntent,
    client,
)
from portal.payments.tables import (
    AutopayMandate,
    CardSetup,
    GatewayCustomer,
    Payment,
    PaymentMethod,
    Refund,
    WebhookEvent,
)
from portal.settings import get_settings

log = logging.getLogger("portal.payments")


def commission_percent() -> Decimal:
    return Decimal(os.environ.get("PAYMENT_COMMISSION_PERCENT", "0") or "0")


def autopay_day() -> int:
    return int(os.environ.get("PAYMENT_AUTOPAY_DAY", "1") or "1")


def _now() -> datetime:
    return datetime.now(UTC)


# --- what the resident may pay ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class PayableAccount:
    id: int
    number: str
    address: str
    due: Decimal
    balance: Decimal


async def payable_accounts(principal: Principal) -> list[PayableAccount]:
    """The user's accounts with the right to pay, with the amount due of each (three bounded queries)."""
    ids = sorted(a for a in principal.account_ids if principal.may_on_account(a, "pay"))
    if not ids:
        return []
    info = await accounts_info(ids)
    balances = await ledger.balances_of(ids)
    found = []
    for account_id in ids:
        if account_id not in info:
            continue
        balance = balances.get(account_id, Decimal("0.00"))
        found.append(
            PayableAccount(
                id=account_id,
                number=info[account_id].number,
                address=info[account_id].address,
                due=max(Decimal("0.00"), balance),
                balance=balance,
            )
        )
    return found


# --- starting a checkout ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Started:
    batch: str
    url: str
    first_payment_id: int


class PaymentUnavailable(Exception):
    """The gateway could not start the payment (nothing was charged)."""


async def start_checkout(
    principal: Principal, items: Sequence[tuple[PayableAccount, Decimal]], base_url: str
) -> Started:
    """Record the payments, then ask the gateway for a checkout session with one line item per account."""
    batch = str(uuid.uuid4())
    key = str(uuid.uuid4())
    percent = commission_percent()
    ids: list[int] = []
    async with atomic():
        for account, amount in items:
            row = await Payment.insert(
                Payment(
                    uid=str(uuid.uuid4()),
                    batch=batch,
                    kind="checkout",
                    account=account.id,
                    amount_kopecks=to_kopecks(amount),
                    commission_kopecks=to_kopecks(rules.commission(amount, percent)),
                    status=rules.CREATED,
                    idempotency_key=key,
                    created_by=principal.user_id,
                    description=f"ЖКУ, л/с {account.number}",
                )
            ).returning(Payment.id)
            ids.append(row[0]["id"])
    lines = [(f"ЖКУ, л/с {a.number}", to_kopecks(amount)) for a, amount in items]
    fee = sum(to_kopecks(rules.commission(amount, percent)) for _, amount in items)
    if fee:
        lines.append(("Комиссия", fee))
    try:
        session = await client().create_checkout_session(
            payment_id=batch,
            lines=lines,
            success_url=f"{base_url}/pay/return?session_id={{CHECKOUT_SESSION_ID}}",
            cancel_url=f"{base_url}/pay/cancel?payment={batch}",
            idempotency_key=key,
            metadata={"accounts": ",".join(a.number for a, _ in items)[:450]},
            description="Оплата ЖКУ",
        )
    except GatewayError as exc:
        log.warning("checkout for batch %s not started: %s", batch, exc)
        await Payment.update(
            {
                Payment.status: rules.FAILED,
                Payment.failure_code: exc.code or exc.type,
                Payment.failure_message: "gateway_unavailable",
                Payment.updated_at: _now(),
            }
        ).where(Payment.batch == batch)
        raise PaymentUnavailable(str(exc)) from exc
    await Payment.update(
        {Payment.session_id: session.id, Payment.status: rules.PENDING, Payment.updated_at: _now()}
    ).where((Payment.batch == batch) & (Payment.status == rules.CREATED))
    return Started(batch=batch, url=session.url or "", first_payment_id=ids[0])


# --- applying what the gateway says ---------------------------------------------------------------------------


async def _notify_user(user_id: int | None, template: str, subject: str, body: str, key: str, link: str) -> None:
    if not user_id:
        return
    from portal.accounts.notify import notify
    from portal.accounts.tables import User

    row = await User.select(User.locale).where(User.id == user_id).first()
    previous = get_locale()
    set_locale((row or {}).get("locale") or "ru")
    try:
        await notify(user_id, template, subject=subject(), body=body(), dedupe_key=key, link=link)  # type: ignore[operator]
    finally:
        set_locale(previous)


async def apply_outcome(batch: str, outcome: rules.Outcome, intent_id: str | None = None) -> int:
    """Move the payments of ``batch`` to ``outcome``; on success credit the ledger once. Returns rows changed."""
    now = _now()
    async with atomic():
        rows = await Payment.select(
            Payment.id,
            Payment.uid,
            Payment.account,
            Payment.amount_kopecks,
            Payment.status,
            Payment.credited_at,
            Payment.created_by,
            Payment.kind,
            Payment.account.number.as_alias("number"),
        ).where(Payment.batch == batch)
        changed = 0
        for row in rows:
            if not rules.may_become(row["status"], outcome.status):
                continue
            values: dict[Any, Any] = {Payment.status: outcome.status, Payment.updated_at: now}
            if intent_id:
                values[Payment.intent_id] = intent_id
            if outcome.status == rules.SUCCEEDED:
                values[Payment.paid_at] = now
                values[Payment.failure_code] = ""
                values[Payment.failure_message] = ""
            elif outcome.status == rules.FAILED:
                values[Payment.failure_code] = outcome.code[:64]
                values[Payment.failure_message] = outcome.message[:255]
            updated = (
                await Payment.update(values)
                .where((Payment.id == row["id"]) & (Payment.status == row["status"]))
                .returning(Payment.id)
            )
            changed += len(updated)
        if outcome.status == rules.SUCCEEDED:
            await _credit(rows, now)
        elif outcome.status == rules.FAILED and changed and rows:
            first = rows[0]
            code = outcome.code
            await _notify_user(
                first["created_by"],
                "payment_failed",
                lambda: _("Payment failed"),
                lambda: _("The payment was not made: %(reason)s Nothing was charged.", reason=decline_text(code, "")),
                f"payment:{batch}:failed:{code}",
                f"/payments/{first['id']}",
            )
    return changed


async def _credit(rows: list[dict[str, Any]], now: datetime) -> None:
    """Credit each account of a paid batch once (the ledger reference is the guard)."""
    posted_any = False
    for row in rows:
        if row["credited_at"] is not None:
            continue
        posted = await ledger.post_payment(
            row["account"],
            from_kopecks(row["amount_kopecks"]),
            f"payment:{row['uid']}",
            now,
            note=f"Онлайн-оплата №{row['id']}",
        )
        await Payment.update({Payment.credited_at: now}).where(
            (Payment.id == row["id"]) & Payment.credited_at.is_null()
        )
        posted_any = posted_any or posted
    if posted_any and rows:
        first = rows[0]
        total = sum((from_kopecks(r["amount_kopecks"]) for r in rows), Decimal("0"))
        numbers = ", ".join(r["number"] for r in rows)
        from portal.core.i18n import format_money

        await _notify_user(
            first["created_by"],
            "payment_succeeded",
            lambda: _("Payment received"),
            lambda: _(
                "We have received your payment of %(amount)s for account %(numbers)s. Thank you!",
                amount=format_money(total),
                numbers=numbers,
            ),
            f"payment:{rows[0]['uid']}:succeeded",
            f"/payments/{first['id']}",
        )


def decline_text(code: str | None, fallback: str) -> str:
    """A plain-language reason for a failed payment (translated at render time)."""
    texts = {
        "generic_decline": _("The bank declined the card."),
        "card_declined": _("The bank declined the card."),
        "insufficient_funds": _("There is not enough money on the card."),
        "authentication_required": _("The bank asks you to confirm this payment yourself. Please pay on the portal."),
        "payment_intent_authentication_failure": _("The payment was not confirmed with the bank."),
        "gateway_unavailable": _("The payment service is not available right now. Please try again later."),
        "expired_card": _("The card has expired."),
    }
    return texts.get(code or "", fallback or _("The payment did not go through."))


async def batch_rows(batch: str) -> list[dict[str, Any]]:
    return await Payment.select(Payment.id, Payment.kind, Payment.session_id, Payment.intent_id, Payment.status).where(
        Payment.batch == batch
    )


async def sync_batch(batch: str) -> rules.Outcome | None:
    """Ask the gateway how ``batch`` stands now and apply it (webhooks, reconciliation and the return page use it)."""
    rows = await batch_rows(batch)
    if not rows:
        return None
    gateway = client()
    first = rows[0]
    if first["kind"] == "checkout":
        session_id = first["session_id"]
        if not session_id:
            found = await gateway.find_session(batch, since=int((_now() - timedelta(days=2)).timestamp()))
            if found is None:
                return None
            session_id = found.id
            await Payment.update({Payment.session_id: session_id}).where(Payment.batch == batch)
        session = await gateway.retrieve_session(session_id)
        return await apply_session(batch, session)
    if not first["intent_id"]:
        return None
    intent = await gateway.retrieve_payment_intent(first["intent_id"])
    return await apply_intent(batch, intent)


async def apply_session(batch: str, session: CheckoutSession) -> rules.Outcome:
    intent: PaymentIntent | None = None
    if session.payment_intent:
        intent = await client().retrieve_payment_intent(session.payment_intent)
    error = intent.last_payment_error if intent else None
    outcome = rules.session_outcome(
        session.status,
        session.payment_status,
        intent.status if intent else None,
        (error.decline_code or error.code) if error else None,
        error.message if error else None,
    )
    await apply_outcome(batch, outcome, intent.id if intent else None)
    return outcome


async def apply_intent(batch: str, intent: PaymentIntent) -> rules.Outcome:
    error = intent.last_payment_error
    outcome = rules.intent_outcome(
        intent.status,
        (error.decline_code or error.code) if error else None,
        error.message if error else None,
    )
    await apply_outcome(batch, outcome, intent.id)
    return outcome


# --- webhooks ---------------------------------------------------------------------------------------------------


async def remember_event(event_id: str, type_: str, object_id: str) -> bool:
    """Store the event id once; False when it was processed before (a repeat to skip)."""
    existing = await WebhookEvent.select(WebhookEvent.processed_at).where(WebhookEvent.event_id == event_id).first()
    if existing is not None:
        return existing["processed_at"] is None
    try:
        async with atomic():
            await WebhookEvent.insert(
                WebhookEvent(event_id=event_id, type=type_[:64], object_id=object_id[:80])
            ).on_conflict(target=WebhookEvent.event_id, action="DO NOTHING")
    except Exception:  # a concurrent delivery inserted it first
        return False
    return True


async def mark_event(event_id: str, outcome: str) -> None:
    await WebhookEvent.update({WebhookEvent.processed_at: _now(), WebhookEvent.outcome: outcome[:64]}).where(
        WebhookEvent.event_id == event_id
    )


async def _batch_of(
    *, session_id: str | None = None, intent_id: str | None = None, batch: str | None = None
) -> str | None:
    if batch:
        row = await Payment.select(Payment.batch).where(Payment.batch == batch).first()
        if row:
            return row["batch"]
    if session_id:
        row = await Payment.select(Payment.batch).where(Payment.session_id == session_id).first()
        if row:
            return row["batch"]
    if intent_id:
        row = await Payment.select(Payment.batch).where(Payment.intent_id == intent_id).first()
        if row:
            return row["batch"]
    return None


async def handle_event(event: dict[str, Any]) -> str:
    """Apply one verified event; returns a short outcome for the log. Unknown payments are logged and ignored."""
    type_ = str(event.get("type") or "")
    obj = (event.get("data") or {}).get("object") or {}
    object_id = str(obj.get("id") or "")
    metadata = obj.get("metadata") or {}
    if type_.startswith("checkout.session."):
        if obj.get("mode") == "setup":
            return await apply_card_setup(object_id)
        batch = await _batch_of(session_id=object_id, batch=metadata.get("payment_id"))
    elif type_.startswith("payment_intent."):
        batch = await _batch_of(intent_id=object_id, batch=metadata.get("payment_id"))
    elif type_ == "charge.refunded":
        return await sync_refunds_of_intent(str(obj.get("payment_intent") or ""))
    elif type_.startswith("refund."):
        return await sync_refund(object_id, (obj.get("metadata") or {}).get("refund_id"))
    else:
        return "ignored"
    if batch is None:
        log.info("webhook %s %s for an unknown payment %s", event.get("id"), type_, object_id)
        return "unknown"
    outcome = await sync_batch(batch)
    return outcome.status if outcome else "unknown"


# --- reconciliation ---------------------------------------------------------------------------------------------


async def reconcile(since: datetime | None = None) -> int:
    """Fix payments whose webhook was lost: list recent payment intents and apply each known one's state.

    Also looks at our own pending checkouts older than a few minutes (a session never paid has no intent yet).
    """
    since = since or _now() - timedelta(days=3)
    fixed = 0
    seen: set[str] = set()
    async for intent in client().list_payment_intents(since=int(since.timestamp())):
        batch = intent.metadata.get("payment_id")
        if not batch or batch in seen:
            continue
        seen.add(batch)
        rows = await Payment.select(Payment.status, Payment.kind).where(Payment.batch == batch)
        if not rows or all(r["status"] in rules.PAID_STATUSES for r in rows):
            continue
        outcome = await sync_batch(batch)
        if outcome and outcome.status != rules.PENDING:
            fixed += 1
    stale = (
        await Payment.select(Payment.batch)
        .where(
            Payment.status.is_in([rules.PENDING, rules.CREATED])
            & (Payment.created_at >= since)
            & (Payment.created_at <= _now() - timedelta(minutes=30))
        )
        .order_by(Payment.created_at)
        .limit(200)
    )
    for row in stale:
        if row["batch"] in seen:
            continue
        seen.add(row["batch"])
        try:
            outcome = await sync_batch(row["batch"])
        except GatewayError as exc:
            log.warning("reconcile %s: %s", row["batch"], exc)
            continue
        if outcome and outcome.status != rules.PENDING:
            fixed += 1
    return fixed


# --- refunds ---------------------------------------------------------------------------------------------------


class RefundRefused(Exception):
    def __init__(self, reason: str, message: str = "") -> None:
        super().__init__(reason)
        self.reason = reason
        self.message = message


async def refund_payment(payment_id: int, amount: Decimal, reason: str, actor: Principal, ip: str = "") -> int:
    """Refund ``amount`` of a payment through the gateway, then the ledger and the audit log. Returns the refund id."""
    row = await Payment.select().where(Payment.id == payment_id).first()
    if row is None or not row["intent_id"]:
        raise RefundRefused("not_paid")
    available = rules.refundable(row["amount_kopecks"], row["refunded_kopecks"], row["status"])
    problem = rules.refund_problem(to_kopecks(amount), available)
    if problem:
        raise RefundRefused(problem)
    uid = str(uuid.uuid4())
    key = str(uuid.uuid4())
    inserted = await Refund.insert(
        Refund(
            uid=uid,
            payment=payment_id,
            amount_kopecks=to_kopecks(amount),
            reason=reason[:255],
            status="pending",
            idempotency_key=key,
            created_by=actor.user_id,
        )
    ).returning(Refund.id)
    refund_id = inserted[0]["id"]
    try:
        result = await client().create_refund(
            payment_intent=row["intent_id"],
            amount=to_kopecks(amount),
            reason="requested_by_customer",
            refund_id=uid,
            idempotency_key=key,
        )
    except GatewayError as exc:
        await Refund.update({Refund.status: "failed", Refund.failure_message: exc.message[:255]}).where(
            Refund.id == refund_id
        )
        raise RefundRefused("gateway", exc.message) from exc
    await Refund.update({Refund.gateway_refund_id: result.id}).where(Refund.id == refund_id)
    if result.status == "succeeded":
        await apply_refund(refund_id, actor=actor, ip=ip)
    return refund_id


async def apply_refund(refund_id: int, actor: Principal | None = None, ip: str = "") -> bool:
    """Post a succeeded refund to the ledger once, update the payment, and record it in the audit log."""
    from portal.core import audit

    now = _now()
    async with atomic():
        claimed = (
            await Refund.update({Refund.status: "succeeded", Refund.posted_at: now})
            .where((Refund.id == refund_id) & Refund.posted_at.is_null())
            .returning(Refund.id, Refund.uid, Refund.payment, Refund.amount_kopecks, Refund.reason, Refund.created_by)
        )
        if not claimed:
            return False
        refund = claimed[0]
        payment = await Payment.select().where(Payment.id == refund["payment"]).first()
        assert payment is not None
        await ledger.post_refund(
            payment["account"],
            from_kopecks(refund["amount_kopecks"]),
            f"refund:{refund['uid']}",
            now,
            reason=refund["reason"],
        )
        refunded = payment["refunded_kopecks"] + refund["amount_kopecks"]
        status = rules.status_after_refunds(payment["amount_kopecks"], refunded)
        await Payment.update(
            {Payment.refunded_kopecks: refunded, Payment.status: status, Payment.updated_at: now}
        ).where(Payment.id == payment["id"])
        await audit.record(
            actor,
            "payment.refund",
            "payment",
            payment["id"],
            {
                "refund_id": refund_id,
                "amount": str(from_kopecks(refund["amount_kopecks"])),
                "reason": refund["reason"],
                "status": [payment["status"], status],
            },
            ip=ip,
        )
    return True


async def sync_refund(gateway_refund_id: str, refund_uid: str | None) -> str:
    row = None
    if refund_uid:
        row = await Refund.select(Refund.id, Refund.gateway_refund_id).where(Refund.uid == refund_uid).first()
    if row is None and gateway_refund_id:
        row = (
            await Refund.select(Refund.id, Refund.gateway_refund_id)
            .where(Refund.gateway_refund_id == gateway_refund_id)
            .first()
        )
    if row is None:
        log.info("webhook for an unknown refund %s", gateway_refund_id)
        return "unknown"
    result = await client().retrieve_refund(gateway_refund_id)
    if not row["gateway_refund_id"]:
        await Refund.update({Refund.gateway_refund_id: result.id}).where(Refund.id == row["id"])
    if result.status == "succeeded":
        await apply_refund(row["id"])
        return "refunded"
    if result.status in ("failed", "canceled"):
        await Refund.update({Refund.status: result.status}).where((Refund.id == row["id"]) & Refund.posted_at.is_null())
    return result.status


async def sync_refunds_of_intent(intent_id: str) -> str:
    if not intent_id:
        return "ignored"
    rows = await Refund.select(Refund.id, Refund.uid, Refund.gateway_refund_id).where(
        (Refund.payment.intent_id == intent_id) & Refund.posted_at.is_null()
    )
    for row in rows:
        if row["gateway_refund_id"]:
            await sync_refund(row["gateway_refund_id"], row["uid"])
    return "refunds synced" if rows else "no pending refunds"


# --- saved cards and autopay ------------------------------------------------------------------------------------


async def customer_of(user_id: int, create: bool = True) -> str | None:
    row = await GatewayCustomer.select(GatewayCustomer.customer_id).where(GatewayCustomer.user == user_id).first()
    if row:
        return row["customer_id"]
    if not create:
        return None
    from portal.accounts.tables import User

    user = await User.select(User.email, User.full_name).where(User.id == user_id).first()
    customer = await client().create_customer(
        email=(user or {}).get("email"),
        name=(user or {}).get("full_name"),
        reference=str(user_id),
        idempotency_key=f"customer-{user_id}-{uuid.uuid4()}",
    )
    await GatewayCustomer.insert(GatewayCustomer(user=user_id, customer_id=customer.id)).on_conflict(
        target=GatewayCustomer.user, action="DO NOTHING"
    )
    row = await GatewayCustomer.select(GatewayCustomer.customer_id).where(GatewayCustomer.user == user_id).first()
    return row["customer_id"] if row else customer.id


async def start_card_setup(user_id: int, base_url: str) -> str:
    """A checkout in setup mode: the resident saves a card on the gateway's page. Returns the page's address."""
    customer = await customer_of(user_id)
    assert customer is not None
    uid = str(uuid.uuid4())
    await CardSetup.insert(CardSetup(uid=uid, user=user_id))
    session = await client().create_setup_session(
        customer=customer,
        reference=uid,
        success_url=f"{base_url}/autopay/cards/return?session_id={{CHECKOUT_SESSION_ID}}",
        cancel_url=f"{base_url}/autopay",
        idempotency_key=uid,
    )
    await CardSetup.update({CardSetup.session_id: session.id}).where(CardSetup.uid == uid)
    return session.url or ""


async def apply_card_setup(session_id: str, user_id: int | None = None) -> str:
    """Record the card a setup checkout saved (from the webhook or the return page), once."""
    query = CardSetup.select(CardSetup.id, CardSetup.user, CardSetup.status).where(CardSetup.session_id == session_id)
    if user_id is not None:
        query = query.where(CardSetup.user == user_id)
    setup = await query.first()
    if setup is None:
        return "unknown"
    gateway = client()
    session = await gateway.retrieve_session(session_id)
    if session.status != "complete" or not session.setup_intent:
        if session.status == "expired":
            await CardSetup.update({CardSetup.status: "expired"}).where(CardSetup.id == setup["id"])
        return session.status
    intent = await gateway.retrieve_setup_intent(session.setup_intent)
    if not intent.payment_method:
        return "no card"
    card = await gateway.retrieve_card(intent.payment_method)
    async with atomic():
        await PaymentMethod.insert(
            PaymentMethod(
                user=setup["user"],
                gateway_id=card.id,
                brand=card.brand,
                last4=card.last4,
                exp_month=card.exp_month,
                exp_year=card.exp_year,
            )
        ).on_conflict(target=PaymentMethod.gateway_id, action="DO NOTHING")
        await CardSetup.update({CardSetup.status: "complete"}).where(CardSetup.id == setup["id"])
    return "card saved"


async def cards_of(user_id: int) -> list[dict[str, Any]]:
    return (
        await PaymentMethod.select()
        .where((PaymentMethod.user == user_id) & PaymentMethod.removed_at.is_null())
        .order_by(PaymentMethod.id)
        .limit(20)
    )


async def mandates_of(user_id: int) -> dict[int, dict[str, Any]]:
    rows = await AutopayMandate.select(
        AutopayMandate.all_columns(),
        AutopayMandate.payment_method.last4.as_alias("last4"),
        AutopayMandate.payment_method.brand.as_alias("brand"),
    ).where(AutopayMandate.user == user_id)
    return {r["account"]: r for r in rows}


async def enable_autopay(user_id: int, account_id: int, card_id: int, limit: Decimal) -> None:
    now = _now()
    async with atomic():
        existing = (
            await AutopayMandate.select(AutopayMandate.id)
            .where((AutopayMandate.user == user_id) & (AutopayMandate.account == account_id))
            .first()
        )
        values = {
            AutopayMandate.payment_method: card_id,
            AutopayMandate.monthly_limit_kopecks: to_kopecks(limit),
            AutopayMandate.active: True,
            AutopayMandate.updated_at: now,
        }
        if existing:
            await AutopayMandate.update(values).where(AutopayMandate.id == existing["id"])
        else:
            await AutopayMandate.insert(
                AutopayMandate(
                    account=account_id,
                    user=user_id,
                    payment_method=card_id,
                    monthly_limit_kopecks=to_kopecks(limit),
                    active=True,
                )
            )


async def disable_autopay(user_id: int, account_id: int) -> bool:
    changed = (
        await AutopayMandate.update({AutopayMandate.active: False, AutopayMandate.updated_at: _now()})
        .where(
            (AutopayMandate.user == user_id) & (AutopayMandate.account == account_id) & AutopayMandate.active.eq(True)
        )
        .returning(AutopayMandate.id)
    )
    return bool(changed)


async def remove_card(user_id: int, card_id: int) -> bool:
    """Detach a saved card at the gateway; autopay that used it is switched off at once."""
    row = (
        await PaymentMethod.select(PaymentMethod.id, PaymentMethod.gateway_id)
        .where((PaymentMethod.id == card_id) & (PaymentMethod.user == user_id) & PaymentMethod.removed_at.is_null())
        .first()
    )
    if row is None:
        return False
    async with atomic():
        await AutopayMandate.update({AutopayMandate.active: False, AutopayMandate.updated_at: _now()}).where(
            AutopayMandate.payment_method == card_id
        )
        await PaymentMethod.update({PaymentMethod.removed_at: _now()}).where(PaymentMethod.id == card_id)
    try:
        await client().detach_card(row["gateway_id"])
    except GatewayError as exc:
        log.warning("detach %s: %s", row["gateway_id"], exc)
    return True


async def run_autopay(now: datetime | None = None, limit: int = 200) -> int:
    """Charge the amount due of every active mandate whose receipt day has come (once a month each)."""
    from portal.accounts.tables import Residency

    now = now or _now()
    today = now.astimezone(ZoneInfo(get_settings().time_zone)).date()
    period = rules.period_key(today)
    if today.day < autopay_day():
        return 0
    mandates = (
        await AutopayMandate.select(
            AutopayMandate.all_columns(),
            AutopayMandate.payment_method.gateway_id.as_alias("pm"),
            AutopayMandate.payment_method.removed_at.as_alias("pm_removed"),
            AutopayMandate.account.number.as_alias("number"),
        )
        .where(AutopayMandate.active.eq(True) & (AutopayMandate.last_period != period))
        .order_by(AutopayMandate.id)
        .limit(limit)
    )
    if not mandates:
        return 0
    users = sorted({m["user"] for m in mandates})
    residencies = await Residency.select(Residency.user, Residency.account, Residency.role, Residency.rights).where(
        Residency.user.is_in(users) & Residency.revoked_at.is_null()
    )
    may_pay = {(r["user"], r["account"]) for r in residencies if r["role"] == "owner" or "pay" in (r["rights"] or [])}
    charged = 0
    for mandate in mandates:
        if (mandate["user"], mandate["account"]) not in may_pay or mandate["pm_removed"] is not None:
            await AutopayMandate.update({AutopayMandate.active: False}).where(AutopayMandate.id == mandate["id"])
            continue
        if await charge_mandate(mandate, today, period):
            charged += 1
    return charged


async def _mandate_result(mandate_id: int, period: str, status: str, message: str) -> None:
    await AutopayMandate.update(
        {
            AutopayMandate.last_period: period,
            AutopayMandate.last_status: status,
            AutopayMandate.last_message: message,
            AutopayMandate.updated_at: _now(),
        }
    ).where(AutopayMandate.id == mandate_id)


async def charge_mandate(mandate: dict[str, Any], today: date, period: str) -> bool:
    """One autopay charge: record the payment, charge the saved card off-session, report a failure."""
    # Claim the month first, so that a second run (or process) never charges it twice.
    claimed = (
        await AutopayMandate.update({AutopayMandate.last_period: period, AutopayMandate.last_status: "running"})
        .where(
            (AutopayMandate.id == mandate["id"])
            & AutopayMandate.active.eq(True)
            & (AutopayMandate.last_period != period)
        )
        .returning(AutopayMandate.id)
    )
    if not claimed:
        return False
    due = await ledger.amount_due(mandate["account"])
    amount, why = rules.autopay_amount(due, from_kopecks(mandate["monthly_limit_kopecks"]))
    if amount is None:
        await _mandate_result(mandate["id"], period, why, "")
        if why == "over_limit":
            from portal.core.i18n import format_money

            limit = from_kopecks(mandate["monthly_limit_kopecks"])
            await _notify_user(
                mandate["user"],
                "autopay_over_limit",
                lambda: _("Autopay did not run"),
                lambda: _(
                    "The amount due on account %(number)s (%(due)s) is above your autopay limit of %(limit)s. "
                    "Please pay it on the portal.",
                    number=mandate["number"],
                    due=format_money(due),
                    limit=format_money(limit),
                ),
                f"autopay:{mandate['id']}:{period}:over_limit",
                "/pay?account=" + str(mandate["account"]),
            )
        return False
    customer = await customer_of(mandate["user"], create=False)
    uid = str(uuid.uuid4())
    key = str(uuid.uuid4())
    inserted = await Payment.insert(
        Payment(
            uid=uid,
            batch=uid,
            kind="autopay",
            account=mandate["account"],
            amount_kopecks=to_kopecks(amount),
            status=rules.PENDING,
            idempotency_key=key,
            created_by=mandate["user"],
            description=f"Автоплатёж {period}, л/с {mandate['number']}",
        )
    ).returning(Payment.id)
    payment_id = inserted[0]["id"]
    try:
        intent = await client().charge_saved_card(
            payment_id=uid,
            amount=to_kopecks(amount),
            customer=customer or "",
            payment_method=mandate["pm"],
            description=f"Автоплатёж {period}, л/с {mandate['number']}",
            idempotency_key=key,
        )
    except GatewayError as exc:
        intent_id = (exc.payment_intent or {}).get("id")
        code = exc.decline_code or exc.code or exc.type
        await apply_outcome(uid, rules.Outcome(rules.FAILED, code, exc.message), intent_id)
        await _mandate_result(mandate["id"], period, "failed", code)
        log.info("autopay %s for mandate %s failed: %s", payment_id, mandate["id"], exc)
        return False
    outcome = await apply_intent(uid, intent)
    await _mandate_result(mandate["id"], period, outcome.status, "")
    return outcome.status == rules.SUCCEEDED


# --- resident views ----------------------------------------------------------------------------------------------


async def payment_for(principal: Principal, payment_id: int) -> dict[str, Any] | None:
    """A payment the user may see (one of their accounts), with its batch siblings."""
    row = (
        await Payment.select(Payment.all_columns(), Payment.account.number.as_alias("number"))
        .where(Payment.id == payment_id)
        .first()
    )
    if row is None or row["account"] not in principal.account_ids:
        return None
    return row


async def batch_view(batch: str, principal: Principal | None = None) -> list[dict[str, Any]]:
    rows = (
        await Payment.select(Payment.all_columns(), Payment.account.number.as_alias("number"))
        .where(Payment.batch == batch)
        .order_by(Payment.id)
    )
    if principal is not None:
        rows = [r for r in rows if r["account"] in principal.account_ids]
    return rows


async def batch_of_session(session_id: str, principal: Principal) -> str | None:
    row = await Payment.select(Payment.batch, Payment.account).where(Payment.session_id == session_id).first()
    if row is None or row["account"] not in principal.account_ids:
        return None
    return row["batch"]


async def cancel_batch(batch: str) -> None:
    """The resident left the gateway's page: expire the session (if still open) and apply what it says."""
    rows = await batch_rows(batch)
    if not rows or not rows[0]["session_id"]:
        return
    gateway = client()
    session = await gateway.retrieve_session(rows[0]["session_id"])
    if session.status == "open":
        try:
            session = await gateway.expire_session(session.id)
        except GatewayError as exc:
            log.warning("expire %s: %s", session.id, exc)
            session = await gateway.retrieve_session(session.id)
    await apply_session(batch, session)


async def payments_of_user(principal: Principal, page: PageRequest) -> Page[dict[str, Any]]:
    ids = list(principal.account_ids)
    if not ids:
        return Page([], 0, page.number, page.size)
    where = Payment.account.is_in(ids) & (Payment.status != rules.CREATED)
    total = await Payment.count().where(where)
    rows = (
        await Payment.select(Payment.all_columns(), Payment.account.number.as_alias("number"))
        .where(where)
        .order_by(Payment.created_at, ascending=False)
        .offset(page.offset)
        .limit(page.size)
    )
    return Page(rows, total, page.number, page.size)


# --- staff ---------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StaffFilter:
    status: str = ""
    date_from: date | None = None
    date_to: date | None = None
    house: int | None = None
    amount_min: Decimal | None = None
    amount_max: Decimal | None = None
    account: str = ""


def _staff_where(principal: Principal, f: StaffFilter) -> Any:
    tz = ZoneInfo(get_settings().time_zone)
    where = Payment.id > 0
    if principal.house_ids is not None:
        where &= Payment.account.premise.house.is_in(list(principal.house_ids) or [-1])
    if f.status in rules.STATUSES:
        where &= Payment.status == f.status
    if f.date_from:
        where &= Payment.created_at >= datetime.combine(f.date_from, datetime.min.time(), tz)
    if f.date_to:
        where &= Payment.created_at < datetime.combine(f.date_to + timedelta(days=1), datetime.min.time(), tz)
    if f.house:
        where &= Payment.account.premise.house == f.house
    if f.amount_min is not None:
        where &= Payment.amount_kopecks >= to_kopecks(f.amount_min)
    if f.amount_max is not None:
        where &= Payment.amount_kopecks <= to_kopecks(f.amount_max)
    if f.account:
        where &= Payment.account.number == f.account
    return where


def _staff_columns() -> tuple[Any, ...]:
    return (
        Payment.all_columns(),
        Payment.account.number.as_alias("number"),
        Payment.account.premise.number.as_alias("premise_number"),
        Payment.account.premise.house.address.as_alias("house_address"),
        Payment.account.premise.house.id.as_alias("house_id"),
    )


async def staff_payments(principal: Principal, f: StaffFilter, page: PageRequest) -> Page[dict[str, Any]]:
    where = _staff_where(principal, f)
    total = await Payment.count().where(where)
    rows = (
        await Payment.select(*_staff_columns())
        .where(where)
        .order_by(Payment.created_at, ascending=False)
        .offset(page.offset)
        .limit(page.size)
    )
    return Page(rows, total, page.number, page.size)


async def staff_payments_export(principal: Principal, f: StaffFilter, limit: int = 100_000) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    where = _staff_where(principal, f)
    last_id: int | None = None
    while len(rows) < limit:
        query = Payment.select(*_staff_columns()).where(where)
        if last_id is not None:
            query = query.where(Payment.id < last_id)
        chunk = await query.order_by(Payment.id, ascending=False).limit(1000)
        if not chunk:
            break
        rows.extend(chunk)
        last_id = chunk[-1]["id"]
    return rows


async def staff_payment(principal: Principal, payment_id: int) -> dict[str, Any] | None:
    row = await Payment.select(*_staff_columns()).where(Payment.id == payment_id).first()
    if row is None or not principal.may_see_house(row["house_id"]):
        return None
    return row


async def refunds_of(payment_id: int) -> list[dict[str, Any]]:
    return (
        await Refund.select(Refund.all_columns(), Refund.created_by.full_name.as_alias("author"))
        .where(Refund.payment == payment_id)
        .order_by(Refund.id)
        .limit(100)
    )
