"""Rules of the payments domain as plain functions (no I/O): amounts, commission, statuses, refunds, autopay."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

MIN_AMOUNT = Decimal("1.00")
MAX_AMOUNT = Decimal("500000.00")
KOPECK = Decimal("0.01")

CREATED = "created"
PENDING = "pending"
SUCCEEDED = "succeeded"
FAILED = "failed"
CANCELED = "canceled"
REFUNDED = "refunded"
PARTIALLY_REFUNDED = "partially_refunded"

STATUSES = (CREATED, PENDING, SUCCEEDED, FAILED, CANCELED, REFUNDED, PARTIALLY_REFUNDED)
PAID_STATUSES = frozenset({SUCCEEDED, PARTIALLY_REFUNDED, REFUNDED})
# A payment not (yet) paid may still become paid: a declined card keeps the checkout open for another one.
UNPAID_STATUSES = frozenset({CREATED, PENDING, FAILED, CANCELED})


def parse_amount(text: str) -> Decimal | None:
    """«1 234,56» / "1234.56" → Decimal("1234.56"); None when it is not a number with at most two decimals."""
    cleaned = text.replace("\u00a0", "").replace(" ", "").replace("₽", "").replace(",", ".").strip()
    if not cleaned:
        return None
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        return None
    if not value.is_finite() or value != value.quantize(KOPECK):
        return None
    return value.quantize(KOPECK)


def amount_problem(amount: Decimal | None) -> str | None:
    """Why an amount cannot be paid: "invalid", "too_small", "too_large", or None."""
    if amount is None:
        return "invalid"
    if amount < MIN_AMOUNT:
        return "too_small"
    if amount > MAX_AMOUNT:
        return "too_large"
    return None


def commission(amount: Decimal, percent: Decimal) -> Decimal:
    """The payer's commission on ``amount`` (rounded half up to kopecks); 0 when no percent is set."""
    if percent <= 0:
        return Decimal("0.00")
    return (amount * percent / 100).quantize(KOPECK, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Outcome:
    """What the gateway's current state means for our payment."""

    status: str  # pending / succeeded / failed / canceled
    code: str = ""
    message: str = ""


def session_outcome(
    session_status: str,
    payment_status: str,
    intent_status: str | None,
    error_code: str | None = None,
    error_message: str | None = None,
) -> Outcome:
    """Decide from the session and its payment intent as they are now (never from the order events came in)."""
    paid = session_status == "complete" and payment_status == "paid"
    if intent_status == "succeeded" or (paid and intent_status is None):
        return Outcome(SUCCEEDED)
    if session_status == "expired":
        if error_code:
            return Outcome(FAILED, error_code, error_message or "")
        return Outcome(CANCELED)
    if intent_status == "requires_payment_method" and error_code:
        return Outcome(FAILED, error_code, error_message or "")
    if intent_status == "canceled":
        return Outcome(CANCELED)
    return Outcome(PENDING)


def intent_outcome(intent_status: str, error_code: str | None = None, error_message: str | None = None) -> Outcome:
    if intent_status == "succeeded":
        return Outcome(SUCCEEDED)
    if intent_status == "canceled":
        return Outcome(CANCELED)
    if intent_status == "requires_payment_method" and error_code:
        return Outcome(FAILED, error_code, error_message or "")
    return Outcome(PENDING)


def may_become(current: str, new: str) -> bool:
    """Whether a payment in ``current`` may move to ``new`` when the gateway says so."""
    if current == new:
        return False
    if current in PAID_STATUSES:
        return False  # money received stays received; refunds are their own records
    if new == SUCCEEDED:
        return True
    if new == FAILED:
        return current in (CREATED, PENDING, FAILED)
    if new == CANCELED:
        return current in (CREATED, PENDING)
    if new == PENDING:
        return current == CREATED
    return False


def refundable(amount_kopecks: int, refunded_kopecks: int, status: str) -> int:
    """How much of a payment can still be refunded (kopecks)."""
    if status not in (SUCCEEDED, PARTIALLY_REFUNDED):
        return 0
    return max(0, amount_kopecks - refunded_kopecks)


def refund_problem(requested_kopecks: int, available_kopecks: int) -> str | None:
    if available_kopecks <= 0:
        return "nothing_left"
    if requested_kopecks <= 0:
        return "invalid"
    if requested_kopecks > available_kopecks:
        return "too_large"
    return None


def status_after_refunds(amount_kopecks: int, refunded_kopecks: int) -> str:
    if refunded_kopecks <= 0:
        return SUCCEEDED
    return REFUNDED if refunded_kopecks >= amount_kopecks else PARTIALLY_REFUNDED


def period_key(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def autopay_due(today: date, last_period: str, charge_day: int) -> bool:
    """Autopay charges once a month, on the receipt day or the first run after it."""
    return today.day >= charge_day and last_period != period_key(today)


def autopay_amount(due: Decimal, limit: Decimal) -> tuple[Decimal | None, str]:
    """What autopay charges: the whole amount due if within the monthly limit, else nothing (and why)."""
    if due < MIN_AMOUNT:
        return None, "nothing_due"
    if due > limit:
        return None, "over_limit"
    return due, ""


FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> object:
    """A spreadsheet cell that never runs as a formula: text starting with = + - @ gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value
