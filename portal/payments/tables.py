"""Tables of the payments domain: payments, webhook events, refunds, the gateway customers and cards, autopay.

Statuses and kinds are ``StrEnum``s used with ``choices=``. Composite indexes live in the hand-written migration
(``migrations/payments``).
"""

from enum import StrEnum

from piccolo.columns import BigInt
from piccolo.columns import Boolean
from piccolo.columns import Date
from piccolo.columns import ForeignKey
from piccolo.columns import Integer
from piccolo.columns import Serial
from piccolo.columns import Text
from piccolo.columns import Timestamptz
from piccolo.columns import Varchar
from piccolo.columns.base import OnDelete
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from portal.accounts.tables import User
from portal.housing.tables import PersonalAccount


class PaymentStatus(StrEnum):
    """Where a payment stands, as the gateway last told us.

    ``open``: the checkout page is open and the payer has not paid yet («Не завершён — продолжить оплату»);
    ``pending``: the payer has paid and the bank's confirmation is awaited («Обрабатывается»);
    ``expired``: the checkout page closed unpaid when its time ran out.
    """

    CREATED = "created"
    OPEN = "open"
    PENDING = "pending"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELED = "canceled"
    EXPIRED = "expired"
    REFUNDED = "refunded"
    PARTIALLY_REFUNDED = "partially_refunded"


class PaymentKind(StrEnum):
    CHECKOUT = "checkout"  # the resident pays on the gateway's page
    AUTOPAY = "autopay"  # a saved card charged off-session on the receipt day


class PaymentPurpose(StrEnum):
    """What a payment pays for. Utilities are credited to the account's ledger; an order of paid services
    (``reference`` names it) is kept apart from the account's debt and never reaches the ledger: its owner
    learns of the payment through ``actions.register_purpose``."""

    UTILITIES = "utilities"
    ORDER = "order"


class RefundStatus(StrEnum):
    PENDING = "pending"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELED = "canceled"


class AutopayResult(StrEnum):
    """How the last autopay run of a mandate ended.

    ``waiting``: the month's debt is covered only by payments still pending (the payer's own checkout, or
    ``waiting_co_owner``: anyone else's payment, such as a co-owner's autopay not answered yet); the month is not
    done, the job looks again until they are paid (``nothing_due``, ``paid_by_co_owner``) or not (it charges).
    """

    NONE = ""  # never run
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    PENDING = "pending"
    FAILED = "failed"
    CANCELED = "canceled"
    NOTHING_DUE = "nothing_due"
    OVER_LIMIT = "over_limit"
    WAITING = "waiting"
    WAITING_CO_OWNER = "waiting_co_owner"
    PAID_BY_CO_OWNER = "paid_by_co_owner"


class AutopayStop(StrEnum):
    """Why autopay turned itself off (none: it is on, or its payer turned it off or removed its card). Its payer is
    told once, and the autopay page and the staff's account page say why until it is turned on again."""

    NONE = ""
    NO_RIGHT = "no_right"  # the user may no longer pay for the account: no longer its owner, or the right taken back
    ACCOUNT_CLOSED = "account_closed"  # a closed account (the flat passed to a new owner) whose debt is paid
    CARD_GONE = "card_gone"  # the gateway says the card can never be charged again: detached, expired, lost...


# The results after which the autopay job looks at the mandate's month again.
AUTOPAY_WAITING = (AutopayResult.WAITING, AutopayResult.WAITING_CO_OWNER)


class CardSetupStatus(StrEnum):
    OPEN = "open"
    COMPLETE = "complete"
    EXPIRED = "expired"


class Payment(Table):
    """One account's part of an online payment. Payments started together share a ``batch`` (one checkout).

    ``uid`` is the payment's own public id (the ledger reference is ``payment:<uid>``); ``batch`` is what the
    gateway knows as ``metadata[payment_id]``. ``expires_at`` is when the gateway closes an unpaid checkout.
    ``purpose`` and ``reference`` say what is paid (utilities of ``account``, or an order); ``credited_at`` is
    when a paid payment was handed over: credited to the ledger, or to the order it pays. ``period`` is the billing
    month a payment started from a receipt names (the receipt's «Оплатить», autopay on the receipt): the ledger pays
    that month first, the rest the oldest debt (DOMAIN.md §2.5).

    ``replaced_by``: the payment (of the same account) that took this checkout over, closed unpaid for it: the payer
    continued it in another language (a gateway session's language cannot change, so its session was closed and a
    new one opened), or started a new payment of the same account. The row keeps its own session, key and final
    status for the gateway's events and for staff; the payer's history shows only the payment that replaced it.
    ``continued``: it was replaced because the payer continued it in another language (staff read «продолжен»),
    not because a new payment closed it («заменён»).
    """

    id = Serial(primary_key=True)
    uid = Varchar(length=36, unique=True)
    batch = Varchar(length=36, index=True)
    kind = Varchar(length=16, default=PaymentKind.CHECKOUT, choices=PaymentKind)
    purpose = Varchar(length=16, default=PaymentPurpose.UTILITIES, choices=PaymentPurpose, index=True)
    reference = Varchar(length=64, default="", index=True)
    period = Date(null=True, default=None)
    account = ForeignKey(PersonalAccount, on_delete=OnDelete.restrict, null=False, index=True)
    amount_kopecks = BigInt()
    commission_kopecks = BigInt(default=0)
    refunded_kopecks = BigInt(default=0)
    status = Varchar(length=20, default=PaymentStatus.CREATED, index=True, choices=PaymentStatus)
    session_id = Varchar(length=80, null=True, default=None, index=True)
    intent_id = Varchar(length=80, null=True, default=None, index=True)
    idempotency_key = Varchar(length=64)
    created_by = ForeignKey(User, on_delete=OnDelete.restrict, null=True, default=None, index=True)
    failure_code = Varchar(length=64, default="")
    failure_message = Varchar(length=255, default="")
    description = Varchar(length=255, default="")
    method = Varchar(length=16, default="")  # how the payer paid on the gateway's page: "card" or "sbp"
    created_at = Timestamptz(default=TimestamptzNow(), index=True)
    updated_at = Timestamptz(default=TimestamptzNow())
    expires_at = Timestamptz(null=True, default=None)
    paid_at = Timestamptz(null=True, default=None, index=True)
    credited_at = Timestamptz(null=True, default=None)
    replaced_by = Integer(null=True, default=None)  # the id of the Payment that replaced this one
    continued = Boolean(default=False)  # replaced by its continuation in another language


class WebhookEvent(Table):
    """A gateway event received once (its id is unique): repeats are answered and skipped."""

    id = Serial(primary_key=True)
    event_id = Varchar(length=80, unique=True)
    type = Varchar(length=64)
    object_id = Varchar(length=80, default="")
    received_at = Timestamptz(default=TimestamptzNow(), index=True)
    processed_at = Timestamptz(null=True, default=None)
    outcome = Varchar(length=64, default="")


class Refund(Table):
    """Money returned from a payment, fully or partly, by an accountant (with the reason).

    A pending refund holds its amount of the payment until the payment service says it failed or was cancelled
    (``rules.refundable``); the partial index ``refund_pending`` (payment, of the pending rows; its migration)
    finds them. Reconciliation asks the payment service about the pending ones least recently asked first
    (``asked_at``, its partial index ``refund_pending_asked``), so each has its turn however many stay pending."""

    id = Serial(primary_key=True)
    uid = Varchar(length=36, unique=True)
    payment = ForeignKey(Payment, on_delete=OnDelete.restrict, null=False, index=True)
    amount_kopecks = BigInt()
    reason = Varchar(length=255, default="")
    status = Varchar(length=20, default=RefundStatus.PENDING, choices=RefundStatus)
    gateway_refund_id = Varchar(length=80, null=True, default=None, unique=True)
    idempotency_key = Varchar(length=64)
    created_by = ForeignKey(User, on_delete=OnDelete.restrict, null=True, default=None)
    failure_message = Varchar(length=255, default="")
    created_at = Timestamptz(default=TimestamptzNow(), index=True)
    posted_at = Timestamptz(null=True, default=None)
    asked_at = Timestamptz(default=TimestamptzNow())  # the payment service last asked about it (made, or checked)


class GatewayCustomer(Table):
    """The gateway's Customer of a portal user (for saved cards)."""

    id = Serial(primary_key=True)
    user = ForeignKey(User, on_delete=OnDelete.restrict, null=False, unique=True)
    customer_id = Varchar(length=80, unique=True)
    created_at = Timestamptz(default=TimestamptzNow())


class PaymentMethod(Table):
    """A card saved at the gateway: only its brand, last four digits and expiry are known to the portal."""

    id = Serial(primary_key=True)
    user = ForeignKey(User, on_delete=OnDelete.restrict, null=False, index=True)
    gateway_id = Varchar(length=80, unique=True)
    brand = Varchar(length=20, default="")
    last4 = Varchar(length=4, default="")
    exp_month = Integer(default=0)
    exp_year = Integer(default=0)
    created_at = Timestamptz(default=TimestamptzNow())
    removed_at = Timestamptz(null=True, default=None)


class CardSetup(Table):
    """A "save a card" checkout started by a user (mode=setup), so its return can be matched to the user; ``ip``:
    where they asked to save it from, for the audit event of the card saved (the gateway's webhook may save it
    before the user is back)."""

    id = Serial(primary_key=True)
    uid = Varchar(length=36, unique=True)
    user = ForeignKey(User, on_delete=OnDelete.restrict, null=False, index=True)
    session_id = Varchar(length=80, null=True, default=None, unique=True)
    status = Varchar(length=16, default=CardSetupStatus.OPEN, choices=CardSetupStatus)
    ip = Varchar(length=64, default="")
    created_at = Timestamptz(default=TimestamptzNow())


class AutopayMandate(Table):
    """Автоплатёж: charge an account's amount due to a saved card on the receipt day, up to a monthly limit.

    While it waits for payments still pending (``AUTOPAY_WAITING``), ``waiting_since`` is when the latest of them
    was started and ``waiting_until`` when the last of them closes unpaid (none: an autopay charge whose answer is
    not in yet, which the mandate asks the gateway about once the gateway's answer window has passed). Turned off
    by itself, ``stopped`` says why and ``stopped_at`` when."""

    id = Serial(primary_key=True)
    account = ForeignKey(PersonalAccount, on_delete=OnDelete.restrict, null=False, index=True)
    user = ForeignKey(User, on_delete=OnDelete.restrict, null=False, index=True)
    payment_method = ForeignKey(PaymentMethod, on_delete=OnDelete.restrict, null=False)
    monthly_limit_kopecks = BigInt()
    active = Boolean(default=True, index=True)
    last_period = Varchar(length=7, default="")  # "2026-11": the month last charged (or tried)
    last_status = Varchar(length=20, default=AutopayResult.NONE, choices=AutopayResult)
    last_message = Text(default="")
    waiting_since = Timestamptz(null=True, default=None)
    waiting_until = Timestamptz(null=True, default=None)
    stopped = Varchar(length=20, default=AutopayStop.NONE, choices=AutopayStop)
    stopped_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())
