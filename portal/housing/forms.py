"""Staff forms of the registry: a submitted form dict → (values for the table, errors). No I/O.

Only the named fields are read (never ``**data``); ids that come from the form are checked against the
options the page offered.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import date, datetime
from typing import Any

from portal.core.i18n import gettext
from portal.core.web import FormErrors, form_value
from portal.housing import rules
from portal.housing.rules import Problem

Values = dict[str, Any]


def _take(errors: FormErrors, name: str, parsed: Any) -> Any:
    if isinstance(parsed, Problem):
        errors.add(name, rules.message(parsed))
        return None
    return parsed


def form_values(data: Mapping[str, Any], names: Collection[str]) -> dict[str, Any]:
    """What was typed, to show again after an error (lists kept for multi-choice fields)."""
    typed: dict[str, Any] = {}
    for name in names:
        value = data.get(name)
        typed[name] = [str(v) for v in value] if isinstance(value, list) else form_value(data, name)
    return typed


def many(data: Mapping[str, Any], name: str) -> list[str]:
    value = data.get(name)
    if value is None:
        return []
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def _option(errors: FormErrors, name: str, value: str, allowed: Collection[int], *, required: bool) -> int | None:
    if not value:
        if required:
            errors.add(name, rules.message(Problem.REQUIRED))
        return None
    if not value.isdigit() or int(value) not in allowed:
        errors.add(name, rules.message(Problem.UNKNOWN_CHOICE))
        return None
    return int(value)


def parse_date(value: str) -> date | Problem | None:
    text = (value or "").strip()
    if not text:
        return None
    for fmt in ("%Y-%m-%d", "%d.%m.%Y"):
        try:
            return datetime.strptime(text, fmt).date()  # noqa: DTZ007 (a calendar date, no time of day)
        except ValueError:
            continue
    return Problem.DATE_FORMAT


def read_complex(data: Mapping[str, Any]) -> tuple[Values, FormErrors]:
    errors = FormErrors()
    values = {
        "name": _take(errors, "name", rules.parse_text(form_value(data, "name"), limit=200)),
        "city": _take(errors, "city", rules.parse_text(form_value(data, "city"), required=False, limit=100)),
    }
    return values, errors


def read_house(data: Mapping[str, Any], complex_ids: Collection[int]) -> tuple[Values, FormErrors]:
    errors = FormErrors()
    values = {
        "complex": _option(errors, "complex", form_value(data, "complex"), complex_ids, required=True),
        "address": _take(errors, "address", rules.parse_text(form_value(data, "address"))),
        "floors": _take(errors, "floors", rules.parse_floors(form_value(data, "floors"))),
        "fias_id": _take(errors, "fias_id", rules.parse_text(form_value(data, "fias_id"), required=False, limit=36))
        or None,
    }
    return values, errors


def read_entrance(data: Mapping[str, Any]) -> tuple[Values, FormErrors]:
    errors = FormErrors()
    values = {
        "number": _take(errors, "number", rules.parse_entrance_number(form_value(data, "number"))),
        "floors": _take(errors, "floors", rules.parse_floors(form_value(data, "floors"))),
    }
    return values, errors


def read_premise(
    data: Mapping[str, Any], entrance_ids: Collection[int], riser_ids: Collection[int]
) -> tuple[Values, list[int], FormErrors]:
    errors = FormErrors()
    kind = form_value(data, "kind")
    if kind not in rules.PREMISE_KINDS:
        errors.add("kind", rules.message(Problem.UNKNOWN_CHOICE))
    values = {
        "kind": kind,
        "number": _take(errors, "number", rules.parse_premise_number(form_value(data, "number"))),
        "entrance": _option(errors, "entrance", form_value(data, "entrance"), entrance_ids, required=False),
        "floor": _take(errors, "floor", rules.parse_floor(form_value(data, "floor"))),
        "area": _take(errors, "area", rules.parse_area(form_value(data, "area"))),
    }
    risers = [int(v) for v in many(data, "risers") if v.isdigit() and int(v) in riser_ids]
    return values, risers, errors


def read_owner(data: Mapping[str, Any]) -> tuple[Values, FormErrors]:
    errors = FormErrors()
    kind = form_value(data, "kind")
    if kind not in rules.OWNER_KINDS:
        errors.add("kind", rules.message(Problem.UNKNOWN_CHOICE))
    values = {
        "kind": kind,
        "name": _take(errors, "name", rules.parse_text(form_value(data, "name"))),
        "inn": _take(errors, "inn", rules.parse_inn(form_value(data, "inn"))),
        "phone": _take(errors, "phone", rules.parse_phone(form_value(data, "phone"))),
        "email": _take(errors, "email", rules.parse_email(form_value(data, "email"))),
    }
    return values, errors


def read_ownership(data: Mapping[str, Any]) -> tuple[Values, FormErrors]:
    """Share, joint flag, document and start date (the owner is looked up by the route)."""
    errors = FormErrors()
    share = _take(errors, "share", rules.parse_share(form_value(data, "share")))
    values = {
        "share_numerator": share.numerator if share else None,
        "share_denominator": share.denominator if share else None,
        "joint": bool(form_value(data, "joint")),
        "document": _take(errors, "document", rules.parse_text(form_value(data, "document"), required=False)),
        "valid_from": _take(errors, "valid_from", parse_date(form_value(data, "valid_from"))),
    }
    return values, errors


def read_account(data: Mapping[str, Any]) -> tuple[Values, FormErrors]:
    errors = FormErrors()
    values = {
        "number": _take(errors, "number", rules.parse_account_number(form_value(data, "number"))),
        "payer_name": _take(errors, "payer_name", rules.parse_text(form_value(data, "payer_name"), required=False)),
        "opened_on": _take(errors, "opened_on", parse_date(form_value(data, "opened_on"))),
        "closed_on": _take(errors, "closed_on", parse_date(form_value(data, "closed_on"))),
    }
    if values["opened_on"] and values["closed_on"] and values["closed_on"] < values["opened_on"]:
        errors.add("closed_on", gettext("An account cannot close before it opens."))
    return values, errors
