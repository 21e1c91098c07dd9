"""The words of meters shown to people: services, zones, units, sources, states, refusals (in the reader's
language, through gettext)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from portal.core import charts
from portal.core.i18n import LazyText
from portal.core.i18n import format_day
from portal.core.i18n import format_number
from portal.core.i18n import gettext
from portal.core.i18n import lazy
from portal.core.i18n import ngettext
from portal.core.labels import Labels
from portal.meters import rules
from portal.meters.tables import MeterStatus
from portal.meters.tables import Review
from portal.meters.tables import Service
from portal.meters.tables import Source

service_label = Labels(
    {
        Service.COLD_WATER: lazy("Cold water"),
        Service.HOT_WATER: lazy("Hot water"),
        Service.ELECTRICITY: lazy("Electricity"),
        Service.HEATING: lazy("Heating"),
        Service.GAS: lazy("Gas"),
    }
)
# A meter named in a message's sentence after «of» (the Russian genitive: «поверки счётчика холодной воды»), one
# whole phrase per service: a service label lower-cased into the sentence would need its case changed, which only
# a translator can do.
meter_of = Labels(
    {
        Service.COLD_WATER: lazy("of the cold water meter"),
        Service.HOT_WATER: lazy("of the hot water meter"),
        Service.ELECTRICITY: lazy("of the electricity meter"),
        Service.HEATING: lazy("of the heating meter"),
        Service.GAS: lazy("of the gas meter"),
    }
)
source_label = Labels(
    {
        Source.PORTAL: lazy("Portal"),
        Source.PHONE: lazy("By phone"),
        Source.STAFF: lazy("Entered by staff"),
    }
)
status_label = Labels(
    {
        MeterStatus.ACTIVE: lazy("In use"),
        MeterStatus.FAILED: lazy("Failed"),
        MeterStatus.REPLACED: lazy("Replaced"),
        MeterStatus.REMOVED: lazy("Removed"),
    }
)
# A review state's word and the colour of its badge (the word always goes with it); no review has neither.
_REVIEWS: dict[str, tuple[LazyText, str]] = {
    Review.PENDING: (lazy("Awaits review"), "in_work"),
    Review.ACCEPTED: (lazy("Accepted"), "done"),
    Review.CORRECTED: (lazy("Corrected"), "done"),
    Review.REJECTED: (lazy("Rejected"), "overdue"),
}


def review_label(review: str) -> str:
    return _REVIEWS[review][0]() if review in _REVIEWS else ""


def review_badge(review: str) -> str:
    return _REVIEWS[review][1] if review in _REVIEWS else "closed"


def unit(service: str) -> str:
    return {
        Service.ELECTRICITY: gettext("kWh"),
        Service.HEATING: gettext("Gcal"),
    }.get(service, gettext("m³"))


def zone_label(zones: int, zone: int) -> str:
    if zones == 1:
        return gettext("Reading")
    if zones == 2:
        return {1: gettext("T1 (day)"), 2: gettext("T2 (night)")}[zone]
    return {1: gettext("T1 (peak)"), 2: gettext("T2 (night)"), 3: gettext("T3 (half-peak)")}[zone]


def meter_name(meter: Any) -> str:
    """A meter as the resident finds it on the page: «Газ № Г0000001»."""
    return gettext("%(service)s No. %(serial)s", service=service_label(meter.service), serial=meter.serial)


def reading_label(meter: Any, zone: int) -> str:
    """Which field a reading's error is about, in the summary above the form: «Электроэнергия № 123, Т1 (пик)»."""
    name = meter_name(meter)
    return name if meter.zones == 1 else f"{name}, {zone_label(meter.zones, zone)}"


def zones_label(zones: int) -> str:
    return {1: gettext("single-rate"), 2: gettext("two zones, day and night"), 3: gettext("three zones")}.get(
        zones, str(zones)
    )


def error_message(error: rules.ReadingError, previous: Decimal | None, digits: int, decimals: int = 3) -> str:
    prev = format_number(previous, decimals, fixed=True) if previous is not None else ""
    return {
        rules.ReadingError.LESS_THAN_PREVIOUS: gettext(
            "The reading is less than the previous one (%(previous)s). Check the digits, or tick that the meter "
            "has gone through zero.",
            previous=prev,
        ),
        rules.ReadingError.ROLLOVER_UNCONFIRMED: gettext(
            "The reading is less than the previous one (%(previous)s). Has the meter gone through zero? Then tick "
            "the box and pass the readings again.",
            previous=prev,
        ),
        rules.ReadingError.NOT_A_ROLLOVER: ngettext(
            "This cannot be a pass through zero: a meter of %(num)s digit goes through zero only from above "
            "%(high)s to below %(low)s. Check the digits against the previous reading (%(previous)s).",
            "This cannot be a pass through zero: a meter of %(num)s digits goes through zero only from above "
            "%(high)s to below %(low)s. Check the digits against the previous reading (%(previous)s).",
            digits,
            high=format_number(Decimal("0.9") * Decimal(10) ** digits, 0),
            low=format_number(Decimal("0.1") * Decimal(10) ** digits, 0),
            previous=prev,
        ),
        rules.ReadingError.VERIFICATION_EXPIRED: gettext(
            "The meter's verification date has passed, so its readings are not accepted as metered; the month is "
            "charged by the average. Order a verification or a replacement."
        ),
        rules.ReadingError.METER_FAILED: gettext(
            "The meter is marked as failed; the month is charged by the average. File a request to replace it."
        ),
        rules.ReadingError.METER_RETIRED: gettext("This meter has been replaced or removed; pass the new one."),
        rules.ReadingError.TOO_MANY_DIGITS: ngettext(
            "The meter shows at most %(num)s digit before the comma. Check the reading.",
            "The meter shows at most %(num)s digits before the comma. Check the reading.",
            digits,
        ),
        rules.ReadingError.TOO_PRECISE: gettext(
            "Too many digits after the comma: this meter shows %(decimals)s. Check the reading.", decimals=decimals
        ),
        rules.ReadingError.NEGATIVE: gettext("A reading cannot be negative."),
        rules.ReadingError.ZONES_INCOMPLETE: gettext("Enter the readings of every zone of this meter."),
        rules.ReadingError.ABOVE_NEXT: gettext(
            "The value is above the reading passed after it, for a later month. Check the digits, or correct that "
            "reading first."
        ),
    }[error]


def bar_chart(points: list[rules.Point], width: int = 320, height: int = 120) -> dict[str, object]:
    """The geometry of a small bar chart of monthly consumption, drawn as SVG by the template (the same numbers
    are in the table under it); a month without a known consumption has no bar and a dash in the table."""
    chart = charts.bar_chart([(p.period, p.consumption) for p in points], width, height)
    for bar, p in zip(chart["bars"], points, strict=True):
        bar["point"] = p
    return chart


def verified_on_message(reason: rules.VerifiedOn, day: date) -> str:
    """Why a verification cannot be dated so (``rules.verified_on_problem``), with the day it may not pass."""
    shown = format_day(day, "long")
    return {
        rules.VerifiedOn.FUTURE: gettext("A verification cannot be dated after today (%(date)s).", date=shown),
        rules.VerifiedOn.BEFORE_INSTALLATION: gettext(
            "The meter was installed on %(date)s: a verification cannot be dated before it.", date=shown
        ),
        rules.VerifiedOn.BEFORE_PREVIOUS: gettext(
            "The previous verification was on %(date)s: this one cannot be dated before it.", date=shown
        ),
        rules.VerifiedOn.BEFORE_LAST_CHANGE: gettext(
            "The meter's card was changed on %(date)s (verification, failure or state): a verification cannot be "
            "dated before that change.",
            date=shown,
        ),
    }[reason]


def meter_state(status: str, next_verification: date | None, today: date) -> tuple[str, str]:
    """A meter's state as its badge shows it (the colour, the words): in use but past its verification date, its
    readings are refused (п. 81(12) "д"), so it says so rather than «Работает»."""
    if status == MeterStatus.ACTIVE and rules.verification_expired(next_verification, today):
        return "overdue", gettext("Verification overdue")
    return {MeterStatus.ACTIVE: "done", MeterStatus.FAILED: "overdue"}.get(status, "closed"), status_label(status)


def passed_by_another(meter: Any, period: date) -> str:
    """Told to the second member of a household passing a meter's readings for a month the first one passed:
    «Анна Иванова уже передал(а) показания за ноябрь 2026: 123,456. …»."""
    shown = [(z, format_number(v, meter.decimals, fixed=True)) for z, v in sorted(meter.current.items())]
    values = "; ".join(v if meter.zones == 1 else f"{zone_label(meter.zones, z)}: {v}" for z, v in shown)
    return gettext(
        "%(name)s has already passed the readings for %(month)s: %(values)s. Nothing of yours is saved yet: to "
        "correct them, check your values and send them again.",
        name=meter.current_by_name or gettext("Another member of your household"),
        month=format_day(period, "LLLL y"),
        values=values,
    )
