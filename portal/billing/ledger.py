"""The ledger of personal accounts: the only writer of ``LedgerEntry`` and of the ``Balance`` snapshots.

Contract for other domains (CONTRACTS.md): ``post_payment``, ``post_refund``, ``amount_due``, ``balance_of``,
``balance_on``.
Every write of an entry updates the snapshot of its period (and shifts later snapshots) in the same transaction,
so reading a balance is one indexed query whatever the length of the history.
"""

from __future__ import annotations

from collections.abc import Iterable
from collections.abc import Sequence
from datetime import date
from datetime import datetime
from datetime import timedelta
from decimal import Decimal
from typing import Any

from piccolo.columns.combination import WhereRaw
from piccolo.query.functions.aggregate import Max
from piccolo.query.functions.aggregate import Sum
from piccolo.table import Table

from portal.billing.tables import Balance
from portal.billing.tables import EntryKind
from portal.billing.tables import LedgerEntry
from portal.core import bulk
from portal.core import clock
from portal.core.db import atomic
from portal.core.db import from_kopecks
from portal.core.db import is_sqlite
from portal.core.db import to_kopecks
from portal.core.values import as_date
from portal.core.values import chunks
from portal.housing.tables import PersonalAccount

CHUNK = 500


# Which snapshot column an entry of each kind adds to.
_COLUMN = {
    EntryKind.CHARGE: "charged_kopecks",
    EntryKind.PAYMENT: "paid_kopecks",
    EntryKind.PENALTY: "penalties_kopecks",
    EntryKind.CORRECTION: "other_kopecks",
    EntryKind.REFUND: "other_kopecks",
}


def period_of(moment: datetime) -> date:
    """The billing month a moment falls in, in the company's time zone."""
    local = clock.local(moment)
    return date(local.year, local.month, 1)


async def _lock_account(account_id: int) -> None:
    """Serialise ledger writes of one account (PostgreSQL row lock; SQLite write transactions are serial)."""
    if not is_sqlite():
        await PersonalAccount.select(PersonalAccount.id).where(PersonalAccount.id == account_id).lock_rows()


async def _apply_to_snapshot(account_id: int, period: date, kind: EntryKind, kopecks: int) -> None:
    column = _COLUMN[kind]
    # Paid amounts are kept positive in the snapshot; the closing balance takes the signed amount.
    shown = -kopecks if kind is EntryKind.PAYMENT else kopecks
    existing = (
        await Balance.select(Balance.id).where((Balance.account == account_id) & (Balance.period == period)).first()
    )
    col = getattr(Balance, column)
    if existing:
        await Balance.update({col: col + shown, Balance.closing_kopecks: Balance.closing_kopecks + kopecks}).where(
            Balance.id == existing["id"]
        )
    else:
        previous = (
            await Balance.select(Balance.closing_kopecks)
            .where((Balance.account == account_id) & (Balance.period < period))
            .order_by(Balance.period, ascending=False)
            .first()
        )
        opening = previous["closing_kopecks"] if previous else 0
        await Balance.insert(
            Balance(
                account=account_id,
                period=period,
                opening_kopecks=opening,
                closing_kopecks=opening + kopecks,
                **{column: shown},
            )
        )
    await Balance.update(
        {
            Balance.opening_kopecks: Balance.opening_kopecks + kopecks,
            Balance.closing_kopecks: Balance.closing_kopecks + kopecks,
        }
    ).where((Balance.account == account_id) & (Balance.period > period))


async def post_entry(
    account_id: int,
    kind: EntryKind,
    kopecks: int,
    occurred_at: datetime,
    *,
    period: date | None = None,
    reference: str | None = None,
    note: str = "",
    pays_period: date | None = None,
) -> bool:
    """Write one ledger entry and its snapshot; with a ``reference`` it is written once (False on a repeat).

    ``pays_period``: the billing month a payment names, which it pays first (DOMAIN.md §2.5)."""
    if occurred_at.tzinfo is None:
        raise ValueError("occurred_at must be an aware datetime")
    period = period or period_of(occurred_at)
    async with atomic():
        await _lock_account(account_id)
        query = LedgerEntry.insert(
            LedgerEntry(
                account=account_id,
                occurred_at=occurred_at,
                period=period,
                kind=str(kind),
                amount_kopecks=kopecks,
                reference=reference,
                note=note[:255],
                pays_period=pays_period,
            )
        ).returning(LedgerEntry.id)
        if reference is not None:
            query = query.on_conflict(target=LedgerEntry.reference, action="DO NOTHING")
        inserted = await query
        if not inserted:
            return False
        await _apply_to_snapshot(account_id, period, kind, kopecks)
    return True


async def post_payment(
    account_id: int,
    amount: Decimal,
    reference: str,
    occurred_at: datetime,
    note: str = "",
    *,
    pays_period: date | None = None,
) -> bool:
    """Credit a payment once per ``reference``: True if posted now, False if that reference was posted before.

    A payment naming a billing month (``pays_period``: paid from that month's receipt or its QR) pays that month
    first, the rest the oldest debt (DOMAIN.md §2.5); without one it pays the oldest debt."""
    if amount <= 0:
        raise ValueError("a payment is a positive amount")
    if not reference:
        raise ValueError("a payment needs a reference")
    return await post_entry(
        account_id,
        EntryKind.PAYMENT,
        -to_kopecks(amount),
        occurred_at,
        reference=reference,
        note=note,
        pays_period=None if pays_period is None else pays_period.replace(day=1),
    )


async def post_refund(
    account_id: int, amount: Decimal, reference: str, occurred_at: datetime, reason: str = ""
) -> bool:
    """Record a refund (money returned to the payer increases the debt) once per ``reference``."""
    if amount <= 0:
        raise ValueError("a refund is a positive amount")
    if not reference:
        raise ValueError("a refund needs a reference")
    return await post_entry(
        account_id, EntryKind.REFUND, to_kopecks(amount), occurred_at, reference=reference, note=reason
    )


async def balance_of(account_id: int) -> Decimal:
    """The ledger balance: positive is a debt, negative an overpayment (one indexed query)."""
    row = (
        await Balance.select(Balance.closing_kopecks)
        .where(Balance.account == account_id)
        .order_by(Balance.period, ascending=False)
        .first()
    )
    return from_kopecks(row["closing_kopecks"] if row else 0)


async def balance_on(account_id: int, day: date) -> Decimal:
    """The ledger balance at the end of ``day`` in the company's zone: every entry that occurred before the next day
    began (what an account owed on the day it closed; the snapshots are monthly). One sum over the account's entries
    through its index on (account, occurred_at)."""
    row = (
        await LedgerEntry.select(Sum(LedgerEntry.amount_kopecks).as_alias("total"))
        .where(
            (LedgerEntry.account == account_id) & (LedgerEntry.occurred_at < clock.day_start(day + timedelta(days=1)))
        )
        .first()
    )
    return from_kopecks(int(row["total"] or 0) if row else 0)


async def amount_due(account_id: int) -> Decimal:
    """What the resident should pay now: the debt per the ledger, never below zero."""
    return max(Decimal("0.00"), await balance_of(account_id))


async def balances_of(account_ids: Iterable[int]) -> dict[int, Decimal]:
    """The balance of each account in one query (the latest snapshot of each)."""
    ids = sorted(set(account_ids))
    if not ids:
        return {}
    found: dict[int, Decimal] = dict.fromkeys(ids, Decimal("0.00"))
    for account, row in (await latest_snapshots(ids)).items():
        found[account] = from_kopecks(row["closing_kopecks"])
    return found


async def newest_rows(table: type[Table], account_ids: Sequence[int], where: Any = None) -> dict[int, dict[str, Any]]:
    """The row of the newest ``period`` of each account in ``table`` (of those matching ``where`` if given), on the
    account and period: per 500 accounts one statement (the newest period of each row's account found by the
    row itself) or, with ``where``, a grouped query for the newest periods and one for their rows."""
    if where is None:
        return await _newest_of_each(table, account_ids)
    found: dict[int, dict[str, Any]] = {}
    for chunk in chunks(list(account_ids), CHUNK):
        newest_where = table.account.is_in(chunk) & where
        newest = (
            await table.select(table.account, Max(table.period).as_alias("period"))
            .where(newest_where)
            .group_by(table.account)
        )
        wanted = {(r["account"], as_date(r["period"])) for r in newest}
        if not wanted:
            continue
        periods = sorted({p for _, p in wanted})
        rows = await table.select().where(table.account.is_in(chunk) & table.period.is_in(periods))
        for row in rows:
            if (row["account"], row["period"]) in wanted:
                found[row["account"]] = row
    return found


async def _newest_of_each(table: type[Table], account_ids: Sequence[int]) -> dict[int, dict[str, Any]]:
    """``newest_rows`` without a condition: one statement per 500 accounts (the resident home's receipts)."""
    name = table._meta.tablename
    newest = WhereRaw(
        f'"{name}"."period" = (SELECT MAX(n.period) FROM "{name}" AS n WHERE n.account = "{name}"."account")'  # noqa: S608 (our table's name)
    )
    found: dict[int, dict[str, Any]] = {}
    for chunk in chunks(list(account_ids), CHUNK):
        for row in await table.select().where(table.account.is_in(chunk) & newest):
            found[row["account"]] = row
    return found


async def latest_snapshots(account_ids: Sequence[int], before: date | None = None) -> dict[int, dict[str, Any]]:
    """The newest snapshot of each account (before ``before`` if given): one bounded query per 500 accounts, two
    with ``before``."""
    return await newest_rows(Balance, account_ids, None if before is None else Balance.period < before)


ENTRY_COLUMNS = (
    "account",
    "occurred_at",
    "period",
    "kind",
    "amount_kopecks",
    "reference",
    "note",
    "pays_period",
    "created_at",
)
BALANCE_COLUMNS = (
    "account",
    "period",
    "opening_kopecks",
    "charged_kopecks",
    "paid_kopecks",
    "penalties_kopecks",
    "other_kopecks",
    "closing_kopecks",
)


async def post_bulk(entries: Sequence[dict[str, Any]], period: date) -> int:
    """Write many entries of one period at once (imports, penalty runs, demo) and rebuild their snapshots.

    Each entry is a dict with ``account``, ``kind``, ``amount_kopecks``, ``occurred_at``, optional ``reference``
    and ``note`` (payments: optional ``pays_period``; history loaded after the fact: optional ``created_at``, when
    it was credited). Entries whose reference exists already are skipped. Returns the number written.
    Runs inside the caller's transaction (or its own).
    """
    now = clock.now()
    rows = [
        (
            e["account"],
            e["occurred_at"],
            period,
            str(e["kind"]),
            e["amount_kopecks"],
            e.get("reference"),
            (e.get("note") or "")[:255],
            e.get("pays_period"),
            e.get("created_at") or now,
        )
        for e in entries
    ]
    if not rows:
        return 0
    async with atomic():
        written = await bulk.insert_rows(
            LedgerEntry, ENTRY_COLUMNS, rows, returning=("account",), conflict="(reference) DO NOTHING"
        )
        await rebuild_balances(sorted({r["account"] for r in written}), period)
    return len(written)


async def rebuild_balances(account_ids: Sequence[int], period: date) -> None:
    """Recompute the snapshots of ``period`` for these accounts from the ledger, and shift later snapshots."""
    for chunk in chunks(list(account_ids), CHUNK):
        sums = (
            await LedgerEntry.select(
                LedgerEntry.account, LedgerEntry.kind, Sum(LedgerEntry.amount_kopecks).as_alias("total")
            )
            .where((LedgerEntry.period == period) & LedgerEntry.account.is_in(list(chunk)))
            .group_by(LedgerEntry.account, LedgerEntry.kind)
        )
        previous = await latest_snapshots(chunk, before=period)
        current = await Balance.select(Balance.account, Balance.closing_kopecks).where(
            (Balance.period == period) & Balance.account.is_in(list(chunk))
        )
        old_closing = {r["account"]: r["closing_kopecks"] for r in current}
        opening = {account: r["closing_kopecks"] for account, r in previous.items()}
        totals: dict[int, dict[str, int]] = {}
        for row in sums:
            totals.setdefault(row["account"], {})[row["kind"]] = int(row["total"] or 0)
        await Balance.delete().where((Balance.period == period) & Balance.account.is_in(list(chunk)))
        new_rows = []
        shifts: dict[int, int] = {}
        for account in chunk:
            by_kind = totals.get(account, {})
            start = opening.get(account, 0)
            closing = start + sum(by_kind.values())
            new_rows.append(
                (
                    account,
                    period,
                    start,
                    by_kind.get("charge", 0),
                    -by_kind.get("payment", 0),
                    by_kind.get("penalty", 0),
                    by_kind.get("correction", 0) + by_kind.get("refund", 0),
                    closing,
                )
            )
            delta = closing - old_closing.get(account, start)
            if delta:
                shifts[account] = delta
        await bulk.insert_rows(Balance, BALANCE_COLUMNS, new_rows)
        await _shift_later(shifts, period)


async def _shift_later(shifts: dict[int, int], period: date) -> None:
    """Move the snapshots after ``period`` of each account by its delta: one statement for the chunk."""
    if not shifts:
        return
    items = sorted(shifts.items())
    # Integers of our own arithmetic written into the text: a parameter inside CASE has no type on PostgreSQL.
    case = "CASE account " + " ".join(f"WHEN {int(a)} THEN {int(d)}" for a, d in items) + " END"
    ids = ", ".join(str(int(a)) for a, _ in items)
    await bulk.execute(
        Balance,
        f"UPDATE balance SET opening_kopecks = opening_kopecks + {case}, "  # noqa: S608 (integers only)
        f"closing_kopecks = closing_kopecks + {case} WHERE period > {{}} AND account IN ({ids})",
        [period],
    )
