"""The automatic messages of orders, as message templates rendered in the recipient's language."""

from __future__ import annotations

from decimal import Decimal
from functools import partial

from portal.catalog.texts import summary_label
from portal.core.i18n import format_money
from portal.core.i18n import lazy
from portal.core.i18n import own_words
from portal.notifications.messages import Context
from portal.notifications.messages import message_template
from portal.notifications.rules import Topic


def words(c: Context) -> Context:
    """An order's message context as a reader sees it: the amount as money, the order's services in one line
    (its first ``title`` — its ``title_en`` for a reader of English where it has one — and how many ``more``), a
    missing note or reason empty."""
    amount = c.get("amount")
    return {
        **c,
        "amount": format_money(amount) if amount is not None else "",
        "note": c.get("note") or "",
        "reason": c.get("reason") or "",
        "title": summary_label(own_words(c, "title"), int(c.get("more") or 0)),
    }


# Every message of orders is on the account's topic, its context worded by ``words``.
_order_message = partial(message_template, topic=Topic.ACCOUNT, words=words)


ORDER_PAID = _order_message(
    "catalog/order_paid",
    subject=lazy("Order No. %(number)s is paid"),
    text=lazy(
        "We have received %(amount)s for order No. %(number)s (%(title)s). Request No. %(ticket)s is with the "
        "dispatcher; you can follow it on the order's page."
    ),
    sample={"number": 12, "amount": Decimal("1500.00"), "title": "Plumber call-out", "more": 1, "ticket": 1042},
)

ORDER_PLACED = _order_message(
    "catalog/order_placed",
    subject=lazy("Order No. %(number)s is placed for you"),
    text=lazy(
        "The call centre has placed order No. %(number)s (%(title)s) for your premises. Its total is %(amount)s; "
        "you can pay it on the order's page."
    ),
    short=lazy("Order No. %(number)s: pay %(amount)s"),
    sample={"number": 12, "amount": Decimal("1500.00"), "title": "Plumber call-out"},
)

QUOTE_READY = _order_message(
    "catalog/quote_ready",
    subject=lazy("The price of order No. %(number)s"),
    text=lazy(
        "The price of order No. %(number)s (%(title)s) is %(amount)s. %(note)s If it suits you, accept it and pay "
        "on the order's page."
    ),
    short=lazy("Order No. %(number)s: %(amount)s"),
    sample={"number": 12, "amount": Decimal("4200.00"), "title": "Window cleaning", "note": "Two windows."},
)

QUOTE_REQUESTED = _order_message(
    "catalog/quote_requested",
    subject=lazy("Order No. %(number)s waits for its price"),
    text=lazy("A resident at %(address)s asks for the price of %(title)s (order No. %(number)s)."),
    sample={"number": 12, "address": "Lenina St, 1, flat 5", "title": "Window cleaning"},
)

DOCUMENT_READY = _order_message(
    "catalog/document_ready",
    subject=lazy("Your document is ready: %(title)s"),
    text=lazy("The document of order No. %(number)s (%(title)s) is ready. Download it on the order's page."),
    short=lazy("Document of order No. %(number)s is ready"),
    sample={"number": 12, "title": "Statement of the personal account"},
)

ORDER_CANCELLED = _order_message(
    "catalog/order_cancelled",
    subject=lazy("Order No. %(number)s is cancelled"),
    text=lazy("Order No. %(number)s (%(title)s) is cancelled. %(reason)s"),
    sample={"number": 12, "title": "Plumber call-out", "reason": "The flat was not accessible."},
)

ORDER_REFUNDED = _order_message(
    "catalog/order_refunded",
    subject=lazy("Money for order No. %(number)s is returned"),
    text=lazy(
        "%(amount)s paid for order No. %(number)s is returned to your card. The bank credits it within a few days."
    ),
    sample={"number": 12, "amount": Decimal("1500.00")},
)

ORDER_REFUNDED_BY_HAND = _order_message(
    "catalog/order_refunded_by_hand",
    subject=lazy("Money for order No. %(number)s is returned"),
    text=lazy(
        "%(amount)s paid for order No. %(number)s is returned to you by the management company, not through the "
        "payment service. If it has not reached you, write to us."
    ),
    sample={"number": 12, "amount": Decimal("1500.00")},
)
