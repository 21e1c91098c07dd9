"""The key rate of the Bank of Russia as data (DOMAIN.md §2.3): the table shipped with the code is the initial data,
and an accountant adds each new decision on a staff page (with the audit log); the penalty job reads the result.

An entry from a date replaces the shipped rate from that same date (a correction); other entries add to the table.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from portal.billing import rules
from portal.billing.tables import KeyRate
from portal.core import audit
from portal.core.db import atomic
from portal.core.security import Principal


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
    """The penalty rule's settings with the key rates in force (the shipped table merged with staff entries)."""
    rates = rules.merge_key_rates(rules.KEY_RATES, [(day, rate) for day, rate, _ in await entered()])
    return rules.PenaltySettings(key_rates=rates)


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
