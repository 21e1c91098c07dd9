"""The billing system as the book of record: each account's balances per its records.

- ``opening`` (сальдо на начало): the portal takes the balance over — a correction in the month before makes the
  portal's opening balance of the month equal it (the first load of a company, or to correct drift). Loading the
  same file again changes nothing (the correction's reference names the balance it moved from and to).
- ``export``: the balances of the billing system's export, kept for the daily reconciliation to compare with.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from datetime import datetime
from datetime import timedelta
from typing import Any

from portal.billing import ledger
from portal.billing import notes
from portal.billing import rules
from portal.billing.queries import account_ids_by_number
from portal.billing.registry_files import BalanceLine
from portal.billing.registry_tables import BookBalance
from portal.billing.registry_tables import BookKind
from portal.billing.tables import EntryKind
from portal.core import audit
from portal.core import bulk
from portal.core import clock
from portal.core.db import atomic
from portal.core.i18n import gettext
from portal.core.imports import Checked
from portal.core.security import Principal
from portal.core.values import chunks

OPENING = BookKind.OPENING
# The audit action of each kind of balances loaded.
_AUDITED = {BookKind.OPENING: "billing.book.opening", BookKind.EXPORT: "billing.book.export"}
EXPORT = BookKind.EXPORT
CHUNK = 500


def start_of(period: date) -> datetime:
    """The first moment of a billing month in the company's zone."""
    return clock.day_start(period)


async def portal_openings(account_ids: list[int], period: date) -> dict[int, int]:
    """The portal's balance of each account at the start of ``period`` (kopecks, a debt positive)."""
    found = await ledger.latest_snapshots(account_ids, before=period)
    return {a: int(found[a]["closing_kopecks"]) if a in found else 0 for a in account_ids}


async def load(
    rows: list[BalanceLine], principal: Principal | None, kind: str, *, dry_run: bool = False, ip: str = ""
) -> Checked:
    """Check (``dry_run``) or load balances of the billing system, in one transaction. An account unknown in
    the loader's houses stops the file with its line."""
    report = Checked(rows=len(rows))
    async with atomic():
        accounts = await account_ids_by_number([r.account for r in rows], principal)
        unknown = [r for r in rows if r.account not in accounts]
        if unknown:
            report.problems = [
                gettext(
                    "Line %(n)s: %(text)s",
                    n=r.line,
                    text=gettext("Personal account %(value)s does not exist.", value=r.account),
                )
                for r in unknown[:200]
            ]
            return report
        corrections = await _corrections(rows, accounts) if kind == OPENING else {}
        report.created = {
            "accounts": len({accounts[r.account] for r in rows}),
            "corrections": sum(len(v) for v in corrections.values()),
        }
        if dry_run:
            return report
        await _store(rows, accounts, kind, principal)
        for before, entries in sorted(corrections.items()):
            await ledger.post_bulk(entries, before)
        await audit.record(
            principal,
            _AUDITED[kind],
            "book_balance",
            None,
            {"rows": len(rows), "corrections": report.created["corrections"]},
            ip,
        )
    report.applied = True
    return report


async def _corrections(rows: list[BalanceLine], accounts: dict[str, int]) -> dict[date, list[dict[str, Any]]]:
    """The correction of each account whose portal opening balance differs, by the month it is posted in."""
    by_period: dict[date, list[BalanceLine]] = defaultdict(list)
    for r in rows:
        if r.opening_kopecks is not None:
            by_period[r.period].append(r)
    entries: dict[date, list[dict[str, Any]]] = defaultdict(list)
    for period, lines in by_period.items():
        before = rules.add_months(period, -1)
        moment = start_of(period) - timedelta(seconds=1)
        for chunk in chunks(lines, CHUNK):
            openings = await portal_openings([accounts[r.account] for r in chunk], period)
            for r in chunk:
                account_id = accounts[r.account]
                now_kopecks = openings[account_id]
                target = int(r.opening_kopecks or 0)
                if target == now_kopecks:
                    continue
                entries[before].append(
                    {
                        "account": account_id,
                        "kind": EntryKind.CORRECTION,
                        "amount_kopecks": target - now_kopecks,
                        "occurred_at": moment,
                        "reference": f"opening:{account_id}:{rules.period_key(period)}:{now_kopecks}:{target}",
                        "note": notes.OPENING.write(month=period),
                    }
                )
    return entries


async def _store(rows: list[BalanceLine], accounts: dict[str, int], kind: str, principal: Principal | None) -> None:
    """Replace the kept balances of these accounts and months."""
    by_period: dict[date, list[int]] = defaultdict(list)
    for r in rows:
        by_period[r.period].append(accounts[r.account])
    for period, ids in by_period.items():
        for chunk in chunks(sorted(set(ids)), CHUNK):
            await BookBalance.delete().where(
                (BookBalance.kind == kind) & (BookBalance.period == period) & BookBalance.account.is_in(chunk)
            )
    now = clock.now()
    await bulk.insert_rows(
        BookBalance,
        ("kind", "account", "period", "opening_kopecks", "closing_kopecks", "loaded_by", "loaded_at"),
        (
            (
                kind,
                accounts[r.account],
                r.period,
                r.opening_kopecks,
                r.closing_kopecks,
                principal.user_id if principal else None,
                now,
            )
            for r in rows
        ),
    )
