"""Resident pages of the catalog: the catalogue of their house (sections, search), a service's page, the order
being put together (kept in the session), placing and paying it, certificates, the orders and each order's page
(its request, payment, documents, cancel, rating). Staff pages are in routes_staff.py."""

from __future__ import annotations

import asyncio
from datetime import date
from decimal import Decimal
from typing import Any
from urllib.parse import quote

from litestar import Controller
from litestar import Request
from litestar import Response
from litestar import get
from litestar import post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.params import FromQuery
from litestar.response import Redirect
from litestar.response import Template

from portal.catalog import actions
from portal.catalog import deps
from portal.catalog import forms
from portal.catalog import queries
from portal.catalog import rules
from portal.catalog import texts
from portal.catalog.deps import Caller
from portal.catalog.deps import LoadedDocument
from portal.catalog.deps import LoadedOrder
from portal.catalog.queries import OrderPlace
from portal.catalog.queries import ServiceView
from portal.catalog.tables import DocumentKind
from portal.catalog.tables import PriceKind
from portal.core import clock
from portal.core import storage
from portal.core.head import is_head
from portal.core.i18n import format_day
from portal.core.i18n import format_money
from portal.core.i18n import gettext
from portal.core.i18n import own_words
from portal.core.pagination import Paging
from portal.core.parse import parse_decimal
from portal.core.parse import parse_id
from portal.core.rating import read_rating
from portal.core.rating import typed_rating
from portal.core.security import Principal
from portal.core.security import client_ip
from portal.core.security import resident
from portal.core.security import signed_in
from portal.core.web import FormData
from portal.core.web import FormErrors
from portal.core.web import flash
from portal.core.web import found
from portal.core.web import mark_taken
from portal.core.web import render
from portal.core.web import see_other
from portal.core.web import to_gateway
from portal.housing.queries import ClosedAccount
from portal.payments import rules as pay_rules
from portal.payments.actions import CheckoutUnderway
from portal.payments.actions import RefundState
from portal.payments.tables import PaymentStatus
from portal.settings import get_settings

CART = "catalog_cart"
# Orders whose payer came back from the gateway's success page while the gateway could not be asked: order id →
# the checkout's session, kept in the payer's session so that the order's page too says the payment is being
# checked (and offers no cancel) until the gateway is heard.
CHECKING = "catalog_checking"
# A card's photo: 480 pixels cover a phone's card of two a row on a screen of two pixels a point and a computer's
# card (220-440 points) on a plain screen; the service's own page shows the photo whole.
CARD_PHOTO_WIDTH = 480
SERVICE_RIGHT = "tickets"  # services open a request: a resident with the right to requests orders them


# --- the order being put together, kept in the session ----------------------------------------------------------


def cart_of(request: Request) -> list[tuple[int, Decimal]]:
    """(service id, quantity) of the services put in the order, as typed values (anything else is dropped)."""
    found: list[tuple[int, Decimal]] = []
    raw = request.session.get(CART)
    for entry in raw if isinstance(raw, list) else []:
        if not isinstance(entry, list) or len(entry) != 2:
            continue
        service_id, quantity = parse_id(entry[0]), parse_decimal(entry[1], places=2, whole_digits=4)
        if service_id is not None and quantity is not None and quantity > 0:
            found.append((service_id, quantity))
    return found[: rules.MAX_ITEMS]


def save_cart(request: Request, items: list[tuple[int, Decimal]]) -> None:
    request.session[CART] = [[service_id, str(quantity)] for service_id, quantity in items[: rules.MAX_ITEMS]]


async def _place(
    principal: Principal, wanted: object, right: str = "view", *, closed: bool = False
) -> tuple[list[OrderPlace], OrderPlace]:
    places = await queries.places_of(principal, right, closed=closed)
    place = found(queries.choose_place(places, parse_id(wanted)))
    return places, place


def _closed(principal: Principal, place: OrderPlace) -> list[ClosedAccount]:
    """The place chosen as the page's notice of a closed account names it (templates/housing/_closed.html)."""
    if place.account_id not in principal.closed_accounts or place.closed_on is None:
        return []
    return [ClosedAccount(place.account_id, place.number, place.closed_on)]


async def _offered(
    principal: Principal, wanted: object, service_id: int
) -> tuple[list[OrderPlace], OrderPlace, ServiceView]:
    """A service's page: the premises it may be ordered for, the one chosen (``wanted``, else the first open one) and
    the service as its house offers it. A closed account its owner keeps is one of them for a certificate of no debt
    only (``rules.ordered_on_closed``); for anything else it answers 404 as any account not theirs."""
    places, place = await _place(principal, wanted, closed=True)
    service = found(await queries.offered_service(place, service_id))
    if not rules.ordered_on_closed(service.document):
        places = [p for p in places if p.account_id not in principal.closed_accounts]
        if place not in places:
            raise NotFoundException()
    return places, place, service


def _day_choices(full: set[date], today: date) -> list[tuple[str, str]]:
    return [
        (d.isoformat(), format_day(d, "EEE, d MMMM") + (" — " + gettext("fully booked") if d in full else ""))
        for d in rules.bookable_days(today)
    ]


async def _full_days(services: list[ServiceView], today: date) -> set[date]:
    days = rules.bookable_days(today)
    booked = await queries.booked([s.id for s in services], days)
    return {d for d in days for s in services if rules.is_full(s.slots_per_day, booked.get((s.id, d), 0))}


async def _cart_lines(place: OrderPlace, cart: list[tuple[int, Decimal]]) -> list[actions.Wanted]:
    """The services of the order as the place's house offers them now (priced now)."""
    offered = await queries.offered_services(place, [sid for sid, _ in cart])
    return [actions.Wanted(offered[sid], q) for sid, q in cart if sid in offered]


async def _cart_page(
    request: Request,
    principal: Principal,
    form: forms.CheckoutForm | None = None,
    status_code: int = 200,
    *,
    removed: bool = False,
    focus: int | None = None,
) -> Template:
    """The cart; after a line was removed (``removed``) the keyboard goes to the line ``focus``, or to the heading."""
    cart = cart_of(request)
    wanted_place = form.account_id if form and form.account_id else request.query_params.get("account")
    places, place = await _place(principal, wanted_place, SERVICE_RIGHT)
    wanted = await _cart_lines(place, cart)
    today = clock.today_local()
    full = await _full_days([w.service for w in wanted], today)
    lines = actions._lines(wanted)
    return render(
        request, "catalog/cart.html", status_code=status_code, places=places, place=place, wanted=wanted,
        lines=lines, missing=len(cart) - len(wanted), total=rules.order_total(ln.amount for ln in lines),
        quote=rules.needs_quote(lines), days=_day_choices(full, today), slots=queries.slots(),
        form=form or forms.CheckoutForm(typed={"phone": ""}), removed=removed, focus=focus, **texts.words(),
    )  # fmt: skip


class ResidentCatalog(Controller):
    """The catalogue of the resident's house, a service's page, and the order being put together."""

    path = "/services"
    opt = resident()

    @get("/", name="catalog:index")
    async def index(
        self,
        request: Request,
        principal: Caller,
        account: FromQuery[str] = "",
        category: FromQuery[str] = "",
        q: FromQuery[str] = "",
    ) -> Template:
        places, place = await _place(principal, account, closed=True)
        chosen = parse_id(category)
        services = await queries.offered(place, category=chosen, q=q[:100])
        closed = _closed(principal, place)
        if closed:  # a closed account's owner orders only what may be ordered on it
            services = [s for s in services if rules.ordered_on_closed(s.document)]
        sections = await queries.categories()
        return render(
            request, "catalog/index.html", block="list", places=places, place=place, services=services,
            sections=sections, chosen=chosen, q=q[:100], in_cart=len(cart_of(request)), closed=closed,
            **texts.words(),
        )  # fmt: skip

    @get("/{service_id:int}", name="catalog:service")
    async def service(
        self, request: Request, principal: Caller, service_id: FromPath[int], account: FromQuery[str] = ""
    ) -> Template:
        places, place, service = await _offered(principal, account, service_id)
        return await _service_page(request, service, places, place)

    @get("/photos/{service_id:int}", name="catalog:photo", opt=signed_in())
    async def photo(self, service_id: FromPath[int]) -> Response[Any]:
        key = await queries.service_photo(service_id)
        if not key:
            raise NotFoundException()
        return storage.response_for(key, "image/jpeg", "service.jpg")

    @get("/photos/{service_id:int}/card", name="catalog:photo_card", opt=signed_in())
    async def photo_card(self, service_id: FromPath[int]) -> Response[Any]:
        """The photo as a service's card in the list shows it: a phone of two cards a row, a computer's wider
        card on a plain screen (``CARD_PHOTO_WIDTH``)."""
        key = await queries.service_photo(service_id)
        if not key:
            raise NotFoundException()
        small = await asyncio.to_thread(storage.narrow, key, CARD_PHOTO_WIDTH)
        return storage.response_for(small, "image/jpeg", "service.jpg")

    @post("/cart", name="catalog:cart_add", status_code=200)
    async def add(self, request: Request, principal: Caller, data: FormData) -> Response[Any] | Template:
        places, place = await _place(principal, data.get("account"))
        found = await queries.offered_service(place, parse_id(data.get("service")) or 0)
        if found is None or found.is_certificate:
            raise NotFoundException()
        quantity, errors = forms.read_quantity(data, found.price_kind, found.unit)
        if quantity is None:
            return await _service_page(request, found, places, place, errors, dict(data), 422)
        cart = [(sid, q) for sid, q in cart_of(request) if sid != found.id]
        save_cart(request, [*cart, (found.id, quantity)])
        flash(request, gettext("“%(title)s” is in your order.", title=own_words(found, "title")))
        return see_other(request, f"/services/cart?account={place.account_id}")

    @get("/cart", name="catalog:cart")
    async def cart(self, request: Request, principal: Caller) -> Template:
        return await _cart_page(request, principal)

    @post("/cart/remove", name="catalog:cart_remove", status_code=200)
    async def remove(self, request: Request, principal: Caller, data: FormData) -> Template:
        """«Remove» is a button of the order form: the page comes back with what was typed in it."""
        service_id, cart = parse_id(data.get("service")), cart_of(request)
        save_cart(request, [(sid, q) for sid, q in cart if sid != service_id])
        focus = rules.line_after_removal([sid for sid, _ in cart], service_id)
        return await _cart_page(request, principal, forms.kept_checkout(data), removed=True, focus=focus)

    @post("/cart/order", name="catalog:checkout", status_code=200)
    async def checkout(self, request: Request, principal: Caller, data: FormData) -> Response[Any] | Template:
        places = await queries.places_of(principal, SERVICE_RIGHT)
        form = forms.read_checkout(data, [p.account_id for p in places], queries.slots(), clock.today_local())
        place = queries.choose_place(places, form.account_id)
        wanted = await _cart_lines(place, cart_of(request)) if place else []
        if form.errors or place is None or not wanted or len(wanted) < len(cart_of(request)):
            if not form.errors:
                form.errors.general.append(_cart_problem(wanted))
            return await _cart_page(request, principal, form, 422)
        assert form.day is not None
        placed = await actions.order_services(
            principal, place, wanted, day=form.day, slot=form.slot, comment=form.comment, phone=form.phone,
            now=clock.now(),
        )  # fmt: skip
        save_cart(request, [])
        return await _after_placing(request, principal, placed)

    @post("/{service_id:int}/document", name="catalog:certificate", status_code=200)
    async def certificate(
        self, request: Request, principal: Caller, service_id: FromPath[int], data: FormData
    ) -> Response[Any] | Template:
        places, place, found = await _offered(principal, data.get("account"), service_id)
        if not found.is_certificate:
            raise NotFoundException()
        months = await queries.receipt_months(place.account_id) if found.document == DocumentKind.RECEIPT_COPY else []
        form = forms.read_document(data, found.document, [p.account_id for p in places], _this_month(), months)
        place = queries.choose_place(places, form.account_id)
        if form.errors or place is None:
            return await _service_page(request, found, places, place or places[0], form.errors, dict(data), 422)
        placed = await actions.order_document(
            principal, place, found, period_from=form.period_from, period_to=form.period_to, now=clock.now()
        )
        return await _after_placing(request, principal, placed)


def _cart_problem(wanted: list[actions.Wanted]) -> str:
    if not wanted:
        return gettext("The order is empty. Add a service from the catalogue first.")
    return gettext("Some services are not offered at these premises. Remove them or choose other premises.")


def _this_month() -> date:
    today = clock.today_local()
    return date(today.year, today.month, 1)


async def _service_page(
    request: Request,
    service: ServiceView,
    places: list[OrderPlace],
    place: OrderPlace,
    errors: FormErrors | None = None,
    typed: dict[str, Any] | None = None,
    status_code: int = 200,
) -> Template:
    months = await queries.receipt_months(place.account_id) if service.document == DocumentKind.RECEIPT_COPY else []
    return render(
        request, "catalog/service.html", status_code=status_code, service=service, places=places, place=place,
        errors=errors or FormErrors(), typed=typed or {}, receipt_months=months, this_month=_this_month(),
        per_unit=service.price_kind == PriceKind.PER_UNIT, **texts.words(),
    )  # fmt: skip


async def _after_placing(request: Request, principal: Principal, placed: actions.Placed) -> Response[Any]:
    """After an order: straight to the gateway's page when it is to be paid now, else to the order."""
    if placed.status == rules.S.AWAITING_PAYMENT:
        order = await queries.order_for_resident(principal, placed.id)
        assert order is not None
        url = await actions.start_payment(principal, order, get_settings().base_url)
        assert isinstance(url, str)  # a new order has no checkout yet
        mark_taken(request)  # the order's page, back from the gateway, says the cart's form was taken
        return Redirect(path=url, status_code=303)  # another site: a plain redirect, never an HTMX swap
    flash(request, _placed_message(placed.status))
    return see_other(request, f"/services/orders/{placed.id}")


async def _order_page(
    request: Request, principal: Principal, order: queries.OrderDetail, *, status_code: int = 200, **refused: Any
) -> Template:
    """The resident's page of an order; ``refused``: a form of it refused (its ``errors`` and what was typed)."""
    checking = _checking(request, order)
    payment = order.payment if order.may_pay and not checking else None
    left = payment if payment and payment.may_continue else None
    until = clock.local(left.expires_at) if left and left.expires_at else None
    theirs = left is not None and not pay_rules.is_own_checkout(left.created_by, principal.user_id)
    payer = await actions.payer_of(principal, order) if theirs else ""
    return render(request, "catalog/order.html", status_code=status_code, order=order, staff=False, left=left,
                  until=until, checking=checking, theirs=theirs, payer=payer, **refused, **texts.words())  # fmt: skip


def _placed_message(status: str) -> str:
    if status == rules.S.QUOTE_REQUESTED:
        return gettext("The order is placed. We will name the price and let you know; then you accept it and pay.")
    if status == rules.S.DONE:
        return gettext("The document is ready. Download it below.")
    return gettext("The order is placed.")


# --- the resident's orders ---------------------------------------------------------------------------------------


def _checking(request: Request, order: queries.OrderDetail) -> str | None:
    """The address that asks the gateway again about the order's payment, while its payer came back from the success
    page unheard and the payment, as last heard, could still be paid (open, or a declined card's page): its state is
    not known."""
    raw = request.session.get(CHECKING)
    session_id = raw.get(str(order.id)) if isinstance(raw, dict) else None
    if not isinstance(session_id, str) or not session_id or not order.may_pay or order.payment is None:
        return None
    if order.payment.stored_status not in (PaymentStatus.OPEN, PaymentStatus.FAILED):  # closed, paid or confirming
        return None
    return f"/services/orders/{order.id}/paid?session_id={quote(session_id[:80])}"


def _mark_checking(request: Request, order_id: int, session_id: str | None) -> None:
    """Remember (``session_id``) or forget that the order's payment is being checked (a few orders at most). The
    session is written only when that changes: a return that has nothing to forget leaves it as it is."""
    raw = request.session.get(CHECKING)
    marks = {k: v for k, v in raw.items() if k != str(order_id)} if isinstance(raw, dict) else {}
    if session_id:
        marks[str(order_id)] = session_id[:80]
    marks = dict(list(marks.items())[-5:])
    if marks != (raw if isinstance(raw, dict) else {}):
        request.session[CHECKING] = marks


def _tell_payment(request: Request, status: str) -> None:
    """How the order's payment stands, told once on the order's page."""
    if status == "succeeded":
        flash(request, gettext("Payment received. The order is passed to the dispatcher."))
    elif status == "failed":
        flash(request, gettext("The payment did not go through. Nothing was charged; you can try again."), "error")
    else:
        flash(request, gettext("The payment is being processed; the page will show it when the bank confirms."))


class ResidentOrders(Controller):
    """The resident's orders and the page of each: its request, payment, documents, cancel and rating."""

    path = "/services/orders"
    opt = resident()
    dependencies = deps.RESIDENT

    @get("/", name="catalog:orders")
    async def index(self, request: Request, principal: Caller, paging: Paging) -> Template:
        orders = await queries.orders_of_resident(principal, paging)
        return render(request, "catalog/orders.html", page=orders, **texts.words())

    @get("/{order_id:int}", name="catalog:order")
    async def detail(self, request: Request, principal: Caller, order: LoadedOrder) -> Template:
        return await _order_page(request, principal, order)

    @post("/{order_id:int}/pay", name="catalog:pay", status_code=200)
    async def pay(self, request: Request, principal: Caller, order: LoadedOrder) -> Response[Any]:
        """«Pay» and «Continue the payment»: the open checkout of the order (reopened in the payer's language), else
        a new one. A POST: it may close a checkout and open another."""
        started = await actions.start_payment(principal, order, get_settings().base_url)
        if isinstance(started, CheckoutUnderway) and started.by_other:  # not theirs to take over or close
            flash(request, started.message, "info", russian=started.russian)
        elif isinstance(started, CheckoutUnderway):  # paid meanwhile, or being confirmed: no second checkout
            _tell_payment(request, started.status)
        else:
            return to_gateway(request, started)
        return see_other(request, f"/services/orders/{order.id}")

    @get("/{order_id:int}/paid", name="catalog:paid")
    async def paid(
        self, request: Request, principal: Caller, order: LoadedOrder, session_id: FromQuery[str] = ""
    ) -> Response[Any] | Template:
        """Back from the gateway's success page (a GET): the payment takes what the gateway says of it now, nothing
        more. Being processed (the bank's word awaited): the order's page says so. The gateway not reached (nothing
        recorded): the payment is being checked, here and on the order's page, with neither «Pay» nor «Cancel the
        order», and «Refresh» asks again. A HEAD (a link checker's, a preview's) records nothing and tells nothing."""
        if is_head(request):
            return Redirect(path=f"/services/orders/{order.id}", status_code=303)
        status = found(await actions.come_back(principal, session_id[:80]))
        unknown = status == PaymentStatus.PENDING and order.payment and order.payment.stored_status != status
        _mark_checking(request, order.id, session_id if unknown else None)
        if status != PaymentStatus.PENDING:
            _tell_payment(request, status)
            return Redirect(path=f"/services/orders/{order.id}", status_code=303)
        shown = found(await queries.order_for_resident(principal, order.id))
        return render(request, "catalog/order.html", order=shown, staff=False, left=None,
                      checking=_checking(request, shown), **texts.words())  # fmt: skip

    @get("/{order_id:int}/pay-cancel", name="catalog:pay_left")
    async def pay_left(self, request: Request, order: LoadedOrder) -> Response[Any]:
        """The gateway's «cancel and return» (a link, so a GET; also a prefetcher's or a crawler's): it closes
        nothing and leads to the order's page, where «Cancel the payment» is a button. A HEAD asks the gateway
        nothing."""
        if not is_head(request):
            await actions.payment_left(order)
        return Redirect(path=f"/services/orders/{order.id}", status_code=303)

    @post("/{order_id:int}/pay-cancel", name="catalog:pay_cancel", status_code=200)
    async def pay_cancel(self, request: Request, principal: Caller, order: LoadedOrder) -> Response[Any]:
        """«Cancel the payment» of a checkout left unfinished: its session is closed at the gateway (by the person
        who started it only)."""
        await actions.check_own_checkout(principal, order)
        status = await actions.payment_abandoned(order)
        if status in (PaymentStatus.CANCELED, PaymentStatus.EXPIRED):
            cancelled = gettext("The payment is cancelled; nothing was charged. The order waits to be paid.")
            flash(request, cancelled, "info")
        elif status == PaymentStatus.OPEN:  # the gateway did not answer: the checkout closes by itself at its time
            flash(
                request,
                gettext("We could not reach the payment service; the payment will be cancelled automatically."),
                "info",
            )
        return see_other(request, f"/services/orders/{order.id}")

    @get("/{order_id:int}/cancel", name="catalog:cancel_confirm")
    async def cancel_confirm(self, request: Request, order: LoadedOrder) -> Template:
        return render(request, "catalog/cancel.html", order=order, **texts.words())

    @post("/{order_id:int}/cancel", name="catalog:cancel", status_code=200)
    async def cancel(self, request: Request, principal: Caller, order: LoadedOrder) -> Response[Any]:
        refund = await actions.cancel(
            principal, order, by_staff=False, reason="", now=clock.now(), ip=client_ip(request)
        )
        flash(request, cancelled_message(refund, order))
        return see_other(request, f"/services/orders/{order.id}")

    @post("/{order_id:int}/rate", name="catalog:rate", status_code=200)
    async def rate(self, request: Request, principal: Caller, order: LoadedOrder, data: FormData) -> Response[Any]:
        rated, errors = read_rating(data)
        if rated is None:  # the page again (422), the message at its field, the mark and the comment as typed
            return await _order_page(
                request, principal, order, errors=errors, rated=typed_rating(data), status_code=422
            )
        await actions.rate(principal, order, *rated, clock.now(), ip=client_ip(request))
        flash(request, gettext("Thank you for the rating!"))
        return see_other(request, f"/services/orders/{order.id}")

    @get("/documents/{document_id:int}", name="catalog:document")
    async def document(self, document: LoadedDocument) -> Response[Any]:
        return document_file(document)


def document_file(document: queries.DocumentView) -> Response[Any]:
    """An order's document as its reader opens it (the resident's and the staff's link): a PDF, or a photo of it."""
    name = "document.pdf" if document.content_type == "application/pdf" else "document.jpg"
    return storage.response_for(document.file_key, document.content_type, name)


def cancelled_message(refund: RefundState | None, order: queries.OrderDetail) -> str:
    """What a cancel did with the money."""
    paid = order.payment.amount if order.payment else order.total
    if refund == RefundState.REFUNDED:
        return gettext("The order is cancelled; %(amount)s is returned to the card.", amount=format_money(paid))
    if refund in (RefundState.PENDING, RefundState.FAILED):
        return gettext("The order is cancelled; the money will be returned to the card shortly.")
    if refund == RefundState.NONE and order.paid:  # paid without the payment service's reference
        return gettext(
            "The order is cancelled. The payment service cannot return %(amount)s to the card: the management "
            "company returns it by hand.",
            amount=format_money(paid),
        )
    return gettext("The order is cancelled.")
