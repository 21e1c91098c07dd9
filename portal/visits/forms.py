"""The forms of visits to the client centre read into typed values with their errors (no I/O): the booking (centre,
purpose, day, time, comment), who comes when the call centre books (a person of the account, or a caller without a
sign-in: name and phone) and the staff's cancellation with its reason."""

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
from portal.housing.rules import Problem
from portal.housing.rules import message
from portal.housing.rules import parse_phone
from portal.visits import rules
from portal.visits.rules import Purpose

FIELDS = ("visitor", "caller_name", "caller_phone", "centre", "purpose", "day", "time", "comment")
CALLER = "caller"  # who comes: a caller without a sign-in (the radio's value)


@dataclass(frozen=True)
class Booking:
    centre_id: int
    purpose: Purpose
    starts_at: datetime
    comment: str


@dataclass(frozen=True)
class Caller:
    """A caller without a sign-in the call centre books: their name and mobile phone (+7XXXXXXXXXX), told by SMS."""

    name: str
    phone: str


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


def _one_of(data: Mapping[str, Any], name: str, ids: Sequence[int]) -> int | None:
    """The id posted as ``name`` if it is one of ``ids``; the only one of ``ids`` when there is one, posted or not."""
    chosen = among(parse_id(form_value(data, name)), ids)
    return ids[0] if chosen is None and len(ids) == 1 else chosen


def read_booking(
    data: Mapping[str, Any], centre_ids: Sequence[int], zone: ZoneInfo
) -> tuple[Booking | None, FormErrors]:
    """A centre of the resident's, a purpose, a day and a time, an optional comment of at most 500 characters.
    Whether the time is free is the action's to say."""
    errors = FormErrors()
    centre_id = _one_of(data, "centre", centre_ids)
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


def read_visitor(data: Mapping[str, Any], visitor_ids: Sequence[int]) -> tuple[int | Caller | None, FormErrors]:
    """Who comes, as staff book a visit: a person of the account (one of ``visitor_ids``), or a caller without a
    sign-in (``CALLER``, and always where the account has nobody who signs in) with their name and phone."""
    errors = FormErrors()
    if form_value(data, "visitor") == CALLER or not visitor_ids:
        return _caller(data, errors), errors
    visitor = _one_of(data, "visitor", visitor_ids)
    if visitor is None:
        errors.add("visitor", gettext("Choose who comes."))
    return visitor, errors


def _caller(data: Mapping[str, Any], errors: FormErrors) -> Caller | None:
    name = " ".join(form_value(data, "caller_name").split())
    if not name:
        errors.add("caller_name", gettext("Give the caller's name: the centre greets them by it."))
    elif len(name) > rules.MAX_CALLER_NAME:
        errors.add("caller_name", gettext("At most %(count)s characters.", count=rules.MAX_CALLER_NAME))
    phone = parse_phone(form_value(data, "caller_phone"))
    if isinstance(phone, Problem):
        errors.add("caller_phone", message(phone))
    elif not phone:
        errors.add("caller_phone", gettext("Give the caller's mobile phone: the visit is confirmed to it by SMS."))
    if errors or isinstance(phone, Problem):
        return None
    return Caller(name, phone)


def read_booking_for(
    data: Mapping[str, Any], visitor_ids: Sequence[int], centre_id: int, zone: ZoneInfo
) -> tuple[int | Caller | None, Booking | None, FormErrors]:
    """The call centre's booking for a caller: who comes (a person of the account, or a caller without a sign-in),
    then the booking itself."""
    visitor, errors = read_visitor(data, visitor_ids)
    booking, more = read_booking(data, [centre_id], zone)
    for name, said in more.fields.items():
        errors.add(name, said)
    errors.order(FIELDS)
    return visitor, booking, errors


CENTRE_FIELDS = (
    "name", "address", "weekday_from", "weekday_to", "lunch_from", "lunch_to", "saturday_from", "saturday_to",
    "slot_minutes", "desks",
)  # fmt: skip
_TIMES = ("weekday_from", "weekday_to", "lunch_from", "lunch_to", "saturday_from", "saturday_to")


def typed_centre(data: Mapping[str, Any]) -> dict[str, str]:
    return {name: form_value(data, name).strip() for name in CENTRE_FIELDS}


def _problem(field: str, code: str) -> str:
    if code == "order":
        return gettext("The end is to be later than the start.")
    if code == "pair":
        return gettext("Give both the start and the end, or leave both empty.")
    if code == "inside":
        return gettext("The lunch break is to lie inside the working day.")
    if field == "slot_minutes":
        return gettext("From %(low)s to %(high)s minutes.", low=rules.SLOT_MINUTES[0], high=rules.SLOT_MINUTES[1])
    return gettext("From %(low)s to %(high)s.", low=rules.DESKS[0], high=rules.DESKS[1])


def read_centre(data: Mapping[str, Any]) -> tuple[dict[str, Any] | None, FormErrors]:
    """A centre's settings: its name and address, the weekday hours (required), the lunch break and Saturday's
    hours (both ends or none: none is no lunch, a closed Saturday), the slot's minutes and the desks; the values
    as the table stores them («09:00»), or None with the errors (``rules.hours_problems``)."""
    errors = FormErrors()
    typed = typed_centre(data)
    times: dict[str, time | None] = {}
    for name in _TIMES:
        times[name] = read_time(typed[name]) if typed[name] else None
        if typed[name] and times[name] is None:
            errors.add(name, gettext("A time as 09:00."))
    for name in ("weekday_from", "weekday_to"):
        if not typed[name]:
            errors.add(name, gettext("Required."))
    numbers: dict[str, int] = {}
    for name in ("slot_minutes", "desks"):
        value = typed[name]
        numbers[name] = int(value) if value.isdigit() and len(value) < 4 else -1
    if len(typed["name"]) > 200:
        errors.add("name", gettext("At most %(count)s characters.", count=200))
    if len(typed["address"]) > 255:
        errors.add("address", gettext("At most %(count)s characters.", count=255))
    if not errors:  # every time read: the week as a whole, its numbers too
        hours = rules.Hours(
            times["weekday_from"], times["weekday_to"], times["lunch_from"], times["lunch_to"],  # type: ignore[arg-type]
            times["saturday_from"], times["saturday_to"], numbers["slot_minutes"], numbers["desks"],
        )  # fmt: skip
        problems = rules.hours_problems(hours)
    else:  # a time unread: its numbers still said at once
        problems = rules.number_problems(numbers["slot_minutes"], numbers["desks"])
    for field_name, code in problems:
        errors.add(field_name, _problem(field_name, code))
    errors.order(CENTRE_FIELDS)
    if errors:
        return None, errors
    values: dict[str, Any] = {n: (times[n].strftime("%H:%M") if times[n] else "") for n in _TIMES}  # type: ignore[union-attr]
    return {"name": typed["name"], "address": typed["address"], **values, **numbers}, errors


def read_reason(data: Mapping[str, Any]) -> tuple[str | None, FormErrors]:
    """The reason staff cancel a visit for: required (the resident is told it), at most 500 characters."""
    errors = FormErrors()
    reason = form_value(data, "reason").strip()
    if not reason:
        errors.add("reason", gettext("Say why the visit is cancelled: the resident is told."))
    elif len(reason) > rules.MAX_COMMENT:
        errors.add("reason", gettext("At most %(count)s characters.", count=rules.MAX_COMMENT))
    return (None if errors else reason), errors
