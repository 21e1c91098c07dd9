"""Rules of meter readings (ПП РФ № 354 and the portal's plausibility checks, DOMAIN.md §4). Pure functions.

- §4.1 the window: readings received by the end day are used for this month, later ones for the next;
  house (ОДПУ) meters have their own window (23rd–26th by default, [VERIFY]; settings HOUSE_WINDOW_*).
- §4.2 a meter past its verification date or marked failed gives no reading (the month is charged by the
  average, for a limited number of months, then by the normative); the verification rule was suspended from
  06.04.2020 to 31.12.2020 (ПП № 424), kept here as a period table; the average is taken over the account's own
  monthly history (12 months, at least 3; heating: the heating season).
- §4.3 monotonic registers, rollover through zero, zones each on its own, an implausible jump — consumption above
  max(3 × the usual monthly consumption, the absolute cap of the service), times the months the reading covers —
  accepted with a flag for staff review; precision per the meter's passport.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from datetime import datetime
from datetime import timedelta
from decimal import Decimal
from enum import StrEnum


class ReadingError(StrEnum):
    LESS_THAN_PREVIOUS = "less_than_previous"
    NOT_A_ROLLOVER = "not_a_rollover"  # the resident says "through zero", but the counter cannot have rolled over
    ROLLOVER_UNCONFIRMED = "rollover_unconfirmed"  # lower than before and it may be a rollover: ask first
    VERIFICATION_EXPIRED = "verification_expired"
    METER_FAILED = "meter_failed"
    METER_RETIRED = "meter_retired"  # replaced or removed: readings go to the meter that replaced it
    TOO_MANY_DIGITS = "too_many_digits"
    TOO_PRECISE = "too_precise"
    NEGATIVE = "negative"
    ZONES_INCOMPLETE = "zones_incomplete"  # a multi-tariff meter is read in all its zones at once
    ABOVE_NEXT = "above_next"  # a staff correction above the reading passed after it (not a rollover)


# --- §4.1 the window ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Window:
    """The days of the month readings are collected (УК practice; the law fixes only the end, the 25th)."""

    start_day: int = 15
    end_day: int = 25

    def is_open(self, today: date) -> bool:
        return self.start_day <= today.day <= self.end_day

    def closes(self, period: date) -> date:
        """The last day readings for ``period`` are accepted."""
        return period.replace(day=self.end_day)


def first_of_month(day: date) -> date:
    return day.replace(day=1)


def next_month(period: date) -> date:
    return date(period.year + (period.month == 12), period.month % 12 + 1, 1)


def months_back(period: date, n: int) -> date:
    index = period.year * 12 + period.month - 1 - n
    return date(index // 12, index % 12 + 1, 1)


def months_between(earlier: date, later: date) -> int:
    """Whole billing periods from ``earlier`` to ``later`` (both first days of months)."""
    return (later.year - earlier.year) * 12 + later.month - earlier.month


def period_of_reading(received: date, window: Window = Window()) -> date:
    """The billing period a reading is used in: received by the end day → this month, later → the next (п. 31 "е")."""
    period = first_of_month(received)
    return period if received.day <= window.end_day else next_month(period)


def may_correct(period: date, today: date, window: Window = Window()) -> bool:
    """A reading of ``period`` can be corrected by the resident while readings still go to that period."""
    return period_of_reading(today, window) == period


# --- §4.2 verification, failure, charge basis, average -------------------------------------------------------


@dataclass(frozen=True)
class Suspension:
    """A period when an expired verification interval did not make a meter failed (inclusive)."""

    valid_from: date
    valid_to: date
    source: str


VERIFICATION_SUSPENSIONS: tuple[Suspension, ...] = (
    Suspension(date(2020, 4, 6), date(2020, 12, 31), "ПП РФ от 02.04.2020 № 424"),
)


def verification_expired(
    next_verification: date | None, on: date, suspensions: Iterable[Suspension] = VERIFICATION_SUSPENSIONS
) -> bool:
    """Whether a meter counts as failed on ``on`` because its verification date has passed (п. 81(12) "д"):
    the day after the date, except while the rule was suspended."""
    if next_verification is None or on <= next_verification:
        return False
    return not any(s.valid_from <= on <= s.valid_to for s in suspensions)


@dataclass(frozen=True)
class Standing:
    """A meter's verification date, the day it was marked failed and whether its status said failed, as they stood
    on some day (the meter keeps what stands now; each change keeps what it replaced)."""

    next_verification: date | None
    failed_on: date | None = None
    marked_failed: bool = False

    def failed_by(self, day: date) -> bool:
        """Counted failed on ``day``: marked failed on or before it (marked with no date: failed), or past its
        verification date (п. 81(12) "д")."""
        failed = self.failed_on <= day if self.failed_on is not None else self.marked_failed
        return failed or verification_expired(self.next_verification, day)


def standing_on(day: date, now: Standing, changes: Iterable[tuple[date, Standing]]) -> Standing:
    """What stood on ``day``: what the first change made after it replaced, else what stands now. ``changes``: the
    day of each change with what it replaced, in the order they were made."""
    return next((before for changed_on, before in changes if changed_on > day), now)


class VerifiedOn(StrEnum):
    """Why a verification cannot be dated on the day staff give (``verified_on_problem``)."""

    FUTURE = "future"
    BEFORE_INSTALLATION = "before_installation"
    BEFORE_PREVIOUS = "before_previous"  # the previous verification recorded
    BEFORE_LAST_CHANGE = "before_last_change"  # a later change of the card's verification, failure or state


def verified_on_problem(
    verified_on: date,
    *,
    today: date,
    installed_on: date | None = None,
    previous: date | None = None,
    last_change: date | None = None,
) -> tuple[VerifiedOn, date] | None:
    """Whether a verification may be dated ``verified_on`` (the technician's paper often arrives days later, and the
    verification counts from the day it was done, §4.2): not after today, nor before the meter was installed, its
    previous verification or the last change its history keeps (what stood before a change dated earlier would be
    lost). The reason with the day it may not precede; None when it may."""
    if verified_on > today:
        return VerifiedOn.FUTURE, today
    bounds = ((VerifiedOn.BEFORE_INSTALLATION, installed_on), (VerifiedOn.BEFORE_PREVIOUS, previous),
              (VerifiedOn.BEFORE_LAST_CHANGE, last_change))  # fmt: skip
    return next(((reason, day) for reason, day in bounds if day is not None and verified_on < day), None)


class Basis(StrEnum):
    METERED = "metered"
    AVERAGE = "average"
    NORMATIVE = "normative"


@dataclass(frozen=True)
class ChargeBasis:
    basis: Basis
    coefficient: Decimal = Decimal(1)
    month_of_average: int = 0


RESIDENTIAL_AVERAGE_MONTHS = 3  # п. 59: billing periods in a row charged by the average, then the normative
NONRESIDENTIAL_AVERAGE_MONTHS = 2  # [VERIFY]


def average_months(residential: bool) -> int:
    """How many billing periods in a row a month without a reading is charged by the average (п. 59, 60)."""
    return RESIDENTIAL_AVERAGE_MONTHS if residential else NONRESIDENTIAL_AVERAGE_MONTHS


def charge_basis(
    months_without_reading: int,
    *,
    residential: bool = True,
    meter_failed: bool = False,
    electricity: bool = False,
    residential_limit: int = RESIDENTIAL_AVERAGE_MONTHS,
    nonresidential_limit: int = NONRESIDENTIAL_AVERAGE_MONTHS,
    failed_coefficient: Decimal = Decimal("1.5"),
) -> ChargeBasis:
    """How a month is charged (п. 59, 60): by the average for a limited number of periods, then by the normative.

    ``months_without_reading`` counts this month (1 = the first month without a reading). The limits and the
    increasing coefficient for failed meters are [VERIFY] values kept as parameters; electricity meters (replaced
    by the guaranteeing supplier, 522-ФЗ) get no increasing coefficient [VERIFY primary text].
    """
    if months_without_reading <= 0:
        return ChargeBasis(Basis.METERED)
    limit = residential_limit if residential else nonresidential_limit
    if months_without_reading <= limit:
        return ChargeBasis(Basis.AVERAGE, month_of_average=months_without_reading)
    coefficient = failed_coefficient if meter_failed and residential and not electricity else Decimal(1)
    return ChargeBasis(Basis.NORMATIVE, coefficient=coefficient)


def months_without_reading(last_period: date | None, period: date, installed_on: date | None) -> int | None:
    """How many billing periods in a row up to ``period`` (itself included) have no reading: counted from the last
    period with one, else from the month the meter was installed in; None when neither is known."""
    if last_period is not None:
        return max(1, months_between(last_period, period))
    if installed_on is not None:
        return max(1, months_between(first_of_month(installed_on), period))
    return None


def basis_without_reading(
    months: int | None, *, residential: bool, meter_failed: bool, electricity: bool, averaged: bool = True
) -> ChargeBasis:
    """How a month without a reading is charged (``charge_basis``); a meter with no reading ever and no date of
    installation has no months to count: the normative. Without an average (``averaged`` False: too little
    history, ``usual_consumption``) the normative applies from the first month (п. 59(1))."""
    if months is None:
        months = average_months(residential) + 1
    basis = charge_basis(months, residential=residential, meter_failed=meter_failed, electricity=electricity)
    return ChargeBasis(Basis.NORMATIVE) if basis.basis is Basis.AVERAGE and not averaged else basis


HEATING_SEASON = frozenset({10, 11, 12, 1, 2, 3, 4})  # months of the heating season (a regional decision)


@dataclass(frozen=True)
class Used:
    """What one reading says was used: ``consumption`` over ``months`` billing periods ending with ``period``."""

    period: date
    consumption: Decimal
    months: int = 1


def usual_consumption(
    history: Iterable[Used],
    before: date,
    *,
    window_months: int = 12,
    minimum_months: int = 3,
    season: frozenset[int] | None = None,
) -> Decimal | None:
    """The average monthly consumption over the ``window_months`` periods before ``before`` (п. 59): the total used
    divided by the months the readings cover, so a reading after two missed months counts as three months. Fewer
    than ``minimum_months`` covered → None (п. 59(1): no average, the normative applies). ``season`` keeps only
    readings of those months (heating: the heating season)."""
    start = months_back(before, window_months)
    total, months = Decimal(0), 0
    for used in history:
        if not start <= used.period < before:
            continue
        if season is not None and used.period.month not in season:
            continue
        total += used.consumption
        months += max(1, used.months)
    if months < minimum_months:
        return None
    return total / months


# --- §4.3 plausibility -----------------------------------------------------------------------------------------

# The absolute monthly cap of each service for one flat, above which (and above 3 × the usual consumption) a
# reading waits for staff review. Portal values, not law: water m³, electricity kWh (all zones), heating Gcal, gas m³.
CAPS: dict[str, Decimal] = {
    "cold_water": Decimal("30"),
    "hot_water": Decimal("20"),
    "electricity": Decimal("1000"),
    "heating": Decimal("5"),
    "gas": Decimal("300"),
}
DEFAULT_CAP = Decimal("50")
JUMP_FACTOR = Decimal(3)


def cap_of(service: str, caps: Mapping[str, Decimal] = CAPS) -> Decimal:
    return caps.get(service, DEFAULT_CAP)


def jump_threshold(cap: Decimal, usual: Decimal | None, months: int = 1) -> Decimal:
    """Consumption above this is implausible: max(3 × usual, cap) per month, for the months the reading covers."""
    per_month = max(JUMP_FACTOR * usual, cap) if usual is not None else cap
    return per_month * max(1, months)


def is_implausible(consumption: Decimal | None, cap: Decimal, usual: Decimal | None, months: int = 1) -> bool:
    return consumption is not None and consumption > jump_threshold(cap, usual, months)


@dataclass(frozen=True)
class Check:
    """The verdict on one reading of one register (zone)."""

    error: ReadingError | None = None
    consumption: Decimal | None = None
    rollover: bool = False
    flagged: bool = False  # implausible jump: accepted, but staff review it


METER_REFUSALS = (ReadingError.METER_RETIRED, ReadingError.METER_FAILED, ReadingError.VERIFICATION_EXPIRED)


def meter_refusal(
    *, on: date, next_verification: date | None, failed: bool, retired: bool = False
) -> ReadingError | None:
    """Why no reading of this meter is accepted on ``on`` (§4.2, §4.3), or None."""
    if retired:
        return ReadingError.METER_RETIRED
    if failed:
        return ReadingError.METER_FAILED
    if verification_expired(next_verification, on):
        return ReadingError.VERIFICATION_EXPIRED
    return None


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
    cap: Decimal = DEFAULT_CAP,
    months: int = 1,
) -> Check:
    """Check a reading against the previous one of the same register (DOMAIN.md §4.3).

    - a reading for a failed meter or one whose verification date has passed is rejected (counted by average);
    - the value must fit the counter (``digits`` integer places, ``decimals`` after the point);
    - ``new < previous`` is accepted only as a rollover: previous > 0.9·10^N and new < 0.1·10^N;
    - consumption above max(3 × average, cap) × months is accepted with a flag for staff review.
    """
    refusal = meter_refusal(on=on, next_verification=next_verification, failed=failed)
    if refusal:
        return Check(error=refusal)
    if new < 0:
        return Check(error=ReadingError.NEGATIVE)
    limit = Decimal(10) ** digits
    if new >= limit:
        return Check(error=ReadingError.TOO_MANY_DIGITS)
    exponent = new.normalize().as_tuple().exponent
    if isinstance(exponent, int) and -exponent > decimals:
        return Check(error=ReadingError.TOO_PRECISE)
    if previous is None:
        return Check(consumption=None)
    rollover = False
    if new >= previous:
        consumption = new - previous
    elif previous > Decimal("0.9") * limit and new < Decimal("0.1") * limit:
        consumption = limit - previous + new
        rollover = True
    else:
        return Check(error=ReadingError.LESS_THAN_PREVIOUS)
    return Check(consumption=consumption, rollover=rollover, flagged=is_implausible(consumption, cap, average, months))


def check_zones(new: dict[int, Decimal], previous: dict[int, Decimal], **kwargs: object) -> dict[int, Check]:
    """Multi-tariff meters: each zone (T1, T2, T3) is checked on its own; the total is the sum of zones."""
    return {zone: check_reading(value, previous.get(zone), **kwargs) for zone, value in new.items()}  # type: ignore[arg-type]


def confirm_rollover(check: Check, confirmed: bool) -> Check:
    """The resident's answer to «has the meter gone through zero?»: a rollover is taken only once confirmed; a
    confirmation of a lower value that cannot be a rollover is refused as such."""
    if check.rollover and not confirmed:
        return Check(error=ReadingError.ROLLOVER_UNCONFIRMED, consumption=check.consumption, rollover=True)
    if check.error is ReadingError.LESS_THAN_PREVIOUS and confirmed:
        return Check(error=ReadingError.NOT_A_ROLLOVER)
    return check


def recount_following(
    corrected: Mapping[int, Decimal], following: Mapping[int, Decimal], *, digits: int, decimals: int
) -> dict[int, Check]:
    """A corrected reading changes what the next one used (its consumption is counted from it): each zone's next
    value checked against the corrected one — a rollover taken as before, a next value lower than the correction
    (and not a rollover) refused as ``ABOVE_NEXT``."""
    checks = {}
    for zone, value in following.items():
        if zone not in corrected:
            continue
        check = check_reading(value, corrected[zone], digits=digits, decimals=max(decimals, 6), on=date.min)
        checks[zone] = Check(error=ReadingError.ABOVE_NEXT) if check.error else check
    return checks


def asks_rollover(error: ReadingError | None) -> bool:
    """The refusals the page answers with the question «has the meter gone through zero?»."""
    return error in (ReadingError.LESS_THAN_PREVIOUS, ReadingError.ROLLOVER_UNCONFIRMED, ReadingError.NOT_A_ROLLOVER)


_GROUPED = re.compile(r"[0-9]{1,3}(?:,[0-9]{3})+\.[0-9]+|[0-9]{1,3}(?:,[0-9]{3}){2,}")


def parse_value(text: str) -> Decimal | None:
    """A reading as typed on a phone: «00 012,5» → Decimal('12.5'); None when it is not a number. A comma is the
    decimal comma, except in a number grouped the English way, as the English page writes the previous reading:
    «1,721.3» (commas before a decimal point) or «1,234,567» (more than one group)."""
    cleaned = text.replace("\u00a0", "").replace("\u202f", "").replace(" ", "").strip()
    cleaned = cleaned.replace(",", "") if _GROUPED.fullmatch(cleaned) else cleaned.replace(",", ".")
    if not re.fullmatch(r"[0-9]{1,15}(\.[0-9]{1,6})?", cleaned):
        return None
    return Decimal(cleaned)


@dataclass(kw_only=True)
class MeterFacts:
    """What the checks of a submission need to know of one meter: its counter, its state and its history.

    ``last`` is the latest reading of each zone before the period being passed, with the period it was used in
    (``last_period``); ``average`` the usual monthly consumption of each zone from the account's own history."""

    service: str = ""
    digits: int
    decimals: int
    zones: int = 1
    next_verification: date | None
    failed: bool
    retired: bool = False
    last: dict[int, Decimal] = field(default_factory=dict)
    last_period: date | None = None
    average: dict[int, Decimal] = field(default_factory=dict)


AVERAGE_MONTHS = 12


def average_consumption(consumptions: list[Decimal]) -> Decimal | None:
    """The plain average of the last (up to) 12 monthly consumptions (an estimate where no history is dated)."""
    recent = consumptions[-AVERAGE_MONTHS:]
    return sum(recent, Decimal(0)) / len(recent) if recent else None


def check_meter(
    facts: MeterFacts,
    zones: Mapping[int, Decimal],
    *,
    today: date,
    period: date,
    confirmed: bool = False,
    caps: Mapping[str, Decimal] = CAPS,
) -> dict[int, Check]:
    """Check the readings of one meter's zones: its state first, every zone at once for a multi-tariff meter,
    each zone monotonic on its own; the implausible-jump check is made on the meter's total (the sum of zones)
    against the sum of the zones' usual consumption, and flags every zone of the meter when it fails."""
    refusal = meter_refusal(
        on=today, next_verification=facts.next_verification, failed=facts.failed, retired=facts.retired
    )
    if refusal:
        return {zone: Check(error=refusal) for zone in zones}
    if facts.zones > 1 and set(zones) != set(range(1, facts.zones + 1)):
        # Each empty zone says it is missing; a zone typed is left without a verdict (its error read «enter every
        # zone» beside the value just typed, and the summary linked to it).
        return {
            zone: Check(error=None if zone in zones else ReadingError.ZONES_INCOMPLETE)
            for zone in range(1, facts.zones + 1)
        }
    months = months_between(facts.last_period, period) if facts.last_period else 1
    checks = {
        zone: confirm_rollover(
            check_reading(
                value,
                facts.last.get(zone),
                digits=facts.digits,
                decimals=facts.decimals,
                on=today,
                cap=Decimal("Infinity"),
            ),
            confirmed,
        )
        for zone, value in zones.items()
    }
    if any(c.error for c in checks.values()):
        return checks
    used = [c.consumption for c in checks.values() if c.consumption is not None]
    if len(used) != len(checks):
        return checks
    averages = [facts.average.get(zone) for zone in checks]
    usual = sum((a for a in averages if a is not None), Decimal(0)) if all(a is not None for a in averages) else None
    flagged = is_implausible(sum(used, Decimal(0)), cap_of(facts.service, caps), usual, max(1, months))
    return {zone: Check(consumption=c.consumption, rollover=c.rollover, flagged=flagged) for zone, c in checks.items()}


def check_submission(
    meters: Mapping[int, MeterFacts],
    wanted: Mapping[int, Mapping[int, Decimal]],
    *,
    today: date,
    period: date | None = None,
    confirmed: Iterable[int] = (),
    caps: Mapping[str, Decimal] = CAPS,
) -> dict[int, dict[int, Check]]:
    """Check every submitted meter of the resident's (``check_meter``); values for meters not in ``meters`` (not
    the resident's) are left out. ``confirmed`` are the meters whose rollover the resident confirmed."""
    period = period or period_of_reading(today)
    agreed = set(confirmed)
    return {
        meter_id: check_meter(
            meters[meter_id], zones, today=today, period=period, confirmed=meter_id in agreed, caps=caps
        )
        for meter_id, zones in wanted.items()
        if meter_id in meters
    }


# --- reminders -------------------------------------------------------------------------------------------------


class Reminder(StrEnum):
    WINDOW_OPEN = "window_open"
    WINDOW_CLOSING = "window_closing"
    VERIFICATION = "verification"


CLOSING_DAYS = 2
VERIFICATION_LEAD_DAYS = 30


@dataclass(frozen=True)
class Due:
    """One reminder due for an account: its kind and the period (or, for a verification, the date) it is about."""

    kind: Reminder
    key: date


def reminders_due(
    today: date,
    window: Window,
    *,
    passed: bool,
    verification_dates: Iterable[date] = (),
    closing_days: int = CLOSING_DAYS,
    lead_days: int = VERIFICATION_LEAD_DAYS,
) -> list[Due]:
    """The reminders an account is due on ``today``: the window is open (until the closing reminder's days) and
    nothing was passed; two days before it closes and still nothing passed; a verification date within 30 days.
    Each is kept once per account and key by the caller."""
    due: list[Due] = []
    period = first_of_month(today)
    if window.is_open(today) and not passed:
        closing = today.day >= window.end_day - closing_days
        due.append(Due(Reminder.WINDOW_CLOSING if closing else Reminder.WINDOW_OPEN, period))
    for day in sorted(set(verification_dates)):
        if timedelta(0) < day - today <= timedelta(days=lead_days):
            due.append(Due(Reminder.VERIFICATION, day))
    return due


# --- history ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Point:
    """One month of a register's history: the reading (None when none was passed) and what was used."""

    period: date
    value: Decimal | None
    consumption: Decimal | None


def monthly_history(
    readings: Sequence[tuple[date, Decimal, Decimal | None]], last: date, months: int = 12
) -> list[Point]:
    """The ``months`` periods up to ``last``, oldest first, each with its reading and consumption (a month without
    a reading is kept, empty, so gaps show)."""
    by_period = {period: (value, used) for period, value, used in readings}
    points = []
    for back in range(months - 1, -1, -1):
        period = months_back(last, back)
        value, used = by_period.get(period, (None, None))
        points.append(Point(period, value, used))
    return points


def passed_by_another(
    passed: Mapping[int, tuple[int | None, frozenset[int]]],
    wanted: Iterable[int],
    user_id: int | None,
    seen: frozenset[int] | None,
) -> list[int]:
    """The meters of a submission whose readings of the period another member of the household passed and the
    submitter's page did not show (``passed``: meter → who passed its period's readings and their ids; ``seen``:
    the reading ids the page showed, None for a form that does not say). Two phones of one flat: the second one is
    told the first one's values and corrects them only by sending again, never overwriting them unseen. The
    submitter's own readings are corrected as always."""
    if seen is None:
        return []
    found = []
    for meter_id in wanted:
        by, ids = passed.get(meter_id, (None, frozenset()))
        if ids and by is not None and by != user_id and not ids <= seen:
            found.append(meter_id)
    return found


def reading_version(values: Mapping[int, Decimal], review: str, note: str) -> str:
    """The version a reading's correction form carries: its values and review as read (a reading keeps no
    ``updated_at``); another operator's correction, acceptance or rejection meanwhile changes it."""
    said = ";".join(f"{zone}={values[zone].normalize()}" for zone in sorted(values))
    return hashlib.sha256(f"{said}|{review}|{note}".encode()).hexdigest()[:16]


# --- the XLSX export for billing, made by a job ---------------------------------------------------------------

# How long the file an export job made is kept for download (the staff member downloads it the same day; the
# readings go on changing, and a stale file handed to billing a week later would be wrong).
EXPORT_KEPT = timedelta(days=1)


def export_houses(house_ids: frozenset[int] | None, house: int | None) -> list[int] | None:
    """The houses an export for billing covers: the one chosen (none when it is not the staff member's), else the
    staff member's (None: every house)."""
    if house:
        return [house] if house_ids is None or house in house_ids else []
    return None if house_ids is None else sorted(house_ids)


def may_take_export(houses: list[int] | None, house_ids: frozenset[int] | None) -> bool:
    """Whether a staff member whose houses are ``house_ids`` (None: every house) may have a file of ``houses``
    (None: every house): only who may export every one of those houses now."""
    if house_ids is None:
        return True
    return houses is not None and set(houses) <= house_ids


def export_kept(finished_at: datetime, now: datetime) -> bool:
    """Whether the file of an export finished at ``finished_at`` is still offered at ``now``."""
    return now - finished_at < EXPORT_KEPT


def export_key(period: date, house: int | None, houses: list[int] | None) -> str:
    """The job run's key of an export: one run at a time for a month, a house chosen (or none) and the houses the
    staff member had when starting it (a digest: a key holds 64 characters, a scope may be hundreds of houses)."""
    scope = "all" if houses is None else hashlib.sha256(",".join(map(str, houses)).encode()).hexdigest()[:16]
    return f"{period:%Y-%m}:{house or 'all'}:{scope}"
