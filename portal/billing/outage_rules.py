"""Interruptions of a utility beyond what the law permits, and the reduction of its charge (DOMAIN.md §5; ПП РФ
№ 354, приложение 1). Pure functions: no I/O, every value an argument.

Permitted interruptions (DOMAIN.md §5):

| Service     | Total per month | At once                                                             |
|-------------|-----------------|---------------------------------------------------------------------|
| cold water  | 8 h             | 4 h                                                                 |
| hot water   | 8 h             | 4 h                                                                 |
| sewerage    | 8 h             | 4 h                                                                 |
| electricity | —               | 2 h with two independent sources; 24 h with one                     |
| gas         | 4 h             | —                                                                   |
| heating     | 24 h            | 16 h at a room temperature of +12 °C…norm; 8 h at +10…+12; 4 h at +8…+10 |

For each hour beyond the limit the month's charge for the service is reduced by 0.15 % (прил. 1; DOMAIN.md states
it for heating, and the act gives the same 0.15 % for each service of this table).

Design choices (not in DOMAIN.md): the hours beyond in a month are the larger of the hours beyond the at-once limit
(summed over the month's interruptions) and the hours beyond the monthly total, so no hour counts twice; hours are
counted to the hundredth and the reduction prorated; below +8 °C in the rooms no interruption of heating is
permitted; an interruption belongs to the month it began in; the network-accident variants of the at-once limits
(cold water; hot water on a dead-end main: 24 h) are not applied.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

ZERO = Decimal("0")
HOUR = Decimal("0.01")
PERCENT_PER_HOUR = Decimal("0.15")  # прил. 1 к ПП № 354: for each hour beyond the permitted interruption
MAX_PERCENT = Decimal("100")

# service → permitted total hours in a month (None: no monthly limit)
MONTHLY_LIMIT: dict[str, Decimal | None] = {
    "cold_water": Decimal(8),
    "hot_water": Decimal(8),
    "sewerage": Decimal(8),
    "electricity": None,
    "gas": Decimal(4),
    "heating": Decimal(24),
}

# service → permitted hours at once (None: no such limit); heating and electricity depend on conditions, below
AT_ONCE_LIMIT: dict[str, Decimal | None] = {
    "cold_water": Decimal(4),
    "hot_water": Decimal(4),
    "sewerage": Decimal(4),
    "gas": None,
}

# Heating: (lowest room temperature °C, permitted hours at once), from the warmest band down.
HEATING_AT_ONCE: tuple[tuple[Decimal, Decimal], ...] = (
    (Decimal(12), Decimal(16)),
    (Decimal(10), Decimal(8)),
    (Decimal(8), Decimal(4)),
)


def covered(service: str) -> bool:
    """Whether приложение 1 limits interruptions of this service (a lift, for example, is not a utility there)."""
    return service in MONTHLY_LIMIT


def hours_between(start: datetime, end: datetime) -> Decimal:
    """The length of an interruption in hours, to the hundredth."""
    seconds = Decimal(max(0, int((end - start).total_seconds())))
    return (seconds / Decimal(3600)).quantize(HOUR, rounding=ROUND_HALF_UP)


def permitted_at_once(
    service: str, *, room_temperature: Decimal | None = None, independent_sources: int = 1
) -> Decimal | None:
    """The longest interruption permitted at once (None: no such limit). Heating: by the room temperature measured
    during the interruption (unknown: the warmest band, 16 h); electricity: 2 h with two independent sources of
    supply, 24 h with one."""
    if service == "heating":
        if room_temperature is None:
            return HEATING_AT_ONCE[0][1]
        for lowest, hours in HEATING_AT_ONCE:
            if room_temperature >= lowest:
                return hours
        return ZERO
    if service == "electricity":
        return Decimal(2) if independent_sources >= 2 else Decimal(24)
    return AT_ONCE_LIMIT.get(service)


@dataclass(frozen=True)
class Interruption:
    """One interruption of a service in a month: how long it lasted, and the at-once limit that applied to it."""

    hours: Decimal
    at_once: Decimal | None


def hours_beyond(service: str, interruptions: Sequence[Interruption]) -> Decimal:
    """The hours of a month's interruptions of a service beyond the permitted ones: beyond each interruption's
    at-once limit (summed) or beyond the monthly total, whichever is more."""
    if not covered(service):
        return ZERO
    each = sum((max(ZERO, i.hours - i.at_once) for i in interruptions if i.at_once is not None), ZERO)
    monthly = MONTHLY_LIMIT[service]
    total = ZERO if monthly is None else max(ZERO, sum((i.hours for i in interruptions), ZERO) - monthly)
    return max(each, total)


def added_hours_beyond(service: str, earlier: Sequence[Interruption], new: Interruption) -> Decimal:
    """What one more interruption of the month adds to its hours beyond the permitted ones (each hour is counted
    once, by the interruption that crossed the limit)."""
    return hours_beyond(service, [*earlier, new]) - hours_beyond(service, earlier)


def reduction_percent(hours: Decimal) -> Decimal:
    """The reduction of the month's charge for the service: 0.15 % for each hour beyond, never beyond the charge."""
    return min(MAX_PERCENT, max(ZERO, hours) * PERCENT_PER_HOUR)


def reduction_amount(charge: Decimal, percent: Decimal) -> Decimal:
    """The reduction in roubles of a month's charge, rounded to kopecks half up."""
    return (charge * percent / Decimal(100)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
