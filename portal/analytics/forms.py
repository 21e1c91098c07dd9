"""Query parameters of the analytics pages → typed filters (through ``core.parse``; anything malformed is
dropped, never an error). No I/O."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from portal.core.parse import parse_id, parse_month


@dataclass(frozen=True)
class DashboardFilter:
    start: date | None = None
    end: date | None = None
    complex_id: int | None = None
    house_id: int | None = None


def dashboard_filter(params: Mapping[str, Any]) -> DashboardFilter:
    """``?start=2026-01&end=2026-12&complex=3&house=12`` (each optional)."""
    return DashboardFilter(
        start=parse_month(params.get("start")),
        end=parse_month(params.get("end")),
        complex_id=parse_id(params.get("complex")),
        house_id=parse_id(params.get("house")),
    )
