"""The daily proof that the portal's ledger equals the book of record: for each account of the billing system's
export and its billing month, the portal's closing balance against the billing system's. A difference beyond a
kopeck is kept (``BalanceDifference``) for the staff report and is an alert to the accountants.

    found = differences(portal, book)            # the rule: pure, tested without a database
    result = await reconcile(period, today)      # one run: replaces the month's differences, alerts once a day

Accounts the export does not list are not compared (the export says which accounts the billing system keeps).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from datetime import datetime
from typing import Any

from piccolo.query.functions.aggregate import Count
from piccolo.query.functions.aggregate import Sum

from portal.accounts.notify import notify
from portal.accounts.tables import UserRole
from portal.billing import ledger
from portal.billing import rules
from portal.billing.messages import RECONCILIATION
from portal.billing.registry_tables import BalanceDifference
from portal.billing.registry_tables import BookBalance
from portal.billing.registry_tables import BookKind
from portal.billing.registry_tables import RegistryPayment
from portal.billing.tables import LedgerEntry
from portal.core import bulk
from portal.core import clock
from portal.core import jobs
from portal.core.db import atomic
from portal.core.db import from_row
from portal.core.security import Principal
from portal.housing.queries import house_scope

TOLERANCE = 1  # kopecks: rounding of the two systems may differ by one
CHUNK = 500
ALERT_LIMIT = 50  # accountants told at most


@dataclass(frozen=True)
class Difference:
    account: int
    portal: int  # kopecks, a debt positive
    book: int

    @property
    def difference(self) -> int:
        return self.portal - self.book


def differences(portal: Mapping[int, int], book: Mapping[int, int], tolerance: int = TOLERANCE) -> list[Difference]:
    """The accounts of ``book`` whose portal balance differs by more than ``tolerance`` kopecks (an account the
    portal has no balance for stands at zero), by account."""
    found = []
    for account in sorted(book):
        mine = int(portal.get(account, 0))
        if abs(mine - int(book[account])) > tolerance:
            found.append(Difference(account, mine, int(book[account])))
    return found


@dataclass(frozen=True)
class Result:
    period: date
    compared: int
    found: int
    total_kopecks: int


async def latest_export_period() -> date | None:
    row = (
        await BookBalance.select(BookBalance.period)
        .where(BookBalance.kind == BookKind.EXPORT)
        .order_by(BookBalance.period, ascending=False)
        .first()
    )
    return row["period"] if row else None


async def export_periods(limit: int = 24) -> list[date]:
    rows = (
        await BookBalance.select(BookBalance.period)
        .where(BookBalance.kind == BookKind.EXPORT)
        .distinct()
        .order_by(BookBalance.period, ascending=False)
        .limit(limit)
    )
    return [r["period"] for r in rows]


async def portal_closings(account_ids: list[int], period: date) -> dict[int, int]:
    """The portal's balance of each account at the end of ``period`` (its newest snapshot up to that month)."""
    found = await ledger.latest_snapshots(account_ids, before=rules.add_months(period, 1))
    return {a: int(row["closing_kopecks"]) for a, row in found.items()}


async def reconcile(period: date, today: date) -> Result:
    """Compare every account of the month's export with the portal and keep what differs (the month's earlier
    differences are replaced); the accountants are alerted once a day when something differs."""
    compared = 0
    found: list[Difference] = []
    after = 0
    while True:
        rows = (
            await BookBalance.select(BookBalance.account, BookBalance.closing_kopecks)
            .where(
                (BookBalance.kind == BookKind.EXPORT)
                & (BookBalance.period == period)
                & (BookBalance.account > after)
                & BookBalance.closing_kopecks.is_not_null()
            )
            .order_by(BookBalance.account)
            .limit(CHUNK)
        )
        if not rows:
            break
        book = {r["account"]: r["closing_kopecks"] for r in rows}
        found += differences(await portal_closings(list(book), period), book)
        compared += len(rows)
        after = rows[-1]["account"]
    now = clock.now()
    async with atomic():
        await BalanceDifference.delete().where(BalanceDifference.period == period)
        await bulk.insert_rows(
            BalanceDifference,
            ("checked_on", "account", "period", "portal_kopecks", "book_kopecks", "difference_kopecks", "created_at"),
            ((today, d.account, period, d.portal, d.book, d.difference, now) for d in found),
        )
        total = sum(d.difference for d in found)
        if found:
            await _alert(period, today, len(found), total)
    return Result(period, compared, len(found), total)


async def _alert(period: date, today: date, found: int, total: int) -> None:
    """Tell the accountants (in-app and e-mail through the outbox), once a day for a month."""
    rows = await UserRole.select(UserRole.user).where(UserRole.role == "accountant").limit(ALERT_LIMIT)
    for user_id in sorted({r["user"] for r in rows}):
        await notify(
            user_id,
            RECONCILIATION.name,
            context={"period": period, "found": found, "total": total},
            dedupe_key=f"reconciliation:{rules.period_key(period)}:{today.isoformat()}",
            link=f"/staff/billing/reconciliation?period={rules.period_key(period)}",
        )


@jobs.register("reconciliation", 3600, key=lambda now: clock.local(now).date().isoformat())
async def daily_reconciliation(now: datetime) -> Result | None:
    """The scheduled job: once a day, the newest month of the billing system's export."""
    period = await latest_export_period()
    if period is None:
        return None
    return await reconcile(period, clock.local(now).date())


# --- the report -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportRow:
    account_id: int
    number: str
    payer: str
    portal: int
    book: int
    difference: int
    checked_on: date
    portal_side: list[dict[str, Any]]
    book_side: list[dict[str, Any]]


@dataclass(frozen=True)
class Totals:
    count: int
    portal: int
    book: int
    difference: int


def _where(period: date, principal: Principal, house: int | None) -> Any:
    where = BalanceDifference.period == period
    scope = house_scope(BalanceDifference.account.premise.house, principal)
    if scope is not None:
        where &= scope
    if house is not None:
        where &= BalanceDifference.account.premise.house == house
    return where


async def totals(period: date, principal: Principal, house: int | None) -> Totals:
    row = await (
        BalanceDifference.select(
            Count(BalanceDifference.id).as_alias("n"),
            Sum(BalanceDifference.portal_kopecks).as_alias("portal"),
            Sum(BalanceDifference.book_kopecks).as_alias("book"),
            Sum(BalanceDifference.difference_kopecks).as_alias("difference"),
        )
        .where(_where(period, principal, house))
        .first()
    )
    row = row or {}
    return Totals(*(int(row.get(k) or 0) for k in ("n", "portal", "book", "difference")))


async def rows(
    period: date, principal: Principal, house: int | None, offset: int, size: int, *, explain: bool = True
) -> list[ReportRow]:
    """One page of the month's differences (largest first), each explained by its entries on both sides."""
    found = (
        await BalanceDifference.select(
            BalanceDifference.account.as_alias("account_id"),
            BalanceDifference.account.number.as_alias("number"),
            BalanceDifference.account.payer_name.as_alias("payer"),
            BalanceDifference.portal_kopecks.as_alias("portal"),
            BalanceDifference.book_kopecks.as_alias("book"),
            BalanceDifference.difference_kopecks.as_alias("difference"),
            BalanceDifference.checked_on,
        )
        .where(_where(period, principal, house))
        .order_by(BalanceDifference.account)
        .limit(size)
        .offset(offset)
    )
    ids = [r["account_id"] for r in found]
    portal_side, book_side = (await _explain(ids, period)) if explain and ids else ({}, {})
    return [
        from_row(
            ReportRow, r, portal_side=portal_side.get(r["account_id"], []), book_side=book_side.get(r["account_id"], [])
        )
        for r in found
    ]


async def _explain(ids: list[int], period: date) -> tuple[dict[int, list[Any]], dict[int, list[Any]]]:
    """The portal's ledger entries of the month, and the billing system's balances and the payments of the month
    its registries brought, for these accounts (three bounded queries)."""
    portal: dict[int, list[Any]] = {}
    entries = (
        await LedgerEntry.select(
            LedgerEntry.account, LedgerEntry.occurred_at, LedgerEntry.kind, LedgerEntry.amount_kopecks, LedgerEntry.note
        )
        .where(LedgerEntry.account.is_in(ids) & (LedgerEntry.period == period))
        .order_by(LedgerEntry.occurred_at)
    )
    for e in entries:
        portal.setdefault(e["account"], []).append(e)
    book: dict[int, list[Any]] = {}
    balances = await BookBalance.select().where(BookBalance.account.is_in(ids) & (BookBalance.period == period))
    for b in balances:
        book.setdefault(b["account"], []).append(
            {"kind": b["kind"], "opening": b["opening_kopecks"], "closing": b["closing_kopecks"]}
        )
    end = rules.add_months(period, 1)
    payments = await RegistryPayment.select(
        RegistryPayment.account, RegistryPayment.paid_on, RegistryPayment.amount_kopecks, RegistryPayment.payment_id
    ).where(RegistryPayment.account.is_in(ids) & (RegistryPayment.paid_on >= period) & (RegistryPayment.paid_on < end))
    for p in payments:
        book.setdefault(p["account"], []).append({"kind": "payment", **p})
    return portal, book
