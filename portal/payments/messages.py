"""The automatic messages of payments, as message templates rendered in the payer's language."""

from __future__ import annotations

from decimal import Decimal

from portal.core.i18n import format_money, gettext
from portal.notifications.messages import message_template
from portal.notifications.rules import Topic
from portal.payments import texts

PAYMENT_RECEIVED = message_template(
    "payment_succeeded",
    Topic.ACCOUNT,
    subject=lambda c: gettext("Payment received"),
    text=lambda c: gettext(
        "We have received your payment of %(amount)s for account %(numbers)s. Thank you!",
        amount=format_money(c["amount"]),
        numbers=c["numbers"],
    ),
    sample={"amount": Decimal("1500.00"), "numbers": "1000000001"},
)

PAYMENT_FAILED = message_template(
    "payment_failed",
    Topic.ACCOUNT,
    subject=lambda c: gettext("Payment failed"),
    text=lambda c: gettext(
        "The payment was not made: %(reason)s Nothing was charged.", reason=texts.decline_text(c.get("code"))
    ),
    sample={"code": "card_declined"},
)

AUTOPAY_OVER_LIMIT = message_template(
    "autopay_over_limit",
    Topic.ACCOUNT,
    subject=lambda c: gettext("Autopay did not run"),
    text=lambda c: gettext(
        "The amount due on account %(number)s (%(due)s) is above your autopay limit of %(limit)s. "
        "Please pay it on the portal.",
        number=c["number"],
        due=format_money(c["due"]),
        limit=format_money(c["limit"]),
    ),
    sample={"number": "1000000001", "due": Decimal("5400.00"), "limit": Decimal("3000.00")},
)
