"""Payments made outside the portal, from registries: each line is matched to its account by the account number
(the receipt QR's ``PersAcc``) and credited once, whatever file it came in; what cannot be matched waits in the
staff queue until an accountant assigns it to an account or marks it returned.

A payment is credited under one ledger reference, the guard against double credit (``LedgerEntry.reference`` is
unique): ``registry:<payment id>`` for money the portal never saw, and ``payment:<uid>`` — the reference
``payments.actions._credit`` gives a portal payment — for a line the portal took itself (its gateway id on the
line, or the same account, amount and day), so the bank's copy of a portal payment is never credited twice.

A line is one seen before only when its payment id *and* its payment (the account as given, the amount, the day
paid) are those of a stored line: each bank, the post and each payment agent number their payments on their own,
so a second sender's id «1» is a payment of its own, credited (or queued) under ``registry:<id>:<digest of the
payment>``, a reference the first sender's ``registry:<id>`` cannot take.

    decided = await decide(rows, principal)            # the preview's dry run: nothing is written
    report = await apply_lines(rows, principal, ...)   # one transaction: the registry, its lines, the ledger
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Callable
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from datetime import datetime
from datetime import timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Any

from portal.billing import ledger
from portal.billing import notes
from portal.billing.queries import account_ids_by_number
from portal.billing.registry_files import PaymentLine
from portal.billing.registry_tables import LineStatus
from portal.billing.registry_tables import PaymentRegistry
from portal.billing.registry_tables import RegistryPayment
from portal.billing.tables import EntryKind
from portal.billing.tables import LedgerEntry
from portal.core import audit
from portal.core import bulk
from portal.core import clock
from portal.core.db import atomic
from portal.core.db import from_kopecks
from portal.core.db import from_row
from portal.core.db import is_sqlite
from portal.core.i18n import gettext
from portal.core.imports import Checked
from portal.core.security import Principal
from portal.core.values import chunks
from portal.core.web import Refused
from portal.payments.tables import Payment
from portal.payments.tables import PaymentPurpose

CHUNK = 500
ACCOUNT_LENGTH = 32  # ``RegistryPayment.account_number``
APPLYING_LOCK = 0x52454753  # the advisory lock a registry is applied under (PostgreSQL)
SAME_DAY = timedelta(days=1)  # a bank lists a payment on the day it was made or the next


class Action(StrEnum):
    """What applying does with a line."""

    CREDIT = "credit"  # a new payment of a known account
    PORTAL = "portal"  # a portal payment not credited yet: credited now under its portal reference
    KNOWN = "known"  # a portal payment credited already: recorded, not credited again
    QUEUE = "queue"  # no such account: the staff queue
    SEEN = "seen"  # this payment, under this id, came in an earlier file
    OTHER = "other"  # its id came in an earlier file with another payment (another sender's numbering): credited
    REPEAT = "repeat"  # listed twice in this file


CREDITING = frozenset({Action.CREDIT, Action.OTHER, Action.PORTAL})
RECORDED = frozenset({Action.CREDIT, Action.OTHER, Action.PORTAL, Action.KNOWN, Action.QUEUE})
STATUS = {
    Action.CREDIT: LineStatus.CREDITED,
    Action.OTHER: LineStatus.CREDITED,
    Action.PORTAL: LineStatus.PORTAL,
    Action.KNOWN: LineStatus.PORTAL,
    Action.QUEUE: LineStatus.UNMATCHED,
}


@dataclass(frozen=True, slots=True)
class Decision:
    row: PaymentLine
    action: Action
    account_id: int | None = None
    reference: str = ""


@dataclass
class RegistryReport(Checked):
    """What a registry did (or, for the preview, would do); counts and sums by action (``core.imports.Report``)."""

    registry_id: int | None = None

    @property
    def changes(self) -> int:
        return sum(self.created.get(a, 0) for a in RECORDED)


def report_of(decisions: list[Decision]) -> RegistryReport:
    """Counts by action in ``created`` (what will be written) and ``updated`` (what is skipped), and the sums in
    kopecks under ``sum:<action>`` and ``sum:total``."""
    report = RegistryReport(rows=len(decisions))
    for d in decisions:
        target = report.created if d.action in RECORDED else report.updated
        target[d.action] = target.get(d.action, 0) + 1
        key = f"sum:{d.action}"
        report.created[key] = report.created.get(key, 0) + d.row.amount_kopecks
        if d.action is not Action.REPEAT:
            report.created["sum:total"] = report.created.get("sum:total", 0) + d.row.amount_kopecks
    return report


def registry_reference(payment_id: str) -> str:
    return f"registry:{payment_id}"


def sent_key(row: PaymentLine) -> tuple[str, str, int, date]:
    """What makes a registry line the same payment: its id and its payment, the account as stored."""
    return row.payment_id, row.account[:ACCOUNT_LENGTH], row.amount_kopecks, row.paid_on


def other_reference(row: PaymentLine) -> str:
    """The ledger reference of a payment whose id an earlier file gave another payment: the id and its payment."""
    _, account, kopecks, day = sent_key(row)
    digest = hashlib.sha256(f"{account}|{kopecks}|{day.isoformat()}".encode()).hexdigest()[:16]
    return f"registry:{row.payment_id}:{digest}"


def portal_reference(uid: str) -> str:
    """The ledger reference of a portal payment (as ``payments.actions._credit`` posts it)."""
    return f"payment:{uid}"


def occurred_at(row: PaymentLine) -> datetime:
    """The moment of the payment, in the company's zone (the registry's day and time)."""
    return datetime.combine(row.paid_on, row.moment, tzinfo=clock.zone())


# --- deciding (no writes) --------------------------------------------------------------------------------------


async def decide(
    rows: list[PaymentLine], principal: Principal | None, step: Callable[[str], None] | None = None
) -> list[Decision]:
    """What applying would do with each line, from the database as it is now (nothing is written)."""
    say = step or (lambda _: None)
    say("accounts")
    accounts = await account_ids_by_number([r.account for r in rows], principal)
    say("payments")
    stored = await _stored([r.payment_id for r in rows])
    say("portal")
    portal = await _portal_matches(rows, accounts)
    credited = await _existing_references([portal_reference(uid) for uid, _ in portal.values()])
    decisions = []
    for row in rows:
        account_id = accounts.get(row.account)
        if row.repeat_of:
            decisions.append(Decision(row, Action.REPEAT, account_id))
        elif sent_key(row) in stored.get(row.payment_id, ()):
            decisions.append(Decision(row, Action.SEEN, account_id))
        elif row.line in portal:
            uid, portal_account = portal[row.line]
            reference = portal_reference(uid)
            action = Action.KNOWN if reference in credited else Action.PORTAL
            decisions.append(Decision(row, action, portal_account, reference))
        else:
            decisions.append(_new_payment(row, account_id, row.payment_id in stored))
    return decisions


def _new_payment(row: PaymentLine, account_id: int | None, id_taken: bool) -> Decision:
    """A payment not seen before: credited, or queued when no account has its number; one whose id an earlier
    file gave another payment keeps a reference of its own."""
    reference = other_reference(row) if id_taken else registry_reference(row.payment_id)
    if account_id is None:
        return Decision(row, Action.QUEUE, None, reference)
    return Decision(row, Action.OTHER if id_taken else Action.CREDIT, account_id, reference)


async def _present(column: Any, values: list[str]) -> set[str]:
    """Which of ``values`` stand in ``column`` already (read in chunks, each an indexed ``IN``)."""
    found: set[str] = set()
    for chunk in chunks(sorted(set(values)), CHUNK):
        rows = await column._meta.table.select(column).where(column.is_in(chunk))
        found.update(r[column._meta.name] for r in rows)
    return found


_KEY_COLUMNS = (
    RegistryPayment.payment_id,
    RegistryPayment.account_number,
    RegistryPayment.amount_kopecks,
    RegistryPayment.paid_on,
)


async def _stored(ids: list[str]) -> dict[str, set[tuple[str, str, int, date]]]:
    """The stored lines of these payment ids, as ``sent_key``s by id."""
    stored: dict[str, set[tuple[str, str, int, date]]] = defaultdict(set)
    for chunk in chunks(sorted(set(ids)), CHUNK):
        for r in await RegistryPayment.select(*_KEY_COLUMNS).where(RegistryPayment.payment_id.is_in(chunk)):
            stored[r["payment_id"]].add((r["payment_id"], r["account_number"], r["amount_kopecks"], r["paid_on"]))
    return stored


async def _existing_references(references: list[str]) -> set[str]:
    return await _present(LedgerEntry.reference, references)


async def _claimed(references: list[str]) -> set[str]:
    """Portal references an earlier registry line was recognised as already."""
    return await _present(RegistryPayment.reference, references)


_PAYMENT_COLUMNS = (Payment.uid, Payment.account, Payment.amount_kopecks, Payment.paid_at, Payment.created_at)


async def _portal_matches(rows: list[PaymentLine], accounts: dict[str, int]) -> dict[int, tuple[str, int]]:
    """Lines that are payments the portal took itself → (the portal payment's uid, its account): by the
    gateway's id on the line (or the portal's own), else by the same account, amount and day (±1)."""
    found: dict[int, tuple[str, int]] = {}
    taken: set[str] = set()
    by_id = await _portal_by_id([r.payment_id for r in rows if not r.repeat_of])
    for row in rows:
        candidates = by_id.get(row.payment_id, [])
        if row.repeat_of or not candidates:
            continue
        own = accounts.get(row.account)
        chosen = next((c for c in candidates if c["account"] == own), candidates[0])
        found[row.line] = (chosen["uid"], chosen["account"])
        taken.add(chosen["uid"])
    rest = [r for r in rows if not r.repeat_of and r.line not in found and r.account in accounts]
    if not rest:
        return found
    pool = await _portal_by_amount(rest, accounts)
    claimed = await _claimed([portal_reference(p["uid"]) for ps in pool.values() for p in ps])
    for row in rest:
        account_id = accounts[row.account]
        for payment in pool.get((account_id, row.amount_kopecks), []):
            uid = payment["uid"]
            if uid in taken or portal_reference(uid) in claimed:
                continue
            paid = clock.local(payment["paid_at"] or payment["created_at"]).date()
            if abs(paid - row.paid_on) <= SAME_DAY:
                found[row.line] = (uid, account_id)
                taken.add(uid)
                break
    return found


async def _portal_by_id(ids: list[str]) -> dict[str, list[dict[str, Any]]]:
    found: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for chunk in chunks(sorted(set(ids)), CHUNK):
        rows = await Payment.select(*_PAYMENT_COLUMNS, Payment.intent_id, Payment.session_id).where(
            (Payment.purpose == PaymentPurpose.UTILITIES)
            & (Payment.uid.is_in(chunk) | Payment.intent_id.is_in(chunk) | Payment.session_id.is_in(chunk))
        )
        wanted = set(chunk)
        for r in rows:
            for key in {r["uid"], r["intent_id"], r["session_id"]} & wanted:
                found[key].append(r)
    return found


async def _portal_by_amount(rows: list[PaymentLine], accounts: dict[str, int]) -> dict[tuple[int, int], list[Any]]:
    """Paid utility payments of the lines' accounts around the lines' days, by (account, amount)."""
    first = min(r.paid_on for r in rows) - SAME_DAY * 2
    last = max(r.paid_on for r in rows) + SAME_DAY * 2
    since, until = clock.day_start(first), clock.day_start(last)
    pool: dict[tuple[int, int], list[Any]] = defaultdict(list)
    for chunk in chunks(sorted({accounts[r.account] for r in rows}), CHUNK):
        found = await Payment.select(*_PAYMENT_COLUMNS).where(
            Payment.account.is_in(chunk)
            & (Payment.purpose == PaymentPurpose.UTILITIES)
            & Payment.paid_at.is_not_null()
            & (Payment.paid_at >= since)
            & (Payment.paid_at < until)
        )
        for r in found:
            pool[(r["account"], r["amount_kopecks"])].append(r)
    for payments in pool.values():
        payments.sort(key=lambda p: (p["paid_at"], p["uid"]))
    return pool


# --- applying --------------------------------------------------------------------------------------------------

_LINE_COLUMNS = (
    "registry",
    "line",
    "payment_id",
    "account_number",
    "account",
    "amount_kopecks",
    "paid_on",
    "period",
    "channel",
    "payer",
    "status",
    "reference",
    "note",
    "created_at",
)


async def apply_lines(
    rows: list[PaymentLine],
    principal: Principal | None,
    kind: str,
    file_name: str,
    received_at: datetime | None = None,
    *,
    ip: str = "",
) -> RegistryReport:
    """Write a checked registry in one transaction: the registry, a line per payment not seen before (the
    queue's lines among them), each new payment's ledger entry, and the audit event. Applying the same lines
    again writes nothing. ``received_at`` is when its payments count as credited: now, unless a file that came
    earlier is loaded later (the demo's daily files)."""
    async with atomic():
        await _one_at_a_time()
        decisions = await decide(rows, principal)
        report = report_of(decisions)
        fresh = [d for d in decisions if d.action in RECORDED]
        if not fresh:
            report.applied = True
            return report
        now = received_at or clock.now()
        registry = PaymentRegistry(
            kind=kind,
            file_name=file_name[:255],
            rows=len(rows),
            credited=sum(1 for d in fresh if d.action in CREDITING),
            queued=sum(1 for d in fresh if d.action is Action.QUEUE),
            skipped=len(decisions) - len(fresh),
            total_kopecks=report.created.get("sum:total", 0),
            created_by=principal.user_id if principal else None,
            created_at=now,
        )
        await registry.save()
        written = await bulk.insert_rows(
            RegistryPayment,
            _LINE_COLUMNS,
            (_line_row(registry.id, d, now) for d in fresh),
            returning=("line",),
            conflict="(payment_id, account_number, amount_kopecks, paid_on) DO NOTHING",
        )
        kept = {r["line"] for r in written}
        by_period: dict[date, list[dict[str, Any]]] = defaultdict(list)
        for d in fresh:
            if d.action in CREDITING and d.row.line in kept and d.account_id is not None:
                moment = occurred_at(d.row)
                by_period[ledger.period_of(moment)].append(_entry(d, moment, now))
        for period, entries in sorted(by_period.items()):
            await ledger.post_bulk(entries, period)
        await audit.record(
            principal,
            "billing.registry.import",
            "payment_registry",
            registry.id,
            {"file": file_name, "rows": len(rows), "credited": registry.credited, "queued": registry.queued},
            ip,
        )
    report.applied = True
    report.registry_id = registry.id
    return report


async def _one_at_a_time() -> None:
    """Registries are applied one at a time, each deciding on what those before it wrote: two files of different
    senders with the same new id, applied at once, each took ``registry:<id>`` for its payment and the second
    met the first's ledger entry, skipped, its resident's money not credited. SQLite writes one at a time."""
    if not is_sqlite():
        await PaymentRegistry.raw("SELECT pg_advisory_xact_lock({})", APPLYING_LOCK)


def _line_row(registry_id: int, d: Decision, now: datetime) -> tuple[Any, ...]:
    r = d.row
    return (
        registry_id,
        r.line,
        r.payment_id,
        r.account[:ACCOUNT_LENGTH],
        d.account_id,
        r.amount_kopecks,
        r.paid_on,
        r.period,
        r.channel,
        r.payer[:160],
        str(STATUS[d.action]),
        d.reference,
        "",
        now,
    )


def _entry(d: Decision, moment: datetime, credited_at: datetime) -> dict[str, Any]:
    return {
        "account": d.account_id,
        "kind": EntryKind.PAYMENT,
        "amount_kopecks": -d.row.amount_kopecks,
        "occurred_at": moment,
        "reference": d.reference,
        "note": note_of(d.row.payment_id, d.row.paid_on),
        "pays_period": d.row.period,
        "created_at": credited_at,
    }


def note_of(payment_id: str, paid_on: date) -> str:
    """The ledger note of a payment a registry brought: its id at the sender and the day it was paid."""
    return notes.REGISTRY.write(payment=payment_id, day=paid_on)


# --- the queue ----------------------------------------------------------------------------------------------------


def _waiting(line_id: int) -> Any:
    return (RegistryPayment.id == line_id) & (RegistryPayment.status == LineStatus.UNMATCHED)


def _gone() -> Refused:
    return Refused(gettext("This payment is no longer waiting in the queue."))


async def _queued(line_id: int) -> dict[str, Any]:
    row = await RegistryPayment.select().where(_waiting(line_id)).first()
    if row is None:
        raise _gone()
    return row


async def _resolve(principal: Principal, line_id: int, status: LineStatus, columns: dict[Any, Any]) -> None:
    """The queued line takes ``status`` (with ``columns``), and who resolved it and when; refused when it no longer
    waits: resolved by another accountant since it was read."""
    resolved = {RegistryPayment.status: status, RegistryPayment.resolved_by: principal.user_id,
                RegistryPayment.resolved_at: clock.now(), **columns}  # fmt: skip
    if not await RegistryPayment.update(resolved).where(_waiting(line_id)).returning(RegistryPayment.id):
        raise _gone()


async def assign(principal: Principal, line_id: int, account_number: str, ip: str = "") -> int:
    """Credit a queued payment to the account an accountant names (in their houses; the number as written on a
    receipt, its groups of digits apart, is that account); the account's id."""
    account_number = "".join(account_number.split())
    if not account_number:
        raise Refused(gettext("Enter the number of the account to credit the payment to."))
    async with atomic():
        row = await _queued(line_id)
        account_id = (await account_ids_by_number([account_number], principal)).get(account_number)
        if account_id is None:
            raise Refused(gettext("There is no account %(number)s in your houses.", number=account_number))
        await _resolve(principal, line_id, LineStatus.ASSIGNED, {RegistryPayment.account: account_id})
        moment = datetime.combine(row["paid_on"], datetime.min.time().replace(hour=12), tzinfo=clock.zone())
        posted = await ledger.post_payment(
            account_id,
            from_kopecks(row["amount_kopecks"]),
            row["reference"] or registry_reference(row["payment_id"]),
            moment,
            note=note_of(row["payment_id"], row["paid_on"]),
            pays_period=row["period"],
        )
        if not posted:  # its reference is in the ledger already: the line stays queued, nothing is said credited
            raise Refused(gettext("This payment has been credited already; it is not credited a second time."))
        await audit.record(
            principal,
            "billing.registry.assign",
            "registry_payment",
            line_id,
            {"account": account_number, "amount_kopecks": row["amount_kopecks"], "was": row["account_number"]},
            ip,
        )
    return account_id


async def mark_returned(principal: Principal, line_id: int, reason: str, ip: str = "") -> None:
    """A queued payment sent back to the payer's bank: kept, with the reason, never credited."""
    reason = reason.strip()
    if not reason:
        raise Refused(gettext("Say why the payment is returned."))
    async with atomic():
        await _queued(line_id)
        await _resolve(principal, line_id, LineStatus.RETURNED, {RegistryPayment.note: reason[:255]})
        await audit.record(principal, "billing.registry.return", "registry_payment", line_id, {"reason": reason}, ip)


@dataclass(frozen=True)
class QueueRow:
    id: int
    payment_id: str
    account_number: str
    amount: Decimal
    paid_on: date
    period: date | None
    payer: str
    status: str
    note: str
    file_name: str
    line: int


async def queue_page(status: str, offset: int, size: int) -> tuple[list[QueueRow], int, int]:
    """One page of the registry lines of a status (newest payment first), their count and their sum in kopecks."""
    where = RegistryPayment.status == status
    count = await RegistryPayment.count().where(where)
    from piccolo.query.functions.aggregate import Sum

    total = await RegistryPayment.select(Sum(RegistryPayment.amount_kopecks).as_alias("total")).where(where).first()
    rows = (
        await RegistryPayment.select(
            RegistryPayment.all_columns(exclude=[RegistryPayment.registry]),
            RegistryPayment.registry.file_name.as_alias("file_name"),
        )
        .where(where)
        .order_by(RegistryPayment.paid_on, ascending=False)
        .order_by(RegistryPayment.id, ascending=False)
        .limit(size)
        .offset(offset)
    )
    items = [
        from_row(QueueRow, r, amount=from_kopecks(r["amount_kopecks"]), file_name=r["file_name"] or "") for r in rows
    ]
    return items, count, int((total or {}).get("total") or 0)


async def channels_of(references: Iterable[str]) -> dict[str, str]:
    """The channel of each registry payment by its ledger reference (for the resident's history)."""
    refs = sorted({r for r in references if r})
    if not refs:
        return {}
    rows = await RegistryPayment.select(RegistryPayment.reference, RegistryPayment.channel).where(
        RegistryPayment.reference.is_in(refs)
    )
    return {r["reference"]: r["channel"] for r in rows}
