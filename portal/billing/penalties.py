"""Posting penalties (пени) monthly: a job recomputes each account's penalty from its whole ledger as of the end of
the month that ended, stores the calculation of the month's days (shown on the receipt) and posts one ledger entry
per account: what the rule gives per debt item minus what was posted for it before.

The rule takes the rate of the day of payment, or of the calculation for what is still unpaid (DOMAIN.md §2.3), and
rounds once per debt item (§2.5): so an earlier month's figure changes when its debt is paid at another rate, and
the run re-prices it; the part of an entry that re-prices earlier months is kept beside the accrual
(``recalculated_kopecks``) and explained on the receipt.

Runs once per period (``core.jobs`` records the run under the period key), and is idempotent anyway: the ledger
reference and the accrual rows of the period stop a second posting, and a second run finds nothing left to post.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta
from decimal import Decimal
from typing import Any

from piccolo.query.functions.aggregate import Sum

from portal.billing import key_rates
from portal.billing import ledger
from portal.billing import rules
from portal.billing.tables import Charge
from portal.billing.tables import EntryKind
from portal.billing.tables import LedgerEntry
from portal.billing.tables import PenaltyAccrual
from portal.core import bulk
from portal.core import clock
from portal.core import jobs
from portal.core.db import atomic
from portal.core.db import from_kopecks
from portal.core.db import to_kopecks
from portal.housing.tables import PersonalAccount

CHUNK = 500
JOB_NAME = "billing.penalties"
ACCRUAL_COLUMNS = (
    "account",
    "period",
    "debt_period",
    "capital_repair",
    "due_date",
    "amount_kopecks",
    "recalculated_kopecks",
    "lines",
)


def previous_period(now: datetime) -> date:
    return rules.add_months(rules.month_start(clock.local(now).date()), -1)


def _lines_json(lines: Sequence[rules.PenaltyLine]) -> list[dict[str, Any]]:
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
        for line in lines
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
    paid = await LedgerEntry.select(
        LedgerEntry.account, LedgerEntry.occurred_at, LedgerEntry.amount_kopecks, LedgerEntry.pays_period
    ).where(
        LedgerEntry.account.is_in(list(chunk))
        & LedgerEntry.kind.is_in([EntryKind.PAYMENT, EntryKind.REFUND])
        & (LedgerEntry.occurred_at <= end)
    )
    payments: dict[int, list[Any]] = {}
    for p in paid:
        day = clock.local(p["occurred_at"]).date()
        payments.setdefault(p["account"], []).append(
            rules.PaymentItem(day, from_kopecks(-p["amount_kopecks"]), p["pays_period"])
        )
    return debts, payments


def _net_payments(items: list[rules.PaymentItem]) -> list[rules.PaymentItem]:
    """Refunds (negative) take back the latest payments first."""
    positives = sorted((p for p in items if p.amount > 0), key=lambda p: p.day)
    refund = -sum((p.amount for p in items if p.amount < 0), Decimal("0"))
    while refund > 0 and positives:
        last = positives.pop()
        if last.amount > refund:
            positives.append(rules.PaymentItem(last.day, last.amount - refund, last.period))
            refund = Decimal("0")
        else:
            refund -= last.amount
    return positives


async def _posted(chunk: Sequence[int], first: date) -> dict[int, dict[tuple[date, bool], int]]:
    """What was posted for each debt item of these accounts (accruals of the months up to ``first``)."""
    rows = (
        await PenaltyAccrual.select(
            PenaltyAccrual.account,
            PenaltyAccrual.debt_period,
            PenaltyAccrual.capital_repair,
            Sum(PenaltyAccrual.amount_kopecks).as_alias("kopecks"),
        )
        .where(PenaltyAccrual.account.is_in(list(chunk)) & (PenaltyAccrual.period <= first))
        .group_by(PenaltyAccrual.account, PenaltyAccrual.debt_period, PenaltyAccrual.capital_repair)
    )
    found: dict[int, dict[tuple[date, bool], int]] = {}
    for r in rows:
        debt_period = r["debt_period"]
        if isinstance(debt_period, str):
            debt_period = date.fromisoformat(debt_period)
        found.setdefault(r["account"], {})[(debt_period, bool(r["capital_repair"]))] = int(r["kopecks"] or 0)
    return found


def cut_lines(result: rules.PenaltyResult, first: date, last: date) -> list[rules.PenaltyLine]:
    """The lines of a calculation cut to the days ``first``…``last`` (each line: the same base, rate and share)."""
    found: list[rules.PenaltyLine] = []
    for line in result.lines:
        start, stop = max(line.first, first), min(line.last, last)
        if start > stop:
            continue
        days = (stop - start).days + 1
        exact = line.base * line.rate / Decimal(100) * Decimal(days) / Decimal(line.divisor)
        found.append(rules.PenaltyLine(start, stop, days, line.base, line.rate, line.divisor, exact))
    return found


def item_postings(
    found: Sequence[rules.AccountPenalty], posted: dict[tuple[date, bool], int], first: date, last: date
) -> list[tuple[date, bool, date, int, int, list[rules.PenaltyLine]]]:
    """For each debt item: ``(period, capital_repair, due, kopecks to post, of which re-pricing, month's lines)``.

    ``kopecks to post`` brings what was posted for the item to the rule's rounded figure. Of it, the re-pricing is
    the rule's figure for the days before ``first`` (at today's rates and payments) minus what was posted: zero when
    nothing changed since the last run; the rest is the month's own days. An item whose figure fell (a payment
    credited late, a recalculated charge) gets a negative posting.
    """
    rows: list[tuple[date, bool, date, int, int, list[rules.PenaltyLine]]] = []
    by_key = {(item.period, item.capital_repair): item for item in found}
    for key in sorted(set(by_key) | set(posted)):
        item = by_key.get(key)
        figure = to_kopecks(item.amount) if item else 0
        delta = figure - posted.get(key, 0)
        if not delta:
            continue
        lines, before = [], Decimal(0)
        if item:
            lines = cut_lines(item.result, first, last)
            before = sum((line.amount for line in cut_lines(item.result, date.min, first - timedelta(days=1))), before)
        recalculated = to_kopecks(rules.money(before)) - posted.get(key, 0)
        due = item.due if item else rules.due_date(key[0])
        rows.append((key[0], key[1], due, delta, recalculated, lines))
    return rows


async def post_penalties(period: date, account_ids: Sequence[int] | None = None, *, now: datetime | None = None) -> int:
    """Compute and post the penalties as of the end of ``period`` (a month that has ended); returns the kopecks
    posted (the month's accrual and the re-pricing of earlier months together)."""
    now = now or clock.now()
    first, last = rules.month_start(period), rules.month_end(period)
    if account_ids is None:
        account_ids = [r["id"] for r in await PersonalAccount.select(PersonalAccount.id).order_by(PersonalAccount.id)]
    total = 0
    settings = await key_rates.penalty_settings()
    async with atomic():
        for start in range(0, len(account_ids), CHUNK):
            chunk = list(account_ids[start : start + CHUNK])
            done = {
                r["account"]
                for r in await PenaltyAccrual.select(PenaltyAccrual.account).where(
                    (PenaltyAccrual.period == first) & PenaltyAccrual.account.is_in(chunk)
                )
            }
            todo = [a for a in chunk if a not in done]
            if not todo:
                continue
            debts, payments = await _history(todo, first)
            posted = await _posted(todo, first)
            accruals: list[tuple[Any, ...]] = []
            entries: list[dict[str, Any]] = []
            for account_id in todo:
                found = rules.account_penalties(
                    debts.get(account_id, []), _net_payments(payments.get(account_id, [])), last, settings=settings
                )
                before = posted.get(account_id, {})
                kopecks = 0
                for debt_period, capital, due, amount, recalculated, lines in item_postings(found, before, first, last):
                    kopecks += amount
                    accruals.append(
                        (
                            account_id,
                            first,
                            debt_period,
                            capital,
                            due,
                            amount,
                            recalculated,
                            json.dumps(_lines_json(lines)),
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
