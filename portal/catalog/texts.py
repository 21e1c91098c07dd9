"""The words of the catalog's pages: statuses and their badges, prices as people read them, units, teams."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import Any

from markupsafe import Markup
from markupsafe import escape

from portal.catalog.tables import DocumentKind
from portal.catalog.tables import ExecutorGroup
from portal.catalog.tables import OrderStatus
from portal.catalog.tables import PriceKind
from portal.catalog.tables import Unit
from portal.core import clock
from portal.core.i18n import format_money
from portal.core.i18n import format_number
from portal.core.i18n import gettext
from portal.core.i18n import keep_units
from portal.core.i18n import lazy
from portal.core.i18n import ngettext
from portal.core.i18n import own_markup
from portal.core.i18n import own_words
from portal.core.labels import Labels
from portal.payments import rules as pay_rules
from portal.payments.tables import PaymentStatus
from portal.payments.texts import decline_text

S = OrderStatus

STATUS_LABELS = Labels(
    {
        S.QUOTE_REQUESTED: lazy("Waiting for the price"),
        S.QUOTED: lazy("Price named"),
        S.AWAITING_PAYMENT: lazy("Waiting for payment"),
        S.ACCEPTED: lazy("Accepted"),
        S.IN_WORK: lazy("In work"),
        S.DONE: lazy("Done"),
        S.CANCELLED: lazy("Cancelled"),
    }
)
STATUS_BADGES = {
    S.QUOTE_REQUESTED: "new",
    S.QUOTED: "new",
    S.AWAITING_PAYMENT: "new",
    S.ACCEPTED: "new",
    S.IN_WORK: "work",
    S.DONE: "done",
    S.CANCELLED: "closed",
}
UNIT_LABELS = Labels(
    {
        Unit.HOUR: lazy("hour"),
        Unit.SQUARE_METRE: lazy("m²"),
        Unit.ITEM: lazy("item"),
    }
)
PRICE_KIND_LABELS: dict[str, Callable[[], str]] = {
    PriceKind.FIXED: lazy("Fixed price"),
    PriceKind.FROM: lazy("“From” price (staff name the price)"),
    PriceKind.PER_UNIT: lazy("Per unit"),
}
GROUP_LABELS = Labels(
    {
        ExecutorGroup.PLUMBERS: lazy("Plumbers"),
        ExecutorGroup.ELECTRICIANS: lazy("Electricians"),
        ExecutorGroup.LOCKSMITHS: lazy("Locksmiths"),
        ExecutorGroup.HANDYMEN: lazy("Handymen"),
        ExecutorGroup.CLEANING: lazy("Cleaning team"),
        ExecutorGroup.APPLIANCES: lazy("Appliance fitters"),
        ExecutorGroup.SECURITY: lazy("Security and access"),
        ExecutorGroup.OFFICE: lazy("Office (certificates)"),
    }
)
DOCUMENT_LABELS: dict[str, Callable[[], str]] = {
    DocumentKind.NONE: lazy("Not a certificate (a service)"),
    DocumentKind.STATEMENT: lazy("Statement of the account for a period (made by the portal)"),
    DocumentKind.NO_DEBT: lazy("Certificate of no debt (made by the portal)"),
    DocumentKind.RECEIPT_COPY: lazy("Copy of a receipt (made by the portal)"),
    DocumentKind.BY_STAFF: lazy("Made by staff and attached to the request"),
}


status_label = STATUS_LABELS.shown
unit_label = UNIT_LABELS.shown
group_label = GROUP_LABELS.shown


def status_badge(status: str) -> str:
    return STATUS_BADGES.get(status, "new")


def price_label(price_kind: str, price: Decimal, unit: str = "") -> str:
    """«1 500,00 ₽», «от 1 500,00 ₽», «500,00 ₽ за час», «Бесплатно»."""
    if price_kind == PriceKind.FROM:
        return gettext("from %(amount)s", amount=format_money(price))
    if price_kind == PriceKind.PER_UNIT:
        return gettext("%(amount)s per %(unit)s", amount=format_money(price), unit=unit_label(unit))
    if price == 0:
        return gettext("Free")
    return format_money(price)


def others_checkout(name: str = "") -> str:
    """An order's checkout started by another member of the household, as its page and a refused POST say it; by
    ``name`` when the reader may see who (``payments.queries.payer_as_seen_by``)."""
    if name:
        return gettext("This payment was started by %(name)s: only they can continue or cancel it.", name=name)
    return gettext("This payment was started by another member of your household: only they can continue or cancel it.")


def others_paying(status: str, started: datetime | None, until: datetime | None, name: str = "") -> str:
    """What a co-owner is told, on the order's page and when a «Pay» or «Cancel» of theirs is refused, while the
    order's checkout another member of the household started could still go through: who pays it (by ``name`` when
    the co-owner may see them on the account's access list, ``payments.queries.payer_as_seen_by``), since when,
    until when it may still be paid, and what the co-owner can do then (pay it themselves or cancel it)."""
    since = clock.local(started).strftime("%H:%M") if started else ""
    if status in pay_rules.PAID_STATUSES:
        if name:
            return gettext("%(name)s has just paid this order; a second payment was not opened.", name=name)
        return gettext("Another member of your household has just paid this order; a second payment was not opened.")
    if status == PaymentStatus.PENDING:
        if name:
            return gettext(
                "%(name)s paid this order at %(time)s, and the bank is confirming the payment. If the bank declines "
                "it, you can pay the order yourself or cancel it.",
                name=name,
                time=since,
            )
        return gettext(
            "Another member of your household paid this order at %(time)s, and the bank is confirming the payment. "
            "If the bank declines it, you can pay the order yourself or cancel it.",
            time=since,
        )
    if until is None:  # being opened this moment
        if name:
            return gettext(
                "%(name)s started paying this order at %(time)s; its payment page is being opened. Only they can "
                "continue or cancel that payment. If it is not paid, you can pay the order yourself or cancel it "
                "once that page closes.",
                name=name,
                time=since,
            )
        return gettext(
            "Another member of your household started paying this order at %(time)s; its payment page is being "
            "opened. Only they can continue or cancel that payment. If it is not paid, you can pay the order "
            "yourself or cancel it once that page closes.",
            time=since,
        )
    closes = clock.local(until).strftime("%H:%M")
    if name:
        return gettext(
            "%(name)s is paying this order: they opened its payment page at %(time)s, and it stays open until "
            "%(until)s. Only they can continue or cancel that payment. If the order is not paid by %(until)s, you "
            "can pay it yourself or cancel it.",
            name=name,
            time=since,
            until=closes,
        )
    return gettext(
        "Another member of your household is paying this order: they opened its payment page at %(time)s, and it "
        "stays open until %(until)s. Only they can continue or cancel that payment. If the order is not paid by "
        "%(until)s, you can pay it yourself or cancel it.",
        time=since,
        until=closes,
    )


def amount_label(amount: Decimal | None, unknown: str = "") -> str:
    """An order's (or a line's) amount: «1 500,00 ₽», «Бесплатно» when it is nothing, ``unknown`` until staff name
    the price of a «from» service («цена по расчёту»)."""
    if amount is None:
        return unknown
    return gettext("Free") if amount == 0 else format_money(amount)


def quantity_label(quantity: Decimal, unit: str) -> str:
    """«2,5 ч», «3 шт.», «45,5 м²»: a number with its unit's short sign, which needs no plural («2,5 час» and
    "2.5 hour" were written with the unit's name), on one line (``keep_units``)."""
    number = format_number(quantity, 2)
    if unit == Unit.HOUR:
        return keep_units(gettext("%(n)s h", n=number))
    if unit == Unit.ITEM:
        return keep_units(gettext("%(n)s pcs", n=number))
    if unit == Unit.SQUARE_METRE:
        return keep_units(gettext("%(n)s m²", n=number))
    return number


def quantity_question(unit: str) -> str:
    """The quantity field's label with the unit's sign: «Количество, ч», «Количество, шт.», «Количество, м²»."""
    if unit == Unit.HOUR:
        return gettext("How much, h")
    if unit == Unit.ITEM:
        return gettext("How much, pcs")
    return gettext("How much, %(unit)s", unit=unit_label(unit))


def duration_label(minutes: int) -> str:
    if minutes <= 0:
        return ""
    if minutes % 60 == 0:
        hours = minutes // 60
        if hours % 24 == 0 and hours >= 24:
            return ngettext("about %(num)s day", "about %(num)s days", hours // 24)
        return gettext("about %(n)s h", n=hours)
    return gettext("about %(n)s min", n=minutes)


def summary_label(first: str, others: int = 0) -> str:
    """An order's services in one line in the reader's language: «Мелкий ремонт», «Мелкий ремонт и ещё 2 услуги»,
    "Minor repairs and 2 more services" (``queries.Summary``, or the ``title`` and ``more`` of a message)."""
    if others <= 0:
        return first
    return ngettext("%(title)s and %(num)s more service", "%(title)s and %(num)s more services", others, title=first)


def order_summary(order: Any) -> str:
    """The one-line summary of an order (``queries.OrderRow``) in the reader's language: its first service named
    as ordered, in English where it had an English title then."""
    return summary_label(own_words(order.summary, "first"), order.summary.others)


def payment_title(order: Any) -> str:
    """What the payer is paying for, as the gateway's page and its receipt say it (``queries.OrderDetail``), in the
    payer's language: «Заказ № 12: Вызов сантехника и ещё 1 услуга», "Order No. 12: Tap repair and 1 more service".
    The gateway keeps the words it is given when the checkout opens, so they are worded then, for its one reader."""
    if not order.items:
        return gettext("Order No. %(number)s", number=order.id)
    services = summary_label(own_words(order.items[0], "title"), len(order.items) - 1)
    return gettext("Order No. %(number)s: %(services)s", number=order.id, services=services)


_SLOT = "\x00"  # where the first title goes in the worded line


def order_summary_html(order: Any) -> Markup:
    """``order_summary`` as a page's text: escaped, the first service's Russian title marked ``lang="ru"`` where
    it stands in for a missing English one (``i18n.own_markup``)."""
    before, _, after = summary_label(_SLOT, order.summary.others).partition(_SLOT)
    return escape(before) + own_markup(order.summary, "first") + escape(after)


def words() -> dict[str, Any]:
    """What every catalog template uses to name things."""
    return {
        "status_label": status_label,
        "status_badge": status_badge,
        "price_label": price_label,
        "amount_label": amount_label,
        "others_paying": others_paying,
        "unit_label": unit_label,
        "quantity_label": quantity_label,
        "quantity_question": quantity_question,
        "duration_label": duration_label,
        "group_label": group_label,
        "order_summary": order_summary_html,
        "decline_text": decline_text,  # why a card was declined, in the payments' words
    }
