"""The forms of the mystery resident read into typed values with their errors (no I/O)."""

from __future__ import annotations

from collections.abc import Collection
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from portal.core.i18n import gettext
from portal.core.parse import parse_id
from portal.core.parse import parse_int
from portal.core.parse import parse_month
from portal.core.web import FormErrors
from portal.core.web import among
from portal.core.web import form_value
from portal.mystery import rules


@dataclass(frozen=True)
class Graded:
    """A month's report as typed: each point's grade and comment, the report's comment."""

    grades: dict[str, int]
    comments: dict[str, str]
    comment: str


def fields() -> list[str]:
    """The report form's fields, top to bottom (the error summary's order)."""
    return [name for p in rules.POINTS for name in (f"grade_{p.code}", f"comment_{p.code}")] + ["comment", "photos"]


def typed(data: Mapping[str, Any]) -> dict[str, str]:
    """What was typed, to show the form again after a mistake."""
    return {name: form_value(data, name) for name in fields() if name != "photos"}


def read_report(data: Mapping[str, Any], photos: int) -> tuple[Graded | None, FormErrors]:
    """Every point graded 1–5; a grade of 2 or lower with a comment saying what is wrong (the request is filed with
    it); at most ``rules.MAX_PHOTOS`` photos and ``rules.MAX_COMMENT`` characters a comment."""
    errors = FormErrors()
    grades: dict[str, int] = {}
    comments: dict[str, str] = {}
    for point in rules.POINTS:
        grade = parse_int(form_value(data, f"grade_{point.code}"), low=1, high=5)
        comment = form_value(data, f"comment_{point.code}").strip()
        title = point.title()
        if grade is None:
            errors.add(f"grade_{point.code}", gettext("Choose a grade from 1 to 5."), title)
        else:
            grades[point.code] = grade
            if rules.needs_comment(grade) and not comment:
                errors.add(
                    f"comment_{point.code}",
                    gettext("Say what is wrong: a request to dispatch is filed with these words."),
                    title,
                )
        if len(comment) > rules.MAX_COMMENT:
            errors.add(f"comment_{point.code}", gettext("At most %(count)s characters.", count=rules.MAX_COMMENT))
        comments[point.code] = comment
    comment = form_value(data, "comment").strip()
    if len(comment) > rules.MAX_COMMENT:
        errors.add("comment", gettext("At most %(count)s characters.", count=rules.MAX_COMMENT))
    if photos > rules.MAX_PHOTOS:
        errors.add("photos", gettext("At most %(count)s photos.", count=rules.MAX_PHOTOS))
    errors.order(fields())
    if errors:
        return None, errors
    return Graded(grades, comments, comment), errors


def read_invite(data: Mapping[str, Any], house_ids: Sequence[int]) -> tuple[tuple[int, int] | None, FormErrors]:
    """The house (one of the staff member's) and the resident to invite."""
    errors = FormErrors()
    house_id = among(parse_id(form_value(data, "house")), house_ids)
    if house_id is None:
        errors.add("house", gettext("Choose the house."))
    user_id = parse_id(form_value(data, "resident"))
    if user_id is None:
        errors.add("resident", gettext("Choose a resident of the house."))
    if errors or house_id is None or user_id is None:
        return None, errors
    return (house_id, user_id), errors


def read_filters(
    query: Mapping[str, Any], house_ids: Sequence[int], months: Sequence[date], checked: Collection[int] = ()
) -> tuple[int | None, date]:
    """The scorecard's house and month. The house asked, else the first of the staff member's that has a checker
    (``checked``: a card to read, not the empty one of the first house by address), else their first; the month
    asked among those offered, else this month."""
    house_id = among(parse_id(form_value(query, "house")), house_ids)
    if house_id is None:
        house_id = next((h for h in house_ids if h in checked), house_ids[0] if house_ids else None)
    return house_id, among(parse_month(form_value(query, "month")), months) or months[-1]
