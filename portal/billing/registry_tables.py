"""Tables of the money received outside the portal: payment registries and their lines (the unmatched queue is the
lines waiting for an account), the billing system's balances (the book of record) and the differences the daily
reconciliation found.

Money is integer kopecks. Composite indexes live in the hand-written migration (``migrations/billing``).
"""

from enum import StrEnum

from piccolo.columns import BigInt
from piccolo.columns import Date
from piccolo.columns import ForeignKey
from piccolo.columns import Integer
from piccolo.columns import Serial
from piccolo.columns import Timestamptz
from piccolo.columns import Varchar
from piccolo.columns.base import OnDelete
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from portal.housing.tables import PersonalAccount


class RegistryKind(StrEnum):
    """Which file a registry came in: a bank's ``;``-separated registry, or a table with a header (a generic
    CSV/XLSX, the billing system's payments export)."""

    BANK = "bank"
    TABLE = "table"


class Channel(StrEnum):
    """Where a payment was made (shown to the resident beside each payment)."""

    PORTAL_CARD = "portal_card"
    SBP = "sbp"
    BANK_QR = "bank_qr"
    CASH_DESK = "cash_desk"
    AUTOPAY = "autopay"
    BANK_REGISTRY = "bank_registry"


class LineStatus(StrEnum):
    """What became of one registry line: credited to its account, recognised as a portal payment (credited once,
    under the portal payment's reference), waiting in the queue, assigned by an accountant, or returned."""

    CREDITED = "credited"
    PORTAL = "portal"
    UNMATCHED = "unmatched"
    ASSIGNED = "assigned"
    RETURNED = "returned"


class BookKind(StrEnum):
    """A row of the billing system's balances: an opening balance (сальдо) the portal takes over, or a balance
    of its export the reconciliation compares with."""

    OPENING = "opening"
    EXPORT = "export"


class PaymentRegistry(Table):
    """One applied payment registry (a file applied again adds nothing, so it makes no second row)."""

    id = Serial(primary_key=True)
    kind = Varchar(length=16, choices=RegistryKind)
    file_name = Varchar(length=255, default="")
    rows = Integer(default=0)
    credited = Integer(default=0)
    queued = Integer(default=0)
    skipped = Integer(default=0)
    total_kopecks = BigInt(default=0)
    created_by = Integer(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())


class RegistryPayment(Table):
    """One payment of a registry, kept once whatever file it came in: unique is its id at the sender with its
    payment (account as given, amount, day paid), since two senders may number their payments alike
    (``registry_payment_sent``, a migration's index)."""

    id = Serial(primary_key=True)
    registry = ForeignKey(PaymentRegistry, on_delete=OnDelete.restrict, null=False, index=True)
    line = Integer(default=0)
    payment_id = Varchar(length=64)
    account_number = Varchar(length=32, default="")
    account = ForeignKey(PersonalAccount, on_delete=OnDelete.restrict, null=True, default=None, index=True)
    amount_kopecks = BigInt()
    paid_on = Date()
    period = Date(null=True, default=None)
    channel = Varchar(length=16, default=Channel.BANK_REGISTRY, choices=Channel)
    payer = Varchar(length=160, default="")
    status = Varchar(length=16, choices=LineStatus, index=True)
    reference = Varchar(length=128, default="", index=True)
    note = Varchar(length=255, default="")
    resolved_by = Integer(null=True, default=None)
    resolved_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())


class BookBalance(Table):
    """An account's balance at the start (``opening``) and end (``closing``) of a billing month per the billing
    system; positive is a debt, as in the ledger."""

    id = Serial(primary_key=True)
    kind = Varchar(length=16, choices=BookKind)
    account = ForeignKey(PersonalAccount, on_delete=OnDelete.restrict, null=False)
    period = Date()
    opening_kopecks = BigInt(null=True, default=None)
    closing_kopecks = BigInt(null=True, default=None)
    loaded_by = Integer(null=True, default=None)
    loaded_at = Timestamptz(default=TimestamptzNow())


class BalanceDifference(Table):
    """A difference beyond a kopeck between the portal's closing balance and the billing system's, found by the
    reconciliation of ``checked_on`` (each run replaces the rows of its period)."""

    id = Serial(primary_key=True)
    checked_on = Date(index=True)
    account = ForeignKey(PersonalAccount, on_delete=OnDelete.restrict, null=False)
    period = Date()
    portal_kopecks = BigInt()
    book_kopecks = BigInt()
    difference_kopecks = BigInt()
    created_at = Timestamptz(default=TimestamptzNow())
