"""Query conditions put together from optional parts: ``every`` and ``either`` join them, ``within`` and
``on_days`` are a list's range filters (a ``_from``/``_to`` pair, either end left open)."""

from __future__ import annotations

import operator
from collections.abc import Iterable
from datetime import date
from datetime import timedelta
from functools import reduce
from typing import Any

from portal.core import clock


def every(clauses: Iterable[Any]) -> Any:
    """The clauses joined with AND (None ones left out); None when there is none."""
    parts = [clause for clause in clauses if clause is not None]
    return reduce(operator.and_, parts) if parts else None


def either(clauses: Iterable[Any]) -> Any:
    """The clauses joined with OR (None ones left out); None when there is none."""
    parts = [clause for clause in clauses if clause is not None]
    return reduce(operator.or_, parts) if parts else None


def within(column: Any, low: Any, high: Any) -> Any:
    """``column >= low`` and ``column <= high``, each only when its end is given (None: open); None when both are
    open. The values are in the column's own terms (kopecks for a kopecks column)."""
    return every([column >= low if low is not None else None, column <= high if high is not None else None])


def on_days(column: Any, day_from: date | None, day_to: date | None) -> Any:
    """A moment column (timestamptz) from the start of ``day_from`` to the end of ``day_to``, both days in the
    company's zone: ``>=`` the first day's local midnight, ``<`` the local midnight after the last day. Either day
    may be None (open); None when both are."""
    return every(
        [
            column >= clock.day_start(day_from) if day_from is not None else None,
            column < clock.day_start(day_to + timedelta(days=1)) if day_to is not None else None,
        ]
    )
