"""Changes of the catalog, one function per intent: order services, order a certificate, pay, come back from the
payment, cancel (refunding a paid order once), rate; staff quote a price, attach a document, cancel, place an
order for a resident (call centre), keep the catalogue.

Each change is one ``atomic()`` unit with its audit event (staff writes) and outbox rows. Requests are opened
through ``tickets.actions.open_ticket``; money goes through the payments domain as a payment of purpose "order",
which never reaches the account's ledger (``payments.actions.register_purpose`` hands it back here).
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from datetime import datetime
from datetime import time
from decimal import Decimal
from typing import Any

from portal.accounts.notify import notify
from portal.accounts.queries import staff_of_house
from portal.accounts.tables import Residency
from portal.billing import ledger
from portal.billing import pdf as billing_pdf
from portal.billing import queries as billing_queries
from portal.catalog import messages
from portal.catalog import pdf
from portal.catalog import queries
from portal.catalog import rules
from portal.catalog import texts
from portal.catalog.queries import OrderDetail
from portal.catalog.queries import OrderPlace
from portal.catalog.queries import ServiceView
from portal.catalog.tables import DocumentKind
from portal.catalog.tables import Order
from portal.catalog.tables import OrderDocument
from portal.catalog.tables import OrderItem
from portal.catalog.tables import OrderSource
from portal.catalog.tables import OrderStatus
from portal.catalog.tables import PaidService
from portal.catalog.tables import PriceKind
from portal.catalog.tables import ServiceAvailability
from portal.catalog.tables import ServiceCategory
from portal.catalog.tables import ServiceKind
from portal.core import audit
from portal.core import clock
from portal.core import jobs
from portal.core import stale
from portal.core import storage
from portal.core.db import atomic
from portal.core.db import from_kopecks
from portal.core.db import to_kopecks
from portal.core.i18n import format_day
from portal.core.i18n import format_money
from portal.core.i18n import format_number
from portal.core.i18n import get_locale
from portal.core.i18n import gettext
from portal.core.i18n import in_locale
from portal.core.i18n import in_russian_and_english
from portal.core.i18n import lazy
from portal.core.i18n import own_words
from portal.core.security import Principal
from portal.core.storage import StoredFile
from portal.core.threads import written
from portal.core.web import Refused
from portal.housing.rules import account_open
from portal.payments import actions as payments
from portal.payments import queries as payment_queries
from portal.payments import rules as pay_rules
from portal.payments.gateway import GatewayError
from portal.payments.tables import PaymentPurpose
from portal.payments.tables import PaymentStatus
from portal.tickets import actions as tickets
from portal.tickets import queries as ticket_queries
from portal.tickets.rules import Actor
from portal.tickets.rules import Source
from portal.tickets.rules import Status
from portal.tickets.rules import TicketType
from portal.tickets.rules import transition

log = logging.getLogger("portal.catalog")

S = OrderStatus
DOCUMENT_LOCALE = "ru"  # certificates go to other offices: always in Russian
# Said on an order's request when staff attach its document, in Russian and in English.
READY = lazy("The document is ready: download it on the order's page.")


# --- telling people ------------------------------------------------------------------------------------------


async def _recipients(order: OrderDetail) -> list[int]:
    """Who hears about an order: the resident who placed it, or (placed by the call centre) the account's owners."""
    if order.user_id is not None:
        return [order.user_id]
    rows = (
        await Residency.select(Residency.user)
        .where((Residency.account == order.account_id) & Residency.revoked_at.is_null() & (Residency.role == "owner"))
        .limit(5)
    )
    return sorted({r["user"] for r in rows})


def _summary_context(order: OrderDetail) -> dict[str, Any]:
    """The order's number and its services as data (first title in Russian and in English, how many more): each
    recipient's message words them in its own language (``messages.words``), not in the language of whoever caused
    it."""
    summary = order.summary
    return {"number": order.id, "title": summary.first, "title_en": summary.first_en, "more": summary.others}


async def _tell(order: OrderDetail, template: str, context: dict[str, Any], event: str) -> None:
    for user_id in await _recipients(order):
        await notify(
            user_id,
            template,
            context={**_summary_context(order), **context},
            dedupe_key=f"order:{order.id}:{event}",
            link=f"/services/orders/{order.id}",
        )


async def _tell_staff(order: OrderDetail, template: str, event: str, roles: Sequence[str]) -> None:
    """The staff of the order's house with one of ``roles`` (in-app and e-mail through the outbox)."""
    for user_id in await staff_of_house(order.house_id, roles):
        await notify(
            user_id,
            template,
            context={**_summary_context(order), "address": order.address},
            dedupe_key=f"order:{order.id}:{event}",
            link=f"/staff/orders/{order.id}",
        )


# --- placing an order ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Wanted:
    """A service the resident put in the order, with how much of it."""

    service: ServiceView
    quantity: Decimal


@dataclass(frozen=True)
class Placed:
    id: int
    status: OrderStatus
    total: Decimal | None


def _lines(wanted: Sequence[Wanted]) -> list[rules.Line]:
    return [
        rules.Line(
            w.service.id,
            w.service.title,
            w.service.title_en,
            w.service.price_kind,
            w.service.unit,
            w.service.price,
            w.quantity,
        )
        for w in wanted
    ]


async def _check_days(wanted: Sequence[Wanted], day: date | None) -> None:
    if day is None:
        return
    booked = await queries.booked([w.service.id for w in wanted], [day])
    for w in wanted:
        if rules.is_full(w.service.slots_per_day, booked.get((w.service.id, day), 0)):
            raise Refused(
                gettext(
                    "“%(title)s” is fully booked on %(day)s. Choose another day.",
                    title=own_words(w.service, "title"),
                    day=format_day(day),
                )
            )


async def _insert_order(
    principal: Principal,
    place: OrderPlace,
    wanted: Sequence[Wanted],
    *,
    kind: ServiceKind,
    status: OrderStatus,
    total: Decimal | None,
    source: OrderSource,
    now: datetime,
    day: date | None = None,
    slot: str = "",
    comment: str = "",
    phone: str = "",
    period_from: date | None = None,
    period_to: date | None = None,
    ip: str = "",
) -> int:
    """The order and its items, each priced and titled as the catalogue prices and titles it now, in Russian and
    in English (a later change of the catalogue never changes this order; a reader of English reads the English
    title the service had when ordered, or the Russian one where it had none)."""
    lines = _lines(wanted)
    by_staff = source == OrderSource.CALL_CENTRE
    order = Order(
        uid=str(uuid.uuid4()),
        account=place.account_id,
        premise=place.premise_id,
        house=place.house_id,
        user=None if by_staff else principal.user_id,
        created_by=principal.user_id,
        source=source,
        kind=kind,
        status=status,
        preferred_date=day,
        slot=slot,
        comment=comment,
        contact_phone=phone,
        total_kopecks=to_kopecks(total) if total is not None else 0,
        needs_quote=rules.needs_quote(lines),
        period_from=period_from,
        period_to=period_to,
        created_at=now,
        updated_at=now,
    )
    await order.save()
    await OrderItem.insert(
        *[
            OrderItem(
                order=order.id,
                service=w.service.id,
                category=w.service.category_id,
                title=w.service.title,
                title_en=w.service.title_en,
                price_kind=w.service.price_kind,
                unit=w.service.unit,
                unit_price_kopecks=to_kopecks(w.service.price),
                quantity=line.quantity,
                amount_kopecks=to_kopecks(line.amount) if line.amount is not None else None,
                position=n,
            )
            for n, (w, line) in enumerate(zip(wanted, lines, strict=True))
        ]
    )
    if by_staff:
        await audit.record(
            principal,
            "order.create",
            "order",
            order.id,
            {"account": place.number, "services": [w.service.id for w in wanted], "source": source},
            ip,
            now=now,
        )
    return int(order.id)


async def order_services(
    principal: Principal,
    place: OrderPlace,
    wanted: Sequence[Wanted],
    *,
    day: date,
    slot: str,
    comment: str,
    phone: str,
    now: datetime,
    source: OrderSource = OrderSource.PORTAL,
    ip: str = "",
) -> Placed:
    """Order services for one premises on a day and time: priced now and waiting for payment, waiting for a
    quote (a "from" price), or — free — accepted at once with its request open. ``ip``: where staff placed it
    from (an order placed by phone), kept by its audit row."""
    if not wanted:
        raise Refused(gettext("The order is empty. Add a service first."))
    lines = _lines(wanted)
    total = rules.order_total(line.amount for line in lines)
    status = rules.first_status(ServiceKind.SERVICE, rules.needs_quote(lines), total)
    async with atomic():
        await _check_days(wanted, day)
        order_id = await _insert_order(
            principal, place, wanted, kind=ServiceKind.SERVICE, status=status, total=total, source=source, now=now,
            day=day, slot=slot, comment=comment, phone=phone, ip=ip,
        )  # fmt: skip
        order = await _load(order_id)
        if status == S.ACCEPTED:
            await _open_request(order, now, paid=False)
        elif status == S.QUOTE_REQUESTED:
            await _tell_staff(order, messages.QUOTE_REQUESTED.name, "quote_requested", ("dispatcher", "manager"))
        elif source == OrderSource.CALL_CENTRE:
            await _tell(order, messages.ORDER_PLACED.name, {"amount": total}, "placed")
    return Placed(order_id, status, total)


async def order_document(
    principal: Principal,
    place: OrderPlace,
    service: ServiceView,
    *,
    period_from: date | None,
    period_to: date | None,
    now: datetime,
    source: OrderSource = OrderSource.PORTAL,
    ip: str = "",
) -> Placed:
    """Order a certificate: one the portal makes is made at once when it is free (and refused with the reason
    when it cannot be issued, e.g. a certificate of no debt while there is a debt); one staff make opens its
    request; a paid one waits for its payment."""
    if service.document == DocumentKind.NO_DEBT:
        await _refuse_no_debt(place)
    total = service.price
    status = rules.first_status(ServiceKind.CERTIFICATE, False, total)
    with storage.dropped_unless_saved() as stored:
        async with atomic():
            order_id = await _insert_order(
                principal, place, [Wanted(service, Decimal(1))], kind=ServiceKind.CERTIFICATE, status=status,
                total=total, source=source, now=now, period_from=period_from, period_to=period_to, ip=ip,
            )  # fmt: skip
            order = await _load(order_id)
            if status == S.ACCEPTED and rules.is_generated(service.document):
                stored.append((await _make_document(order, now)).key)
            elif status == S.ACCEPTED:
                await _open_request(order, now, paid=False)
            elif source == OrderSource.CALL_CENTRE:
                await _tell(order, messages.ORDER_PLACED.name, {"amount": total}, "placed")
    return Placed(order_id, S.DONE if stored else status, total)


async def _refuse_no_debt(place: OrderPlace) -> None:
    balance = await ledger.balance_of(place.account_id)
    if rules.no_debt_refused(balance):
        raise Refused(
            gettext(
                "A certificate of no debt cannot be issued: personal account %(number)s owes %(amount)s as of "
                "today. Pay the debt, and once the payment is credited, order the certificate again.",
                number=place.number,
                amount=format_money(balance),
            )
        )


async def _load(order_id: int) -> OrderDetail:
    row = await Order.select(Order.uid).where(Order.id == order_id).first()
    assert row is not None
    found = await queries.order_by_uid(row["uid"])
    assert found is not None
    return found


# --- certificates the portal makes ---------------------------------------------------------------------------------


def _document_title(order: OrderDetail) -> str:
    if order.document_kind == DocumentKind.STATEMENT and order.period_from and order.period_to:
        return gettext(
            "Statement of personal account %(number)s, %(start)s – %(end)s",
            number=order.account_number,
            start=format_day(order.period_from, "LLLL y"),
            end=format_day(order.period_to, "LLLL y"),
        )
    if order.document_kind == DocumentKind.RECEIPT_COPY and order.period_from:
        return gettext("Copy of the receipt for %(month)s", month=format_day(order.period_from, "LLLL y"))
    if order.document_kind == DocumentKind.NO_DEBT:
        return gettext("Certificate of no debt, account %(number)s", number=order.account_number)
    return texts.order_summary(order)


def _portal_titles(order: OrderDetail) -> tuple[str, str]:
    """The name the portal gives the document of ``order``: in the document's language (it is Russian), and in
    English for a reader of English."""
    return in_russian_and_english(lambda: _document_title(order))


def _document_row(
    order_id: int, stored: StoredFile, now: datetime, title: str, title_en: str = "", made_by: int | None = None
) -> OrderDocument:
    """The document ``stored`` of an order: one the portal made (``made_by`` None) or one staff attached; a title
    longer than its column is cut."""
    return OrderDocument(
        order=order_id,
        title=title[:255],
        title_en=title_en[:255],
        file_key=stored.key,
        content_type=stored.content_type,
        size=stored.size,
        made_by=made_by,
        created_at=now,
    )


async def _document_bytes(order: OrderDetail, now: datetime) -> bytes:
    """The PDF of a certificate the portal makes, from the ledger and receipts as billing keeps them."""
    account = order.account_id
    if order.document_kind == DocumentKind.STATEMENT:
        assert order.period_from and order.period_to
        data = await queries.statement_data(account, order.period_from, order.period_to)
        assert data is not None
        return await written(pdf.statement_pdf, data, number=order.id, issued=now)
    if order.document_kind == DocumentKind.NO_DEBT:
        balance = await ledger.balance_of(account)
        if rules.no_debt_refused(balance):
            raise Refused(gettext("The account has a debt now, so a certificate of no debt cannot be issued."))
        info = await billing_queries.account_info(account)
        assert info is not None
        company = await queries.company()
        on = clock.local(now).date()
        closed = info.closed_on if not account_open(info.closed_on, on) else None
        closing = await ledger.balance_on(account, closed) if closed else None
        return await written(
            pdf.no_debt_pdf, info, company, balance, on=on, number=order.id, issued=now, closing_debt=closing
        )
    if order.document_kind == DocumentKind.RECEIPT_COPY:
        assert order.period_from
        info = await billing_queries.account_info(account)
        view = await billing_queries.receipt_view(account, order.period_from)
        if info is None or view is None:
            raise Refused(gettext("There is no receipt for this month."))
        return await written(billing_pdf.receipt_pdf, info, view, "")
    raise ValueError(f"not a generated certificate: {order.document_kind}")


async def _make_document(order: OrderDetail, now: datetime) -> StoredFile:
    """Make the certificate, keep it with the order and finish the order (inside the caller's transaction)."""
    with in_locale(DOCUMENT_LOCALE):
        content = await _document_bytes(order, now)
    stored = await storage.save_document(content)
    await OrderDocument.insert(_document_row(order.id, stored, now, *_portal_titles(order)))
    await Order.update({Order.status: S.DONE, Order.updated_at: now}).where(Order.id == order.id)
    return stored


# --- the request that fulfils an order -------------------------------------------------------------------------

_END_OF_SLOT = re.compile(r"(\d{1,2}):(\d{2})\s*$")


def _deadline(day: date | None, slot: str) -> datetime | None:
    """The end of the slot the resident chose on their day (the work is due by then)."""
    if day is None:
        return None
    match = _END_OF_SLOT.search(slot)
    hour, minute = (int(match[1]), int(match[2])) if match else (23, 59)
    if hour > 23 or minute > 59:
        hour, minute = 23, 59
    return datetime.combine(day, time(hour, minute), clock.zone())


def _request_text(order: OrderDetail, paid: bool) -> str:
    """What the dispatcher reads: the items with their quantities and prices, when, who, the comment (in the
    language of the moment: the request keeps it in Russian and in English)."""
    parts = [gettext("Order No. %(number)s from the catalogue of paid services.", number=order.id)]
    for item in order.items:
        quantity = f" × {format_number(item.quantity, 2)}" if item.quantity != 1 else ""
        price = format_money(item.amount) if item.amount is not None else gettext("price by quote")
        parts.append(f"— {own_words(item, 'title')}{quantity}: {price}")
    if order.preferred_date:
        parts.append(gettext("Preferred: %(day)s, %(slot)s", day=format_day(order.preferred_date), slot=order.slot))
    if order.period_from:
        parts.append(gettext("Period: %(start)s – %(end)s", start=format_day(order.period_from, "LLLL y"),
                             end=format_day(order.period_to or order.period_from, "LLLL y")))  # fmt: skip
    if order.total:
        state = gettext("paid online") if paid else gettext("not paid")
        parts.append(gettext("Total %(amount)s, %(state)s.", amount=format_money(order.total), state=state))
    if order.comment:
        parts.append(gettext("Comment: %(text)s", text=order.comment))
    return "\n".join(parts)


async def _open_request(order: OrderDetail, now: datetime, *, paid: bool) -> int:
    """Open the order's request through the tickets domain (type «платная» when it costs money, flagged
    «оплачено» when paid) and accept the order (inside the caller's transaction)."""
    certificate = order.kind == ServiceKind.CERTIFICATE
    unpaid_type = TicketType.CONSULTATION if certificate else TicketType.ORDINARY
    ticket_type = TicketType.PAID if order.total else unpaid_type
    # The request's text is stored once and read by Russian dispatchers and by the resident, who may read English:
    # it is kept in both languages, each reader reads theirs.
    description, description_en = in_russian_and_english(lambda: _request_text(order, paid))
    opened = await tickets.open_ticket(
        account_id=order.account_id,
        category="certificate" if certificate else "paid_service",
        ticket_type=ticket_type,
        description=description,
        description_en=description_en,
        source=Source.CALL_CENTRE if order.source == OrderSource.CALL_CENTRE else Source.PORTAL,
        author_id=order.user_id,
        author_name=order.user_name or order.payer_name,
        contact_name=order.user_name or order.payer_name,
        contact_phone=order.contact_phone,
        deadline=_deadline(order.preferred_date, order.slot),
        control_date=order.preferred_date,
        paid_for=paid and bool(order.total),
        now=now,
    )
    await Order.update({Order.ticket: opened.id, Order.status: S.ACCEPTED, Order.updated_at: now}).where(
        Order.id == order.id
    )
    return opened.number


# --- paying ------------------------------------------------------------------------------------------------------


async def start_payment(principal: Principal, order: OrderDetail, base_url: str) -> str | payments.CheckoutUnderway:
    """The gateway's page for paying the order (accepting a quoted price is paying it): the open checkout of the
    order while it lasts, else a new one. Returned, not raised, ``CheckoutUnderway`` when no checkout was opened:
    the order's checkout, as the gateway says it stands now, was paid or is being confirmed, or another request
    (a second tab) opened one meanwhile; its ``status`` says which."""
    if not rules.may_pay(order.status, order.total):
        raise Refused(gettext("This order cannot be paid now."))
    assert order.total is not None
    payment = order.payment
    replaces = None
    if payment is not None and not pay_rules.is_own_checkout(payment.created_by, principal.user_id):
        paying = await others_paying(principal, order)
        if paying is not None:
            return paying
        payment = None  # closed unpaid: a new checkout of the order, which replaces nothing of theirs
    try:
        if payment is not None and (payment.may_continue or payment.stored_status not in pay_rules.CLOSED_UNPAID):
            # Asked of the gateway first, whatever the portal last heard. In the language the payer reads now: a
            # session opened in another one is closed and a new one opened, which replaces it.
            url = await payments.continue_checkout(payment.batch, get_locale())
            if url:
                return url
            rows = await payment_queries.batch_rows(payment.batch)
            if rows and pay_rules.keeps_another_out(rows[0].status, payment.created_at, clock.now()):
                return payments.CheckoutUnderway(payment_queries.Underway(rows[0].id, rows[0].status))
            replaces = payment.batch if payment.may_continue else None
        started = await payments.start_purpose_checkout(
            principal,
            account_id=order.account_id,
            amount=order.total,
            purpose=PaymentPurpose.ORDER,
            reference=order.reference,
            title=texts.payment_title(order),
            return_path=f"/services/orders/{order.id}/paid",
            cancel_path=f"/services/orders/{order.id}/pay-cancel",
            base_url=base_url,
            replaces=replaces,
        )
    except payments.CheckoutUnderway as exc:  # opened or paid by another request (a second tab) meanwhile
        return exc
    except (payments.PaymentUnavailable, GatewayError) as exc:
        log.warning("order %s: payment not started: %s", order.id, exc)
        raise Refused(
            gettext("The payment service is not available right now. Nothing was charged. Try again in a few minutes.")
        ) from exc
    return started.url


async def others_paying(principal: Principal, order: OrderDetail) -> payments.CheckoutUnderway | None:
    """The order's checkout another member of the household started, when it could still be paid as the gateway says
    it stands now (as last heard while the gateway cannot be asked): not the user's to continue, replace or close,
    since the other may be paying on its page this moment (``payments.rules.is_own_checkout``)."""
    payment = order.payment
    if payment is None or pay_rules.is_own_checkout(payment.created_by, principal.user_id):
        return None
    if payment.may_continue or payment.stored_status not in pay_rules.CLOSED_UNPAID:
        try:
            await payments.refresh_checkout(payment.batch)
        except GatewayError as exc:
            log.info("order %s: the other payer's checkout not asked: %s", order.id, exc)
    found = await payment_queries.checkout_underway([order.account_id], order.reference, clock.now(), ())
    if found is None:
        return None
    return OrderPaidByAnother(await payments.as_seen_by(found, principal.user_id), principal.user_id)


class OrderPaidByAnother(payments.CheckoutUnderway):
    """The refusal ``others_paying`` gives, in the order's words (``texts.others_paying``), not the account's."""

    def __init__(self, found: payment_queries.Underway, payer: int | None) -> None:
        super().__init__(found, payer)
        self.message = texts.others_paying(found.status, found.created_at, found.expires_at, found.payer_name)


async def payer_of(principal: Principal, order: OrderDetail) -> str:
    """Who started the order's checkout, when someone else did and ``principal`` may see them on the account's access
    list (``payments.queries.payer_as_seen_by``); "" otherwise."""
    payment = order.payment
    if payment is None or payment.created_by is None or principal.user_id is None:
        return ""
    if pay_rules.is_own_checkout(payment.created_by, principal.user_id):
        return ""
    return await payment_queries.payer_as_seen_by(principal.user_id, payment.created_by, [order.account_id])


async def check_own_checkout(principal: Principal, order: OrderDetail) -> None:
    """«Cancel the payment» is for the person who started the checkout (``payments.rules.is_own_checkout``)."""
    payment = order.payment
    if payment is not None and not pay_rules.is_own_checkout(payment.created_by, principal.user_id):
        name = await payer_of(principal, order)
        words = texts.others_paying(payment.stored_status, payment.created_at, payment.expires_at, name)
        refused = words if payment.may_continue else texts.others_checkout(name)
        raise Refused(refused, back=f"/services/orders/{order.id}", russian=name)


async def come_back(principal: Principal, session_id: str) -> PaymentStatus | None:
    """The payer is back from the gateway's page (a GET): the payment takes what the gateway says of it now (the
    webhook may come later; ``payments.actions.return_from_checkout``). How it stands, for the payer's words: being
    processed while the gateway cannot be asked (shown so, not recorded)."""
    returned = await payments.return_from_checkout(principal, session_id)
    if returned is None:
        return None
    rows = await payment_queries.batch_rows(returned.batch)
    if not returned.heard or not rows:
        return PaymentStatus.PENDING
    return rows[0].status


async def payment_abandoned(order: OrderDetail) -> PaymentStatus | None:
    """«Cancel the payment» (a POST), or the order cancelled: the checkout is closed; the order waits to be paid.
    How the payment stands after it (open still when the gateway did not answer; paid if it was paid meanwhile)."""
    if order.payment is None:
        return None
    # A declined card's checkout too: the gateway keeps its page open for another card until it is closed.
    if order.payment.stored_status in (PaymentStatus.OPEN, PaymentStatus.PENDING) or order.payment.may_continue:
        try:
            await payments.cancel_checkout(order.payment.batch)
        except GatewayError as exc:
            log.info("order %s: checkout not closed yet: %s", order.id, exc)
    rows = await payment_queries.batch_rows(order.payment.batch)
    return rows[0].status if rows else None


async def payment_left(order: OrderDetail) -> None:
    """The payer is back by the gateway's «cancel and return» link (a GET, which closes nothing): what the gateway
    already says of the checkout (a declined card, say) is recorded; an open checkout stays open, to be continued
    or cancelled with the order page's buttons, or to close by itself at its time."""
    if order.payment is not None and order.payment.stored_status in (PaymentStatus.OPEN, PaymentStatus.PENDING):
        try:
            await payments.refresh_checkout(order.payment.batch)
        except GatewayError as exc:  # the webhook or reconciliation brings it later
            log.info("order %s: checkout not refreshed on return: %s", order.id, exc)


async def _order_paid(reference: str, now: datetime) -> None:
    """A payment of an order arrived (once; inside the payment's transaction): open its request flagged
    «оплачено», or make its certificate. An order cancelled meanwhile keeps the money noted for the refund job."""
    order = await queries.order_by_uid(reference.removeprefix("order:"))
    if order is None:
        log.warning("payment for an unknown order %s", reference)
        return
    claimed = (
        await Order.update({Order.paid_at: now, Order.updated_at: now})
        .where((Order.id == order.id) & Order.paid_at.is_null())
        .returning(Order.status)
    )
    if not claimed or claimed[0]["status"] not in (S.AWAITING_PAYMENT, S.QUOTED):
        return
    order = await _load(order.id)
    amount = order.payment.amount if order.payment else order.total
    if order.kind == ServiceKind.CERTIFICATE and rules.is_generated(order.document_kind):
        try:
            async with atomic():
                await _make_document(order, now)
            await _tell(order, messages.DOCUMENT_READY.name, {}, "document")
            return
        except Refused:  # it cannot be issued after all: staff look at it (and refund it) from its request
            pass
    number = await _open_request(order, now, paid=True)
    await _tell(order, messages.ORDER_PAID.name, {"amount": amount, "ticket": number}, "paid")


async def _order_refunded(reference: str, now: datetime) -> None:
    order = await queries.order_by_uid(reference.removeprefix("order:"))
    if order is None:
        return
    done = (
        await Order.update({Order.refunded_at: now, Order.updated_at: now})
        .where((Order.id == order.id) & Order.refunded_at.is_null())
        .returning(Order.id)
    )
    if done:
        amount = order.payment.amount if order.payment else order.total
        await _tell(order, messages.ORDER_REFUNDED.name, {"amount": amount}, "refunded")


payments.register_purpose(PaymentPurpose.ORDER, paid=_order_paid, refunded=_order_refunded)


# --- cancelling ----------------------------------------------------------------------------------------------------


async def cancel(
    principal: Principal, order: OrderDetail, *, by_staff: bool, reason: str, now: datetime, ip: str = ""
) -> payments.RefundState | None:
    """Cancel an order before work starts: its request is cancelled with it (all or nothing), then a paid order
    is refunded through the gateway — once, however often the cancel is sent (the order is claimed by a
    conditional update; the refund's key is derived from the payment). ``ip``: where it was cancelled from,
    kept by its audit rows."""
    check_cancel(order)
    paying = None if by_staff else await others_paying(principal, order)
    if paying is not None:  # their page is not closed under them; the order is cancelled once it closes
        raise Refused(paying.message, back=f"/services/orders/{order.id}", russian=paying.russian)
    await _payment_closed(order, now)
    ticket = None
    if order.ticket_id is not None:
        load = ticket_queries.ticket_for_staff if by_staff else ticket_queries.ticket_for_resident
        ticket = await load(principal, order.ticket_id)
        if ticket is None:
            raise Refused(gettext("You may not cancel this order's request."))
    # The order keeps only a reason someone typed: without one, its page says «Cancelled by the resident» in the
    # reader's language (stored, it would read in the canceller's to everyone); the request, the message and the
    # refund are told it in the canceller's.
    typed = reason.strip()[:255]
    reason = typed or gettext("Cancelled by the resident")
    async with atomic():
        claimed = (
            await Order.update(
                {Order.status: S.CANCELLED, Order.cancelled_at: now, Order.cancel_reason: typed, Order.updated_at: now}
            )
            .where((Order.id == order.id) & (Order.status == order.status))
            .returning(Order.paid_at)
        )
        if not claimed:
            raise Refused(gettext("The order has just changed. Look at it again."))
        if ticket is not None and by_staff:
            await tickets.move_status(principal, ticket, Status.CANCELLED, reason, now, ip=ip)
        elif ticket is not None:
            await tickets.cancel_by_resident(principal, ticket, now, ip=ip)
        changes = {"status": [order.status, S.CANCELLED]}
        await audit.record(principal, "order.cancel", "order", order.id, changes, ip, now=now)
        if by_staff:
            await _tell(order, messages.ORDER_CANCELLED.name, {"reason": reason}, "cancelled")
    if claimed[0]["paid_at"] is not None:
        return await payments.refund_purpose(PaymentPurpose.ORDER, order.reference, reason, actor=principal, ip=ip)
    return None


def check_cancel(order: OrderDetail, *, back: str | None = None) -> None:
    """``Refused`` with the reason when the order, as last read, cannot be cancelled: already cancelled, its
    payment under way, or work on it started. Asked before «are you sure?» too: nobody confirms a cancel that is
    then refused."""
    if order.status == S.CANCELLED:
        raise Refused(gettext("The order is already cancelled."), back=back)
    if not order.may_cancel and order.status in rules.UNPAID:
        raise Refused(_underway(), back=back)
    if not order.may_cancel:
        work = gettext("Work on the order has started, so it cannot be cancelled. Write to the dispatcher.")
        raise Refused(work, back=back)


def _underway() -> str:
    return gettext("The order's payment is being confirmed or may still go through, so it cannot be cancelled now.")


async def _payment_closed(order: OrderDetail, now: datetime) -> None:
    """Before an unpaid order is cancelled, its checkout is closed at the gateway, which says how it stands:
    refused, nothing cancelled, when it was paid meanwhile, is being confirmed, or stays open (the gateway not
    reached) — ``rules.may_cancel`` with the payment as it is now."""
    if order.status not in rules.UNPAID or order.payment is None:
        return
    status = await payment_abandoned(order)
    underway = status is not None and pay_rules.keeps_another_out(status, order.payment.created_at, now)
    if rules.may_cancel(order.status, order.ticket_status, payment_underway=underway):
        return
    if status in pay_rules.PAID_STATUSES:
        raise Refused(gettext("The order's payment has just come in; it was not cancelled. Look at the order again."))
    raise Refused(_underway())


async def retry_refunds(now: datetime | None = None, limit: int = 50) -> int:
    """Refund cancelled orders whose money is still with us (the gateway was down, or a payment arrived after
    the cancel), those asked least recently first, marked asked before the gateway is; returns how many are
    refunded now."""
    references = await queries.orders_to_refund(limit)
    await payments.refunds_asked(PaymentPurpose.ORDER, references)
    done = 0
    for reference in references:
        state = await payments.refund_purpose(PaymentPurpose.ORDER, reference, "Отмена заказа")
        done += state == payments.RefundState.REFUNDED
    return done


async def refunded_by_hand(principal: Principal, order: OrderDetail, note: str, now: datetime, *, ip: str = "") -> None:
    """Staff say the money of a cancelled order the payment service cannot return (paid without its reference) is
    returned by hand (by bank transfer, at the cash desk): the order is refunded, which ends it, once — in the audit
    log with what was returned, the note and the address it was said from — and its payer is told. The order keeps
    the note and the moment, which its pages show."""
    if not order.refund_by_hand:
        raise Refused(gettext("This order has no money to return by hand."), back=f"/staff/orders/{order.id}")
    amount = order.payment.amount if order.payment else order.total
    note = note.strip()[:255]
    async with atomic():
        done = (
            await Order.update({Order.refunded_at: now, Order.refund_note: note, Order.updated_at: now})
            .where((Order.id == order.id) & queries.by_hand())
            .returning(Order.id)
        )
        if not done:
            raise Refused(gettext("The order has just changed. Look at it again."), back=f"/staff/orders/{order.id}")
        changes = {"amount": amount, "refund_note": note}
        await audit.record(principal, "order.refunded_by_hand", "order", order.id, changes, ip, now=now)
        await _tell(order, messages.ORDER_REFUNDED_BY_HAND.name, {"amount": amount}, "refunded")


@jobs.register("catalog-refunds", 600)
async def _refund_job(now: datetime) -> None:
    await retry_refunds(now)


# --- the resident's rating ---------------------------------------------------------------------------------------


async def rate(
    principal: Principal, order: OrderDetail, rating: int, feedback: str, now: datetime, *, ip: str = ""
) -> None:
    """The rating of a finished order is the rating of its request."""
    if order.ticket_id is None or not rules.may_rate(order.ticket_status, order.rating):
        raise Refused(gettext("This order cannot be rated now."))
    ticket = await ticket_queries.ticket_for_resident(principal, order.ticket_id)
    if ticket is None:
        raise Refused(gettext("This order cannot be rated now."))
    await tickets.rate_ticket(principal, ticket, rating, feedback, now, ip=ip)


# --- staff ---------------------------------------------------------------------------------------------------------


async def quote(
    principal: Principal,
    order: OrderDetail,
    amount: Decimal,
    note: str,
    now: datetime,
    *,
    ip: str = "",
    version: str | None = None,
) -> None:
    """Name the price of an order with a "from" price: the items priced in advance keep their price, the first
    "from" item takes the rest; the resident accepts the price by paying it. A price named from a page read before
    another one was named (``version``: the quote's time then) is refused (``stale.Stale``), nothing written."""
    if not rules.may_quote(order.status):
        raise Refused(gettext("The price of this order can no longer be changed."))
    fixed = sum((i.amount for i in order.items if i.price_kind != PriceKind.FROM and i.amount is not None), Decimal(0))
    if amount < fixed:
        raise Refused(
            gettext("The price is below the services priced in advance (%(fixed)s).", fixed=format_money(fixed))
        )
    open_items = [i for i in order.items if i.price_kind == PriceKind.FROM]
    async with atomic():
        await stale.check(Order, order.id, "order", version, Order.quoted_at)
        changed = (
            await Order.update(
                {
                    Order.total_kopecks: to_kopecks(amount),
                    Order.status: S.QUOTED,
                    Order.quote_note: note,
                    Order.quoted_at: now,
                    Order.quoted_by: principal.user_id,
                    Order.updated_at: now,
                }
            )
            .where((Order.id == order.id) & (Order.status == order.status))
            .returning(Order.id)
        )
        if not changed:
            raise Refused(gettext("The order has just changed. Look at it again."))
        for n, item in enumerate(open_items):
            share = amount - fixed if n == 0 else Decimal(0)
            await OrderItem.update({OrderItem.amount_kopecks: to_kopecks(share)}).where(OrderItem.id == item.id)
        before = from_kopecks(to_kopecks(order.total)) if order.total is not None else None
        changes = {"total": [before, amount], "note": note}
        await audit.record(principal, "order.quote", "order", order.id, changes, ip, now=now)
        await _tell(order, messages.QUOTE_READY.name, {"amount": amount, "note": note}, f"quote:{to_kopecks(amount)}")


UNPAID = frozenset({S.QUOTE_REQUESTED, S.QUOTED, S.AWAITING_PAYMENT})


async def store_document(upload: Any) -> StoredFile | None:
    """The file staff attach to an order, kept if it is a PDF or a photo of a paper (at most 10 MB), else None."""
    try:
        return await storage.save_document(upload)
    except storage.UploadRefused:
        return None


async def attach_document(
    principal: Principal, order: OrderDetail, stored: StoredFile, title: str, now: datetime, *, ip: str = ""
) -> int:
    """Staff attach the document an order asked for (``stored`` by ``store_document``): the resident downloads it
    from the order; its request is told and finished. ``ip``: where staff attached it from, kept by its audit rows."""
    with storage.dropped_unless_saved(stored.key):
        if order.status == S.CANCELLED:
            raise Refused(gettext("The order is cancelled."))
        if order.status in UNPAID:  # a paid document is handed over once it is paid for
            raise Refused(gettext("The order is not paid yet: its document is attached once it is paid."))
        ticket = await ticket_queries.ticket_for_staff(principal, order.ticket_id) if order.ticket_id else None
        # A title staff typed is kept as typed; one the portal names is the document's, not the staff's language.
        title, title_en = (title, "") if title else _portal_titles(order)
        async with atomic():
            row = await OrderDocument.insert(
                _document_row(order.id, stored, now, title, title_en, made_by=principal.user_id)
            ).returning(OrderDocument.id)
            if ticket is not None:
                ready, ready_en = in_russian_and_english(READY)
                await tickets.post_message(
                    principal, ticket, ready, (), by_staff=True, now=now, text_en=ready_en, ip=ip
                )
                if transition(ticket, Status.DONE, Actor.STAFF, now).allowed:
                    await tickets.move_status(principal, ticket, Status.DONE, "", now, ip=ip)
            elif order.status in (S.ACCEPTED, S.IN_WORK):
                await Order.update({Order.status: S.DONE, Order.updated_at: now}).where(Order.id == order.id)
            await audit.record(principal, "order.document", "order", order.id, {"document": row[0]["id"]}, ip, now=now)
            await _tell(order, messages.DOCUMENT_READY.name, {}, f"document:{row[0]['id']}")
    return int(row[0]["id"])


async def save_category(
    principal: Principal,
    category_id: int | None,
    values: dict[str, Any],
    now: datetime,
    *,
    ip: str = "",
    version: str | None = None,
) -> int:
    """Create or change a section; a change whose form was read at another ``version`` is refused (``Stale``), one
    that changes nothing of the section as it is now writes nothing, whatever its version."""
    async with atomic():
        if category_id is None:
            row = ServiceCategory(**values, created_at=now, updated_at=now)
            await row.save()
            category_id = int(row.id)
            await audit.record(
                principal, "catalog.category.create", "service_category", category_id, values, ip, now=now
            )
        else:
            changes = await stale.changes(ServiceCategory, category_id, values)
            if not changes:
                return category_id
            await stale.check(ServiceCategory, category_id, "service_category", version)
            changed: dict[Any, Any] = {getattr(ServiceCategory, k): v for k, v in values.items()}
            changed[ServiceCategory.updated_at] = now
            await ServiceCategory.update(changed).where(ServiceCategory.id == category_id)
            await audit.record(
                principal, "catalog.category.update", "service_category", category_id, changes, ip, now=now
            )
    return category_id


async def save_service(
    principal: Principal,
    service_id: int | None,
    values: dict[str, Any],
    *,
    complexes: Sequence[int],
    houses: Sequence[int],
    photo: StoredFile | None,
    now: datetime,
    ip: str = "",
    version: str | None = None,
) -> int:
    """Create or change a service of the catalogue and where it is offered. A manager of some houses changes
    the houses of their own; the rest of the list (and the complexes) stays as an administrator set it. A change
    whose form was read at another ``version`` than the service's is refused (``stale.Stale``), nothing written;
    one that changes nothing of the service as it is now (no photo, the same houses) writes nothing, whatever its
    version."""
    columns = {k: v for k, v in values.items() if k != "price"} | {"price_kopecks": to_kopecks(values["price"])}
    if (
        service_id is not None
        and photo is None
        and not await _service_changes(principal, service_id, columns, complexes, houses)
    ):
        return service_id
    row: dict[Any, Any] = {getattr(PaidService, k): v for k, v in columns.items()}
    row[PaidService.updated_at] = now
    if photo is not None:
        row[PaidService.photo_key] = photo.key
    before = await queries.service(service_id) if service_id is not None else None
    async with atomic():
        if service_id is None:
            made = PaidService(**{column._meta.name: value for column, value in row.items()}, created_at=now)
            await made.save()
            service_id = int(made.id)
        else:
            await stale.check(PaidService, service_id, "paid_service", version)
            await PaidService.update(row).where(PaidService.id == service_id)
        await _set_availability(principal, service_id, complexes, houses)
        plain = {k: str(v) if isinstance(v, Decimal) else v for k, v in values.items()}
        changes = audit.diff(
            {k: getattr(before, k, None) for k in plain} if before else {},
            {**plain, "houses": list(houses), "complexes": list(complexes)},
        )
        action = "catalog.service.update" if before else "catalog.service.create"
        await audit.record(principal, action, "paid_service", service_id, changes, ip, now=now)
    if before and photo is not None and before.photo_key:
        storage.delete(before.photo_key)
    return service_id


async def _service_changes(
    principal: Principal, service_id: int, columns: dict[str, Any], complexes: Sequence[int], houses: Sequence[int]
) -> bool:
    """Whether a save of the service's form changes its columns or where it is offered (a manager of some houses
    changes only the houses of their own)."""
    if await stale.changes(PaidService, service_id, columns):
        return True
    now = await queries.availability_of(service_id)
    scope = principal.house_ids
    if scope is None:
        return now.complexes != set(complexes) or now.houses != set(houses)
    return now.houses & scope != set(houses) & scope


async def _set_availability(
    principal: Principal, service_id: int, complexes: Sequence[int], houses: Sequence[int]
) -> None:
    scope = principal.house_ids
    if scope is None:
        await ServiceAvailability.delete().where(ServiceAvailability.service == service_id)
        wanted_complexes = list(complexes)
    else:
        await ServiceAvailability.delete().where(
            (ServiceAvailability.service == service_id) & ServiceAvailability.house.is_in(sorted(scope) or [0])
        )
        houses = [h for h in houses if h in scope]
        wanted_complexes = []
    rows = [ServiceAvailability(service=service_id, complex=c) for c in wanted_complexes]
    rows += [ServiceAvailability(service=service_id, house=h) for h in houses]
    if rows:
        await ServiceAvailability.insert(*rows)


async def store_photo(upload: Any) -> StoredFile:
    """A service's photo, cleaned as every uploaded image is (``UploadRefused`` when it is not one)."""
    return await storage.save_image(upload)
