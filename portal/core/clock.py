"""The one clock of the portal: aware UTC moments for storage, the company's local date for people and deadlines.

Rules never call the clock: they take ``now``/``today`` as arguments, so tests pass fixed times. Only actions,
queries that need "now" and handlers read it here.
"""

from __future__ import annotations

from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import time
from zoneinfo import ZoneInfo

from portal.settings import get_settings


def zone() -> ZoneInfo:
    """The company's time zone (setting ``TIME_ZONE``)."""
    return ZoneInfo(get_settings().time_zone)


def now() -> datetime:
    """This moment, aware, in UTC."""
    return datetime.now(UTC)


def local(moment: datetime) -> datetime:
    """An aware moment in the company's zone."""
    return moment.astimezone(zone())


def day_start(day: date) -> datetime:
    """The moment ``day`` begins in the company's zone, aware (1 March in Simferopol: 28 February, 21:00 UTC)."""
    return datetime.combine(day, time.min, tzinfo=zone())


def years_after(day: date, years: int) -> date:
    """The same date ``years`` later (earlier, for a negative number); 29 February gives the 28th in a year without
    it (ГК ст. 192 п. 3: a term in years ends on that date of its last year, on the month's last day where the date
    is missing). A keeping term in years counts with it."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def today_local() -> date:
    """Today's date in the company's zone (what «до 25 ноября» and deadlines count from)."""
    return datetime.now(zone()).date()
