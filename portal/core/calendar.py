"""The Russian production calendar (производственный календарь), once for every deadline in working days.

Weekends, public holidays, days off moved by the Government's decrees and working Saturdays (01.11.2025,
28.12.2024, …) all come from the ``holidays`` package's RU calendar, which carries the transfers.
"""

from __future__ import annotations

from datetime import date
from datetime import timedelta
from functools import lru_cache

import holidays


@lru_cache(maxsize=64)
def _year(year: int) -> holidays.HolidayBase:
    return holidays.country_holidays("RU", years=year)


def is_working_day(day: date) -> bool:
    """A working day of the production calendar."""
    return bool(_year(day.year).is_working_day(day))


def is_holiday(day: date) -> bool:
    """A public holiday (нерабочий праздничный день) of the production calendar, whatever the day of the week."""
    return day in _year(day.year)


def next_working_day(day: date) -> date:
    """``day`` itself when it is a working day, else the first working day after it (ГК ст. 193)."""
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def add_working_days(start: date, count: int) -> date:
    """The ``count``-th working day after ``start`` (the day of the event itself does not count, ГК ст. 191)."""
    day = start
    left = count
    while left > 0:
        day += timedelta(days=1)
        if is_working_day(day):
            left -= 1
    return day
