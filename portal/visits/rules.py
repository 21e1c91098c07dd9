"""The decisions of visits to the client centre as plain functions: a centre's hours on a day (the production
calendar's holidays closed, a shortened pre-holiday day an hour shorter, lunch left out), its free slots for the next
two weeks from two hours ahead, the seat a booking takes, whether a visit may still be cancelled, how many upcoming
visits a person may hold, and what to bring for each purpose."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta
from decimal import ROUND_HALF_UP
from decimal import Decimal
from enum import StrEnum
from zoneinfo import ZoneInfo

from portal.core import calendar
from portal.core.i18n import lazy
from portal.core.labels import Labels

DAYS_AHEAD = 14  # the days offered: today and the 13 after it
LEAD = timedelta(hours=2)  # the earliest slot offered starts two hours from now
CANCEL_BEFORE = timedelta(hours=1)  # a resident cancels until an hour before the start
UPCOMING_LIMIT = 2  # upcoming visits one person holds at once
MAX_COMMENT = 500
MAX_CALLER_NAME = 200  # a caller's name as the visit keeps it (``Visit.caller_name``)
REMIND_BEFORE = timedelta(hours=24)  # the reminder comes a day before the visit
RATINGS_OVER = timedelta(days=30)  # the centre's day page shows the marks of the last 30 days
SHORTENED_BY = timedelta(hours=1)  # a pre-holiday working day is an hour shorter (ТК РФ ст. 95)


class Purpose(StrEnum):
    KEYS = "keys"
    CONTRACT = "contract"
    PERSONAL_DATA = "personal_data"
    CHARGES = "charges"
    DEFECTS = "defects"
    OTHER = "other"


class Status(StrEnum):
    BOOKED = "booked"
    ATTENDED = "attended"
    NO_SHOW = "no_show"
    CANCELLED = "cancelled"


PURPOSE_LABELS = Labels(
    {
        Purpose.KEYS: lazy("Keys and access (key fobs, common areas)"),
        Purpose.CONTRACT: lazy("Management contract and documents"),
        Purpose.PERSONAL_DATA: lazy("Personal data and registration in the portal"),
        Purpose.CHARGES: lazy("Charges and payment"),
        Purpose.DEFECTS: lazy("Remarks about the flat (developer's warranty)"),
        Purpose.OTHER: lazy("Other"),
    }
)

# What to bring, per purpose: told on the confirmation, so that nobody comes twice for a forgotten paper.
BRING = Labels(
    {
        Purpose.KEYS: lazy(
            "Your passport and the act of acceptance of the flat; for a fob for a family member, their name."
        ),
        Purpose.CONTRACT: lazy("Your passport and the certificate of ownership (or the extract from the register)."),
        Purpose.PERSONAL_DATA: lazy("Your passport; the phone and e-mail you want the portal to use."),
        Purpose.CHARGES: lazy(
            "Your passport, the account number and the receipts or payment confirmations in question."
        ),
        Purpose.DEFECTS: lazy(
            "Your passport, the act of acceptance and photos of the defects (on your phone is enough)."
        ),
        Purpose.OTHER: lazy("Your passport and the papers your question is about."),
    }
)

STATUS_LABELS = Labels(
    {
        Status.BOOKED: lazy("Booked"),
        Status.ATTENDED: lazy("Came"),
        Status.NO_SHOW: lazy("Did not come"),
        Status.CANCELLED: lazy("Cancelled"),
    }
)


@dataclass(frozen=True)
class Hours:
    """A centre's week: working days from/to, an optional lunch break, optional Saturday hours; the slot length
    and how many desks receive at once."""

    weekday_from: time
    weekday_to: time
    lunch_from: time | None = None
    lunch_to: time | None = None
    saturday_from: time | None = None
    saturday_to: time | None = None
    slot_minutes: int = 30
    desks: int = 1


@dataclass(frozen=True)
class Slot:
    starts_at: datetime
    ends_at: datetime
    free: int  # desks free at that time


def is_shortened(day: date) -> bool:
    """A working day followed by a public holiday is an hour shorter (ТК РФ ст. 95)."""
    return calendar.is_working_day(day) and calendar.is_holiday(day + timedelta(days=1))


def open_hours(hours: Hours, day: date) -> tuple[time, time] | None:
    """When the centre receives on ``day``: the weekday hours on a working day of the production calendar (a
    working Saturday too), the Saturday hours on an ordinary Saturday, nothing on Sundays and holidays; a
    pre-holiday day ends an hour earlier."""
    if calendar.is_working_day(day):
        start, end = hours.weekday_from, hours.weekday_to
    elif day.weekday() == 5 and not calendar.is_holiday(day) and hours.saturday_from and hours.saturday_to:
        start, end = hours.saturday_from, hours.saturday_to
    else:
        return None
    if is_shortened(day):
        end = (datetime.combine(day, end) - SHORTENED_BY).time()
    return (start, end) if start < end else None


def day_slots(hours: Hours, day: date, zone: ZoneInfo) -> list[tuple[datetime, datetime]]:
    """The slots of a day, start and end in the company's zone, none overlapping the weekdays' lunch break nor
    running past closing."""
    opened = open_hours(hours, day)
    if opened is None:
        return []
    step = timedelta(minutes=max(5, hours.slot_minutes))
    at = datetime.combine(day, opened[0], tzinfo=zone)
    close = datetime.combine(day, opened[1], tzinfo=zone)
    lunch = None  # on the weekday hours only: a Saturday's short morning has no break
    if hours.lunch_from and hours.lunch_to and hours.lunch_from < hours.lunch_to and calendar.is_working_day(day):
        lunch = (
            datetime.combine(day, hours.lunch_from, tzinfo=zone),
            datetime.combine(day, hours.lunch_to, tzinfo=zone),
        )
    out: list[tuple[datetime, datetime]] = []
    while at + step <= close:
        end = at + step
        if lunch and at < lunch[1] and end > lunch[0]:
            at = max(lunch[1], end)
            continue
        out.append((at, end))
        at = end
    return out


def window(now: datetime, zone: ZoneInfo) -> tuple[date, date]:
    """The first and last day offered: today and the 13 days after it, in the company's zone."""
    today = now.astimezone(zone).date()
    return today, today + timedelta(days=DAYS_AHEAD - 1)


def free_slots(
    hours: Hours, now: datetime, zone: ZoneInfo, taken: Mapping[datetime, int], *, day: date | None = None
) -> list[Slot]:
    """The slots with a free desk from two hours ahead over the next 14 days (or of one ``day`` of them), given
    how many desks each start has taken (``taken``: start → count, any zone)."""
    first, last = window(now, zone)
    used = {t.astimezone(zone): n for t, n in taken.items()}
    earliest = now + LEAD
    out: list[Slot] = []
    d = first
    while d <= last:
        if day is None or d == day:
            for start, end in day_slots(hours, d, zone):
                free = hours.desks - used.get(start, 0)
                if start >= earliest and free > 0:
                    out.append(Slot(start, end, free))
        d += timedelta(days=1)
    return out


def days_of(slots: Iterable[Slot], zone: ZoneInfo) -> list[date]:
    """The days that have a free slot, in order."""
    return sorted({s.starts_at.astimezone(zone).date() for s in slots})


def desks_free(desks: int, taken: Iterable[int]) -> list[int]:
    """The desks (1 … ``desks``) not taken at a time, in order: a booking tries them one by one."""
    used = set(taken)
    return [n for n in range(1, desks + 1) if n not in used]


def seat(centre_id: int, starts_at: datetime, desk: int) -> str:
    """The unique key of one desk at one time of a centre: two bookings of it cannot both be written."""
    return f"{centre_id}:{starts_at.astimezone(ZoneInfo('UTC')).strftime('%Y%m%dT%H%M')}:{desk}"


def may_cancel(status: str, starts_at: datetime, now: datetime) -> bool:
    """A booked visit is cancelled by its resident until an hour before it starts."""
    return status == Status.BOOKED and now <= starts_at - CANCEL_BEFORE


def reminder_due(starts_at: datetime, booked_at: datetime, now: datetime) -> bool:
    """Whether a booked visit's reminder goes now: from a day before it until it may no longer be cancelled (an hour
    before), for a visit booked more than a day ahead (one booked later has just had its confirmation)."""
    remind_at = starts_at - REMIND_BEFORE
    return booked_at <= remind_at <= now < starts_at - CANCEL_BEFORE


def may_mark(came: bool, starts_at: datetime, now: datetime) -> bool:
    """Staff mark a visit attended from an hour before it (people come early), missed once it has started."""
    return now >= (starts_at - CANCEL_BEFORE if came else starts_at)


def may_rate(status: str, rating: int | None) -> bool:
    """A resident rates a visit they came to, once."""
    return status == Status.ATTENDED and rating is None


def mean_mark(total: int, count: int) -> Decimal:
    """The mean of ``count`` marks adding up to ``total``, to a tenth (half up: 4.25 is 4.3)."""
    return (Decimal(total) / Decimal(count)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def may_book_more(upcoming: int) -> bool:
    """A person holds at most two upcoming visits."""
    return upcoming < UPCOMING_LIMIT


def is_upcoming(status: str, starts_at: datetime, now: datetime) -> bool:
    return status == Status.BOOKED and starts_at > now


def parse_hhmm(value: str | None) -> time | None:
    """A stored «09:00», or None for an empty one."""
    if not value:
        return None
    try:
        return time.fromisoformat(value)
    except ValueError:
        return None


# --- a centre's settings ------------------------------------------------------------------------------------------

SLOT_MINUTES = (10, 60)  # the shortest and the longest slot a centre may set
DESKS = (1, 10)  # desks receiving at once


def hours_problems(hours: Hours) -> list[tuple[str, str]]:
    """What is wrong with a centre's week, as (field, code): the day opens before it closes (``order``), a lunch is
    both ends or none (``pair``), lies inside the working day and ends after it starts (``inside``, ``order``),
    Saturday is both ends or none (closed) and opens before it closes; the slot length and the desks within bounds
    (``bounds``)."""
    out: list[tuple[str, str]] = []
    if hours.weekday_from >= hours.weekday_to:
        out.append(("weekday_to", "order"))
    if (hours.lunch_from is None) != (hours.lunch_to is None):
        out.append(("lunch_to" if hours.lunch_to is None else "lunch_from", "pair"))
    elif hours.lunch_from is not None and hours.lunch_to is not None:
        if hours.lunch_from >= hours.lunch_to:
            out.append(("lunch_to", "order"))
        elif hours.lunch_from <= hours.weekday_from or hours.lunch_to >= hours.weekday_to:
            out.append(("lunch_from", "inside"))
    if (hours.saturday_from is None) != (hours.saturday_to is None):
        out.append(("saturday_to" if hours.saturday_to is None else "saturday_from", "pair"))
    elif hours.saturday_from is not None and hours.saturday_to is not None and hours.saturday_from >= hours.saturday_to:
        out.append(("saturday_to", "order"))
    return out + number_problems(hours.slot_minutes, hours.desks)


def number_problems(slot_minutes: int, desks: int) -> list[tuple[str, str]]:
    """The slot's minutes and the desks out of their bounds, as (field, ``bounds``)."""
    limits = (("slot_minutes", slot_minutes, SLOT_MINUTES), ("desks", desks, DESKS))
    return [(name, "bounds") for name, value, (low, high) in limits if not low <= value <= high]


def outside_hours(hours: Hours, starts_at: datetime, ends_at: datetime, zone: ZoneInfo) -> bool:
    """Whether a booked visit's time is no slot of the centre's week any more (its hours, lunch or slot changed)."""
    day = starts_at.astimezone(zone).date()
    wanted = (starts_at.astimezone(zone), ends_at.astimezone(zone))
    return wanted not in set(day_slots(hours, day, zone))


def not_fitting(hours: Hours, visits: Iterable[tuple[datetime, datetime]], zone: ZoneInfo) -> int:
    """How many booked visits (start, end) the centre's new week no longer holds: those at a time that is no slot any
    more, and at a slot still open those beyond its number of desks (the later-booked ones have no desk left)."""
    at_slot: Counter[datetime] = Counter()
    outside = 0
    for starts_at, ends_at in visits:
        if outside_hours(hours, starts_at, ends_at, zone):
            outside += 1
        else:
            at_slot[starts_at] += 1
    return outside + sum(max(0, n - hours.desks) for n in at_slot.values())
