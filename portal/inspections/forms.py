"""The forms of inspection rounds read into typed values with their errors (no I/O)."""

from __future__ import annotations

from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from portal.core.i18n import gettext
from portal.core.parse import parse_date
from portal.core.parse import parse_id
from portal.core.parse import parse_int
from portal.core.web import FormErrors
from portal.core.web import among
from portal.core.web import form_value
from portal.core.web import no_such_choice
from portal.core.web import no_such_house
from portal.core.web import not_a_day
from portal.core.web import read_range
from portal.core.web import shown_days
from portal.core.web import unread_filters
from portal.inspections import rules
from portal.inspections.queries import Filters
from portal.inspections.rules import RoundKind
from portal.inspections.rules import Verdict
from portal.tickets.rules import CATEGORY_BY_CODE


@dataclass(frozen=True)
class NewRound:
    house_id: int
    kind: RoundKind


@dataclass(frozen=True)
class Answer:
    verdict: Verdict
    comment: str
    entrance_id: int | None
    floor: int | None
    no_request: bool


def read_filters(query: Mapping[str, Any], house_ids: Sequence[int]) -> tuple[Filters, dict[str, str], FormErrors]:
    """The list's filters from its address, the filters as typed (a date read as its date field holds it) and a
    message at each it could not read, a period that ends before it starts (``core.web.unread_filters``): the list
    is shown without those, and says so."""
    kinds = [str(k) for k in rules.RoundKind]
    days = read_range(query, "from", "to", parse_date)
    chosen = Filters(
        house_id=among(parse_id(form_value(query, "house")), house_ids),
        kind=among(form_value(query, "kind"), kinds) or "",
        day_from=days.start,
        day_to=days.end,
    )
    day = not_a_day()
    typed, problems = unread_filters(
        query,
        {
            "house": (chosen.house_id, gettext("House"), no_such_house()),
            "kind": (chosen.kind or None, gettext("Kind of inspection"), no_such_choice(query, "kind")),
            "from": (days.low, gettext("Started from"), day),
            "to": (days.high, gettext("Started to"), day),
        },
        [("from", "to")],
    )
    return chosen, typed | shown_days(typed, {"from": days.low, "to": days.high}), problems


def read_new_round(data: Mapping[str, Any], house_ids: Sequence[int]) -> tuple[NewRound | None, FormErrors]:
    """The house (one of the user's) and the kind of a round to start."""
    errors = FormErrors()
    house_id = parse_id(form_value(data, "house"))
    if house_id not in house_ids:
        errors.add("house", gettext("Choose the house."))
    kind = form_value(data, "kind")
    if kind not in RoundKind.__members__.values():
        errors.add("kind", gettext("Choose the kind of inspection."))
    if errors or house_id is None:
        return None, errors
    return NewRound(house_id, RoundKind(kind)), errors


def read_answer(
    data: Mapping[str, Any], entrance_ids: Sequence[int], photos: int, photos_kept: int
) -> tuple[Answer | None, FormErrors]:
    """A point's answer: «в порядке» or a remark (its comment required), where (entrance, floor) and whether it was
    fixed on the spot; ``photos`` chosen now, ``photos_kept`` from before: at most ``rules.MAX_PHOTOS`` in all."""
    errors = FormErrors()
    verdict = form_value(data, "verdict")
    if verdict not in Verdict.__members__.values():
        errors.add("verdict", gettext("Choose “In order” or “Remark”."))
    comment = form_value(data, "comment").strip()
    if verdict == Verdict.REMARK and not comment:
        errors.add("comment", gettext("Say what is wrong: the request is filed with these words."))
    if len(comment) > rules.MAX_COMMENT:
        errors.add("comment", gettext("At most %(count)s characters.", count=rules.MAX_COMMENT))
    entrance_id = parse_id(form_value(data, "entrance")) if form_value(data, "entrance") else None
    if form_value(data, "entrance") and entrance_id not in entrance_ids:
        errors.add("entrance", gettext("Choose an entrance of the house."))
    typed_floor = form_value(data, "floor").strip()
    floor = parse_int(typed_floor, low=-5, high=200) if typed_floor else None
    if typed_floor and floor is None:
        errors.add("floor", gettext("Enter the floor as a number."))
    if photos + photos_kept > rules.MAX_PHOTOS:
        errors.add("photos", gettext("At most %(count)s photos for a point.", count=rules.MAX_PHOTOS))
    if errors:
        return None, errors
    remark = verdict == Verdict.REMARK
    return (
        Answer(
            Verdict(verdict),
            comment,
            entrance_id,
            floor,
            no_request=remark and form_value(data, "no_request") == "1",
        ),
        errors,
    )


def read_point(data: Mapping[str, Any]) -> tuple[dict[str, Any], FormErrors]:
    """A point of the checklist as the administrator types it: the values to write (column → value) and errors."""
    errors = FormErrors()
    title = form_value(data, "title").strip()
    if not title:
        errors.add("title", gettext("Enter what is checked at this point."))
    elif len(title) > 200:
        errors.add("title", gettext("At most %(count)s characters.", count=200))
    place = form_value(data, "place")
    if place not in rules.Place.__members__.values():
        errors.add("place", gettext("Choose the place."))
    category = form_value(data, "category")
    if category not in CATEGORY_BY_CODE:
        errors.add("category", gettext("Choose the category of the request."))
    typed_position = form_value(data, "position").strip() or "0"
    position = parse_int(typed_position, low=0, high=9999)
    if position is None:
        errors.add("position", gettext("Enter the position as a whole number from 0 to 9999."))
    values = {"title": title, "place": place, "category": category, "position": position or 0}
    return values | {"active": form_value(data, "active") == "1"}, errors
