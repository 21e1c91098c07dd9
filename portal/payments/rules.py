"""Rules of the payments domain as plain functions (no I/O): who may pay, amounts, commission, what the gateway's
state means for a payment, checkout expiry, refunds, autopay."""

from __future__ import annotations

from collections.abc import Iterable
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from datetime import datetime
from datetime import timedelta
from decimal import ROUND_HALF_UP
from decimal import Decimal
from enum import StrEnum

from portal.core.security import ResidentRole
from portal.payments.tables import AUTOPAY_WAITING
from portal.payments.tables import AutopayResult
from portal.payments.tables import PaymentKind
from portal.payments.tables import PaymentStatus

MIN_AMOUNT = Decimal("1.00")
MAX_AMOUNT = Decimal("500000.00")
KOPECK = Decimal("0.01")
# How long the gateway keeps an unpaid checkout open (GATEWAY.md: 30 minutes to 24 hours).
CHECKOUT_LIFETIME = timedelta(hours=1)
# A payment the payer came back from as paid, still without the gateway's word after this long, is asked about.
CONFIRMATION_WAIT = timedelta(minutes=5)

S = PaymentStatus
PAID_STATUSES = frozenset({S.SUCCEEDED, S.PARTIALLY_REFUNDED, S.REFUNDED})
# A payment not (yet) paid may still become paid: a declined card keeps the checkout open for another one.
UNPAID_STATUSES = frozenset({S.CREATED, S.OPEN, S.PENDING, S.FAILED, S.CANCELED, S.EXPIRED})


# --- who may pay ------------------------------------------------------------------------------------------------


def may_pay(role: str, rights: Iterable[str] | None) -> bool:
    """Who may pay for an account (and keep autopay on it): its owner, or a resident the owner gave that right.

    The principal's "pay" right on an account is this rule (``accounts.principal``); the autopay job applies it
    to the residencies of each mandate's user."""
    return role == ResidentRole.OWNER or "pay" in (rights or ())


# --- amounts ----------------------------------------------------------------------------------------------------


class AmountProblem(StrEnum):
    INVALID = "invalid"
    TOO_SMALL = "too_small"
    TOO_LARGE = "too_large"


def amount_problem(amount: Decimal | None) -> AmountProblem | None:
    """Why an amount cannot be paid, or None."""
    if amount is None:
        return AmountProblem.INVALID
    if amount < MIN_AMOUNT:
        return AmountProblem.TOO_SMALL
    if amount > MAX_AMOUNT:
        return AmountProblem.TOO_LARGE
    return None


def over_closed(amount: Decimal, left: Decimal, *, closed: bool) -> bool:
    """A closed account (the flat passed to a new owner on an account of their own) is paid what is left of its
    debt and no more: nothing will be charged on it for an advance to pay."""
    return closed and amount > left


def commission(amount: Decimal, percent: Decimal) -> Decimal:
    """The payer's commission on ``amount`` (rounded half up to kopecks); 0 when no percent is set."""
    if percent <= 0:
        return Decimal("0.00")
    return (amount * percent / 100).quantize(KOPECK, rounding=ROUND_HALF_UP)


def total_with_commission(amounts: Iterable[Decimal], percent: Decimal) -> Decimal:
    """What the payer pays for ``amounts`` together: each amount and its commission."""
    return sum((a + commission(a, percent) for a in amounts), Decimal("0.00"))


def credited_since(seen: Mapping[int, Decimal], current: Mapping[int, Decimal]) -> list[int]:
    """The accounts whose balance fell since the pay sheet showed it (``seen``): a payment was credited meanwhile
    (a co-owner's, or the payer's own in another tab), so the sheet's amounts may pay the same debt again. A balance
    that grew (a new charge) leaves the sheet's amounts as payable as they were."""
    return sorted(a for a, was in seen.items() if current.get(a, Decimal("0.00")) < was)


def amount_after_credit(typed: Decimal | None, was_due: Decimal, due: Decimal) -> Decimal | None:
    """What a sheet shown again after a payment came in proposes for that account: the amount the payer typed while
    it still makes sense (a part of what is due now, or an advance where nothing was due), else what is due now
    (nothing when nothing is)."""
    if typed is not None and typed != was_due and (was_due <= 0 or typed <= due):
        return typed
    return due if due > 0 else None


# --- what the gateway's state means -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    """What the gateway's current state means for our payment."""

    status: PaymentStatus
    code: str = ""
    message: str = ""


def session_outcome(
    session_status: str,
    payment_status: str,
    intent_status: str | None,
    error_code: str | None = None,
    error_message: str | None = None,
    *,
    cancelled_by_payer: bool = False,
) -> Outcome:
    """Decide from the checkout session and its payment intent as they are now (never from the order events
    came in). ``cancelled_by_payer``: the session was closed because the payer chose to cancel — after a declined
    card too (the gateway keeps the page open for another card until the payer cancels or its time runs out)."""
    paid = session_status == "complete" and payment_status == "paid"
    if intent_status == "succeeded" or (paid and intent_status is None):
        return Outcome(S.SUCCEEDED)
    if session_status == "expired":
        if cancelled_by_payer:
            return Outcome(S.CANCELED)
        if error_code:
            return Outcome(S.FAILED, error_code, error_message or "")
        return Outcome(S.CANCELED if cancelled_by_payer else S.EXPIRED)
    if intent_status == "requires_payment_method" and error_code:
        return Outcome(S.FAILED, error_code, error_message or "")
    if intent_status == "canceled":
        return Outcome(S.CANCELED)
    if session_status == "open" and intent_status in (None, "requires_payment_method"):
        return Outcome(S.OPEN)
    return Outcome(S.PENDING)


def intent_outcome(intent_status: str, error_code: str | None = None, error_message: str | None = None) -> Outcome:
    """An off-session payment intent (autopay) as it is now."""
    if intent_status == "succeeded":
        return Outcome(S.SUCCEEDED)
    if intent_status == "canceled":
        return Outcome(S.CANCELED)
    if intent_status == "requires_payment_method" and error_code:
        return Outcome(S.FAILED, error_code, error_message or "")
    return Outcome(S.PENDING)


_MAY_BECOME: dict[PaymentStatus, frozenset[PaymentStatus]] = {
    S.SUCCEEDED: frozenset(UNPAID_STATUSES),  # money received is the truth, whatever we thought before
    S.FAILED: frozenset({S.CREATED, S.OPEN, S.PENDING, S.FAILED}),
    S.CANCELED: frozenset({S.CREATED, S.OPEN, S.PENDING, S.FAILED}),  # a declined card's checkout, cancelled
    S.EXPIRED: frozenset({S.CREATED, S.OPEN, S.PENDING}),
    S.PENDING: frozenset({S.CREATED, S.OPEN}),
    S.OPEN: frozenset({S.CREATED, S.PENDING}),
}


def may_become(current: str, new: str) -> bool:
    """Whether a payment in ``current`` may move to ``new`` when the gateway says so (or the payer comes back).

    Money received stays received (refunds are their own records); a closed checkout never reopens."""
    if current == new:
        return False
    return current in _MAY_BECOME.get(PaymentStatus(new), frozenset())


def shown_status(status: str, expires_at: datetime | None, now: datetime) -> PaymentStatus:
    """The status a person is shown: an open checkout whose time has run out is expired, even before the
    gateway's word about it arrives (reconciliation then records it)."""
    if status == S.OPEN and expires_at is not None and expires_at <= now:
        return S.EXPIRED
    return PaymentStatus(status)


# The failure code of a checkout the gateway did not open (no answer, or an error before anything was made).
GATEWAY_UNAVAILABLE = "gateway_unavailable"


def may_continue(status: str, expires_at: datetime | None, now: datetime) -> bool:
    """Whether the payer can go back to the gateway's page of this checkout (still open, or a card declined
    while the page stays open for another one)."""
    return status in (S.OPEN, S.FAILED) and expires_at is not None and now < expires_at


def is_own_checkout(created_by: int | None, user_id: int | None) -> bool:
    """Whether a checkout is the user's to continue or cancel: one they started. Another member of the household
    (a co-owner paying the same account) sees it but would close or take over the page it may be being paid on."""
    return created_by is None or created_by == user_id


CLOSED_UNPAID = frozenset({S.FAILED, S.CANCELED, S.EXPIRED})


def keeps_another_out(status: str, created_at: datetime, now: datetime) -> bool:
    """Whether a checkout, as the gateway says it stands now, keeps another of the same debt from being opened:
    paid, being confirmed or still open (the payer could pay both), or being created by another request this
    moment. Only one closed unpaid (or whose creation never finished long ago) leaves the debt to a new one."""
    if status == S.CREATED:
        return created_at > now - CONFIRMATION_WAIT
    return status not in CLOSED_UNPAID


def beyond_closing(status: str, created_at: datetime, now: datetime) -> bool:
    """Whether a checkout, as last heard, keeps another out (``keeps_another_out``) in a way closing it cannot end:
    paid, being confirmed, or being created this moment. One open, or a declined card's page, can be closed at the
    gateway first (which then says whether it was paid meanwhile)."""
    return status not in (S.OPEN, S.FAILED) and keeps_another_out(status, created_at, now)


class BatchState(StrEnum):
    """What the page of one checkout says, from the statuses of its payments."""

    PAID = "paid"
    PENDING = "pending"
    OPEN = "open"
    FAILED = "failed"
    EXPIRED = "expired"
    CANCELED = "canceled"


def batch_state(statuses: Iterable[str]) -> BatchState:
    found = set(statuses)
    if found & PAID_STATUSES:
        return BatchState.PAID
    if found & {S.PENDING, S.CREATED}:
        return BatchState.PENDING
    if S.OPEN in found:
        return BatchState.OPEN
    if S.FAILED in found:
        return BatchState.FAILED
    if S.EXPIRED in found:
        return BatchState.EXPIRED
    return BatchState.CANCELED


def needs_check(status: str, kind: str, created_at: datetime, expires_at: datetime | None, now: datetime) -> bool:
    """Whether reconciliation should ask the gateway about a payment it has no final word on: an open checkout
    past its expiry, a payment awaiting confirmation for a while, a checkout whose creation never finished."""
    if status == S.OPEN:
        return expires_at is None or expires_at <= now
    if status == S.PENDING:
        return created_at <= now - CONFIRMATION_WAIT
    if status == S.CREATED:
        return kind == PaymentKind.CHECKOUT and created_at <= now - CONFIRMATION_WAIT
    return False


def offers_autopay(state: BatchState, kind: str, earlier_paid_checkouts: int, has_autopay: bool) -> bool:
    """After a resident's first card payment the page offers autopay (unless it is on already)."""
    return state == BatchState.PAID and kind == PaymentKind.CHECKOUT and earlier_paid_checkouts == 0 and not has_autopay


# --- refunds ----------------------------------------------------------------------------------------------------


class RefundState(StrEnum):
    """Where a refund stands once asked for (``refund`` by an accountant, ``refund_purpose`` of an order)."""

    NONE = "none"  # nothing was paid, so nothing is returned
    REFUNDED = "refunded"
    PENDING = "pending"  # asked for; the gateway's word (or a retry) will finish it
    UNANSWERED = "unanswered"  # pending, as the gateway did not answer: reconciliation asks it again
    FAILED = "failed"


class RefundProblem(StrEnum):
    NOT_PAID = "not_paid"
    NO_GATEWAY = "no_gateway"  # paid, but without the payment service's reference to refund it through
    NOTHING_LEFT = "nothing_left"
    INVALID = "invalid"
    TOO_LARGE = "too_large"


def refundable(amount_kopecks: int, refunded_kopecks: int, pending_kopecks: int, status: str) -> int:
    """How much of a payment can still be refunded (kopecks): its amount less what its refunds hold, those made
    (``refunded``) and those the payment service is still working on (``pending``). A failed or cancelled refund
    holds nothing, so its amount may be refunded again. The refund form, the refund action (again under the
    payment's lock) and the staff pages all ask this."""
    if status not in (S.SUCCEEDED, S.PARTIALLY_REFUNDED):
        return 0
    return max(0, amount_kopecks - refunded_kopecks - pending_kopecks)


def refund_problem(requested_kopecks: int, available_kopecks: int) -> RefundProblem | None:
    if available_kopecks <= 0:
        return RefundProblem.NOTHING_LEFT
    if requested_kopecks <= 0:
        return RefundProblem.INVALID
    if requested_kopecks > available_kopecks:
        return RefundProblem.TOO_LARGE
    return None


def status_after_refunds(amount_kopecks: int, refunded_kopecks: int) -> PaymentStatus:
    if refunded_kopecks <= 0:
        return S.SUCCEEDED
    return S.REFUNDED if refunded_kopecks >= amount_kopecks else S.PARTIALLY_REFUNDED


# --- autopay ----------------------------------------------------------------------------------------------------


def period_key(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def autopay_due(today: date, last_period: str, charge_day: int, last_status: str = "") -> bool:
    """Autopay charges once a month, on the receipt day or the first run after it; a month it waits in for payments
    still pending (``AUTOPAY_WAITING``) is looked at again on every run until it is done."""
    if last_period == period_key(today):
        return last_status in AUTOPAY_WAITING
    return today.day >= charge_day


# Declines after which the same card is never accepted: expired, lost or stolen, closed, or the bank says not to try
# again. Lack of funds, a generic decline, a bank asking the payer to confirm are not: the card may pay next month.
PERMANENT_DECLINES = frozenset(
    {
        "expired_card",
        "lost_card",
        "stolen_card",
        "pickup_card",
        "restricted_card",
        "card_not_supported",
        "invalid_account",
        "do_not_try_again",
        "revocation_of_authorization",
        "revocation_of_all_authorizations",
    }
)


def card_gone(error_type: str, code: str | None, decline_code: str | None, param: str | None) -> bool:
    """Whether the gateway's refusal of an autopay charge says the saved card can never be charged again: a decline
    of ``PERMANENT_DECLINES``, or the card itself refused (``param`` ``payment_method``: detached from the payer at
    the gateway, or gone from it). Autopay then turns itself off and tells its payer; any other refusal is a failed
    charge of this month, and the next month's is tried as usual."""
    if {code, decline_code} & PERMANENT_DECLINES:
        return True
    return error_type == "invalid_request_error" and param == "payment_method"


def autopay_amount(
    due: Decimal,
    limit: Decimal,
    pending: Decimal = Decimal("0.00"),
    *,
    by_others: bool = False,
    waited: str = "",
) -> tuple[Decimal | None, AutopayResult]:
    """What autopay charges: the whole amount due, if within the monthly limit; else nothing (and why). One debt is
    never charged twice.

    While any payment of the account is still pending (anyone's: a checkout by hand a minute ago, whole or part of
    the debt, or a co-owner's autopay whose answer is not in yet), the month waits for it (``waiting``, or
    ``waiting_co_owner`` when someone else, ``by_others``, started one) and is looked at again: charging the rest
    at once would close the month, and a part left unpaid would wait for next month's charge. Once they are paid,
    what is still due is charged (nothing: the month is done, as paid by a co-owner if that was whom it ``waited``
    for); once they closed unpaid, the whole amount due."""
    if pending > 0 and due >= MIN_AMOUNT:
        return None, AutopayResult.WAITING_CO_OWNER if by_others else AutopayResult.WAITING
    if due < MIN_AMOUNT:
        if waited == AutopayResult.WAITING_CO_OWNER:
            return None, AutopayResult.PAID_BY_CO_OWNER
        return None, AutopayResult.NOTHING_DUE
    if due > limit:
        return None, AutopayResult.OVER_LIMIT
    return due, AutopayResult.NONE
