"""The automatic messages of orders, as message templates rendered in the recipient's language."""

from __future__ import annotations

from decimal import Decimal

from portal.core.i18n import format_money, gettext
from portal.notifications.messages import message_template
from portal.notifications.rules import Topic

ORDER_PAID = message_template(
    "catalog/order_paid",
    Topic.ACCOUNT,
    subject=lambda c: gettext("Order No. %(number)s is paid", number=c["number"]),
    text=lambda c: gettext(
        "We have received %(amount)s for order No. %(number)s (%(title)s). Request No. %(ticket)s is with the "
        "dispatcher; you can follow it on the order's page.",
        amount=format_money(c["amount"]),
        number=c["number"],
        title=c["title"],
        ticket=c["ticket"],
    ),
    short=lambda c: gettext("Order No. %(number)s is paid", number=c["number"]),
    sample={"number": 12, "amount": Decimal("1500.00"), "title": "Plumber call-out", "ticket": 1042},
)

ORDER_PLACED = message_template(
    "catalog/order_placed",
    Topic.ACCOUNT,
    subject=lambda c: gettext("Order No. %(number)s is placed for you", number=c["number"]),
    text=lambda c: gettext(
        "The call centre has placed order No. %(number)s (%(title)s) for your premises. Its total is %(amount)s; "
        "you can pay it on the order's page.",
        number=c["number"],
        title=c["title"],
        amount=format_money(c["amount"]),
    ),
    short=lambda c: gettext(
        "Order No. %(number)s: pay %(amount)s", number=c["number"], amount=format_money(c["amount"])
    ),
    sample={"number": 12, "amount": Decimal("1500.00"), "title": "Plumber call-out"},
)

QUOTE_READY = message_template(
    "catalog/quote_ready",
    Topic.ACCOUNT,
    subject=lambda c: gettext("The price of order No. %(number)s", number=c["number"]),
    text=lambda c: gettext(
        "The price of order No. %(number)s (%(title)s) is %(amount)s. %(note)s If it suits you, accept it and pay "
        "on the order's page.",
        number=c["number"],
        title=c["title"],
        amount=format_money(c["amount"]),
        note=c.get("note") or "",
    ),
    short=lambda c: gettext("Order No. %(number)s: %(amount)s", number=c["number"], amount=format_money(c["amount"])),
    sample={"number": 12, "amount": Decimal("4200.00"), "title": "Window cleaning", "note": "Two windows."},
)

QUOTE_REQUESTED = message_template(
    "catalog/quote_requested",
    Topic.ACCOUNT,
    subject=lambda c: gettext("Order No. %(number)s waits for its price", number=c["number"]),
    text=lambda c: gettext(
        "A resident at %(address)s asks for the price of %(title)s (order No. %(number)s).",
        address=c["address"],
        number=c["number"],
        title=c["title"],
    ),
    sample={"number": 12, "address": "Lenina St, 1, flat 5", "title": "Window cleaning"},
)

DOCUMENT_READY = message_template(
    "catalog/document_ready",
    Topic.ACCOUNT,
    subject=lambda c: gettext("Your document is ready: %(title)s", title=c["title"]),
    text=lambda c: gettext(
        "The document of order No. %(number)s (%(title)s) is ready. Download it on the order's page.",
        number=c["number"],
        title=c["title"],
    ),
    short=lambda c: gettext("Document of order No. %(number)s is ready", number=c["number"]),
    sample={"number": 12, "title": "Statement of the personal account"},
)

ORDER_CANCELLED = message_template(
    "catalog/order_cancelled",
    Topic.ACCOUNT,
    subject=lambda c: gettext("Order No. %(number)s is cancelled", number=c["number"]),
    text=lambda c: gettext(
        "Order No. %(number)s (%(title)s) is cancelled. %(reason)s",
        number=c["number"],
        title=c["title"],
        reason=c.get("reason") or "",
    ),
    sample={"number": 12, "title": "Plumber call-out", "reason": "The flat was not accessible."},
)

ORDER_REFUNDED = message_template(
    "catalog/order_refunded",
    Topic.ACCOUNT,
    subject=lambda c: gettext("Money for order No. %(number)s is returned", number=c["number"]),
    text=lambda c: gettext(
        "%(amount)s paid for order No. %(number)s is returned to your card. The bank credits it within a few days.",
        number=c["number"],
        amount=format_money(c["amount"]),
    ),
    sample={"number": 12, "amount": Decimal("1500.00")},
)
