"""The decisions of the mystery resident's checks as plain functions: the month a check is for and its window in the
company's zone, who is due a check, what a grade needs, which grades file a request, and a house's scorecard."""

from __future__ import annotations

from collections.abc import Iterable
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from datetime import datetime
from datetime import time
from decimal import ROUND_HALF_UP
from decimal import Decimal
from enum import StrEnum
from zoneinfo import ZoneInfo

from portal.core.i18n import LazyText
from portal.core.i18n import lazy
from portal.core.labels import Labels

SEATS = 5  # mystery residents of one house at a time
MAX_PHOTOS = 2  # photos of one month's check
MAX_COMMENT = 1000
LOW = 2  # a grade this low or lower needs a comment and files a request
REMIND_DAY = 20  # the day of the month the checkers who have not answered are reminded
TREND_MONTHS = 6


class Status(StrEnum):
    INVITED = "invited"
    ACTIVE = "active"
    DECLINED = "declined"
    STOPPED = "stopped"


LIVE = (Status.INVITED, Status.ACTIVE)


class Place(StrEnum):
    ENTRANCE = "entrance"
    YARD = "yard"
    STAFF = "staff"


@dataclass(frozen=True)
class Point:
    """A point of the monthly check: where, what is graded, and the request a low grade files (its category and
    the place of the house it is about)."""

    code: str
    place: Place
    title: LazyText
    category: str
    ticket_place: str


POINTS: tuple[Point, ...] = (
    Point("entrance_clean", Place.ENTRANCE, lazy("Cleanliness"), "other", "entrance"),
    Point("entrance_light", Place.ENTRANCE, lazy("Lighting"), "common_lighting", "entrance"),
    Point("lift", Place.ENTRANCE, lazy("Lift"), "lift_fault", "lift"),
    Point("yard_clean", Place.YARD, lazy("Cleaning of the grounds"), "other", "yard"),
    Point("garbage", Place.YARD, lazy("Waste collection"), "other", "yard"),
    Point("playground", Place.YARD, lazy("Children's playground"), "other", "yard"),
    Point("politeness", Place.STAFF, lazy("Politeness"), "written_appeal", "entrance"),
    Point("timeliness", Place.STAFF, lazy("Work done on time"), "written_appeal", "entrance"),
)
POINT_BY_CODE = {p.code: p for p in POINTS}

PLACE_LABELS = Labels({Place.ENTRANCE: lazy("Entrance"), Place.YARD: lazy("Yard"), Place.STAFF: lazy("Staff")})
STATUS_LABELS = Labels(
    {
        Status.INVITED: lazy("Invited"),
        Status.ACTIVE: lazy("Checking"),  # not "Checks": the trend table's column of how many (Проверок)
        Status.DECLINED: lazy("Declined"),
        Status.STOPPED: lazy("Stopped"),
    }
)


def by_place() -> list[tuple[Place, list[Point]]]:
    """The points grouped by place, in the form's order."""
    return [(place, [p for p in POINTS if p.place == place]) for place in Place]


def month_of(day: date) -> date:
    """The month a day belongs to, as its first day."""
    return day.replace(day=1)


def next_month(month: date) -> date:
    return date(month.year + (month.month == 12), month.month % 12 + 1, 1)


def add_months(month: date, count: int) -> date:
    n = month.year * 12 + month.month - 1 + count
    return date(n // 12, n % 12 + 1, 1)


def month_window(month: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """The moments a month's check may be submitted: from its first day's midnight to the next month's, in the
    company's zone (a check sent at 23:30 on the last day in Simferopol is that month's, whatever UTC says)."""
    start = datetime.combine(month_of(month), time(0), tzinfo=zone)
    return start, datetime.combine(next_month(month_of(month)), time(0), tzinfo=zone)


def last_months(month: date, count: int = TREND_MONTHS) -> list[date]:
    """``count`` months ending with ``month``, oldest first."""
    return [add_months(month_of(month), -n) for n in range(count - 1, -1, -1)]


def slot(checker_id: int, month: date) -> str:
    """The unique key of a checker's check of a month: one a month, whatever is pressed twice."""
    return f"{checker_id}:{month_of(month).isoformat()[:7]}"


def is_due(status: str, last_month: date | None, month: date) -> bool:
    """An active checker owes the month's check until they have submitted it; one invited, declined or stopped
    owes nothing."""
    return status == Status.ACTIVE and (last_month is None or last_month < month_of(month))


def remind_today(today: date) -> bool:
    """The reminder goes from the 20th of the month on (once a checker and month: the job runs again later)."""
    return today.day >= REMIND_DAY


def needs_comment(grade: int) -> bool:
    """A grade of 2 or lower says something is wrong: the checker says what, and a request is filed with it."""
    return grade <= LOW


def to_file(grades: dict[str, int]) -> list[str]:
    """The points whose grade files a request, in the form's order."""
    return [p.code for p in POINTS if p.code in grades and needs_comment(grades[p.code])]


def free_seat(taken: Iterable[int]) -> int | None:
    """The first of a house's seats (1 … ``SEATS``) not taken by a checker invited or active; None when full."""
    used = set(taken)
    return next((n for n in range(1, SEATS + 1) if n not in used), None)


def average(grades: Sequence[int]) -> Decimal | None:
    """The mean grade to a tenth (half up), None of nothing."""
    if not grades:
        return None
    return (Decimal(sum(grades)) / len(grades)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Scorecard:
    """A house's month: the mean of each point (None where nobody graded it), of every grade, and how many checks."""

    points: dict[str, Decimal | None]
    overall: Decimal | None
    checks: int


def scorecard(grades: Iterable[tuple[int, str, int]]) -> Scorecard:
    """The scorecard of ``grades`` given as (check, point, grade)."""
    by_point: dict[str, list[int]] = {p.code: [] for p in POINTS}
    every: list[int] = []
    checks: set[int] = set()
    for check, point, grade in grades:
        checks.add(check)
        every.append(grade)
        by_point.setdefault(point, []).append(grade)
    return Scorecard({code: average(g) for code, g in by_point.items()}, average(every), len(checks))
