"""Rules of meter readings (ПП РФ № 354 and the portal's plausibility checks, DOMAIN.md §4). Pure functions."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum


class ReadingError(StrEnum):
    LESS_THAN_PREVIOUS = "less_than_previous"
    VERIFICATION_EXPIRED = "verification_expired"
    METER_FAILED = "meter_failed"
    TOO_MANY_DIGITS = "too_many_digits"
    TOO_PRECISE = "too_precise"
    NEGATIVE = "negative"


@dataclass(frozen=True)
class Window:
    """The days of the month readings are collected (УК practice; the law fixes only the end, the 25th)."""

    start_day: int = 15
    end_day: int = 25

    def is_open(self, today: date) -> bool:
        return self.start_day <= today.day <= self.end_day


def first_of_month(day: date) -> date:
    return day.replace(day=1)


def next_month(period: date) -> date:
    return date(period.year + (period.month == 12), period.month % 12 + 1, 1)


def period_of_reading(received: date, window: Window = Window()) -> date:
    """The billing period a reading is used in: received by the end day → this month, later → the next (п. 31 "е")."""
    period = first_of_month(received)
    return period if received.day <= window.end_day else next_month(period)


@dataclass(frozen=True)
class Check:
    """The verdict on one reading of one register (zone)."""

    error: ReadingError | None = None
    consumption: Decimal | None = None
    rollover: bool = False
    flagged: bool = False  # implausible jump: accepted, but staff review it


def check_reading(
    new: Decimal,
    previous: Decimal | None,
    *,
    digits: int,
    decimals: int = 3,
    on: date,
    next_verification: date | None = None,
    failed: bool = False,
    average: Decimal | None = None,
    cap: Decimal = Decimal("50"),
) -> Check:
    """Check a reading against the previous one of the same register (DOMAIN.md §4.3).

    - a reading for a failed meter or one whose verification date has passed is rejected (counted by average);
    - the value must fit the counter (``digits`` integer places, ``decimals`` after the point);
    - ``new < previous`` is accepted only as a rollover: previous > 0.9·10^N and new < 0.1·10^N;
    - consumption above max(3 × average, cap) is accepted with a flag for staff review.
    """
    if failed:
        return Check(error=ReadingError.METER_FAILED)
    if next_verification is not None and on > next_verification:
        return Check(error=ReadingError.VERIFICATION_EXPIRED)
    if new < 0:
        return Check(error=ReadingError.NEGATIVE)
    limit = Decimal(10) ** digits
    if new >= limit:
        return Check(error=ReadingError.TOO_MANY_DIGITS)
    exponent = new.normalize().as_tuple().exponent
    if isinstance(exponent, int) and -exponent > decimals:
        return Check(error=ReadingError.TOO_PRECISE)
    rollover = False
    if previous is None:
        return Check(consumption=None)
    if new >= previous:
        consumption = new - previous
    elif previous > Decimal("0.9") * limit and new < Decimal("0.1") * limit:
        consumption = limit - previous + new
        rollover = True
    else:
        return Check(error=ReadingError.LESS_THAN_PREVIOUS)
    threshold = max(Decimal(3) * average, cap) if average is not None else cap
    return Check(consumption=consumption, rollover=rollover, flagged=consumption > threshold)


def check_zones(new: dict[int, Decimal], previous: dict[int, Decimal], **kwargs: object) -> dict[int, Check]:
    """Multi-tariff meters: each zone (T1, T2, T3) is checked on its own; the total is the sum of zones."""
    return {zone: check_reading(value, previous.get(zone), **kwargs) for zone, value in new.items()}  # type: ignore[arg-type]


class Basis(StrEnum):
    METERED = "metered"
    AVERAGE = "average"
    NORMATIVE = "normative"


@dataclass(frozen=True)
class ChargeBasis:
    basis: Basis
    coefficient: Decimal = Decimal(1)
    month_of_average: int = 0


def charge_basis(
    months_without_reading: int,
    *,
    residential: bool = True,
    meter_failed: bool = False,
    residential_limit: int = 3,
    nonresidential_limit: int = 2,
    failed_coefficient: Decimal = Decimal("1.5"),
) -> ChargeBasis:
    """How a month is charged (п. 59, 60): by the average for a limited number of periods, then by the normative.

    ``months_without_reading`` counts this month (1 = the first month without a reading). The limits and the
    increasing coefficient for failed meters are [VERIFY] values kept as parameters.
    """
    if months_without_reading <= 0:
        return ChargeBasis(Basis.METERED)
    limit = residential_limit if residential else nonresidential_limit
    if months_without_reading <= limit:
        return ChargeBasis(Basis.AVERAGE, month_of_average=months_without_reading)
    coefficient = failed_coefficient if meter_failed and residential else Decimal(1)
    return ChargeBasis(Basis.NORMATIVE, coefficient=coefficient)


def parse_value(text: str) -> Decimal | None:
    """A reading as typed on a phone: «00 012,5» → Decimal('12.5'); None when it is not a number."""
    cleaned = text.replace("\u00a0", "").replace(" ", "").replace(",", ".").strip()
    if not re.fullmatch(r"[0-9]{1,15}(\.[0-9]{1,6})?", cleaned):
        return None
    return Decimal(cleaned)


@dataclass(kw_only=True)
class MeterFacts:
    """What the checks of a submission need to know of one meter: its counter, its state and its history."""

    digits: int
    decimals: int
    next_verification: date | None
    failed: bool
    last: dict[int, Decimal] = field(default_factory=dict)
    average: dict[int, Decimal] = field(default_factory=dict)


AVERAGE_MONTHS = 12


def average_consumption(consumptions: list[Decimal]) -> Decimal | None:
    """The average monthly consumption of a register over its last (up to) 12 readings (DOMAIN.md §4.2)."""
    recent = consumptions[-AVERAGE_MONTHS:]
    return sum(recent, Decimal(0)) / len(recent) if recent else None


def check_submission(
    meters: Mapping[int, MeterFacts], wanted: dict[int, dict[int, Decimal]], *, today: date
) -> dict[int, dict[int, Check]]:
    """Check every submitted register of the resident's meters against the previous reading of that register;
    values for meters not in ``meters`` (not the resident's) are left out."""
    return {
        meter_id: {
            zone: check_reading(
                value,
                meters[meter_id].last.get(zone),
                digits=meters[meter_id].digits,
                decimals=meters[meter_id].decimals,
                on=today,
                next_verification=meters[meter_id].next_verification,
                failed=meters[meter_id].failed,
                average=meters[meter_id].average.get(zone),
            )
            for zone, value in zones.items()
        }
        for meter_id, zones in wanted.items()
        if meter_id in meters
    }
