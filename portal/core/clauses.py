"""Query conditions put together from optional parts."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any


def every(clauses: Iterable[Any]) -> Any:
    """The clauses joined with AND (None ones left out); None when there is none."""
    combined = None
    for clause in clauses:
        if clause is not None:
            combined = clause if combined is None else combined & clause
    return combined
