"""What people type into the showcase, read into typed values through ``core.parse``, with the problems in words
next to each field. No I/O: the registry lookups a form needs are done by the handler after reading."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from decimal import Decimal
from enum import StrEnum
from typing import Any

from portal.core.i18n import gettext
from portal.core.parse import normalize_phone
from portal.core.parse import parse_decimal
from portal.core.parse import parse_id
from portal.core.parse import parse_int
from portal.core.parse import parse_money
from portal.core.web import FormErrors
from portal.core.web import form_value
from portal.core.web import money_error
from portal.core.web import no_such_choice
from portal.core.web import unread_filters
from portal.showcase import rules
from portal.showcase.rules import LeadFilter
from portal.showcase.rules import ListingFilter
from portal.showcase.rules import StaffFilter
from portal.showcase.tables import LeadStatus
from portal.showcase.tables import ListingKind
from portal.showcase.tables import ListingStatus
from portal.showcase.tables import OfferStatus
from portal.showcase.tables import PriceUnit

MAX_NAME = 120
MAX_MESSAGE = 2000
MAX_DESCRIPTION = 5000
MIN_FLOOR, MAX_FLOOR = -3, 150


def _all(data: Mapping[str, Any], name: str) -> list[str]:
    """Every value of a multi-value field (a form's checkboxes, or a query string's repeated key)."""
    getall = getattr(data, "getall", None)
    values = getall(name, []) if getall is not None else data.get(name, [])
    if not isinstance(values, list | tuple):
        values = [values]
    return [str(v) for v in values if v is not None]


def _area(text: str) -> Decimal | None:
    value = parse_decimal(text, places=2, whole_digits=6)
    return value if value is not None and 0 < value <= rules.MAX_AREA else None


def _kopecks(text: str) -> int | None:
    value = parse_money(text)
    return int(value * 100) if value is not None and 0 <= value <= rules.MAX_PRICE else None


@dataclass
class Form:
    """A listing's or an owner's request: what was typed (kept for the page after an error), the values read from
    it, and the problems next to each field."""

    typed: dict[str, Any] = field(default_factory=dict)
    values: dict[str, Any] = field(default_factory=dict)
    errors: FormErrors = field(default_factory=FormErrors)


# --- the public list -------------------------------------------------------------------------------------------


def read_filter(query: Mapping[str, Any], kind: ListingKind) -> ListingFilter:
    """The filters of a list's URL; a value that does not read is left out (a shared link never breaks)."""

    def text(name: str) -> str:
        return form_value(query, name)[:40]

    return ListingFilter(
        kind=kind,
        area_from=_area(text("area_from")),
        area_to=_area(text("area_to")),
        floor=parse_int(text("floor"), low=MIN_FLOOR, high=MAX_FLOOR),
        price_from=_kopecks(text("price_from")),
        price_to=_kopecks(text("price_to")),
        m2_from=_kopecks(text("m2_from")),
        m2_to=_kopecks(text("m2_to")),
        complex=parse_id(text("complex")),
        sort=rules.sort_of(text("sort")),
    )


def read_page(query: Mapping[str, Any]) -> int:
    return parse_int(form_value(query, "page"), low=1, high=10_000) or 1


def _member(query: Mapping[str, Any], name: str, members: type[StrEnum]) -> str:
    """The field's value if it is one of ``members``, else "" (any)."""
    value = form_value(query, name)
    return value if value in members.__members__.values() else ""


def read_staff_filter(query: Mapping[str, Any]) -> StaffFilter:
    return StaffFilter(
        kind=_member(query, "kind", ListingKind),
        status=_member(query, "status", ListingStatus),
        complex=parse_id(form_value(query, "complex")),
        manager=parse_id(form_value(query, "manager")),
        sort=rules.staff_sort_of(form_value(query, "sort")),
    )


def staff_filter_problems(query: Mapping[str, Any], f: StaffFilter) -> tuple[dict[str, str], FormErrors]:
    """The listings' filters as typed, and a message at each the list could not read (``core.web.unread_filters``):
    the choices come from the address (a link kept from before), the list is shown without the one not read."""
    read = {"kind": (f.kind, gettext("Kind")), "status": (f.status, gettext("Status")),
            "complex": (f.complex, gettext("Complex")), "manager": (f.manager, gettext("In charge"))}  # fmt: skip
    return unread_filters(query, {n: (v or None, label, no_such_choice(query, n)) for n, (v, label) in read.items()})


def lead_filter_problems(query: Mapping[str, Any], f: LeadFilter) -> tuple[dict[str, str], FormErrors]:
    """The leads' filters as typed, and a message at each the list could not read (``core.web.unread_filters``)."""
    read = {"status": (f.status, gettext("Status")), "kind": (f.kind, gettext("Kind"))}
    return unread_filters(query, {n: (v or None, label, no_such_choice(query, n)) for n, (v, label) in read.items()})


OFFER_TABS = (*OfferStatus.__members__.values(), "all")


def offer_status(query: Mapping[str, Any]) -> str:
    """The tab of the owners' requests in the address: one of ``OFFER_TABS``, else the new ones (none asked for, or
    one that is none of the tabs: ``offer_status_problems``)."""
    status = form_value(query, "status")
    return status if status in OFFER_TABS else OfferStatus.NEW.value


def offer_status_problems(query: Mapping[str, Any], status: str) -> FormErrors:
    """A message when the address holds a status that is none of the tabs (the new requests are shown)."""
    value = form_value(query, "status")[:40]
    message = gettext("There is no status “%(value)s”; the new requests are shown.", value=value)
    return unread_filters(query, {"status": (status if status == value else None, gettext("Status"), message)})[1]


def read_lead_filter(query: Mapping[str, Any]) -> LeadFilter:
    return LeadFilter(
        status=_member(query, "status", LeadStatus),
        kind=_member(query, "kind", ListingKind),
        listing=parse_id(form_value(query, "listing")),
    )


# --- the lead form -------------------------------------------------------------------------------------------------


@dataclass
class LeadForm:
    typed: dict[str, str] = field(default_factory=dict)
    name: str = ""
    phone: str = ""
    message: str = ""
    consent: bool = False
    errors: FormErrors = field(default_factory=FormErrors)


def read_lead(data: Mapping[str, Any]) -> LeadForm:
    """Name, phone and message, and the tick of consent; what was typed is kept for the page after an error."""
    form = LeadForm()
    form.typed = {
        "name": form_value(data, "name")[:MAX_NAME],
        "phone": form_value(data, "phone")[:40],
        "message": form_value(data, "message")[:MAX_MESSAGE],
    }
    form.consent = form_value(data, "consent") == "yes"
    form.name, form.message = form.typed["name"], form.typed["message"]
    if not form.name:
        form.errors.add("name", gettext("Enter your name, so that we know how to address you."))
    phone = normalize_phone(form.typed["phone"]) if form.typed["phone"] else None
    if not form.typed["phone"]:
        form.errors.add("phone", gettext("Enter your phone number: we call back to arrange a viewing."))
    elif phone is None:
        form.errors.add(
            "phone", gettext("This does not look like a phone number. Enter it with the area code: +7 978 123-45-67.")
        )
    else:
        form.phone = phone
    if not form.consent:
        form.errors.add(
            "consent", gettext("Tick the box to give your consent: without it we cannot take your phone number.")
        )
    return form


# --- a listing (staff) ------------------------------------------------------------------------------------------


SOURCES = ("registry", "free")


# The listing form's fields as typed (``features`` besides, a list), and all of them.
TYPED = ("kind", "house", "source", "premise_number", "area", "floor", "rooms", "price", "price_unit", "description",
         "manager")  # fmt: skip
FIELDS = (*TYPED, "features")


def read_listing(data: Mapping[str, Any], houses: set[int], managers: set[int]) -> Form:
    """The listing form: kind, house (one of ``houses``), the premise from the registry by its number or typed by
    hand (number, area, floor), rooms for a flat, the price and its unit, the features, the description and the
    staff member in charge (one of ``managers``)."""
    form = Form()
    form.typed = {n: form_value(data, n)[: MAX_DESCRIPTION if n == "description" else 40] for n in TYPED}
    form.typed["features"] = _all(data, "features")[:20]
    t, v, errors = form.typed, form.values, form.errors
    kind = t["kind"] if t["kind"] in ListingKind.__members__.values() else None
    if kind is None:
        errors.add("kind", gettext("Choose what is offered."))
    house = parse_id(t["house"])
    if house is None or house not in houses:
        errors.add("house", gettext("Choose a house you work with."))
    source = t["source"] if t["source"] in SOURCES else "registry"
    t["source"] = source
    number = t["premise_number"].strip()[:16]
    if source == "registry" and not number:
        errors.add("premise_number", gettext("Enter the number of the premise as the registry has it."))
    if source == "free":
        area = _area(t["area"])
        if area is None:
            errors.add("area", gettext("Enter the area in m², e.g. 84,09."))
        floor = parse_int(t["floor"], low=MIN_FLOOR, high=MAX_FLOOR)
        if floor is None:
            errors.add("floor", gettext("Enter the floor: a whole number, 0 for a basement."))
        v.update(area=area, floor=floor)
    rooms = None
    if kind is not None and rules.is_flat(kind) and t["rooms"]:
        rooms = parse_int(t["rooms"], low=0, high=20)
        if rooms is None:
            errors.add("rooms", gettext("Enter the number of rooms (0 for a studio)."))
    unit = t["price_unit"]
    if kind is not None and not rules.unit_allowed(kind, unit):
        unit = rules.UNITS[ListingKind(kind)][0].value
    price = _kopecks(t["price"]) if t["price"] else None
    if t["price"] and price is None:
        errors.add("price", money_error(t["price"], gettext("Enter the price in rubles, e.g. 1 050 or 7 450 000.")))
    manager = parse_id(t["manager"])
    if t["manager"] and (manager is None or manager not in managers):
        errors.add("manager", gettext("Choose a staff member from the list."))
    v.update(
        kind=kind,
        house=house,
        source=source,
        premise_number=number,
        rooms=rooms,
        price_kopecks=price or 0,
        price_unit=unit,
        description=t["description"].strip(),
        features=rules.features_of(kind, t["features"]) if kind else [],
        manager=manager,
    )
    return form


# --- an owner's request to list their flat -----------------------------------------------------------------------


def read_offer(data: Mapping[str, Any], accounts: set[int]) -> Form:
    form = Form()
    form.typed = {n: form_value(data, n)[: MAX_MESSAGE if n == "comment" else 40]
                  for n in ("account", "kind", "price", "phone", "comment")}  # fmt: skip
    t, errors = form.typed, form.errors
    account = parse_id(t["account"])
    if account is None or account not in accounts:
        errors.add("account", gettext("Choose a flat you own."))
    kind = t["kind"] if t["kind"] in (ListingKind.RENT, ListingKind.SALE) else None
    if kind is None:
        errors.add("kind", gettext("Choose whether to let the flat or to sell it."))
    price = _kopecks(t["price"]) if t["price"] else 0
    if price is None:
        errors.add(
            "price",
            money_error(t["price"], gettext("Enter the price in rubles, e.g. 35 000 or 7 450 000, or leave it empty.")),
        )
    phone = normalize_phone(t["phone"]) if t["phone"] else ""
    if phone is None:
        errors.add(
            "phone", gettext("This does not look like a phone number. Enter it with the area code: +7 978 123-45-67.")
        )
    form.values = {"account": account, "kind": kind, "price_kopecks": price or 0, "phone": phone or "",
                   "comment": t["comment"].strip()}  # fmt: skip
    return form


def read_lead_move(data: Mapping[str, Any]) -> tuple[LeadStatus | None, str]:
    status = _member(data, "status", LeadStatus)
    return (LeadStatus(status) if status else None), form_value(data, "note")[:MAX_MESSAGE]


def read_unit(value: str) -> PriceUnit | None:
    return PriceUnit(value) if value in PriceUnit.__members__.values() else None
