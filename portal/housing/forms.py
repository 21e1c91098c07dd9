"""Staff forms of the registry: what each form shows (``Field``) and reading a submitted form into values and
errors. No I/O: ids that come from a form are checked against the options the page offered (``choices``).
"""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Collection
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import partial
from typing import Any

from portal.core import parse
from portal.core.i18n import format_typed
from portal.core.i18n import gettext
from portal.core.web import FormErrors
from portal.core.web import form_value
from portal.core.web import no_such_choice
from portal.core.web import unread_filters
from portal.housing import rules
from portal.housing.rules import Problem

Values = dict[str, Any]
Choices = Mapping[str, Collection[Any]]  # field name → the option keys the page offered


@dataclass(frozen=True)
class Field:
    """One field of a registry form, as ``templates/housing/form.html`` draws it through the components."""

    name: str
    label: str
    kind: str = "text"  # text | select | checkbox | checkboxes
    required: bool = False
    hint: str = ""
    options: Sequence[tuple[Any, str]] = ()
    blank: str | bool | None = None  # True: the components' placeholder «Выберите…»
    type: str = "text"
    inputmode: str | None = None
    autocomplete: str | None = None
    search: bool = False  # finds records as typed (the form's page answers HTMX with them): a pick among ``found``


def shown(f: Field, value: Any) -> str:
    """A stored value as its field shows it: an option by its words, a tick as yes or no, a list of options
    joined; "" for none."""
    words = {str(key): text for key, text in f.options}
    if f.kind == "select":
        return words.get(str(value), "") if value not in (None, "") else ""
    if f.kind == "checkboxes":
        return ", ".join(words.get(str(v), str(v)) for v in value or ())
    if f.kind == "checkbox":
        return gettext("yes") if value and value not in ("0", "false") else gettext("no")
    return "" if value is None else str(format_typed(value))


def choices(fields: Sequence[Field]) -> dict[str, set[Any]]:
    """The option keys of every select and multi-choice field (what a submitted value must be one of)."""
    return {f.name: {key for key, _text in f.options} for f in fields if f.kind in ("select", "checkboxes")}


def typed(data: Mapping[str, Any], fields: Sequence[Field]) -> dict[str, Any]:
    """What was typed, to show again after an error (lists kept for multi-choice fields)."""
    shown: dict[str, Any] = {}
    for f in fields:
        value = data.get(f.name)
        shown[f.name] = [str(v)[:100] for v in value][:200] if isinstance(value, list) else form_value(data, f.name)
    return shown


def _many(data: Mapping[str, Any], name: str) -> list[Any]:
    value = data.get(name)
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def _take(errors: FormErrors, name: str, parsed: Any) -> Any:
    if isinstance(parsed, Problem):
        errors.add(name, rules.message(parsed))
        return None
    return parsed


def _option(errors: FormErrors, data: Mapping[str, Any], name: str, allowed: Choices, *, required: bool) -> int | None:
    value = form_value(data, name)
    if not value:
        if required:
            errors.add(name, rules.message(Problem.REQUIRED))
        return None
    chosen = parse.parse_id(value)
    if chosen is None or chosen not in allowed.get(name, ()):
        errors.add(name, rules.message(Problem.UNKNOWN_CHOICE))
        return None
    return chosen


def _kind(errors: FormErrors, data: Mapping[str, Any], name: str, kinds: Collection[str]) -> str:
    kind = form_value(data, name)
    if kind not in kinds:
        errors.add(name, rules.message(Problem.UNKNOWN_CHOICE))
    return kind


def _date(value: str) -> date | Problem | None:
    if not value:
        return None
    return parse.parse_date(value) or Problem.DATE_FORMAT


def _read(errors: FormErrors, data: Mapping[str, Any], **parsers: Callable[[str], Any]) -> Values:
    """Each named field as its parser reads what was typed; a problem becomes the field's error (value None)."""
    return {name: _take(errors, name, read(form_value(data, name))) for name, read in parsers.items()}


def _fias_id(value: str) -> str | Problem | None:
    return rules.parse_text(value, required=False, limit=36) or None


def read_complex(data: Mapping[str, Any], allowed: Choices) -> tuple[Values, FormErrors]:
    errors = FormErrors()
    city = partial(rules.parse_text, required=False, limit=100)
    return _read(errors, data, name=partial(rules.parse_text, limit=200), city=city), errors


def read_house(data: Mapping[str, Any], allowed: Choices) -> tuple[Values, FormErrors]:
    errors = FormErrors()
    complex_id = _option(errors, data, "complex", allowed, required=True)
    fields = _read(
        errors,
        data,
        address=rules.parse_text,
        floors=rules.parse_floors,
        fias_id=_fias_id,
        developer_name=partial(rules.parse_text, required=False, limit=200),
        developer_email=rules.parse_email,
        commissioned_on=_date,
    )
    return {"complex": complex_id, **fields}, errors


def read_entrance(data: Mapping[str, Any], allowed: Choices) -> tuple[Values, FormErrors]:
    errors = FormErrors()
    return _read(errors, data, number=rules.parse_entrance_number, floors=rules.parse_floors), errors


def read_premise(data: Mapping[str, Any], allowed: Choices) -> tuple[Values, FormErrors]:
    """The premise's values and ``risers``: the ids among those offered (others are dropped)."""
    errors = FormErrors()
    values = {
        "kind": _kind(errors, data, "kind", rules.PREMISE_KINDS),
        **_read(errors, data, number=rules.parse_premise_number),
        "entrance": _option(errors, data, "entrance", allowed, required=False),
        **_read(errors, data, floor=rules.parse_floor, area=rules.parse_area),
        "risers": [r for r in parse.parse_ids(_many(data, "risers")) if r in allowed.get("risers", ())],
    }
    return values, errors


def read_owner(data: Mapping[str, Any], allowed: Choices) -> tuple[Values, FormErrors]:
    errors = FormErrors()
    kind = _kind(errors, data, "kind", rules.OWNER_KINDS)
    fields = _read(
        errors, data, name=rules.parse_text, inn=rules.parse_inn, phone=rules.parse_phone, email=rules.parse_email
    )
    if problem := rules.owner_inn_problem(kind, fields["inn"]):
        errors.add("inn", rules.message(problem))
    return {"kind": kind, **fields}, errors


def read_ownership(data: Mapping[str, Any], allowed: Choices) -> tuple[Values, FormErrors]:
    """Share, joint flag, document and start date; ``owner`` as typed (a number, INN, name or phone, looked up
    later) and ``owner_id`` as picked among the owners found."""
    errors = FormErrors()
    share = _take(errors, "share", rules.parse_share(form_value(data, "share")))
    values = {
        "share_numerator": share.numerator if share else None,
        "share_denominator": share.denominator if share else None,
        "joint": bool(form_value(data, "joint")),
        **_read(errors, data, document=partial(rules.parse_text, required=False), valid_from=_date),
        "owner": form_value(data, "owner")[:100],
        "owner_id": parse.parse_id(form_value(data, "owner_id")),
    }
    return values, errors


def read_account(data: Mapping[str, Any], allowed: Choices) -> tuple[Values, FormErrors]:
    errors = FormErrors()
    payer = partial(rules.parse_text, required=False)
    values = _read(errors, data, number=rules.parse_account_number, payer_name=payer, opened_on=_date, closed_on=_date)
    if values["opened_on"] and values["closed_on"] and values["closed_on"] < values["opened_on"]:
        errors.add("closed_on", gettext("An account cannot close before it opens."))
    return values, errors


def premise_filter_problems(query: Mapping[str, Any], where: Any) -> tuple[dict[str, str], FormErrors]:
    """The house page's premise filters as typed, and a message at each it could not read (``core.web.unread_filters``);
    the premises are listed without that filter. ``where``: the filter read (``queries.PremiseFilter``)."""

    low, high = rules.MIN_FLOOR, rules.MAX_FLOOR
    return unread_filters(
        query,
        {
            "entrance": (where.entrance_id, gettext("Entrance"), no_such_choice(query, "entrance")),
            "floor": (where.floor, gettext("Floor"), gettext(
                "Enter a floor from %(low)s to %(high)s; the list is shown without this filter.", low=low, high=high
            )),
            "kind": (where.kind or None, gettext("Kind"), no_such_choice(query, "kind")),
        },
    )  # fmt: skip


def house_filter_problems(query: Mapping[str, Any], complex_id: int | None) -> tuple[dict[str, str], FormErrors]:
    """The house list's complex as typed, and a message when it is none of the user's (``core.web.unread_filters``);
    the houses are listed without it."""
    message = no_such_choice(query, "complex")
    return unread_filters(query, {"complex": (complex_id, gettext("Residential complex"), message)})
