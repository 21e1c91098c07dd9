"""The automatic messages of orders, as message templates rendered in the recipient's language."""

from __future__ import annotations

from decimal import Decimal

from portal.core.i18n import format_money
from portal.core.i18n import lazy
from portal.notifications.messages import Context
from portal.notifications.messages import message_template
from portal.notifications.rules import Topic


def words(c: Context) -> Context:
    """An order's message context as a reader sees it: the amount as money, a missing note or reason empty."""
    amount = c.get("amount")
    return {**c, "amount": format_money(amount) if amount is not None else "", "note": c.get("note") or "",
            "reason": c.get("reason") or ""}  # fmt: skip


ORDER_PAID = message_template(
    "catalog/order_paid",
    Topic.ACCOUNT,
    subject=lazy("Order No. %(number)s is paid"),
    text=lazy(
        "We have received %(amount)s for order No. %(number)s (%(title)s). Request No. %(ticket)s is with the "
        "dispatcher; you can follow it on the order's page."
    ),
    words=words,
    sample={"number": 12, "amount": Decimal("1500.00"), "title": "Plumber call-out", "ticket": 1042},
)

ORDER_PLACED = message_template(
    "catalog/order_placed",
    Topic.ACCOUNT,
    subject=lazy("Order No. %(number)s is placed for you"),
    text=lazy(
        "The call centre has placed order No. %(number)s (%(title)s) for your premises. Its total is %(amount)s; "
        "you can pay it on the order's page."
    ),
    short=lazy("Order No. %(number)s: pay %(amount)s"),
    words=words,
    sample={"number": 12, "amount": Decimal("1500.00"), "title": "Plumber call-out"},
)

QUOTE_READY = message_template(
    "catalog/quote_ready",
    Topic.ACCOUNT,
    subject=lazy("The price of order No. %(number)s"),
    text=lazy(
        "The price of order No. %(number)s (%(title)s) is %(amount)s. %(note)s If it suits you, accept it and pay "
        "on the order's page."
    ),
    short=lazy("Order No. %(number)s: %(amount)s"),
    words=words,
    sample={"number": 12, "amount": Decimal("4200.00"), "title": "Window cleaning", "note": "Two windows."},
)

QUOTE_REQUESTED = message_template(
    "catalog/quote_requested",
    Topic.ACCOUNT,
    subject=lazy("Order No. %(number)s waits for its price"),
    text=lazy("A resident at %(address)s asks for the price of %(title)s (order No. %(number)s)."),
    sample={"number": 12, "address": "Lenina St, 1, flat 5", "title": "Window cleaning"},
)

DOCUMENT_READY = message_template(
    "catalog/document_ready",
    Topic.ACCOUNT,
    subject=lazy("Your document is ready: %(title)s"),
    text=lazy("The document of order No. %(number)s (%(title)s) is ready. Download it on the order's page."),
    short=lazy("Document of order No. %(number)s is ready"),
    sample={"number": 12, "title": "Statement of the personal account"},
)

ORDER_CANCELLED = message_template(
    "catalog/order_cancelled",
    Topic.ACCOUNT,
    subject=lazy("Order No. %(number)s is cancelled"),
    text=lazy("Order No. %(number)s (%(title)s) is cancelled. %(reason)s"),
    words=words,
    sample={"number": 12, "title": "Plumber call-out", "reason": "The flat was not accessible."},
)

ORDER_REFUNDED = message_template(
    "catalog/order_refunded",
    Topic.ACCOUNT,
    subject=lazy("Money for order No. %(number)s is returned"),
    text=lazy(
        "%(amount)s paid for order No. %(number)s is returned to your card. The bank credits it within a few days."
    ),
    words=words,
    sample={"number": 12, "amount": Decimal("1500.00")},
)
