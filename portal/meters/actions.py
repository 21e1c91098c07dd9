"""Changes of meters and readings: one function per intent, each one transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from portal.core.db import atomic
from portal.core.security import Principal
from portal.meters import queries, rules
from portal.meters.tables import MeterReading


@dataclass(frozen=True)
class Refusal:
    """One register whose reading was not accepted, and why."""

    meter_id: int
    zone: int
    error: rules.ReadingError


async def pass_readings(
    principal: Principal,
    wanted: dict[int, dict[int, Decimal]],
    *,
    today: date,
    now: datetime,
    window: rules.Window,
) -> list[Refusal]:
    """A resident passes readings of their meters: all of them are stored for the period they are used in, or,
    when any is refused, none (the refusals say which and why). Meters of other accounts are ignored."""
    period = rules.period_of_reading(today, window)
    meters = {m.id: m for m in await queries.meters_of(queries.meter_accounts(principal), period)}
    checks = rules.check_submission(meters, wanted, today=today)
    refusals = [
        Refusal(meter_id, zone, check.error)
        for meter_id, zones in checks.items()
        for zone, check in zones.items()
        if check.error
    ]
    if refusals or not checks:
        return refusals
    rows = [
        MeterReading(
            meter=meter_id,
            zone=zone,
            value=wanted[meter_id][zone],
            consumption=check.consumption,
            period=period,
            submitted_at=now,
            submitted_by=principal.user_id,
            rollover=check.rollover,
            flagged=check.flagged,
        )
        for meter_id, zones in checks.items()
        for zone, check in zones.items()
    ]
    async with atomic():
        await MeterReading.insert(*rows)
    return []
