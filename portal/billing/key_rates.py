"""The key rate of the Bank of Russia (DOMAIN.md §2.3) and the period table of moratoria and caps (§2.4) as data:
the tables shipped with the code are the initial data, and an accountant adds each new decision on a staff page
(with the audit log); the penalty job reads the result.

A key rate from a date replaces the shipped rate from that same date (a correction); a moratorium or cap of the same
start date and kind replaces the shipped row (its end date moved, its rate corrected); other entries add to the table.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from portal.billing import rules
from portal.billing.tables import KeyRate
from portal.billing.tables import PenaltyRule
from portal.core import audit
from portal.core.db import atomic
from portal.core.security import Principal
from portal.core.values import as_date


@dataclass(frozen=True)
class KeyRateRow:
    valid_from: date
    rate: Decimal
    source: str
    entered: bool  # entered by staff (else shipped with the code)


async def entered() -> list[tuple[date, Decimal, str]]:
    """The entries staff made: ``(valid_from, rate %, source)`` by date."""
    rows = await KeyRate.select(KeyRate.valid_from, KeyRate.rate, KeyRate.source).order_by(KeyRate.valid_from)
    return [(r["valid_from"], Decimal(r["rate"]), r["source"]) for r in rows]


async def table() -> list[KeyRateRow]:
    """The table in force, newest first, each row marked shipped or entered."""
    staff = await entered()
    dates = {day for day, _, _ in staff}
    rows = [KeyRateRow(day, rate, "", False) for day, rate in rules.KEY_RATES if day not in dates]
    rows += [KeyRateRow(day, rate, source, True) for day, rate, source in staff]
    return sorted(rows, key=lambda r: r.valid_from, reverse=True)


async def penalty_settings() -> rules.PenaltySettings:
    """The penalty rule's settings with the key rates and the moratoria and caps in force (the shipped tables
    merged with staff entries)."""
    rates = rules.merge_key_rates(rules.KEY_RATES, [(day, rate) for day, rate, _ in await entered()])
    periods = rules.merge_penalty_periods(rules.PENALTY_PERIODS, [row.period for row in await entered_periods()])
    return rules.PenaltySettings(key_rates=rates, periods=periods)


@dataclass(frozen=True)
class PeriodRow:
    """A row of the table of moratoria and caps as the staff page shows it."""

    period: rules.PenaltyPeriod
    id: int | None  # the staff entry (None: shipped with the code)

    @property
    def entered(self) -> bool:
        return self.id is not None


async def entered_periods() -> list[PeriodRow]:
    """The moratoria and caps staff entered, by start date."""
    rows = await PenaltyRule.select().order_by(PenaltyRule.valid_from).order_by(PenaltyRule.id)
    return [
        PeriodRow(
            rules.PenaltyPeriod(
                as_date(r["valid_from"]) or date.min,
                as_date(r["valid_to"]) or date.max,
                rules.RuleKind(r["kind"]),
                None if r["rate"] is None else Decimal(r["rate"]),
                as_date(r["debts_before"]),
                source=r["source"],
            ),
            r["id"],
        )
        for r in rows
    ]


async def periods_table() -> list[PeriodRow]:
    """The table of moratoria and caps in force, newest first, each row marked shipped or entered."""
    staff = await entered_periods()
    keys = {(row.period.valid_from, row.period.kind) for row in staff}
    rows = [PeriodRow(p, None) for p in rules.PENALTY_PERIODS if (p.valid_from, p.kind) not in keys]
    return sorted([*rows, *staff], key=lambda r: (r.period.valid_from, r.period.valid_to), reverse=True)


def _period_json(period: rules.PenaltyPeriod | None) -> dict[str, str] | None:
    if period is None:
        return None
    return {
        "valid_from": str(period.valid_from),
        "valid_to": str(period.valid_to),
        "kind": str(period.kind),
        "rate": "" if period.rate is None else str(period.rate),
        "debts_before": "" if period.debts_before is None else str(period.debts_before),
        "source": period.source,
    }


async def add_period(principal: Principal, period: rules.PenaltyPeriod, ip: str = "") -> int:
    """Record a moratorium or cap (replacing the entry of the same start date and kind), with an audit event that
    keeps the row it replaced (an entry, or the shipped row)."""
    async with atomic():
        old = (
            await PenaltyRule.select(PenaltyRule.id)
            .where((PenaltyRule.valid_from == period.valid_from) & (PenaltyRule.kind == str(period.kind)))
            .first()
        )
        values = {
            PenaltyRule.valid_to: period.valid_to,
            PenaltyRule.rate: period.rate,
            PenaltyRule.debts_before: period.debts_before,
            PenaltyRule.source: period.source,
            PenaltyRule.entered_by: principal.user_id,
        }
        before = next(
            (
                r.period
                for r in await periods_table()
                if (r.period.valid_from, r.period.kind) == (period.valid_from, period.kind)
            ),
            None,
        )
        if old:
            await PenaltyRule.update(values).where(PenaltyRule.id == old["id"])
            entity_id = old["id"]
        else:
            inserted = await PenaltyRule.insert(
                PenaltyRule(
                    valid_from=period.valid_from,
                    valid_to=period.valid_to,
                    kind=str(period.kind),
                    rate=period.rate,
                    debts_before=period.debts_before,
                    source=period.source,
                    entered_by=principal.user_id,
                )
            ).returning(PenaltyRule.id)
            entity_id = inserted[0]["id"]
        await audit.record(
            principal,
            "billing.penalty_rule.set",
            "penalty_rule",
            entity_id,
            {"before": _period_json(before), "after": _period_json(period)},
            ip,
        )
    return entity_id


async def remove_period(principal: Principal, entry_id: int, ip: str = "") -> bool:
    """Remove a staff entry of the table of moratoria and caps (a shipped row it replaced applies again)."""
    async with atomic():
        row = next((r for r in await entered_periods() if r.id == entry_id), None)
        if row is None:
            return False
        await PenaltyRule.delete().where(PenaltyRule.id == entry_id)
        await audit.record(
            principal, "billing.penalty_rule.remove", "penalty_rule", entry_id, {"before": _period_json(row.period)}, ip
        )
    return True


async def add(principal: Principal, valid_from: date, rate: Decimal, source: str, ip: str = "") -> None:
    """Record the key rate in force from ``valid_from`` (replacing an entry of that date), with an audit event."""
    async with atomic():
        old = await KeyRate.select(KeyRate.id, KeyRate.rate).where(KeyRate.valid_from == valid_from).first()
        if old:
            await KeyRate.update(
                {KeyRate.rate: rate, KeyRate.source: source, KeyRate.entered_by: principal.user_id}
            ).where(KeyRate.id == old["id"])
            entity_id = old["id"]
        else:
            inserted = await KeyRate.insert(
                KeyRate(valid_from=valid_from, rate=rate, source=source, entered_by=principal.user_id)
            ).returning(KeyRate.id)
            entity_id = inserted[0]["id"]
        before = Decimal(old["rate"]) if old else rules.key_rate_on(valid_from)
        await audit.record(
            principal,
            "billing.key_rate.set",
            "key_rate",
            entity_id,
            {"valid_from": str(valid_from), "rate": [str(before), str(rate)], "source": source},
            ip,
        )
