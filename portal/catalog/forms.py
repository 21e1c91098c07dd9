"""Forms of the catalog: typed values and translated errors, through ``core.parse``; no I/O."""

from __future__ import annotations

from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from decimal import Decimal
from typing import Any

from portal.catalog import rules
from portal.catalog.tables import DocumentKind
from portal.catalog.tables import ExecutorGroup
from portal.catalog.tables import OrderStatus
from portal.catalog.tables import PriceKind
from portal.catalog.tables import Unit
from portal.core.i18n import gettext
from portal.core.i18n import ngettext
from portal.core.i18n import pgettext
from portal.core.parse import normalize_phone
from portal.core.parse import parse_date
from portal.core.parse import parse_decimal
from portal.core.parse import parse_id
from portal.core.parse import parse_ids
from portal.core.parse import parse_int
from portal.core.parse import parse_money
from portal.core.parse import parse_month
from portal.core.web import FormErrors
from portal.core.web import form_value
from portal.core.web import houses_read
from portal.core.web import money_error
from portal.core.web import no_such_choice
from portal.core.web import no_such_house
from portal.core.web import no_such_status
from portal.core.web import not_a_day
from portal.core.web import read_range
from portal.core.web import several
from portal.core.web import shown_days
from portal.core.web import unread_filters

MAX_TITLE = 160
MAX_DESCRIPTION = 4000
MAX_POSITION = 10_000


def _list(data: Mapping[str, Any], name: str) -> list[Any]:
    value = data.get(name, [])
    return value if isinstance(value, list) else [value]


# --- a service in the order -----------------------------------------------------------------------------------


def read_quantity(data: Mapping[str, Any], price_kind: str, unit: str) -> tuple[Decimal | None, FormErrors]:
    """The quantity of a service priced per unit (hours by the half, m² to the hundredth, whole items);
    other services are ordered once. Any number is read first, so that «1,5» sockets or «1000000» is told what
    is wrong with it (a fraction, too many), not asked to be «a number»."""
    errors = FormErrors()
    if price_kind != PriceKind.PER_UNIT:
        return Decimal(1), errors
    quantity = parse_decimal(form_value(data, "quantity"), places=6)
    problem = rules.quantity_problem(price_kind, unit, quantity)
    if problem == "too_large":
        errors.add("quantity", gettext("That is more than one order takes. Call us for a large job."))
    elif problem == "not_whole" and unit == Unit.HOUR:
        errors.add("quantity", gettext("Give the hours in whole or half hours, e.g. 2 or 1,5."))
    elif problem == "not_whole" and unit == Unit.SQUARE_METRE:
        errors.add("quantity", gettext("Give the square metres with at most two digits after the comma, e.g. 37,85."))
    elif problem == "not_whole":
        errors.add("quantity", gettext("Give a whole number, e.g. 2."))
    elif problem:
        errors.add("quantity", gettext("Give how much you need as a number, e.g. 2."))
    if errors or quantity is None:
        return None, errors
    return quantity.quantize(Decimal(1).scaleb(-rules.quantity_places(unit))), errors


@dataclass
class CheckoutForm:
    account_id: int | None = None
    day: date | None = None
    slot: str = ""
    comment: str = ""
    phone: str = ""
    typed: dict[str, str] = field(default_factory=dict)
    errors: FormErrors = field(default_factory=FormErrors)


def kept_checkout(data: Mapping[str, Any]) -> CheckoutForm:
    """What was typed in the order form, as typed and unchecked: the form comes back with it after a line is removed."""
    typed = {k: form_value(data, k) for k in ("account", "day", "slot", "comment", "phone")}
    return CheckoutForm(account_id=parse_id(typed["account"]), typed=typed)


def read_checkout(
    data: Mapping[str, Any],
    accounts: Sequence[int],
    slots: Sequence[str],
    today: date,
    full_days: frozenset[date] = frozenset(),
    *,
    with_day: bool = True,
) -> CheckoutForm:
    """Which premises, which day and time, a comment and a phone to call (the day only for work at the premises)."""
    form = kept_checkout(data)
    errors = form.errors
    if form.account_id not in accounts:
        form.account_id = None
        errors.add("account", gettext("Choose the premises the order is for."))
    if with_day:
        form.day = parse_date(form.typed["day"])
        problem = rules.day_problem(form.day, today)
        if problem == "missing":
            errors.add("day", gettext("Choose the day you would like the work done."))
        elif problem == "past":
            errors.add("day", gettext("Choose a day from tomorrow on."))
        elif problem == "too_far":
            errors.add(
                "day",
                ngettext("Choose a day within %(num)s day.", "Choose a day within %(num)s days.", rules.HORIZON_DAYS),
            )
        elif form.day in full_days:
            errors.add("day", gettext("This day is fully booked. Choose another day."))
        form.slot = form.typed["slot"] if form.typed["slot"] in slots else ""
        if not form.slot:
            errors.add("slot", gettext("Choose a convenient time."))
    _contact(form)
    return form


def _contact(form: CheckoutForm) -> None:
    """The phone to call and the comment for the executor: a phone is one a person can dial, written as +7…
    («позвоните соседке» was kept as the phone, a «tel:» link to nowhere); a comment too long is refused, not cut
    at its limit in silence."""
    phone, comment = form.typed["phone"], form.typed["comment"]
    form.phone = (normalize_phone(phone) or "") if phone else ""
    if phone and not form.phone:
        form.errors.add("phone", gettext("Enter the phone as +7 978 123-45-67."))
    if len(comment) > rules.MAX_COMMENT:
        form.errors.add(
            "comment",
            ngettext(
                "The comment is too long: at most %(num)s character.",
                "The comment is too long: at most %(num)s characters.",
                rules.MAX_COMMENT,
            ),
        )
    form.comment = comment


# --- certificates ------------------------------------------------------------------------------------------------


@dataclass
class DocumentForm:
    account_id: int | None = None
    period_from: date | None = None
    period_to: date | None = None
    typed: dict[str, str] = field(default_factory=dict)
    errors: FormErrors = field(default_factory=FormErrors)


def read_document(
    data: Mapping[str, Any], document: str, accounts: Sequence[int], current: date, receipts: Sequence[date] = ()
) -> DocumentForm:
    """The account, and the period of a statement (from a month to a month) or the month of a receipt copy."""
    form = DocumentForm()
    form.typed = {k: form_value(data, k) for k in ("account", "from", "to", "month")}
    errors = form.errors
    form.account_id = parse_id(form.typed["account"])
    if form.account_id not in accounts:
        form.account_id = None
        errors.add("account", gettext("Choose the personal account."))
    if document == DocumentKind.STATEMENT:
        form.period_from, form.period_to = parse_month(form.typed["from"]), parse_month(form.typed["to"])
        problem = rules.statement_problem(form.period_from, form.period_to, current)
        if problem == rules.StatementProblem.MISSING:
            errors.add("from", gettext("Choose the first and the last month of the statement."))
        elif problem == rules.StatementProblem.ORDER:
            errors.add("from", gettext("The first month comes after the last one."))
        elif problem == rules.StatementProblem.FUTURE:
            errors.add("to", gettext("The last month cannot be later than this one."))
        elif problem == rules.StatementProblem.TOO_LONG:
            errors.add(
                "from",
                ngettext(
                    "A statement covers at most %(num)s month.",
                    "A statement covers at most %(num)s months.",
                    rules.MAX_STATEMENT_MONTHS,
                ),
            )
    elif document == DocumentKind.RECEIPT_COPY:
        form.period_from = parse_month(form.typed["month"])
        if form.period_from not in receipts:
            form.period_from = None
            errors.add("month", gettext("Choose the month of a receipt issued for this account."))
        form.period_to = form.period_from
    return form


# --- staff -----------------------------------------------------------------------------------------------------


@dataclass
class QuoteForm:
    amount: Decimal | None = None
    note: str = ""
    typed: dict[str, str] = field(default_factory=dict)
    errors: FormErrors = field(default_factory=FormErrors)


def read_quote(data: Mapping[str, Any]) -> QuoteForm:
    form = QuoteForm()
    form.typed = {k: form_value(data, k) for k in ("amount", "note")}
    form.amount = parse_money(form.typed["amount"])
    problem = rules.quote_problem(form.amount)
    if problem == "too_large":
        form.errors.add("amount", gettext("The price is too large."))
    elif problem:
        form.errors.add("amount", money_error(form.typed["amount"], gettext("Give the price in roubles, e.g. 2 500.")))
    form.note = str(data.get("note", "") or "").strip()[: rules.MAX_COMMENT]
    return form


def read_staff_filter(query: Mapping[str, Any]) -> dict[str, Any]:
    """The list's filters from its address (unknown values are dropped, never an error)."""
    paid, status = form_value(query, "paid"), form_value(query, "status")
    days = read_range(query, "from", "to", parse_date)  # a period that ends before it starts: none
    return {
        "status": status if status in OrderStatus.__members__.values() else "",
        "category": parse_id(form_value(query, "category")),
        "houses": tuple(parse_ids(several(query, "house"))),
        "date_from": days.start,
        "date_to": days.end,
        "paid": paid if paid in ("yes", "no") else "",
        "number": form_value(query, "number")[:20],
    }


def staff_filter_problems(query: Mapping[str, Any], chosen: Mapping[str, Any]) -> tuple[dict[str, str], FormErrors]:
    """The order list's filters as typed (a date read as its date field holds it), and a message at each it could
    not read or would find nothing by, a period that ends before it starts (``core.web.unread_filters``)."""
    day = not_a_day()
    status = no_such_status(query)

    days = read_range(query, "from", "to", parse_date)
    typed, problems = unread_filters(
        query,
        {
            "status": (chosen["status"] or None, pgettext("order", "Status"), status),
            "category": (chosen["category"], gettext("Section"), no_such_choice(query, "category")),
            "house": (houses_read(query, chosen["houses"]), gettext("House"), no_such_house()),
            "from": (days.low, gettext("Placed from"), day),
            "to": (days.high, gettext("Placed to"), day),
            "paid": (chosen["paid"] or None, gettext("Paid"), no_such_choice(query, "paid")),
        },
        [("from", "to")],
    )
    return typed | shown_days(typed, {"from": days.low, "to": days.high}), problems


@dataclass
class ServiceForm:
    values: dict[str, Any] = field(default_factory=dict)
    complexes: list[int] = field(default_factory=list)
    houses: list[int] = field(default_factory=list)
    typed: dict[str, Any] = field(default_factory=dict)
    errors: FormErrors = field(default_factory=FormErrors)


SERVICE_FIELDS = (
    "title",
    "title_en",
    "description",
    "description_en",
    "category",
    "price_kind",
    "price",
    "unit",
    "duration",
    "slots",
    "executor_group",
    "document",
    "position",
)


def read_service(data: Mapping[str, Any], category_ids: Sequence[int]) -> ServiceForm:
    """A service of the catalogue as staff edit it: its name and description in Russian, and in English where staff
    write them (optional: a reader of English reads the Russian ones where they are empty)."""
    form = ServiceForm()
    typed: dict[str, Any] = {k: form_value(data, k) for k in SERVICE_FIELDS}
    for name in ("description", "description_en"):
        typed[name] = str(data.get(name, "") or "").strip()[:MAX_DESCRIPTION]
    typed["all_houses"] = bool(form_value(data, "all_houses"))
    typed["active"] = bool(form_value(data, "active"))
    form.typed = typed
    errors = form.errors
    title = typed["title"][:MAX_TITLE]
    if not title:
        errors.add("title", gettext("Write the name of the service."))
    category = parse_id(typed["category"])
    if category not in category_ids:
        errors.add("category", gettext("Choose the section of the catalogue."))
    price_kind = typed["price_kind"] if typed["price_kind"] in PriceKind.__members__.values() else PriceKind.FIXED
    unit = typed["unit"] if typed["unit"] in Unit.__members__.values() else Unit.NONE
    price = parse_money(typed["price"] or "0")
    problem = rules.price_problem(price_kind, price, unit)
    if problem == "no_unit":
        errors.add("unit", gettext("Choose what the price is per: an hour, a square metre or an item."))
    elif problem == "too_large":
        errors.add("price", gettext("The price is too large."))
    elif problem:
        errors.add("price", money_error(typed["price"], gettext("Give the price in roubles (0 for a free one).")))
    duration = parse_int(typed["duration"] or "60", low=0, high=60 * 24 * 30)
    if duration is None:
        errors.add("duration", gettext("Give the duration in minutes."))
    slots = parse_int(typed["slots"] or "0", low=0, high=100)
    if slots is None:
        errors.add("slots", gettext("Give how many orders a day it takes (0: no limit)."))
    group = typed["executor_group"]
    if group not in ExecutorGroup.__members__.values():
        errors.add("executor_group", gettext("Choose who does the work."))
    document = typed["document"] if typed["document"] in DocumentKind.__members__.values() else DocumentKind.NONE
    position = _position(typed["position"], errors)
    form.complexes = parse_ids(_list(data, "complexes"))
    form.houses = parse_ids(_list(data, "houses"))
    if not typed["all_houses"] and not (form.complexes or form.houses):
        errors.add("all_houses", gettext("Choose where the service is offered: everywhere, or complexes and houses."))
    form.values = {
        "title": title,
        "title_en": typed["title_en"][:MAX_TITLE],
        "description": typed["description"],
        "description_en": typed["description_en"],
        "category": category,
        "kind": rules.kind_of(document),
        "price_kind": price_kind,
        "price": price or Decimal("0"),
        "unit": unit if price_kind == PriceKind.PER_UNIT else Unit.NONE,
        "duration_minutes": duration or 0,
        "slots_per_day": slots or 0,
        "executor_group": group,
        "document": document,
        "all_houses": typed["all_houses"],
        "active": typed["active"],
        "position": position,
    }
    return form


def read_category(data: Mapping[str, Any]) -> tuple[dict[str, Any], FormErrors]:
    errors = FormErrors()
    title = form_value(data, "title")[:120]
    if not title:
        errors.add("title", gettext("Write the name of the section."))
    values = {
        "title": title,
        "title_en": form_value(data, "title_en")[:120],
        "icon": form_value(data, "icon")[:32],
        "position": _position(form_value(data, "position"), errors),
        "active": bool(form_value(data, "active")),
    }
    return values, errors


def _position(typed: str, errors: FormErrors) -> int:
    """The order of display as typed (empty: 0); anything else than a whole number 0–10 000 is said, not saved
    as 0."""
    position = parse_int(typed or "0", low=0, high=MAX_POSITION)
    if position is None:
        errors.add("position", gettext("Give the order of display as a whole number from 0 to 10 000."))
    return position or 0


def read_cancel_reason(data: Mapping[str, Any]) -> str:
    return str(data.get("reason", "") or "").strip()[:255]
