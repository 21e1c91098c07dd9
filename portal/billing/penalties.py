"""Posting penalties (пени) monthly: a job computes each account's penalty accrued during the month that ended,
stores its calculation (shown on the receipt) and posts one ledger entry per account.

Runs once per period (``core.jobs`` records the run under the period key), and is idempotent anyway: the ledger
reference and the unique accrual rows stop a second posting.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from portal.billing import ledger, rules
from portal.billing.tables import Charge, EntryKind, LedgerEntry, PenaltyAccrual
from portal.core import bulk, clock, jobs
from portal.core.db import atomic, from_kopecks, to_kopecks
from portal.housing.tables import PersonalAccount

CHUNK = 500
JOB_NAME = "billing.penalties"
ACCRUAL_COLUMNS = ("account", "period", "debt_period", "capital_repair", "due_date", "amount_kopecks", "lines")


def previous_period(now: datetime) -> date:
    return rules.add_months(rules.month_start(clock.local(now).date()), -1)


def _lines_json(result: rules.PenaltyResult) -> list[dict[str, Any]]:
    return [
        {
            "first": line.first.isoformat(),
            "last": line.last.isoformat(),
            "days": line.days,
            "base": str(line.base),
            "rate": str(line.rate),
            "divisor": line.divisor,
            "amount": str(rules.money(line.amount)),
        }
        for line in result.lines
    ]


async def _history(chunk: Sequence[int], until: date) -> tuple[dict[int, list[rules.DebtItem]], dict[int, list[Any]]]:
    charges = await Charge.select(
        Charge.account,
        Charge.period,
        Charge.amount_kopecks,
        Charge.recalculation_kopecks,
        Charge.service.payee.capital_repair.as_alias("capital"),
    ).where(Charge.account.is_in(list(chunk)) & (Charge.period <= until))
    debts: dict[int, list[rules.DebtItem]] = {}
    for c in charges:
        debts.setdefault(c["account"], []).append(
            rules.DebtItem(
                c["period"], from_kopecks(c["amount_kopecks"] + c["recalculation_kopecks"]), bool(c["capital"])
            )
        )
    end = datetime.combine(rules.month_end(until), time.max, tzinfo=clock.zone())
    paid = await LedgerEntry.select(LedgerEntry.account, LedgerEntry.occurred_at, LedgerEntry.amount_kopecks).where(
        LedgerEntry.account.is_in(list(chunk))
        & LedgerEntry.kind.is_in([EntryKind.PAYMENT, EntryKind.REFUND])
        & (LedgerEntry.occurred_at <= end)
    )
    payments: dict[int, list[Any]] = {}
    for p in paid:
        day = clock.local(p["occurred_at"]).date()
        payments.setdefault(p["account"], []).append(rules.PaymentItem(day, from_kopecks(-p["amount_kopecks"])))
    return debts, payments


def _net_payments(items: list[rules.PaymentItem]) -> list[rules.PaymentItem]:
    """Refunds (negative) take back the latest payments first."""
    positives = sorted((p for p in items if p.amount > 0), key=lambda p: p.day)
    refund = -sum((p.amount for p in items if p.amount < 0), Decimal("0"))
    while refund > 0 and positives:
        last = positives.pop()
        if last.amount > refund:
            positives.append(rules.PaymentItem(last.day, last.amount - refund))
            refund = Decimal("0")
        else:
            refund -= last.amount
    return positives


async def post_penalties(period: date, account_ids: Sequence[int] | None = None, *, now: datetime | None = None) -> int:
    """Compute and post the penalties accrued in ``period`` (a month that has ended); returns the total kopecks."""
    now = now or clock.now()
    first, last = rules.month_start(period), rules.month_end(period)
    if account_ids is None:
        account_ids = [r["id"] for r in await PersonalAccount.select(PersonalAccount.id).order_by(PersonalAccount.id)]
    total = 0
    async with atomic():
        for start in range(0, len(account_ids), CHUNK):
            chunk = list(account_ids[start : start + CHUNK])
            done = {
                r["account"]
                for r in await PenaltyAccrual.select(PenaltyAccrual.account).where(
                    (PenaltyAccrual.period == first) & PenaltyAccrual.account.is_in(chunk)
                )
            }
            debts, payments = await _history([a for a in chunk if a not in done], first)
            accruals: list[tuple[Any, ...]] = []
            entries: list[dict[str, Any]] = []
            for account_id, items in debts.items():
                found = rules.account_penalties(
                    items, _net_payments(payments.get(account_id, [])), last, accrue_from=first
                )
                kopecks = 0
                for item in found:
                    amount = to_kopecks(item.amount)
                    kopecks += amount
                    accruals.append(
                        (
                            account_id,
                            first,
                            item.period,
                            item.capital_repair,
                            item.due,
                            amount,
                            json.dumps(_lines_json(item.result)),
                        )
                    )
                if kopecks:
                    total += kopecks
                    entries.append(
                        {
                            "account": account_id,
                            "kind": EntryKind.PENALTY,
                            "amount_kopecks": kopecks,
                            "occurred_at": now,
                            "reference": f"penalty:{first:%Y-%m}:{account_id}",
                            "note": f"{first:%m.%Y}",
                        }
                    )
            await bulk.insert_rows(PenaltyAccrual, ACCRUAL_COLUMNS, accruals)
            if entries:
                await ledger.post_bulk(entries, first)
    return total


@jobs.register(JOB_NAME, 3600, key=lambda now: rules.period_key(previous_period(now)))
async def monthly_penalties(now: datetime) -> None:
    """The scheduled job: penalties of the month that ended, once."""
    await post_penalties(previous_period(now), now=now)
