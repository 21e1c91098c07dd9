"""Query conditions put together from optional parts: ``every`` and ``either`` join them, ``within`` and
``on_days`` are a list's range filters (a ``_from``/``_to`` pair, either end left open)."""

from __future__ import annotations

import operator
from collections.abc import Callable
from collections.abc import Iterable
from datetime import date
from datetime import timedelta
from typing import Any

from portal.core import clock


def every(clauses: Iterable[Any]) -> Any:
    """The clauses joined with AND (None ones left out); None when there is none."""
    return _joined(operator.and_, [clause for clause in clauses if clause is not None])


def either(clauses: Iterable[Any]) -> Any:
    """The clauses joined with OR (None ones left out); None when there is none."""
    return _joined(operator.or_, [clause for clause in clauses if clause is not None])


def _joined(join: Callable[[Any, Any], Any], parts: list[Any]) -> Any:
    """The parts joined pairwise, halves first: a few hundred clauses nest some ten brackets deep, not hundreds
    (SQLite's parser overflows on a chain of five hundred)."""
    if len(parts) < 2:
        return parts[0] if parts else None
    half = len(parts) // 2
    return join(_joined(join, parts[:half]), _joined(join, parts[half:]))


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
