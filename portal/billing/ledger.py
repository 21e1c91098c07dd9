"""The ledger of personal accounts: the only writer of ``LedgerEntry`` and of the ``Balance`` snapshots.

Contract for other domains (CONTRACTS.md): ``post_payment``, ``post_refund``, ``amount_due``, ``balance_of``.
Every write of an entry updates the snapshot of its period (and shifts later snapshots) in the same transaction,
so reading a balance is one indexed query whatever the length of the history.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from piccolo.query.functions.aggregate import Max, Sum

from portal.billing.tables import Balance, EntryKind, LedgerEntry
from portal.core import clock
from portal.core.db import atomic, from_kopecks, is_sqlite, to_kopecks
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
) -> bool:
    """Write one ledger entry and its snapshot; with a ``reference`` it is written once (False on a repeat)."""
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
            )
        ).returning(LedgerEntry.id)
        if reference is not None:
            query = query.on_conflict(target=LedgerEntry.reference, action="DO NOTHING")
        inserted = await query
        if not inserted:
            return False
        await _apply_to_snapshot(account_id, period, kind, kopecks)
    return True


async def post_payment(account_id: int, amount: Decimal, reference: str, occurred_at: datetime, note: str = "") -> bool:
    """Credit a payment once per ``reference``: True if posted now, False if that reference was posted before."""
    if amount <= 0:
        raise ValueError("a payment is a positive amount")
    if not reference:
        raise ValueError("a payment needs a reference")
    return await post_entry(
        account_id, EntryKind.PAYMENT, -to_kopecks(amount), occurred_at, reference=reference, note=note
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


async def latest_snapshots(account_ids: Sequence[int], before: date | None = None) -> dict[int, dict[str, Any]]:
    """The newest snapshot of each account (before ``before`` if given): two bounded queries per 500 accounts."""
    found: dict[int, dict[str, Any]] = {}
    for chunk in _chunks(list(account_ids), CHUNK):
        where = Balance.account.is_in(list(chunk))
        if before is not None:
            where &= Balance.period < before
        newest = (
            await Balance.select(Balance.account, Max(Balance.period).as_alias("period"))
            .where(where)
            .group_by(Balance.account)
        )
        if not newest:
            continue
        wanted = {(r["account"], _as_date(r["period"])) for r in newest}
        periods = sorted({p for _, p in wanted})
        rows = await Balance.select().where(Balance.account.is_in(list(chunk)) & Balance.period.is_in(periods))
        for row in rows:
            if (row["account"], row["period"]) in wanted:
                found[row["account"]] = row
    return found


def _as_date(value: Any) -> date:
    return date.fromisoformat(value) if isinstance(value, str) else value


def _chunks(items: Sequence[Any], size: int) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


async def post_bulk(entries: Sequence[dict[str, Any]], period: date) -> int:
    """Write many entries of one period at once (imports, penalty runs, demo) and rebuild their snapshots.

    Each entry is a dict with ``account``, ``kind``, ``amount_kopecks``, ``occurred_at``, optional ``reference``
    and ``note``. Entries whose reference exists already are skipped. Returns the number written.
    Runs inside the caller's transaction (or its own).
    """
    written = 0
    touched: set[int] = set()
    async with atomic():
        for chunk in _chunks(list(entries), CHUNK):
            references = [e["reference"] for e in chunk if e.get("reference")]
            known: set[str] = set()
            if references:
                rows = await LedgerEntry.select(LedgerEntry.reference).where(LedgerEntry.reference.is_in(references))
                known = {r["reference"] for r in rows}
            rows_to_insert = [
                LedgerEntry(
                    account=e["account"],
                    occurred_at=e["occurred_at"],
                    period=period,
                    kind=str(e["kind"]),
                    amount_kopecks=e["amount_kopecks"],
                    reference=e.get("reference"),
                    note=(e.get("note") or "")[:255],
                )
                for e in chunk
                if not e.get("reference") or e["reference"] not in known
            ]
            if rows_to_insert:
                await LedgerEntry.insert(*rows_to_insert)
                written += len(rows_to_insert)
                touched.update(r.account for r in rows_to_insert)
        await rebuild_balances(sorted(touched), period)
    return written


async def rebuild_balances(account_ids: Sequence[int], period: date) -> None:
    """Recompute the snapshots of ``period`` for these accounts from the ledger, and shift later snapshots."""
    for chunk in _chunks(list(account_ids), CHUNK):
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
            net = sum(by_kind.values())
            closing = start + net
            new_rows.append(
                Balance(
                    account=account,
                    period=period,
                    opening_kopecks=start,
                    charged_kopecks=by_kind.get("charge", 0),
                    paid_kopecks=-by_kind.get("payment", 0),
                    penalties_kopecks=by_kind.get("penalty", 0),
                    other_kopecks=by_kind.get("correction", 0) + by_kind.get("refund", 0),
                    closing_kopecks=closing,
                )
            )
            delta = closing - old_closing.get(account, start)
            if delta:
                shifts[account] = delta
        if new_rows:
            await Balance.insert(*new_rows)
        by_delta: dict[int, list[int]] = {}
        for account, delta in shifts.items():
            by_delta.setdefault(delta, []).append(account)
        for delta, accounts in by_delta.items():
            await Balance.update(
                {
                    Balance.opening_kopecks: Balance.opening_kopecks + delta,
                    Balance.closing_kopecks: Balance.closing_kopecks + delta,
                }
            ).where((Balance.period > period) & Balance.account.is_in(accounts))
