"""Reads of the payments domain: bounded, indexed, returning dataclasses; a record is loaded only for a user who
may see it (a resident's own accounts, a staff member's houses). Every change is in ``actions``."""

from __future__ import annotations

import os
from collections.abc import Iterable
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import replace
from datetime import date
from datetime import datetime
from decimal import Decimal
from typing import Any

from piccolo.query.functions.aggregate import Count
from piccolo.query.functions.aggregate import Sum
from piccolo.querystring import QueryString

from portal.accounts.tables import Residency
from portal.billing import ledger
from portal.billing import queries as billing_queries
from portal.core import clock
from portal.core.address import full_address
from portal.core.clauses import every
from portal.core.clauses import on_days
from portal.core.clauses import within
from portal.core.db import from_kopecks
from portal.core.db import from_row
from portal.core.db import is_sqlite
from portal.core.db import to_kopecks
from portal.core.paged import newest_batches
from portal.core.paged import read_page
from portal.core.pagination import Page
from portal.core.pagination import PageRequest
from portal.core.rows import columns_of
from portal.core.security import Principal
from portal.core.security import ResidentRole
from portal.housing.queries import account_search
from portal.housing.queries import house_scope
from portal.housing.queries import kept
from portal.housing.tables import PersonalAccount
from portal.payments import rules
from portal.payments.tables import AUTOPAY_WAITING
from portal.payments.tables import AutopayMandate
from portal.payments.tables import AutopayStop
from portal.payments.tables import CardSetup
from portal.payments.tables import GatewayCustomer
from portal.payments.tables import Payment
from portal.payments.tables import PaymentKind
from portal.payments.tables import PaymentMethod
from portal.payments.tables import PaymentPurpose
from portal.payments.tables import PaymentStatus
from portal.payments.tables import Refund
from portal.payments.tables import RefundStatus

EXPORT_LIMIT = 100_000


def commission_percent() -> Decimal:
    """The payer's commission in percent (setting ``PAYMENT_COMMISSION_PERCENT``; none by default)."""
    return Decimal(os.environ.get("PAYMENT_COMMISSION_PERCENT", "0") or "0")


def autopay_day() -> int:
    """The day of the month autopay charges (setting ``PAYMENT_AUTOPAY_DAY``)."""
    return int(os.environ.get("PAYMENT_AUTOPAY_DAY", "1") or "1")


# --- what the resident may pay ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class PayableAccount:
    id: int
    number: str
    address: str
    due: Decimal
    balance: Decimal
    pending: Pending | None = None
    closed: bool = False  # closed (a new owner's account opened): it takes what is left to pay, never an advance

    @property
    def to_pay(self) -> Decimal:
        """What the sheet offers: the amount due less the account's payments still pending (anyone's)."""
        return max(Decimal("0.00"), self.due - (self.pending.total if self.pending else Decimal("0.00")))


async def payable_accounts(principal: Principal) -> list[PayableAccount]:
    """The user's accounts with the right to pay, with the amount due of each and its payments still pending, but
    for the user's own checkouts left unfinished, which paying from the sheet replaces (three bounded queries)."""
    ids = sorted(a for a in principal.account_ids if principal.may_on_account(a, "pay"))
    if not ids:
        return []
    rows = await PersonalAccount.select(
        PersonalAccount.id,
        PersonalAccount.number,
        PersonalAccount.premise.kind.as_alias("kind"),
        PersonalAccount.premise.number.as_alias("premise_number"),
        PersonalAccount.premise.house.address.as_alias("house_address"),
        PersonalAccount.closed_on,
    ).where(PersonalAccount.id.is_in(ids))
    balances = await ledger.balances_of(ids)
    pending = await pending_of_accounts(ids, principal.user_id, clock.now(), own_unfinished=False)
    found = []
    for row in sorted(rows, key=lambda r: r["id"]):
        balance = balances.get(row["id"], Decimal("0.00"))
        found.append(
            PayableAccount(
                id=row["id"],
                number=row["number"],
                address=full_address(row["house_address"], row["kind"], row["premise_number"]),
                due=max(Decimal("0.00"), balance),
                balance=balance,
                pending=pending.get(row["id"]),
                closed=row["closed_on"] is not None,
            )
        )
    return found


# --- payments as people see them ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class PaymentView:
    """One payment as a page shows it; ``status`` is what the person is shown (an open checkout past its time is
    shown expired), ``stored_status`` what the table holds."""

    id: int
    batch: str
    kind: PaymentKind
    account: int
    number: str
    amount: Decimal
    refunded: Decimal
    status: PaymentStatus
    stored_status: PaymentStatus
    failure_code: str
    failure_message: str
    created_at: datetime
    paid_at: datetime | None
    expires_at: datetime | None
    may_continue: bool
    gateway_ref: str
    intent_id: str | None
    created_by: int | None
    address: str = ""
    house_id: int | None = None
    purpose: str = PaymentPurpose.UTILITIES
    reference: str = ""
    replaced_by: int | None = None  # the payment that took this checkout's place (``Payment.replaced_by``)
    continued: bool = False  # replaced by its continuation in another language, not by a new payment
    # Refunds asked for and not yet done by the payment service (staff views only: ``with_pending_refunds``).
    refund_pending: Decimal = Decimal("0.00")

    @property
    def refundable(self) -> Decimal:
        """What is left to refund through the payment service (nothing without its reference)."""
        if self.outside_gateway:
            return Decimal("0.00")
        held = (to_kopecks(self.amount), to_kopecks(self.refunded), to_kopecks(self.refund_pending))
        return from_kopecks(rules.refundable(*held, self.status))

    @property
    def outside_gateway(self) -> bool:
        """Paid, but the payment service's reference is missing: the portal cannot ask it to return the money."""
        return not self.intent_id and self.status in (PaymentStatus.SUCCEEDED, PaymentStatus.PARTIALLY_REFUNDED)

    @property
    def paid_another_day(self) -> bool:
        """Paid on another day than it was started, in the company's zone: the staff list, which the paid date
        filters, says when."""
        return self.paid_at is not None and clock.local(self.paid_at).date() != clock.local(self.created_at).date()


# The columns every read of a payment selects (a page's view and a checkout's rows alike).
_COMMON_COLUMNS: tuple[Any, ...] = (
    Payment.id,
    Payment.kind,
    Payment.purpose,
    Payment.reference,
    Payment.account,
    Payment.account.number.as_alias("number"),
    Payment.amount_kopecks,
    Payment.status,
    Payment.session_id,
    Payment.intent_id,
    Payment.created_by,
)


def _columns(*, with_address: bool = False) -> tuple[Any, ...]:
    columns = (
        *_COMMON_COLUMNS,
        Payment.batch,
        Payment.refunded_kopecks,
        Payment.failure_code,
        Payment.failure_message,
        Payment.created_at,
        Payment.paid_at,
        Payment.expires_at,
        Payment.replaced_by,
        Payment.continued,
    )
    if with_address:
        columns += (
            Payment.account.premise.kind.as_alias("premise_kind"),
            Payment.account.premise.number.as_alias("premise_number"),
            Payment.account.premise.house.address.as_alias("house_address"),
            Payment.account.premise.house.id.as_alias("house_id"),
        )
    return columns


# The fields of a payment's view that are shown as the table holds them.
_SHOWN_AS_STORED = (
    "id",
    "batch",
    "account",
    "number",
    "failure_code",
    "failure_message",
    "created_at",
    "paid_at",
    "expires_at",
    "intent_id",
    "created_by",
    "purpose",
    "reference",
    "replaced_by",
    "continued",
)


def _view(row: dict[str, Any], now: datetime) -> PaymentView:
    stored = PaymentStatus(row["status"])
    address = ""
    if "house_address" in row:
        address = full_address(row["house_address"], row["premise_kind"], row["premise_number"])
    return PaymentView(
        **{name: row[name] for name in _SHOWN_AS_STORED},
        kind=PaymentKind(row["kind"]),
        amount=from_kopecks(row["amount_kopecks"]),
        refunded=from_kopecks(row["refunded_kopecks"]),
        status=rules.shown_status(stored, row["expires_at"], now),
        stored_status=stored,
        may_continue=rules.may_continue(stored, row["expires_at"], now),
        gateway_ref=row["intent_id"] or row["session_id"] or "",
        address=address,
        house_id=row.get("house_id"),
    )


async def _page_of(where: Any, page: PageRequest, *, with_address: bool = False) -> Page[PaymentView]:
    """One page of the payments ``where`` finds, newest first (``core.paged``: by time, then by number)."""
    rows, total = await read_page(Payment, _columns(with_address=with_address), where, page)
    now = clock.now()
    return Page([_view(r, now) for r in rows], total, page.number, page.size)


async def payment_for(principal: Principal, payment_id: int) -> PaymentView | None:
    """A payment on one of the user's accounts, or None (missing and forbidden alike)."""
    if not principal.account_ids:
        return None
    row = (
        await Payment.select(*_columns())
        .where((Payment.id == payment_id) & Payment.account.is_in(sorted(principal.account_ids)))
        .first()
    )
    return _view(row, clock.now()) if row else None


async def batch_for(principal: Principal, batch: str) -> list[PaymentView]:
    """The payments of one checkout on the user's accounts (the others of the batch are not shown)."""
    if not principal.account_ids or not batch:
        return []
    rows = (
        await Payment.select(*_columns())
        .where((Payment.batch == batch[:36]) & Payment.account.is_in(sorted(principal.account_ids)))
        .order_by(Payment.id)
        .limit(100)
    )
    now = clock.now()
    return [_view(r, now) for r in rows]


async def batch_of_session(principal: Principal, session_id: str) -> str | None:
    """The checkout a gateway session belongs to, if it is one of the user's."""
    if not principal.account_ids or not session_id:
        return None
    row = (
        await Payment.select(Payment.batch)
        .where((Payment.session_id == session_id[:80]) & Payment.account.is_in(sorted(principal.account_ids)))
        .first()
    )
    return row["batch"] if row else None


async def payments_of_user(principal: Principal, page: PageRequest) -> Page[PaymentView]:
    ids = sorted(principal.account_ids)
    if not ids:
        return Page([], 0, page.number, page.size)
    # The history of utility payments: an order's payment is shown with the order, apart from the account's debt.
    # A checkout a newer one replaced (continued in another language, or paid anew) is that one, not a second attempt.
    where = (
        Payment.account.is_in(ids)
        & (Payment.status != PaymentStatus.CREATED)
        & (Payment.purpose == PaymentPurpose.UTILITIES)
        & Payment.replaced_by.is_null()
    )
    return await _page_of(where, page)


async def paid_checkouts_before(user_id: int, payment_id: int) -> int:
    """How many card payments the user made before this one (the autopay offer follows the first)."""
    return await Payment.count().where(
        (Payment.created_by == user_id)
        & (Payment.kind == PaymentKind.CHECKOUT)
        & (Payment.purpose == PaymentPurpose.UTILITIES)
        & Payment.status.is_in(sorted(rules.PAID_STATUSES))
        & (Payment.id < payment_id)
    )


async def has_autopay(user_id: int, account_ids: Iterable[int]) -> bool:
    ids = sorted(set(account_ids))
    if not ids:
        return False
    return await AutopayMandate.exists().where(
        (AutopayMandate.user == user_id) & AutopayMandate.account.is_in(ids) & AutopayMandate.active.eq(True)
    )


# --- the payments of a checkout, for actions ----------------------------------------------------------------------


@dataclass(frozen=True)
class BatchRow:
    id: int
    uid: str
    kind: PaymentKind
    account: int
    number: str
    amount_kopecks: int
    status: PaymentStatus
    session_id: str | None
    intent_id: str | None
    credited_at: datetime | None
    created_by: int | None
    purpose: PaymentPurpose = PaymentPurpose.UTILITIES
    reference: str = ""
    period: date | None = None  # the billing month the payment names (paid first)


async def last_receipt_period(account_id: int) -> date | None:
    """The billing month of the account's newest receipt (what autopay on the receipt day pays first)."""
    found = (await billing_queries.last_receipts([account_id])).get(account_id)
    return found.period if found else None


def _as_month(value: Any) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) else value


async def batch_rows(batch: str) -> list[BatchRow]:
    rows = (
        await Payment.select(*_COMMON_COLUMNS, Payment.uid, Payment.credited_at, Payment.period)
        .where(Payment.batch == batch)
        .order_by(Payment.id)
        .limit(100)
    )
    return [
        BatchRow(
            **{
                **r,
                "kind": PaymentKind(r["kind"]),
                "status": PaymentStatus(r["status"]),
                "purpose": PaymentPurpose(r["purpose"]),
                "period": _as_month(r["period"]),
            }
        )
        for r in rows
    ]


async def batch_by(
    *, session_id: str | None = None, intent_id: str | None = None, batch: str | None = None
) -> str | None:
    """The checkout a gateway object belongs to: by our reference in its metadata, its session or its intent."""
    for column, value in ((Payment.batch, batch), (Payment.session_id, session_id), (Payment.intent_id, intent_id)):
        if value:
            row = await Payment.select(Payment.batch).where(column == str(value)[:80]).first()
            if row:
                return row["batch"]
    return None


def _live_utilities(account_ids: list[int], statuses: list[PaymentStatus], now: datetime) -> Any:
    """Utilities checkouts of these accounts in ``statuses`` whose page the gateway keeps open (as last heard)."""
    return (
        Payment.account.is_in(account_ids)
        & (Payment.kind == PaymentKind.CHECKOUT)
        & (Payment.purpose == PaymentPurpose.UTILITIES)
        & Payment.status.is_in(statuses)
        & (Payment.expires_at > now)
    )


async def _batches(where: Any, limit: int) -> list[str]:
    rows = await Payment.select(Payment.batch).where(where).order_by(Payment.id).limit(limit)
    return list(dict.fromkeys(r["batch"] for r in rows))


async def open_checkouts_of(user_id: int, account_ids: Iterable[int], now: datetime, limit: int = 10) -> list[str]:
    """The user's checkouts of utilities on these accounts still open on the gateway's page (left unfinished)."""
    ids = sorted(set(account_ids))
    if not ids:
        return []
    # A declined card's page stays open for another card.
    live = _live_utilities(ids, [PaymentStatus.OPEN, PaymentStatus.FAILED], now)
    return await _batches((Payment.created_by == user_id) & live, limit)


async def unfinished_checkout(principal: Principal, account_ids: Iterable[int]) -> list[PaymentView]:
    """The payments of the user's newest checkout of these accounts left unfinished on the gateway's page, that they
    may still continue (as from their history); none when there is none. The pay sheet names it and leaves its
    amount offered: paying there anew closes it (``pending_of_accounts``' ``own_unfinished``)."""
    if principal.user_id is None:
        return []
    batches = await open_checkouts_of(principal.user_id, account_ids, clock.now())
    payments = await batch_for(principal, batches[-1]) if batches else []
    return [p for p in payments if p.may_continue]


async def others_checkouts(user_id: int, account_ids: Iterable[int], now: datetime, limit: int = 10) -> list[str]:
    """Checkouts of utilities on these accounts that someone else (a co-owner, a member of the household) started
    and that, as last heard, could still be paid: open, its page kept open after a declined card, being confirmed."""
    ids = sorted(set(account_ids))
    if not ids:
        return []
    live = _live_utilities(ids, [PaymentStatus.OPEN, PaymentStatus.FAILED, PaymentStatus.PENDING], now)
    return await _batches(((Payment.created_by != user_id) | Payment.created_by.is_null()) & live, limit)


async def lock_accounts(account_ids: list[int]) -> None:
    """Serialise the checkouts of these accounts within the caller's transaction (PostgreSQL row locks, in id
    order; SQLite's write transactions are serial)."""
    if account_ids and not is_sqlite():
        await (
            PersonalAccount.select(PersonalAccount.id)
            .where(PersonalAccount.id.is_in(account_ids))
            .order_by(PersonalAccount.id)
            .lock_rows()
        )


@dataclass(frozen=True)
class Underway:
    """A checkout that could still be paid, or is being opened or confirmed: its first payment and status; who
    started it and when, the accounts and amount of it that the new one would pay too, and until when its page stays
    open (``expires_at``; None while it is being opened)."""

    id: int
    status: PaymentStatus
    created_by: int | None = None
    created_at: datetime | None = None
    expires_at: datetime | None = None
    numbers: tuple[str, ...] = ()
    amount: Decimal = Decimal("0.00")
    accounts: tuple[int, ...] = ()  # the accounts of ``numbers``
    payer_name: str = ""  # who started it, as the one refused may see them (``payer_as_seen_by``); "" unnamed


async def payer_as_seen_by(viewer: int, payer: int, accounts: Iterable[int]) -> str:
    """``payer`` as ``viewer`` sees them on the access list of one of ``accounts`` (their name, else their e-mail),
    when the viewer may open that list: they own the account and the payer has access to it. "" otherwise (a family
    member or tenant does not see who else has access). One query of at most two rows an account."""
    ids = sorted(set(accounts))
    if not ids:
        return ""
    rows = await Residency.select(
        Residency.account,
        Residency.user,
        Residency.role,
        Residency.user.full_name.as_alias("name"),
        Residency.user.email.as_alias("email"),
    ).where(
        Residency.account.is_in(ids)
        & Residency.user.is_in([viewer, payer])
        & Residency.revoked_at.is_null()
        & kept(clock.today_local())
    )
    owned = {r["account"] for r in rows if r["user"] == viewer and r["role"] == ResidentRole.OWNER}
    seen = [r for r in rows if r["user"] == payer and r["account"] in owned]
    return (seen[0]["name"] or seen[0]["email"] or "") if seen else ""


async def payers_as_seen_by(viewer: int | None, payments: Iterable[PaymentView]) -> dict[int, str]:
    """Who started each of ``payments`` that someone else started, by their user id, as ``viewer`` may see them on
    the payment's account (``payer_as_seen_by``); one the viewer may not see is left out."""
    if viewer is None:
        return {}
    accounts: dict[int, set[int]] = {}
    for payment in payments:
        if payment.created_by is not None and payment.created_by != viewer:
            accounts.setdefault(payment.created_by, set()).add(payment.account)
    names = {payer: await payer_as_seen_by(viewer, payer, ids) for payer, ids in accounts.items()}
    return {payer: name for payer, name in names.items() if name}


@dataclass(frozen=True)
class Pending:
    """An account's payments still pending: their sum, whether someone other than the payer started one, when the
    latest of them was started, and when the last of them closes unpaid (none when one has no end of its own: an
    autopay charge whose answer is not in yet)."""

    total: Decimal
    by_others: bool
    since: datetime | None = None
    until: datetime | None = None


async def pending_of_accounts(
    account_ids: Iterable[int], payer: int | None, now: datetime, *, own_unfinished: bool = True
) -> dict[int, Pending]:
    """The utilities payments of these accounts that may still be paid (index ``payment_account``): anyone's checkout
    open or being confirmed until its time runs out, and an autopay charge whose answer is not in yet; an order of
    paid services paid from the account is no part of its debt and never counts. Accounts with none are left out.
    ``own_unfinished`` False: the payer's own checkouts left open on the gateway's page do not count — the pay
    sheet's new payment closes them and takes their place (``actions.start_checkout``)."""
    ids = sorted(set(account_ids))
    if not ids:
        return {}
    live = (
        (Payment.purpose == PaymentPurpose.UTILITIES)
        & Payment.status.is_in([PaymentStatus.OPEN, PaymentStatus.PENDING])
        & ((Payment.expires_at > now) | Payment.expires_at.is_null())
        & ((Payment.kind == PaymentKind.AUTOPAY) | Payment.session_id.is_not_null())
    )
    if not own_unfinished and payer is not None:
        live &= (
            (Payment.status != PaymentStatus.OPEN)
            | (Payment.kind != PaymentKind.CHECKOUT)
            | (Payment.created_by != payer)
            | Payment.created_by.is_null()
        )
    rows = await (
        Payment.select(
            Payment.account, Payment.amount_kopecks, Payment.created_by, Payment.created_at, Payment.expires_at
        )
        .where(Payment.account.is_in(ids) & live)
        .limit(100 * len(ids))
    )
    found: dict[int, Pending] = {}
    for account in ids:
        mine = [r for r in rows if r["account"] == account]
        if mine:
            found[account] = Pending(
                from_kopecks(sum(r["amount_kopecks"] for r in mine)),
                any(r["created_by"] != payer for r in mine),
                max(r["created_at"] for r in mine),
                None if any(r["expires_at"] is None for r in mine) else max(r["expires_at"] for r in mine),
            )
    return found


async def pending_of(account_id: int, payer: int, now: datetime) -> Pending:
    """The payments of an account that may still be paid (``pending_of_accounts``)."""
    found = await pending_of_accounts([account_id], payer, now)
    return found.get(account_id, Pending(Decimal("0.00"), False))


async def checkout_underway(
    account_ids: Iterable[int], reference: str, now: datetime, apart: Iterable[str]
) -> Underway | None:
    """A checkout of the same debt other than those ``apart`` (closed by the caller) that could still be paid:
    anyone's of these accounts' utilities (the user's own in another tab, a co-owner's), or (``reference``) any of
    that order. Open or its page kept open after a declined card, being confirmed, until its time runs out; being
    opened by another request, for ``rules.CONFIRMATION_WAIT``."""
    ids = sorted(set(account_ids))
    debt = (Payment.reference == reference[:64]) if reference else (Payment.purpose == PaymentPurpose.UTILITIES)
    live = (
        Payment.status.is_in([PaymentStatus.OPEN, PaymentStatus.PENDING, PaymentStatus.FAILED])
        & (Payment.expires_at > now)
        & Payment.session_id.is_not_null()  # not one the gateway refused to open
    ) | ((Payment.status == PaymentStatus.CREATED) & (Payment.created_at > now - rules.CONFIRMATION_WAIT))
    where = Payment.account.is_in(ids) & (Payment.kind == PaymentKind.CHECKOUT) & debt & live
    skipped = sorted(set(apart))
    if skipped:
        where &= Payment.batch.not_in(skipped)
    rows = (
        await Payment.select(
            Payment.id,
            Payment.batch,
            Payment.status,
            Payment.created_by,
            Payment.created_at,
            Payment.expires_at,
            Payment.amount_kopecks,
            Payment.account,
            Payment.account.number.as_alias("number"),
        )
        .where(where)
        .order_by(Payment.id)
        .limit(len(ids) * 4)
    )
    if not rows:
        return None
    first = rows[0]
    same = [r for r in rows if r["batch"] == first["batch"]]
    return Underway(
        id=first["id"],
        status=PaymentStatus(first["status"]),
        created_by=first["created_by"],
        created_at=first["created_at"],
        expires_at=first["expires_at"] if first["status"] != PaymentStatus.CREATED else None,
        numbers=tuple(dict.fromkeys(r["number"] for r in same)),
        amount=from_kopecks(sum(r["amount_kopecks"] for r in same)),
        accounts=tuple(dict.fromkeys(r["account"] for r in same)),
    )


async def batches_to_check(since: datetime, now: datetime, limit: int = 200) -> list[str]:
    """Checkouts reconciliation asks the gateway about (``rules.needs_check``): those without a final status."""
    rows = (
        await Payment.select(Payment.batch, Payment.status, Payment.kind, Payment.created_at, Payment.expires_at)
        .where(
            Payment.status.is_in([PaymentStatus.CREATED, PaymentStatus.OPEN, PaymentStatus.PENDING])
            & (Payment.created_at >= since)
        )
        .order_by(Payment.created_at)
        .limit(limit)
    )
    found: dict[str, None] = {}
    for r in rows:
        if rules.needs_check(r["status"], r["kind"], r["created_at"], r["expires_at"], now):
            found.setdefault(r["batch"], None)
    return list(found)


async def all_paid(batch: str) -> bool:
    rows = await Payment.select(Payment.status).where(Payment.batch == batch).limit(100)
    return bool(rows) and all(r["status"] in rules.PAID_STATUSES for r in rows)


# --- payments of other purposes (orders) ---------------------------------------------------------------------


async def payments_for(purpose: PaymentPurpose, references: Iterable[str]) -> dict[str, PaymentView]:
    """The latest payment of each reference (an order's), in one bounded query; references without one are absent."""
    wanted = sorted({r for r in references if r})[:500]
    if not wanted:
        return {}
    rows = (
        await Payment.select(*_columns())
        .where((Payment.purpose == purpose) & Payment.reference.is_in(wanted))
        .order_by(Payment.id)
        .limit(2000)
    )
    now = clock.now()
    return {r["reference"]: _view(r, now) for r in rows}


async def paid_payment_for(purpose: PaymentPurpose, reference: str) -> PaymentView | None:
    """The paid payment of a reference (the one a refund returns), or None."""
    row = (
        await Payment.select(*_columns())
        .where(
            (Payment.purpose == purpose)
            & (Payment.reference == reference[:64])
            & Payment.status.is_in(sorted(rules.PAID_STATUSES))
        )
        .order_by(Payment.id, ascending=False)
        .first()
    )
    return _view(row, clock.now()) if row else None


# --- saved cards and autopay ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SavedCard:
    id: int
    gateway_id: str
    brand: str
    last4: str
    exp_month: int
    exp_year: int

    @property
    def choice(self) -> tuple[int, str]:
        """The card as an option of a select: «VISA •••• 4242»."""
        return self.id, f"{self.brand.upper()} •••• {self.last4}"


@dataclass(frozen=True)
class AutopayState:
    """How an autopay stands, as ``payments/_autopay_state.html`` tells its payer and staff: its limit, on or off,
    its month's last charge or the payment waiting for the bank's answer, or why it turned itself off and when."""

    limit: Decimal
    active: bool
    last_status: str
    last_message: str
    waiting_since: datetime | None
    waiting_until: datetime | None
    stopped: str  # why autopay turned itself off (``AutopayStop``), "" while on or turned off by its payer
    stopped_at: datetime | None


@dataclass(frozen=True)
class Mandate(AutopayState):
    id: int
    account: int
    number: str  # the account's, for one the user may no longer pay for (autopay turned off for that)
    card: int
    last4: str
    brand: str


async def cards_of(user_id: int) -> list[SavedCard]:
    rows = (
        await PaymentMethod.select(*columns_of(PaymentMethod, SavedCard))
        .where((PaymentMethod.user == user_id) & PaymentMethod.removed_at.is_null())
        .order_by(PaymentMethod.id)
        .limit(20)
    )
    return [from_row(SavedCard, r) for r in rows]


async def card_of(user_id: int, card_id: int) -> SavedCard | None:
    return next((c for c in await cards_of(user_id) if c.id == card_id), None)


async def mandates_of(user_id: int) -> dict[int, Mandate]:
    card = AutopayMandate.payment_method
    joined = {"card": card, "last4": card.last4, "brand": card.brand, "number": AutopayMandate.account.number}
    rows = (
        await AutopayMandate.select(
            *columns_of(AutopayMandate, Mandate, **joined), AutopayMandate.monthly_limit_kopecks
        )
        .where(AutopayMandate.user == user_id)
        .limit(200)
    )
    return {r["account"]: from_row(Mandate, r, limit=from_kopecks(r["monthly_limit_kopecks"])) for r in rows}


@dataclass(frozen=True)
class AccountMandate(AutopayState):
    """An account's autopay as staff see it: whose it is, and how it stands."""

    user_id: int
    name: str


async def autopay_of_account(account_id: int) -> list[AccountMandate]:
    """The autopays on an account (each person with the right to pay may turn on their own), oldest first: those on,
    and those that turned themselves off (``stopped``), which say why."""
    rows = (
        await AutopayMandate.select(
            *columns_of(AutopayMandate, AccountMandate, name=AutopayMandate.user.full_name),
            AutopayMandate.monthly_limit_kopecks,
        )
        .where(
            (AutopayMandate.account == account_id)
            & (AutopayMandate.active.eq(True) | (AutopayMandate.stopped != AutopayStop.NONE))
        )
        .order_by(AutopayMandate.id)
        .limit(20)
    )
    return [from_row(AccountMandate, r, limit=from_kopecks(r["monthly_limit_kopecks"])) for r in rows]


async def due_mandates(period: str, now: datetime, *, month_due: bool, after: int, limit: int) -> list[dict[str, Any]]:
    """The next ``limit`` active mandates after id ``after`` that autopay has to look at (index
    ``autopay_mandate_due``): one whose month ``period`` has not been run yet (``month_due``: the charge day has come),
    and one whose month waits for payments still pending once they may have changed (the latest closes unpaid at
    ``waiting_until``; none given: an autopay charge's answer, looked at again once the gateway's answer window
    has passed since the last look, when the mandate asks the gateway itself: ``actions._ask_unanswered``). A wait
    ends early when an awaited payment is decided (``actions._wake_waiting``). The month ran is never older than the
    last one (``<``)."""
    answer_due = AutopayMandate.waiting_until.is_null() & (AutopayMandate.updated_at <= now - rules.CONFIRMATION_WAIT)
    waiting = (
        (AutopayMandate.last_period == period)
        & AutopayMandate.last_status.is_in(list(AUTOPAY_WAITING))
        & (answer_due | (AutopayMandate.waiting_until <= now))
    )
    look = ((AutopayMandate.last_period < period) | waiting) if month_due else waiting
    return (
        await AutopayMandate.select(
            AutopayMandate.all_columns(),
            AutopayMandate.payment_method.gateway_id.as_alias("pm"),
            AutopayMandate.payment_method.removed_at.as_alias("pm_removed"),
            AutopayMandate.account.number.as_alias("number"),
            AutopayMandate.account.closed_on.as_alias("closed_on"),
            AutopayMandate.user.locale.as_alias("locale"),
        )
        .where(AutopayMandate.active.eq(True) & (AutopayMandate.id > after) & look)
        .order_by(AutopayMandate.id)
        .limit(limit)
    )


async def unanswered_charges(account_id: int, payer: int, now: datetime, limit: int = 5) -> list[str]:
    """Someone else's autopay charges of the account (a co-owner's) still without the gateway's answer after its
    answer window (``rules.CONFIRMATION_WAIT``) since they were last sent (index ``payment_account``)."""
    rows = await (
        Payment.select(Payment.batch)
        .where(
            (Payment.account == account_id)
            & (Payment.kind == PaymentKind.AUTOPAY)
            & (Payment.status == PaymentStatus.PENDING)
            & ((Payment.created_by != payer) | Payment.created_by.is_null())
            & (Payment.updated_at <= now - rules.CONFIRMATION_WAIT)
        )
        .order_by(Payment.id)
        .limit(limit)
    )
    return [r["batch"] for r in rows]


async def customer_id_of(user_id: int) -> str | None:
    row = await GatewayCustomer.select(GatewayCustomer.customer_id).where(GatewayCustomer.user == user_id).first()
    return row["customer_id"] if row else None


async def card_setup(session_id: str, user_id: int | None = None) -> dict[str, Any] | None:
    query = CardSetup.select(CardSetup.id, CardSetup.user, CardSetup.status, CardSetup.ip).where(
        CardSetup.session_id == session_id[:80]
    )
    if user_id is not None:
        query = query.where(CardSetup.user == user_id)
    return await query.first()


# --- staff -------------------------------------------------------------------------------------------------------


# The staff list's status filter also finds the payments with a refund the payment service is still working on
# («Возврат в обработке»), whatever their own status.
REFUND_PENDING = "refund_pending"
# Paid, refunded or not: what reached the company, as the dashboard's payment figures count it.
PAID = "paid"
STATUS_FILTERS = (*PaymentStatus, PAID, REFUND_PENDING)


@dataclass(frozen=True)
class StaffFilter:
    status: str | None = None  # one of STATUS_FILTERS
    date_from: date | None = None  # the day it was created (older addresses)
    date_to: date | None = None
    houses: tuple[int, ...] = ()
    amount_min: Decimal | None = None
    amount_max: Decimal | None = None
    account: str = ""
    channel: str = ""  # "card", "sbp" or "autopay" (the dashboard's payments by channel link here)
    complex: int | None = None
    purpose: str = ""  # "utilities" or "order"
    paid_from: date | None = None  # the day it was paid, Moscow time (the dashboard's months)
    paid_to: date | None = None


CHANNELS = ("card", "sbp", "autopay")


def _kopecks(amount: Decimal | None) -> int | None:
    return to_kopecks(amount) if amount is not None else None


def _account_typed(q: str) -> Any:
    """The account field: the number as typed, or the accounts the staff's account search finds for it — part of
    the number ("1000039" of 9101000039), which used to find no payment at all, as if none had been made."""
    found = PersonalAccount.select(PersonalAccount.id).where(account_search(q))
    return (Payment.account.number == q) | Payment.account.is_in(found)


def _status_is(status: str) -> Any:
    if status == REFUND_PENDING:
        return Payment.id.is_in(Refund.select(Refund.payment).where(Refund.status == RefundStatus.PENDING))
    if status == PAID:
        return Payment.status.is_in(sorted(rules.PAID_STATUSES))
    return Payment.status == status


def _staff_where(principal: Principal, f: StaffFilter) -> Any:
    house = Payment.account.premise.house
    where = every(
        [
            Payment.id > 0,
            house_scope(house, principal),
            _status_is(f.status) if f.status else None,
            on_days(Payment.created_at, f.date_from, f.date_to),
            on_days(Payment.paid_at, f.paid_from, f.paid_to),
            house.is_in(list(f.houses)) if f.houses else None,
            house.complex == f.complex if f.complex else None,
            Payment.purpose == f.purpose if f.purpose else None,
            within(Payment.amount_kopecks, _kopecks(f.amount_min), _kopecks(f.amount_max)),
            _account_typed(f.account) if f.account else None,
        ]
    )
    if f.channel == "autopay":
        where &= Payment.kind == PaymentKind.AUTOPAY
    elif f.channel in CHANNELS:
        method = (Payment.method == "sbp") if f.channel == "sbp" else (Payment.method != "sbp")
        where &= (Payment.kind == PaymentKind.CHECKOUT) & method
    return where


async def staff_payments(principal: Principal, f: StaffFilter, page: PageRequest) -> Page[PaymentView]:
    found = await _page_of(_staff_where(principal, f), page, with_address=True)
    return replace(found, items=await with_pending_refunds(found.items))


@dataclass(frozen=True)
class Totals:
    """The count and sums of the payments a filter finds: the amounts paid (refunds not taken off, as the
    dashboard's figures count them) and what was given back of them."""

    count: int
    amount: Decimal
    refunded: Decimal


async def staff_totals(principal: Principal, f: StaffFilter) -> Totals:
    """What the staff list finds, counted and summed in one query (the same conditions as its pages)."""
    row = await (
        Payment.select(
            Count(Payment.id, alias="n"),
            Sum(Payment.amount_kopecks).as_alias("amount"),
            Sum(Payment.refunded_kopecks).as_alias("refunded"),
        )
        .where(_staff_where(principal, f))
        .first()
    )
    row = row or {}
    return Totals(int(row.get("n") or 0), from_kopecks(int(row.get("amount") or 0)),
                  from_kopecks(int(row.get("refunded") or 0)))  # fmt: skip


async def staff_payments_export(principal: Principal, f: StaffFilter, limit: int = EXPORT_LIMIT) -> list[PaymentView]:
    """Every payment the filter finds in the user's houses, in the order of the list on the screen, with what its
    pending refunds hold (one more query a batch)."""
    now = clock.now()
    found: list[PaymentView] = []
    async for rows in newest_batches(Payment, _columns(with_address=True), _staff_where(principal, f), limit):
        found.extend(await with_pending_refunds([_view(r, now) for r in rows]))
    return found


async def staff_payment(principal: Principal, payment_id: int) -> PaymentView | None:
    """A payment of an account in the staff member's houses, or None (missing and out of scope alike)."""
    row = await Payment.select(*_columns(with_address=True)).where(Payment.id == payment_id).first()
    if row is None or not principal.may_see_house(row["house_id"]):
        return None
    return (await with_pending_refunds([_view(row, clock.now())]))[0]


async def pending_refunds(payment_ids: Iterable[int]) -> dict[int, int]:
    """Kopecks of each payment's refunds the payment service is still working on; a payment without one is absent
    (the partial index ``refund_pending`` holds just these rows)."""
    ids = sorted(set(payment_ids))[:1000]
    if not ids:
        return {}
    rows = (
        await Refund.select(Refund.payment, Sum(Refund.amount_kopecks).as_alias("pending"))
        .where(Refund.payment.is_in(ids) & (Refund.status == RefundStatus.PENDING))
        .group_by(Refund.payment)
    )
    return {r["payment"]: int(r["pending"]) for r in rows}


async def with_pending_refunds(views: Sequence[PaymentView]) -> list[PaymentView]:
    """The payments with what their pending refunds hold (one query for them all)."""
    pending = await pending_refunds(v.id for v in views)
    return [replace(v, refund_pending=from_kopecks(pending[v.id])) if v.id in pending else v for v in views]


async def refundable_locked(payment_id: int) -> int:
    """What may still be refunded of a payment (kopecks, ``rules.refundable``), read under the payment's row lock in
    the caller's transaction: two refunds of one payment asked for at once take turns here, and the second sees the
    first's pending refund (PostgreSQL ``FOR UPDATE``; SQLite's write transactions are serial)."""
    query = Payment.select(Payment.amount_kopecks, Payment.refunded_kopecks, Payment.status).where(
        Payment.id == payment_id
    )
    row = await (query if is_sqlite() else query.lock_rows()).first()
    if row is None:
        return 0
    pending = (await pending_refunds([payment_id])).get(payment_id, 0)
    return rules.refundable(row["amount_kopecks"], row["refunded_kopecks"], pending, row["status"])


@dataclass(frozen=True)
class RefundView:
    id: int
    amount: Decimal
    reason: str
    status: str
    author: str
    created_at: datetime


async def refunds_of(payment_id: int) -> list[RefundView]:
    joined = {"amount": Refund.amount_kopecks, "author": Refund.created_by.full_name}
    rows = (
        await Refund.select(*columns_of(Refund, RefundView, **joined))
        .where(Refund.payment == payment_id)
        .order_by(Refund.id)
        .limit(100)
    )
    return [from_row(RefundView, r, amount=from_kopecks(r["amount"]), author=r["author"] or "") for r in rows]


@dataclass(frozen=True)
class RefundToSend:
    """A refund as it is sent to the gateway, the first time and on every retry: the same key and parameters."""

    id: int
    uid: str
    idempotency_key: str
    amount_kopecks: int
    intent_id: str
    status: str
    gateway_refund_id: str | None


def _refunds_to_send() -> Any:
    return Refund.select(*columns_of(Refund, RefundToSend, intent_id=Refund.payment.intent_id))


async def refund_to_send(uid: str) -> RefundToSend | None:
    row = await _refunds_to_send().where(Refund.uid == uid).first()
    return from_row(RefundToSend, row) if row else None


async def pending_refunds_to_check(limit: int = 50) -> list[RefundToSend]:
    """The refunds the gateway has not finished for us, those asked about least recently first (the partial index
    ``refund_pending_asked`` holds them in that order, so neither engine reads the refunds already done): a run
    marks those it takes, and the next takes the others, however many stay pending. One of a payment the gateway
    has no reference of (the demo's) is none it could be asked about."""
    rows = (
        await _refunds_to_send()
        .where((Refund.status == RefundStatus.PENDING) & Refund.payment.intent_id.is_not_null())
        .order_by(Refund.asked_at, Refund.id)
        .limit(limit)
    )
    return [from_row(RefundToSend, r) for r in rows]


def last_asked(purpose: PaymentPurpose, reference: QueryString, since: QueryString) -> QueryString:
    """When the payment service was last asked about a refund of ``reference`` (SQL of the caller's row), or
    ``since`` when none was asked for yet: what the caller orders by, least recently asked first, as
    ``pending_refunds_to_check`` does (each lookup by the payment's ``reference`` and the refund's ``payment``)."""
    return QueryString(
        "COALESCE((SELECT MAX(refund.asked_at) FROM refund JOIN payment ON payment.id = refund.payment"
        " WHERE payment.reference = {} AND payment.purpose = {}), {})",
        reference,
        str(purpose),
        since,
    )


def refundable_at_gateway(purpose: PaymentPurpose, reference: QueryString) -> QueryString:
    """SQL: ``reference`` (of the caller's row) has a paid payment the payment service holds a reference of, so the
    portal can ask the service to return it (``actions.refund_purpose``); one paid without that reference (the
    service said a checkout was paid without naming its payment) is returned by hand. By ``payment.reference``."""
    return QueryString(
        "EXISTS (SELECT 1 FROM payment WHERE payment.reference = {} AND payment.purpose = {}"
        " AND payment.status IN ({}, {}, {}) AND payment.intent_id IS NOT NULL)",
        reference,
        str(purpose),
        *sorted(rules.PAID_STATUSES),
    )
