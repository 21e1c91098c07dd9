"""Reads of the catalog: bounded, indexed, returning dataclasses. An order, a document or a service is loaded only
for a caller who may see it (a resident's own accounts and house, a staff member's houses); every change is in
``actions``."""

from __future__ import annotations

import os
from collections.abc import Iterable
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from datetime import datetime
from datetime import timedelta
from decimal import Decimal
from typing import Any

from piccolo.columns.combination import WhereRaw
from piccolo.query.functions.aggregate import Count
from piccolo.query.functions.aggregate import Sum
from piccolo.querystring import QueryString

from portal.billing import ledger
from portal.billing import queries as billing_queries
from portal.billing.queries import AccountInfo
from portal.billing.queries import Entry
from portal.billing.queries import PayeeInfo
from portal.billing.tables import EntryKind
from portal.catalog import rules
from portal.catalog.tables import DocumentKind
from portal.catalog.tables import Order
from portal.catalog.tables import OrderDocument
from portal.catalog.tables import OrderItem
from portal.catalog.tables import OrderStatus
from portal.catalog.tables import PaidService
from portal.catalog.tables import PriceKind
from portal.catalog.tables import ServiceAvailability
from portal.catalog.tables import ServiceCategory
from portal.catalog.tables import ServiceKind
from portal.core import clock
from portal.core import orphans
from portal.core.address import PremiseAddress
from portal.core.address import full_address
from portal.core.clauses import every
from portal.core.clauses import on_days
from portal.core.db import from_kopecks
from portal.core.db import from_row
from portal.core.i18n import own_words
from portal.core.paged import newest_batches
from portal.core.paged import read_page
from portal.core.pagination import Page
from portal.core.pagination import PageRequest
from portal.core.parse import parse_id
from portal.core.rows import columns_of
from portal.core.search import normalise
from portal.core.security import Principal
from portal.housing.queries import house_scope
from portal.housing.tables import PersonalAccount
from portal.payments import rules as pay_rules
from portal.payments.queries import PaymentView
from portal.payments.queries import last_asked
from portal.payments.queries import payments_for
from portal.payments.queries import refundable_at_gateway
from portal.payments.tables import PaymentPurpose

MAX_SERVICES = 500  # the catalogue of one company; the resident's list is read whole and searched in memory
EXPORT_LIMIT = 100_000


def slots() -> tuple[str, ...]:
    """The time windows a resident picks from (setting ``CATALOG_SLOTS``)."""
    return rules.parse_slots(os.environ.get("CATALOG_SLOTS"))


def reference_of(uid: str) -> str:
    """An order as the payments domain knows it."""
    return f"order:{uid}"


# An order row's reference as the payments domain knows it (``reference_of``), in SQL.
_REFERENCE = "'order:' || service_order.uid"
# A cancelled order whose money is still with us (its refund is owed), in SQL.
_OWED = (
    f"service_order.status = '{OrderStatus.CANCELLED}' AND service_order.paid_at IS NOT NULL"
    " AND service_order.refunded_at IS NULL"
)


def _at_gateway() -> QueryString:
    return refundable_at_gateway(PaymentPurpose.ORDER, QueryString(_REFERENCE))


def by_hand() -> WhereRaw:
    """Cancelled orders whose money is still with us and that the payment service cannot be asked to return (paid
    without its reference): staff return it by hand and say so (``actions.refunded_by_hand``)."""
    return WhereRaw(f"{_OWED} AND NOT {{}}", _at_gateway())


async def orders_to_refund(limit: int) -> list[str]:
    """The references of cancelled orders whose money is still with us and that the payment service can be asked
    to return (an order paid without its reference is refunded by hand, never taking a place here), those whose
    refund was asked for least recently first (one never asked for, as if asked when it was paid): the retry marks
    those it takes, so the next run takes the others, however many keep failing."""
    rows = (
        await Order.select(Order.uid)
        .where(WhereRaw(f"{_OWED} AND {{}}", _at_gateway()))
        .order_by(
            last_asked(PaymentPurpose.ORDER, QueryString(_REFERENCE), QueryString("service_order.paid_at")), Order.id
        )
        .limit(limit)
    )
    return [reference_of(r["uid"]) for r in rows]


# --- where a resident orders for ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class OrderPlace(PremiseAddress):
    """A premises an order is for, through its personal account."""

    account_id: int
    number: str
    premise_id: int
    house_id: int
    complex_id: int
    payer_name: str
    premise_kind: str
    premise_number: str
    house_address: str
    closed_on: date | None


def _place_columns() -> list[Any]:
    premise = PersonalAccount.premise
    return columns_of(
        PersonalAccount,
        OrderPlace,
        account_id=PersonalAccount.id,
        house_id=premise.house,
        complex_id=premise.house.complex,
        premise_kind=premise.kind,
        premise_number=premise.number,
        house_address=premise.house.address,
    )


async def places_of(principal: Principal, right: str = "view", *, closed: bool = False) -> list[OrderPlace]:
    """The resident's premises (by account) with ``right`` on the account, an open one (``Principal.may_act_on``);
    with ``closed``, then the closed ones their owners keep (``rules.ordered_on_closed``)."""
    may = principal.may_on_account if closed else principal.may_act_on
    ids = sorted(a for a in principal.account_ids if may(a, right))
    if not ids:
        return []
    rows = (
        await PersonalAccount.select(*_place_columns())
        .where(PersonalAccount.id.is_in(ids))
        .order_by(PersonalAccount.number)
    )
    places = [OrderPlace(**r) for r in rows]
    return sorted(places, key=lambda p: p.account_id in principal.closed_accounts)  # the open ones first


async def place_by_number(principal: Principal, number: str) -> OrderPlace | None:
    """An account by its number in the staff member's houses (the call centre orders for its resident)."""
    where = PersonalAccount.number == number.strip()[:32]
    scope = house_scope(PersonalAccount.premise.house, principal)
    if scope is not None:
        where &= scope
    row = await PersonalAccount.select(*_place_columns()).where(where).first()
    return OrderPlace(**row) if row else None


def choose_place(places: Sequence[OrderPlace], wanted: int | None) -> OrderPlace | None:
    """The place asked for (``?account=``), else the first one."""
    return next((p for p in places if p.account_id == wanted), places[0] if places else None)


# --- the catalogue --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CategoryView:
    id: int
    title: str
    title_en: str
    icon: str
    position: int
    active: bool
    updated_at: datetime | None = None  # its version: the edit form carries it (core.stale)


@dataclass(frozen=True)
class ServiceView:
    id: int
    category_id: int
    category_title: str
    category_title_en: str
    kind: str
    title: str
    title_en: str
    description: str
    description_en: str
    photo_key: str | None
    price_kind: str
    price: Decimal
    unit: str
    duration_minutes: int
    slots_per_day: int
    executor_group: str
    document: str
    all_houses: bool
    active: bool
    position: int
    updated_at: datetime | None = None  # its version: the edit form carries it (core.stale)

    @property
    def is_certificate(self) -> bool:
        return self.kind == ServiceKind.CERTIFICATE

    @property
    def is_free(self) -> bool:
        return self.price_kind == PriceKind.FIXED and self.price == 0

    @property
    def generated(self) -> bool:
        return rules.is_generated(self.document)

    def matches(self, query: str) -> bool:
        """Whether every word of ``query`` is in the service's words (in any case: ``rules.found_in``), in Russian or
        in English, whatever the reader's language (a resident searches in either; staff find a service by either
        name)."""
        own = (self.title, self.title_en, self.description, self.description_en)
        text = normalise(" ".join((*own, self.category_title, self.category_title_en)))
        return rules.found_in(normalise(query), text)


def _service_columns() -> list[Any]:
    """A service's columns, its price read in kopecks."""
    return columns_of(
        PaidService,
        ServiceView,
        category_title=PaidService.category.title,
        category_title_en=PaidService.category.title_en,
        price=PaidService.price_kopecks,
    )


def _service(row: dict[str, Any]) -> ServiceView:
    return ServiceView(**{**row, "price": from_kopecks(row["price"])})


CATEGORY_COLUMNS = columns_of(ServiceCategory, CategoryView)


async def categories(*, active_only: bool = True) -> list[CategoryView]:
    query = ServiceCategory.select(*CATEGORY_COLUMNS)
    if active_only:
        query = query.where(ServiceCategory.active.eq(True))
    rows = await query.order_by(ServiceCategory.position).order_by(ServiceCategory.id).limit(200)
    return [CategoryView(**r) for r in rows]


def _on_offer(place: OrderPlace) -> Any:
    """Active services of active categories offered in the place's house: everywhere, or named for its house or
    its complex."""
    named = ServiceAvailability.select(ServiceAvailability.service).where(
        (ServiceAvailability.house == place.house_id) | (ServiceAvailability.complex == place.complex_id)
    )
    return (
        PaidService.active.eq(True)
        & PaidService.category.active.eq(True)
        & (PaidService.all_houses.eq(True) | PaidService.id.is_in(named))
    )


async def _in_catalogue_order(where: Any, category: int | None) -> list[ServiceView]:
    """The services ``where`` finds (of one category if given), in the catalogue's order."""
    if category is not None:
        where &= PaidService.category == category
    rows = (
        await PaidService.select(*_service_columns())
        .where(where)
        .order_by(PaidService.category.position)
        .order_by(PaidService.position)
        .order_by(PaidService.id)
        .limit(MAX_SERVICES)
    )
    return [_service(r) for r in rows]


async def offered(place: OrderPlace, *, category: int | None = None, q: str = "") -> list[ServiceView]:
    """The active services of active categories offered at the place's house, in the catalogue's order
    (searched by words of the title, description and section)."""
    services = await _in_catalogue_order(_on_offer(place), category)
    return [s for s in services if s.matches(q)] if q.strip() else services


async def no_debt_orderable(account_id: int) -> int | None:
    """The certificate of no debt (its service) that may be ordered on the account now: the first one offered at its
    house, while the account owes nothing (``rules.no_debt_refused``, as ordering it asks); None otherwise. A closed
    account's page links to it, the one thing ordered on it (``rules.ordered_on_closed``). Two bounded reads."""
    if rules.no_debt_refused(await ledger.balance_of(account_id)):
        return None
    row = await PersonalAccount.select(*_place_columns()).where(PersonalAccount.id == account_id).first()
    if row is None:
        return None
    found = (
        await PaidService.select(PaidService.id)
        .where(_on_offer(OrderPlace(**row)) & (PaidService.document == DocumentKind.NO_DEBT))
        .order_by(PaidService.category.position)
        .order_by(PaidService.position)
        .order_by(PaidService.id)
        .first()
    )
    return found["id"] if found else None


async def offered_service(place: OrderPlace, service_id: int) -> ServiceView | None:
    """A service if it is active and offered at the place's house (None for a missing or hidden one alike)."""
    row = await PaidService.select(*_service_columns()).where((PaidService.id == service_id) & _on_offer(place)).first()
    return _service(row) if row else None


async def offered_services(place: OrderPlace, service_ids: Iterable[int]) -> dict[int, ServiceView]:
    ids = sorted(set(service_ids))[: rules.MAX_ITEMS * 2]
    if not ids:
        return {}
    rows = await PaidService.select(*_service_columns()).where(PaidService.id.is_in(ids) & _on_offer(place))
    return {r["id"]: _service(r) for r in rows}


async def service_photo(service_id: int) -> str | None:
    row = await PaidService.select(PaidService.photo_key).where(PaidService.id == service_id).first()
    return row["photo_key"] if row else None


async def booked(service_ids: Iterable[int], days: Sequence[date]) -> dict[tuple[int, date], int]:
    """How many orders (not cancelled) each service has on each of ``days``."""
    ids = sorted(set(service_ids))
    if not ids or not days:
        return {}
    rows = (
        await OrderItem.select(OrderItem.service, OrderItem.order.preferred_date.as_alias("day"), Count().as_alias("n"))
        .where(
            OrderItem.service.is_in(ids)
            & (OrderItem.order.preferred_date >= min(days))
            & (OrderItem.order.preferred_date <= max(days))
            & (OrderItem.order.status != OrderStatus.CANCELLED)
        )
        .group_by(OrderItem.service, OrderItem.order.preferred_date)
    )
    return {(r["service"], _as_date(r["day"])): int(r["n"]) for r in rows}


def _as_date(value: Any) -> date:
    return date.fromisoformat(value) if isinstance(value, str) else value


# --- orders ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Summary:
    """An order's services in one line, as data: the first service's title (in Russian, and in English where it
    had one when ordered) and how many more the order has; worded in the reader's language where it is shown
    (``texts.summary_label``: «Мелкий ремонт и ещё 1 услуга», "Minor repairs and 1 more service")."""

    first: str = ""
    others: int = 0
    first_en: str = ""


@dataclass(frozen=True)
class OrderRow:
    id: int
    uid: str
    kind: str
    status: str  # as stored
    shown: OrderStatus  # as people are shown it (rules.shown_status)
    source: str
    created_at: datetime
    preferred_date: date | None
    slot: str
    total: Decimal | None
    needs_quote: bool
    paid_at: datetime | None
    refunded_at: datetime | None
    # Cancelled, its money still with us, and the payment service cannot be asked to return it: staff return it by
    # hand («Вернуть вручную») and say so.
    refund_by_hand: bool
    account_id: int
    account_number: str
    house_id: int
    address: str
    user_id: int | None
    ticket_id: int | None
    ticket_number: int | None
    ticket_status: str | None
    rating: int | None
    summary: Summary = field(default_factory=Summary)  # worded where shown: texts.summary_label
    categories: tuple[str, ...] = ()

    @property
    def reference(self) -> str:
        return reference_of(self.uid)

    @property
    def active(self) -> bool:
        return self.shown in rules.ACTIVE

    @property
    def may_cancel(self) -> bool:
        return rules.may_cancel(self.status, self.ticket_status)

    @property
    def may_pay(self) -> bool:
        return rules.may_pay(self.status, self.total)

    @property
    def may_rate(self) -> bool:
        return rules.may_rate(self.ticket_status, self.rating)

    @property
    def paid(self) -> bool:
        """Its money is with us (a cancelled order's too, until it is returned)."""
        return self.paid_at is not None and self.refunded_at is None

    @property
    def money(self) -> rules.Money:
        return rules.money_state(self.status, self.paid_at is not None, self.refunded_at is not None)


@dataclass(frozen=True)
class ItemView(rules.Priced):
    """An item of a placed order with its amount (None until a «from» price is quoted)."""

    id: int
    amount: Decimal | None


@dataclass(frozen=True)
class DocumentView:
    id: int
    order_id: int
    title: str
    title_en: str
    file_key: str
    content_type: str
    size: int
    created_at: datetime
    made_by_name: str | None = None  # the staff member who attached it; None for a document the portal made


@dataclass(frozen=True)
class OrderDetail(OrderRow):
    comment: str = ""
    contact_phone: str = ""
    quote_note: str = ""
    quoted_at: datetime | None = None
    period_from: date | None = None
    period_to: date | None = None
    cancelled_at: datetime | None = None
    cancel_reason: str = ""
    refund_note: str | None = None  # returned by hand, as staff noted it
    payer_name: str = ""
    user_name: str = ""
    feedback: str = ""
    items: tuple[ItemView, ...] = ()
    documents: tuple[DocumentView, ...] = ()
    payment: PaymentView | None = None
    document_kind: str = DocumentKind.NONE
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def may_cancel(self) -> bool:
        """As the order's page offers it: not while its payment, as last heard, is paid or being confirmed (the
        cancel itself closes an open checkout at the gateway first, and asks it: ``actions.cancel``)."""
        p = self.payment
        underway = p is not None and pay_rules.beyond_closing(p.stored_status, p.created_at, clock.now())
        return rules.may_cancel(self.status, self.ticket_status, payment_underway=underway)


def _order_columns(row: type[OrderRow] = OrderRow) -> list[Any]:
    """The columns of ``row`` (an order's row or its detail), and those its total and address are made of."""
    return [
        *columns_of(
            Order,
            row,
            account_number=Order.account.number,
            ticket_number=Order.ticket.number,
            ticket_status=Order.ticket.status,
            rating=Order.ticket.rating,
            payer_name=Order.account.payer_name,
            user_name=Order.user.full_name,
            feedback=Order.ticket.feedback,
            refund_by_hand=QueryString(f"CASE WHEN {_OWED} AND NOT {{}} THEN 1 ELSE 0 END", _at_gateway()),
        ),
        Order.total_kopecks,
        Order.house.address.as_alias("house_address"),
        Order.premise.kind.as_alias("premise_kind"),
        Order.premise.number.as_alias("premise_number"),
    ]


def _total(row: dict[str, Any]) -> Decimal | None:
    if row["needs_quote"] and row["status"] == OrderStatus.QUOTE_REQUESTED:
        return None
    return from_kopecks(row["total_kopecks"])


def _row_values(row: dict[str, Any]) -> dict[str, Any]:
    values = dict(row)
    values["total"] = _total(values)
    values.pop("total_kopecks")
    address = full_address(values.pop("house_address"), values.pop("premise_kind"), values.pop("premise_number"))
    values["address"] = address
    values["shown"] = rules.shown_status(values["status"], values["ticket_status"])
    values["refund_by_hand"] = bool(values["refund_by_hand"])
    return values


async def _summaries(order_ids: Sequence[int]) -> dict[int, list[dict[str, Any]]]:
    """The items' titles (as ordered) and sections of each order (one query)."""
    if not order_ids:
        return {}
    rows = (
        await OrderItem.select(
            OrderItem.order,
            OrderItem.title,
            OrderItem.title_en,
            OrderItem.category.title.as_alias("category"),
            OrderItem.category.title_en.as_alias("category_en"),
        )
        .where(OrderItem.order.is_in(list(order_ids)))
        .order_by(OrderItem.order)
        .order_by(OrderItem.position)
    )
    found: dict[int, list[dict[str, Any]]] = {}
    for r in rows:
        found.setdefault(r["order"], []).append(r)
    return found


def _summary(items: Sequence[dict[str, Any]]) -> Summary:
    if not items:
        return Summary()
    return Summary(items[0]["title"], len(items) - 1, items[0]["title_en"] or "")


def _sections(items: Sequence[dict[str, Any]]) -> tuple[str, ...]:
    """The items' sections, each once, in the reader's language where staff named it in English."""
    return tuple(dict.fromkeys(own_words(i, "category") for i in items))


async def _rows(rows: Sequence[dict[str, Any]]) -> list[OrderRow]:
    summaries = await _summaries([r["id"] for r in rows])
    found = []
    for row in rows:
        items = summaries.get(row["id"], [])
        found.append(OrderRow(**_row_values(row), summary=_summary(items), categories=_sections(items)))
    return found


def _resident_scope(principal: Principal) -> Any:
    ids = sorted(a for a in principal.account_ids if principal.may_on_account(a, "view"))
    return Order.account.is_in(ids) if ids else None


async def _newest_first(where: Any, page: PageRequest) -> Page[OrderRow]:
    rows, total = await read_page(Order, _order_columns(), where, page)
    return Page(await _rows(rows), total, page.number, page.size)


async def orders_of_resident(principal: Principal, page: PageRequest) -> Page[OrderRow]:
    scope = _resident_scope(principal)
    if scope is None:
        return Page([], 0, page.number, page.size)
    return await _newest_first(scope, page)


async def _detail(row: dict[str, Any] | None) -> OrderDetail | None:
    if row is None:
        return None
    items = (
        await OrderItem.select(
            OrderItem.id,
            OrderItem.service.as_alias("service_id"),
            OrderItem.title,
            OrderItem.title_en,
            OrderItem.price_kind,
            OrderItem.unit,
            OrderItem.unit_price_kopecks,
            OrderItem.quantity,
            OrderItem.amount_kopecks,
            OrderItem.service.document.as_alias("document"),
            OrderItem.category.title.as_alias("category"),
            OrderItem.category.title_en.as_alias("category_en"),
        )
        .where(OrderItem.order == row["id"])
        .order_by(OrderItem.position)
        .limit(rules.MAX_ITEMS)
    )
    documents = await documents_of(row["id"])
    payment = (await payments_for(PaymentPurpose.ORDER, [reference_of(row["uid"])])).get(reference_of(row["uid"]))
    values = _row_values(row)
    return OrderDetail(
        **values,
        summary=_summary(items),
        categories=_sections(items),
        items=tuple(
            from_row(
                ItemView,
                i,
                unit_price=from_kopecks(i["unit_price_kopecks"]),
                quantity=Decimal(str(i["quantity"])),
                amount=from_kopecks(i["amount_kopecks"]) if i["amount_kopecks"] is not None else None,
            )
            for i in items
        ),
        documents=tuple(documents),
        payment=payment,
        document_kind=items[0]["document"] if items else DocumentKind.NONE,
    )


async def order_for_resident(principal: Principal, order_id: int) -> OrderDetail | None:
    """An order of one of the resident's accounts, or None (missing and someone else's alike)."""
    scope = _resident_scope(principal)
    if scope is None:
        return None
    return await _detail(await Order.select(*_order_columns(OrderDetail)).where((Order.id == order_id) & scope).first())


async def order_for_staff(principal: Principal, order_id: int) -> OrderDetail | None:
    """An order of the staff member's houses, or None (missing and out of scope alike)."""
    where = Order.id == order_id
    scope = house_scope(Order.house, principal)
    if scope is not None:
        where &= scope
    return await _detail(await Order.select(*_order_columns(OrderDetail)).where(where).first())


async def order_by_uid(uid: str) -> OrderDetail | None:
    """An order by its reference (the payments domain hands it back by this), for actions."""
    return await _detail(await Order.select(*_order_columns(OrderDetail)).where(Order.uid == uid[:36]).first())


DOCUMENT_COLUMNS = columns_of(OrderDocument, DocumentView, made_by_name=OrderDocument.made_by.full_name)


async def documents_of(order_id: int) -> list[DocumentView]:
    rows = (
        await OrderDocument.select(*DOCUMENT_COLUMNS)
        .where(OrderDocument.order == order_id)
        .order_by(OrderDocument.id)
        .limit(20)
    )
    return [DocumentView(**r) for r in rows]


async def document(document_id: int) -> DocumentView | None:
    row = await OrderDocument.select(*DOCUMENT_COLUMNS).where(OrderDocument.id == document_id).first()
    return DocumentView(**row) if row else None


# --- staff lists --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StaffFilter:
    status: str = ""
    category: int | None = None
    houses: tuple[int, ...] = ()
    date_from: date | None = None
    date_to: date | None = None
    paid: str = ""  # "yes" | "no" | ""
    number: str = ""  # an order number or an account number


def _status_where(status: str) -> Any:
    """Orders people are shown in ``status``: by the stored status before the request opens, by the request's
    status after (rules.shown_status in SQL)."""
    from_ticket = [t for t, shown in rules.FOLLOWS_TICKET.items() if shown == status]
    where = Order.ticket.is_null() & (Order.status == status)
    if from_ticket:
        where |= (
            Order.ticket.is_not_null()
            & (Order.status != OrderStatus.CANCELLED)
            & Order.ticket.status.is_in(sorted(from_ticket))
        )
    if status == OrderStatus.CANCELLED:
        where |= Order.status == OrderStatus.CANCELLED
    return where


def _in_category(category: int) -> Any:
    return Order.id.is_in(OrderItem.select(OrderItem.order).where(OrderItem.category == category))


def _staff_where(principal: Principal, f: StaffFilter) -> Any:
    where = every(
        [
            Order.id > 0,
            house_scope(Order.house, principal),
            _status_where(f.status) if f.status in OrderStatus.__members__.values() else None,
            _in_category(f.category) if f.category is not None else None,
            Order.house.is_in(list(f.houses)) if f.houses else None,
            on_days(Order.created_at, f.date_from, f.date_to),
        ]
    )
    if f.paid == "yes":
        where &= Order.paid_at.is_not_null() & Order.refunded_at.is_null()
    elif f.paid == "no":
        where &= Order.paid_at.is_null()
    number = f.number.strip()[:20]
    if number:
        order_id = parse_id(number)
        by_account = Order.account.number == number
        where &= (by_account | (Order.id == order_id)) if order_id is not None else by_account
    return where


async def staff_orders(principal: Principal, f: StaffFilter, page: PageRequest) -> Page[OrderRow]:
    return await _newest_first(_staff_where(principal, f), page)


async def staff_orders_export(principal: Principal, f: StaffFilter, limit: int = EXPORT_LIMIT) -> list[OrderRow]:
    """Every order the filter finds in the staff member's houses, in the order of the list on the screen."""
    found: list[OrderRow] = []
    async for rows in newest_batches(Order, _order_columns(), _staff_where(principal, f), limit):
        found.extend(await _rows(rows))
    return found


@dataclass(frozen=True)
class SalesLine:
    """Paid orders of one service in one month: how many and for how much (refunded orders left out)."""

    service_id: int
    title: str
    month: date
    count: int
    amount: Decimal
    title_en: str = ""  # the service's English name, where staff wrote one


async def sales(principal: Principal, year: int, house: int | None = None) -> list[SalesLine]:
    """Sales by service and month of ``year`` (by the day paid, in the company's zone): one grouped query a month."""
    scope = house_scope(OrderItem.order.house, principal)
    found: list[SalesLine] = []
    for month in rules.months(date(year, 1, 1), date(year, 12, 1)):
        start = clock.day_start(month)
        end = clock.day_start(rules.months(month, month + timedelta(days=31))[-1])
        where = (
            (OrderItem.order.paid_at >= start)
            & (OrderItem.order.paid_at < end)
            & OrderItem.order.refunded_at.is_null()
            & OrderItem.amount_kopecks.is_not_null()
        )
        if scope is not None:
            where &= scope
        if house is not None:
            where &= OrderItem.order.house == house
        rows = await (
            OrderItem.select(
                OrderItem.service,
                OrderItem.service.title.as_alias("title"),
                OrderItem.service.title_en.as_alias("title_en"),
                Count().as_alias("n"),
                Sum(OrderItem.amount_kopecks).as_alias("total"),
            )
            .where(where)
            .group_by(OrderItem.service, OrderItem.service.title, OrderItem.service.title_en)
        )
        found.extend(
            SalesLine(
                r["service"], r["title"], month, int(r["n"]), from_kopecks(int(r["total"] or 0)), r["title_en"] or ""
            )
            for r in rows
        )
    return found


# --- the catalogue for staff ------------------------------------------------------------------------------------


async def all_services(category: int | None = None) -> list[ServiceView]:
    """Every service, hidden ones too, in the catalogue's order."""
    return await _in_catalogue_order(PaidService.id > 0, category)


async def service(service_id: int) -> ServiceView | None:
    row = await PaidService.select(*_service_columns()).where(PaidService.id == service_id).first()
    return _service(row) if row else None


async def category(category_id: int) -> CategoryView | None:
    row = await ServiceCategory.select(*CATEGORY_COLUMNS).where(ServiceCategory.id == category_id).first()
    return CategoryView(**row) if row else None


@dataclass(frozen=True)
class Availability:
    complexes: frozenset[int]
    houses: frozenset[int]


async def availability_of(service_id: int) -> Availability:
    rows = (
        await ServiceAvailability.select(ServiceAvailability.complex, ServiceAvailability.house)
        .where(ServiceAvailability.service == service_id)
        .limit(1000)
    )
    return Availability(
        complexes=frozenset(r["complex"] for r in rows if r["complex"]),
        houses=frozenset(r["house"] for r in rows if r["house"]),
    )


# --- what certificates are made of (billing's reads) ---------------------------------------------------------------


@dataclass(frozen=True)
class StatementData:
    """A statement of a personal account for whole months: the balance at the start, every ledger entry of the
    months in order, and the balance at the end (positive: a debt)."""

    account: AccountInfo
    company: PayeeInfo | None
    start: date
    end: date
    opening: Decimal
    entries: tuple[Entry, ...]

    @property
    def closing(self) -> Decimal:
        return self.opening + sum((e.amount for e in self.entries), Decimal("0.00"))

    @property
    def charged(self) -> Decimal:
        return sum((e.amount for e in self.entries if e.amount > 0), Decimal("0.00"))

    @property
    def paid(self) -> Decimal:
        return -sum((e.amount for e in self.entries if e.amount < 0), Decimal("0.00"))


async def statement_data(account_id: int, start: date, end: date) -> StatementData | None:
    """The ledger of ``start`` … ``end`` (whole months) as billing keeps it: one bounded read per month."""
    account = await billing_queries.account_info(account_id)
    if account is None:
        return None
    snapshots = await ledger.latest_snapshots([account_id], before=start)
    opening = from_kopecks(snapshots[account_id]["closing_kopecks"]) if account_id in snapshots else Decimal("0.00")
    entries: list[Entry] = []
    for month in rules.months(start, end):
        entries.extend(await billing_queries.entries_of_period(account_id, month, list(EntryKind)))
    entries.sort(key=lambda e: (e.period, e.occurred_at, e.id))
    payees = await billing_queries.payees()
    return StatementData(account, payees[0] if payees else None, start, end, opening, tuple(entries))


async def company() -> PayeeInfo | None:
    payees = await billing_queries.payees()
    return payees[0] if payees else None


async def receipt_months(account_id: int) -> list[date]:
    """The months a receipt was issued for, newest first (a receipt copy is one of them)."""
    return [r.period for r in await billing_queries.receipts_of(account_id, limit=36)]


orphans.kept_in("catalog", PaidService.photo_key, OrderDocument.file_key)  # a service's photo, an order's document
