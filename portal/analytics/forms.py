"""Query parameters of the analytics pages → typed filters (through ``core.parse``; anything malformed is
dropped, never an error). No I/O."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from portal.analytics import rules
from portal.core.i18n import gettext
from portal.core.parse import parse_id, parse_int, parse_month
from portal.core.web import FormErrors, form_value


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


@dataclass(frozen=True)
class NpsDraft:
    score: int
    comment: str


def read_nps(data: Mapping[str, Any]) -> tuple[NpsDraft | None, FormErrors]:
    """The 0–10 score (required) and the free-text why (optional, at most ``rules.COMMENT_MAX`` characters)."""
    errors = FormErrors()
    score = parse_int(form_value(data, "score"), low=0, high=10)
    comment = form_value(data, "comment").strip()
    if score is None:
        errors.add("score", gettext("Choose a score from 0 to 10."))
    if len(comment) > rules.COMMENT_MAX:
        errors.add("comment", gettext("The comment is too long: at most %(n)s characters.", n=rules.COMMENT_MAX))
    if errors or score is None:
        return None, errors
    return NpsDraft(score, comment), errors


def complex_choice(data: Mapping[str, Any]) -> int | None:
    return parse_id(form_value(data, "complex"))
