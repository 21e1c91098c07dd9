"""Staff pages of the catalog: the orders of their houses (filters, CSV/XLSX of exactly the filtered rows), an
order's page (quote, attach a document, cancel), sales by service and month, call-centre mode (an operator
orders for a resident by the account number), and the catalogue itself (sections and services)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from litestar import Controller
from litestar import Request
from litestar import Response
from litestar import get
from litestar import post
from litestar.params import FromQuery
from litestar.response import Template

from portal.catalog import actions
from portal.catalog import deps
from portal.catalog import forms
from portal.catalog import queries
from portal.catalog import rules
from portal.catalog import texts
from portal.catalog.deps import Caller
from portal.catalog.deps import LoadedCategory
from portal.catalog.deps import LoadedDocument
from portal.catalog.deps import LoadedOrder
from portal.catalog.deps import LoadedService
from portal.catalog.queries import OrderPlace
from portal.catalog.routes import cancelled_message
from portal.catalog.routes import document_file
from portal.catalog.tables import DocumentKind
from portal.catalog.tables import ExecutorGroup
from portal.catalog.tables import OrderSource
from portal.catalog.tables import OrderStatus
from portal.catalog.tables import PriceKind
from portal.catalog.tables import Unit
from portal.core import clock
from portal.core import stale
from portal.core import storage
from portal.core.exports import CSV
from portal.core.exports import XLSX
from portal.core.exports import Code
from portal.core.exports import Column
from portal.core.exports import Money
from portal.core.exports import attachment
from portal.core.exports import table
from portal.core.exports import to_csv
from portal.core.exports import to_xlsx
from portal.core.i18n import gettext
from portal.core.i18n import lazy
from portal.core.i18n import own_lang
from portal.core.i18n import own_words
from portal.core.pagination import Page
from portal.core.pagination import Paging
from portal.core.pagination import page_request
from portal.core.parse import parse_decimal
from portal.core.parse import parse_id
from portal.core.parse import parse_int
from portal.core.security import Principal
from portal.core.security import StaffRole
from portal.core.security import client_ip
from portal.core.security import staff
from portal.core.threads import written
from portal.core.web import FormData
from portal.core.web import FormErrors
from portal.core.web import MultipartData
from portal.core.web import among
from portal.core.web import flash
from portal.core.web import form_value
from portal.core.web import question
from portal.core.web import render
from portal.core.web import see_other
from portal.housing.queries import AccountView
from portal.housing.queries import houses_in_scope
from portal.housing.queries import list_accounts
from portal.housing.tables import Complex
from portal.tickets import queries as ticket_queries

R = StaffRole
VIEW = (R.MANAGER, R.DISPATCHER, R.OPERATOR, R.ACCOUNTANT)
WORK = (R.MANAGER, R.DISPATCHER, R.OPERATOR)
QUOTE = (R.MANAGER, R.DISPATCHER)
SALES = (R.MANAGER, R.ACCOUNTANT)
REFUND = (R.ACCOUNTANT,)  # money returned by hand, as refunds of payments are
CATALOGUE = (R.MANAGER,)

EXPORT_COLUMNS: tuple[Column, ...] = (
    (lazy("Order No."), lambda r: r.id),
    (lazy("Date"), lambda r: r.created_at),
    (lazy("Status"), lambda r: texts.status_label(r.shown)),
    (lazy("Services"), texts.order_summary),
    (lazy("Sections"), lambda r: ", ".join(r.categories)),
    (lazy("Address"), lambda r: r.address),
    (lazy("Account"), lambda r: Code.of(r.account_number)),
    (lazy("Preferred day"), lambda r: r.preferred_date),
    (lazy("Amount"), lambda r: Money.of(r.total)),
    (lazy("Paid"), lambda r: gettext("yes") if r.paid else gettext("no")),
    (lazy("Request No."), lambda r: r.ticket_number or ""),
)


async def _filter(request: Request, principal: Principal) -> tuple[dict[str, Any], dict[str, Any]]:
    """The order list's filters, with its choices: a section or a house that is none of the list's counts as not
    read (``core.web.among``), the same whether the house is out of the user's reach or not there."""
    choices, chosen = await _choices(principal), forms.read_staff_filter(request.query_params)
    chosen["category"] = among(chosen["category"], [key for key, _ in choices["sections"]])
    mine = {key for key, _ in choices["houses"]}
    chosen["houses"] = tuple(house for house in chosen["houses"] if house in mine)
    return chosen, choices


async def _choices(principal: Principal) -> dict[str, Any]:
    return {
        "houses": [(h.id, h.address) for h in await houses_in_scope(principal)],
        "sections": [(c.id, own_words(c, "title")) for c in await queries.categories(active_only=False)],
        "statuses": [(s.value, texts.status_label(s)) for s in OrderStatus],
    }


async def _order_page(request: Request, principal: Principal, order: queries.OrderDetail, **extra: Any) -> Template:
    """The order's page; its request is linked only if the caller may open it (``openable``)."""
    openable = await ticket_queries.openable_for_staff(principal, [order.ticket_id] if order.ticket_id else [])
    return render(
        request, "catalog/staff_order.html", order=order, staff=True, may_quote=principal.has_role(*QUOTE),
        may_work=principal.has_role(*WORK), may_see_payment=principal.has_role(R.ACCOUNTANT, R.MANAGER, R.OPERATOR),
        may_refund=principal.has_role(*REFUND),
        quote=extra.pop("quote", None) or forms.QuoteForm(),
        quote_version=extra.pop("quote_version", stale.version_of(order.quoted_at)), openable=openable, **extra,
        **texts.words(),
    )  # fmt: skip


class StaffOrders(Controller):
    """Orders of the staff member's houses."""

    path = "/staff/orders"
    opt = staff(*VIEW)
    dependencies = deps.STAFF

    @get("/", name="catalog:staff_orders")
    async def index(self, request: Request, principal: Caller, paging: Paging) -> Template:
        chosen, choices = await _filter(request, principal)
        typed, problems = forms.staff_filter_problems(request.query_params, chosen)
        f = queries.StaffFilter(**chosen)
        orders = await queries.staff_orders(principal, f, paging)
        linked = [o.ticket_id for o in orders.items if o.ticket_id]
        openable = await ticket_queries.openable_for_staff(principal, linked)
        return render(
            request, "catalog/staff_list.html", page=orders, f=f, typed=typed, problems=problems,
            may_order=principal.has_role(*WORK), openable=openable, **choices, **texts.words(),
        )  # fmt: skip

    @get("/export.csv", name="catalog:staff_csv")
    async def export_csv(self, request: Request, principal: Caller) -> Response[bytes]:
        chosen, _ = await _filter(request, principal)
        rows = await queries.staff_orders_export(principal, queries.StaffFilter(**chosen))
        return attachment(await written(to_csv, table(EXPORT_COLUMNS, rows)), CSV, "orders.csv")

    @get("/export.xlsx", name="catalog:staff_xlsx")
    async def export_xlsx(self, request: Request, principal: Caller) -> Response[bytes]:
        chosen, _ = await _filter(request, principal)
        rows = await queries.staff_orders_export(principal, queries.StaffFilter(**chosen))
        sheets = [(gettext("Orders"), table(EXPORT_COLUMNS, rows))]
        return attachment(await written(to_xlsx, sheets), XLSX, "orders.xlsx")

    @get("/sales", name="catalog:sales", opt=staff(*SALES))
    async def sales(
        self, request: Request, principal: Caller, year: FromQuery[str] = "", house: FromQuery[str] = ""
    ) -> Template:
        this_year = clock.today_local().year
        chosen = parse_int(year, low=2000, high=this_year + 1) or this_year
        lines = await queries.sales(principal, chosen, parse_id(house))
        return render(
            request, "catalog/staff_sales.html", year=chosen, years=list(range(this_year, this_year - 5, -1)),
            table=sales_table(lines, chosen), house=parse_id(house), **await _choices(principal),
        )  # fmt: skip

    @get("/new", name="catalog:staff_new", opt=staff(*WORK))
    async def new(self, request: Request, principal: Caller, account: FromQuery[str] = "") -> Template:
        """An order by phone: ``account`` is the number, or words of the address or the payer's name that list the
        accounts they name to choose from (a caller seldom knows the number)."""
        typed = account.strip()[:100]
        place = await queries.place_by_number(principal, typed) if typed else None
        found = await list_accounts(principal, page_request(1, 10), typed) if typed and place is None else None
        return await _new_page(request, principal, place, typed, found=found)

    @post("/new", name="catalog:staff_create", opt=staff(*WORK), status_code=200)
    async def create(self, request: Request, principal: Caller, data: FormData) -> Response[Any] | Template:
        place = await queries.place_by_number(principal, form_value(data, "number"))
        if place is None:
            flash(request, gettext("No account with this number in your houses."), "error")
            return see_other(request, "/staff/orders/new")
        if form_value(data, "kind") == "certificate":
            return await _order_certificate(request, principal, place, data)
        return await _order_services(request, principal, place, data)

    @get("/{order_id:int}", name="catalog:staff_order")
    async def detail(self, request: Request, principal: Caller, order: LoadedOrder) -> Template:
        return await _order_page(request, principal, order)

    @post("/{order_id:int}/quote", name="catalog:staff_quote", opt=staff(*QUOTE), status_code=200)
    async def quote(
        self, request: Request, principal: Caller, order: LoadedOrder, data: FormData
    ) -> Response[Any] | Template:
        form, typed = forms.read_quote(data), stale.typed(data)  # the price named when the page was read
        if form.errors or form.amount is None:
            return await _order_page(request, principal, order, quote=form, quote_version=typed, status_code=422)
        try:
            await actions.quote(principal, order, form.amount, form.note, clock.now(), ip=client_ip(request),
                                version=typed)  # fmt: skip
        except stale.Stale as exc:  # the page again, with the price typed, the price named meanwhile above it
            stale.say(form.errors, exc.change, ("amount", "note"), {"total": "amount"})
            return await _order_page(request, principal, order, quote=form, status_code=409)
        flash(request, gettext("The price is sent to the resident."))
        return see_other(request, f"/staff/orders/{order.id}")

    @post("/{order_id:int}/documents", name="catalog:staff_attach", opt=staff(*WORK), status_code=200)
    async def attach(
        self, request: Request, principal: Caller, order: LoadedOrder, data: MultipartData
    ) -> Response[Any] | Template:
        title, upload, errors = form_value(data, "title")[:255], data.get("file"), FormErrors()
        stored = await actions.store_document(upload) if storage.is_upload(upload) else None
        if stored is None:  # what was typed is kept; the file is chosen again
            refused = gettext("Attach a PDF file or a photo of the document (at most 10 MB).")
            errors.add("file", refused if storage.is_upload(upload) else gettext("Choose the file of the document."))
            attach = {"title": title, "errors": errors}
            return await _order_page(request, principal, order, attach=attach, status_code=422)
        await actions.attach_document(principal, order, stored, title, clock.now(), ip=client_ip(request))
        flash(request, gettext("The document is attached; the resident can download it from the order."))
        return see_other(request, f"/staff/orders/{order.id}")

    @post("/{order_id:int}/cancel", name="catalog:staff_cancel", opt=staff(*WORK), status_code=200)
    async def cancel(
        self, request: Request, principal: Caller, order: LoadedOrder, data: FormData
    ) -> Response[Any] | Template:
        reason = forms.read_cancel_reason(data)
        if form_value(data, "confirm") != "1":  # final, and a paid order's money goes back: asked once more
            actions.check_cancel(order, back=f"/staff/orders/{order.id}")  # unless it would be refused: said now
            return question(
                request, "catalog/staff_cancel.html", order=order, reason=reason, order_summary=texts.order_summary_html
            )
        now, ip = clock.now(), client_ip(request)
        refund = await actions.cancel(principal, order, by_staff=True, reason=reason, now=now, ip=ip)
        flash(request, cancelled_message(refund, order))
        return see_other(request, f"/staff/orders/{order.id}")

    @post(
        "/{order_id:int}/refunded-by-hand", name="catalog:staff_refunded_by_hand", opt=staff(*REFUND), status_code=200
    )
    async def refunded_by_hand(
        self, request: Request, principal: Caller, order: LoadedOrder, data: FormData
    ) -> Response[Any]:
        """The money of a cancelled order the payment service cannot return is returned by hand: said, it ends."""
        note = form_value(data, "note")
        await actions.refunded_by_hand(principal, order, note, clock.now(), ip=client_ip(request))
        flash(request, gettext("The order's money is marked as returned by hand; the payer is told."))
        return see_other(request, f"/staff/orders/{order.id}")

    @get("/documents/{document_id:int}", name="catalog:staff_document")
    async def document(self, document: LoadedDocument) -> Response[Any]:
        return document_file(document)


def sales_table(lines: Sequence[queries.SalesLine], year: int) -> dict[str, Any]:
    """Services × months: how many and for how much, with the totals of each row and column."""
    months = rules.months(date(year, 1, 1), date(year, 12, 1))
    rows: dict[int, dict[str, Any]] = {}
    for line in lines:
        row = rows.setdefault(
            line.service_id,
            {"title": line.title, "title_en": line.title_en, "cells": {}, "count": 0, "amount": Decimal(0)},
        )
        row["cells"][line.month] = line
        row["count"] += line.count
        row["amount"] += line.amount
    totals = {m: sum((ln.amount for ln in lines if ln.month == m), Decimal(0)) for m in months}
    return {
        "months": months,
        "rows": sorted(rows.values(), key=lambda r: (-r["amount"], r["title"])),
        "totals": totals,
        "count": sum(ln.count for ln in lines),
        "amount": sum((ln.amount for ln in lines), Decimal(0)),
    }


async def _new_page(
    request: Request,
    principal: Principal,
    place: OrderPlace | None,
    number: str,
    errors: FormErrors | None = None,
    typed: dict[str, Any] | None = None,
    status_code: int = 200,
    found: Page[AccountView] | None = None,
) -> Template:
    services = await queries.offered(place) if place else []
    return render(
        request, "catalog/staff_new.html", status_code=status_code, place=place, number=number, found=found,
        services=[s for s in services if not s.is_certificate], certificates=[s for s in services if s.is_certificate],
        days=[(d.isoformat(), d) for d in rules.bookable_days(clock.today_local())], slots=queries.slots(),
        errors=errors or FormErrors(), typed=typed or {}, **texts.words(),
    )  # fmt: skip


def _wanted_of(data: dict[str, Any], services: Sequence[queries.ServiceView], errors: FormErrors) -> list[Any]:
    """The services the operator ticked (per unit: with a quantity)."""
    wanted = []
    for service in services:
        typed = form_value(data, f"q_{service.id}")
        if not typed:
            continue
        if service.price_kind != PriceKind.PER_UNIT:
            wanted.append(actions.Wanted(service, Decimal(1)))
            continue
        quantity = parse_decimal(typed, places=rules.quantity_places(service.unit), whole_digits=4)
        if rules.quantity_problem(service.price_kind, service.unit, quantity) or quantity is None:
            errors.add(f"q_{service.id}", gettext("Give how much is needed as a number, e.g. 2."))
        else:
            wanted.append(actions.Wanted(service, quantity))
    return wanted[: rules.MAX_ITEMS]


async def _order_services(request: Request, principal: Principal, place: OrderPlace, data: FormData) -> Any:
    offered = [s for s in await queries.offered(place) if not s.is_certificate]
    form = forms.read_checkout(data, [place.account_id], queries.slots(), clock.today_local())
    wanted = _wanted_of(data, offered, form.errors)
    if not wanted and not form.errors:
        form.errors.general.append(gettext("Tick at least one service."))
    if form.errors or form.day is None:
        return await _new_page(request, principal, place, place.number, form.errors, dict(data), 422)
    placed = await actions.order_services(
        principal, place, wanted, day=form.day, slot=form.slot, comment=form.comment, phone=form.phone,
        now=clock.now(), source=OrderSource.CALL_CENTRE, ip=client_ip(request),
    )  # fmt: skip
    flash(request, gettext("Order No. %(number)s is placed for the resident.", number=placed.id))
    return see_other(request, f"/staff/orders/{placed.id}")


async def _order_certificate(request: Request, principal: Principal, place: OrderPlace, data: FormData) -> Any:
    certificates = {s.id: s for s in await queries.offered(place) if s.is_certificate}
    service = certificates.get(parse_id(form_value(data, "certificate")) or 0)
    if service is None:
        errors = FormErrors(fields={"certificate": gettext("Choose the certificate.")})
        return await _new_page(request, principal, place, place.number, errors, dict(data), 422)
    months = await queries.receipt_months(place.account_id) if service.document == DocumentKind.RECEIPT_COPY else []
    this_month = clock.today_local().replace(day=1)
    form = forms.read_document(data, service.document, [place.account_id], this_month, months)
    if form.errors:
        return await _new_page(request, principal, place, place.number, form.errors, dict(data), 422)
    placed = await actions.order_document(
        principal, place, service, period_from=form.period_from, period_to=form.period_to, now=clock.now(),
        source=OrderSource.CALL_CENTRE, ip=client_ip(request),
    )  # fmt: skip
    flash(request, gettext("Order No. %(number)s is placed for the resident.", number=placed.id))
    return see_other(request, f"/staff/orders/{placed.id}")


# --- the catalogue ---------------------------------------------------------------------------------------------


async def _service_form_page(
    request: Request,
    principal: Principal,
    service: queries.ServiceView | None,
    form: forms.ServiceForm | None = None,
    status_code: int = 200,
    version: str | None = None,
) -> Template:
    """The service's form; an edit's carries ``version`` (core.stale): the service's as read, unless the form is
    shown again for a mistake with the one it had."""
    version = version if version is not None or status_code != 200 else stale.carried(service)
    availability = (
        await queries.availability_of(service.id) if service else queries.Availability(frozenset(), frozenset())
    )
    if form is None:
        form = forms.ServiceForm(typed=_typed_of(service), complexes=sorted(availability.complexes),
                                 houses=sorted(availability.houses))  # fmt: skip
    complexes = await Complex.select(Complex.id, Complex.name).order_by(Complex.name).limit(100)
    sections = await queries.categories(active_only=False)
    return render(
        request, "catalog/staff_service.html", status_code=status_code, service=service, form=form, version=version,
        sections=[(c.id, own_words(c, "title")) for c in sections],
        section_lang={c.id: own_lang(c, "title") for c in sections},
        houses=[(h.id, h.address) for h in await houses_in_scope(principal)],
        complexes=[(c["id"], c["name"]) for c in complexes] if principal.house_ids is None else [],
        price_kinds=[(k.value, texts.PRICE_KIND_LABELS[k]()) for k in PriceKind],
        units=[(u.value, texts.unit_label(u)) for u in Unit if u],
        groups=[(g.value, texts.group_label(g)) for g in ExecutorGroup],
        documents=[(d.value, texts.DOCUMENT_LABELS[d]()) for d in DocumentKind], **texts.words(),
    )  # fmt: skip


def _typed_of(service: queries.ServiceView | None) -> dict[str, Any]:
    if service is None:
        return {
            "price_kind": PriceKind.FIXED, "duration": "60", "slots": "4", "all_houses": True, "active": True,
            "executor_group": ExecutorGroup.HANDYMEN, "document": DocumentKind.NONE, "price": "", "position": "0",
        }  # fmt: skip
    return {
        "title": service.title, "title_en": service.title_en, "description": service.description,
        "description_en": service.description_en, "category": str(service.category_id),
        "price_kind": service.price_kind, "price": str(service.price).replace(".", ","), "unit": service.unit,
        "duration": str(service.duration_minutes), "slots": str(service.slots_per_day),
        "executor_group": service.executor_group, "document": service.document, "position": str(service.position),
        "all_houses": service.all_houses, "active": service.active,
    }  # fmt: skip


async def _save_service(
    request: Request, principal: Principal, service: queries.ServiceView | None, data: MultipartData
) -> Any:
    sections = [c.id for c in await queries.categories(active_only=False)]
    form = forms.read_service(data, sections)
    photo = None
    if storage.is_upload(data.get("photo")):
        try:  # only a form without errors keeps its photo: the browser empties the field, which says so
            photo = None if form.errors else await actions.store_photo(data["photo"])
        except storage.UploadRefused as refused:
            form.errors.add("photo", storage.image_refusal(refused))
        if photo is None:  # a refusal said first stays (``add`` keeps a field's first message)
            form.errors.add("photo", gettext("A file is not kept while the form has errors: choose the photo again."))
    typed = stale.typed(data, editing=service is not None)
    if form.errors:
        return await _service_form_page(request, principal, service, form, 422, typed)
    try:
        with storage.dropped_unless_saved(*([photo.key] if photo else [])):
            saved = await actions.save_service(
                principal, service.id if service else None, form.values, complexes=form.complexes,
                houses=form.houses, photo=photo, now=clock.now(), ip=client_ip(request), version=typed,
            )  # fmt: skip
    except stale.Stale as exc:  # the form again, with what was typed and the service's version now
        stale.say(form.errors, exc.change)
        return await _service_form_page(request, principal, service, form, 409, stale.carried(service))
    flash(request, gettext("The service is saved."))
    return see_other(request, f"/staff/catalog/services/{saved}")


class StaffCatalogue(Controller):
    """The catalogue: sections and services, their prices and where they are offered (managers, admins)."""

    path = "/staff/catalog"
    opt = staff(*CATALOGUE)
    dependencies = deps.CATALOGUE

    @get("/", name="catalog:staff_catalogue")
    async def index(self, request: Request, section: FromQuery[str] = "") -> Template:
        # ``section``, not ``category``: the controller's ``category`` is the provider of an edited section.
        chosen = parse_id(section)
        services = await queries.all_services(chosen)
        sections = await queries.categories(active_only=False)
        return render(
            request,
            "catalog/staff_catalogue.html",
            services=services,
            sections=sections,
            chosen=chosen,
            **texts.words(),
        )

    @get("/services/new", name="catalog:staff_service_new")
    async def new_service(self, request: Request, principal: Caller) -> Template:
        return await _service_form_page(request, principal, None)

    @post("/services/new", name="catalog:staff_service_create", status_code=200)
    async def create_service(self, request: Request, principal: Caller, data: MultipartData) -> Any:
        return await _save_service(request, principal, None, data)

    @get("/services/{service_id:int}", name="catalog:staff_service")
    async def edit_service(self, request: Request, principal: Caller, service: LoadedService) -> Template:
        return await _service_form_page(request, principal, service)

    @post("/services/{service_id:int}", name="catalog:staff_service_update", status_code=200)
    async def update_service(
        self, request: Request, principal: Caller, service: LoadedService, data: MultipartData
    ) -> Any:
        return await _save_service(request, principal, service, data)

    @get("/categories/new", name="catalog:staff_category_new")
    async def new_category(self, request: Request) -> Template:
        return render(
            request, "catalog/staff_category.html", category=None, typed={"active": True}, errors=FormErrors()
        )

    @post("/categories/new", name="catalog:staff_category_create", status_code=200)
    async def create_category(self, request: Request, principal: Caller, data: FormData) -> Any:
        return await _save_category(request, principal, None, data)

    @get("/categories/{category_id:int}", name="catalog:staff_category")
    async def edit_category(self, request: Request, category: LoadedCategory) -> Template:
        typed = {
            "title": category.title,
            "title_en": category.title_en,
            "icon": category.icon,
            "position": category.position,
            "active": category.active,
        }
        return render(request, "catalog/staff_category.html", category=category, typed=typed, errors=FormErrors(),
                      version=stale.carried(category))  # fmt: skip

    @post("/categories/{category_id:int}", name="catalog:staff_category_update", status_code=200)
    async def update_category(
        self, request: Request, principal: Caller, category: LoadedCategory, data: FormData
    ) -> Any:
        return await _save_category(request, principal, category, data)


async def _save_category(
    request: Request, principal: Principal, category: queries.CategoryView | None, data: FormData
) -> Any:
    values, errors = forms.read_category(data)
    version = stale.typed(data, editing=category is not None)
    typed = {k: form_value(data, k) for k in ("title", "title_en", "icon", "position")} | {"active": values["active"]}
    if errors:
        return render(request, "catalog/staff_category.html", category=category, typed=typed, errors=errors,
                      status_code=422, version=version)  # fmt: skip
    category_id = category.id if category else None
    try:
        await actions.save_category(principal, category_id, values, clock.now(), ip=client_ip(request), version=version)
    except stale.Stale as exc:  # the form again, with what was typed and the section's version now
        stale.say(errors, exc.change)
        return render(request, "catalog/staff_category.html", category=category, typed=typed, errors=errors,
                      status_code=409, version=stale.carried(category))  # fmt: skip
    flash(request, gettext("The section is saved."))
    return see_other(request, "/staff/catalog")
