"""Small helpers for values as queries use and return them: dates the engines give back as text, long id
lists read in bounded chunks (each an indexed ``IN``), the placeholders of a raw ``IN`` list."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC
from datetime import date
from datetime import datetime
from typing import Any
from typing import TypeVar
from typing import overload

T = TypeVar("T")

CHUNK = 500


@overload
def as_date(value: None) -> None: ...


@overload
def as_date(value: date | str) -> date: ...


def as_date(value: date | str | None) -> date | None:
    """A date column's value as a date: SQLite returns the result of ``MAX``/``MIN`` (and raw SQL) as ISO text."""
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def as_moment(value: datetime | str | None) -> datetime | None:
    """A timestamp column's value as a timezone-aware moment: SQLite gives raw SQL's back as text, or naive in UTC."""
    if value is None:
        return None
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def chunks(items: Sequence[T], size: int = CHUNK) -> list[list[T]]:
    """``items`` in lists of at most ``size``, in order (an ``IN`` of each stays within the engines' limits)."""
    return [list(items[start : start + size]) for start in range(0, len(items), size)]


def placeholders(values: Sequence[Any]) -> str:
    """``{}, {}, {}``: one placeholder of raw SQL per value (``IN ({placeholders(ids)})``, the values as parameters)."""
    return ", ".join("{}" for _ in values)
