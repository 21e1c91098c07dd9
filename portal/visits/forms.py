"""The forms of visits to the client centre read into typed values with their errors (no I/O): the booking (centre,
purpose, day, time, comment) and the staff's cancellation with its reason."""

from __future__ import annotations

from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from datetime import datetime
from datetime import time
from typing import Any
from zoneinfo import ZoneInfo

from portal.core.i18n import gettext
from portal.core.parse import parse_date
from portal.core.parse import parse_id
from portal.core.web import FormErrors
from portal.core.web import among
from portal.core.web import form_value
from portal.visits import rules
from portal.visits.rules import Purpose

FIELDS = ("visitor", "centre", "purpose", "day", "time", "comment")


@dataclass(frozen=True)
class Booking:
    centre_id: int
    purpose: Purpose
    starts_at: datetime
    comment: str


def typed(data: Mapping[str, Any]) -> dict[str, str]:
    """What was typed, to show the form again after a mistake or a lost race."""
    return {name: form_value(data, name) for name in FIELDS}


def read_time(value: str) -> time | None:
    """«10:30» as typed in the time's radio."""
    value = value.strip()
    if len(value) != 5 or value[2] != ":" or not (value[:2] + value[3:]).isdigit():
        return None
    try:
        return time(int(value[:2]), int(value[3:]))
    except ValueError:
        return None


def read_day(value: str) -> date | None:
    return parse_date(value)


def read_booking(
    data: Mapping[str, Any], centre_ids: Sequence[int], zone: ZoneInfo
) -> tuple[Booking | None, FormErrors]:
    """A centre of the resident's, a purpose, a day and a time, an optional comment of at most 500 characters.
    Whether the time is free is the action's to say."""
    errors = FormErrors()
    centre_id = among(parse_id(form_value(data, "centre")), centre_ids)
    if centre_id is None and len(centre_ids) == 1:
        centre_id = centre_ids[0]
    if centre_id is None:
        errors.add("centre", gettext("Choose the client centre."))
    purpose = among(form_value(data, "purpose"), [str(p) for p in Purpose])
    if purpose is None:
        errors.add("purpose", gettext("Choose what the visit is about."))
    day = read_day(form_value(data, "day"))
    if day is None:
        errors.add("day", gettext("Choose a day."))
    at = read_time(form_value(data, "time"))
    if at is None:
        errors.add("time", gettext("Choose a time."))
    comment = form_value(data, "comment").strip()
    if len(comment) > rules.MAX_COMMENT:
        errors.add("comment", gettext("At most %(count)s characters.", count=rules.MAX_COMMENT))
    errors.order(FIELDS)
    if errors or centre_id is None or purpose is None or day is None or at is None:
        return None, errors
    return Booking(centre_id, Purpose(purpose), datetime.combine(day, at, tzinfo=zone), comment), errors


def read_visitor(data: Mapping[str, Any], visitor_ids: Sequence[int]) -> tuple[int | None, FormErrors]:
    """The person of the account staff book a visit for (one of ``visitor_ids``; the only one when there is one)."""
    errors = FormErrors()
    visitor = among(parse_id(form_value(data, "visitor")), visitor_ids)
    if visitor is None and len(visitor_ids) == 1:
        visitor = visitor_ids[0]
    if visitor is None:
        errors.add("visitor", gettext("Choose who comes."))
    return visitor, errors


def read_booking_for(
    data: Mapping[str, Any], visitor_ids: Sequence[int], centre_id: int, zone: ZoneInfo
) -> tuple[int | None, Booking | None, FormErrors]:
    """The call centre's booking for a caller: who comes (a person of the account), then the booking itself."""
    visitor, errors = read_visitor(data, visitor_ids)
    booking, more = read_booking(data, [centre_id], zone)
    for name, message in more.fields.items():
        errors.add(name, message)
    errors.order(FIELDS)
    return visitor, booking, errors


def read_reason(data: Mapping[str, Any]) -> tuple[str | None, FormErrors]:
    """The reason staff cancel a visit for: required (the resident is told it), at most 500 characters."""
    errors = FormErrors()
    reason = form_value(data, "reason").strip()
    if not reason:
        errors.add("reason", gettext("Say why the visit is cancelled: the resident is told."))
    elif len(reason) > rules.MAX_COMMENT:
        errors.add("reason", gettext("At most %(count)s characters.", count=rules.MAX_COMMENT))
    return (None if errors else reason), errors
