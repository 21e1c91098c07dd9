"""The automatic messages of payments, as message templates rendered in the payer's language."""

from __future__ import annotations

from decimal import Decimal

from portal.core.i18n import format_money
from portal.core.i18n import lazy
from portal.notifications.messages import Context
from portal.notifications.messages import message_template
from portal.notifications.rules import Topic
from portal.payments import texts


def words(c: Context) -> Context:
    """A payment's message context as the payer reads it: sums as money, a decline code as its reason."""
    money = {key: format_money(c[key]) for key in ("amount", "due", "limit") if c.get(key) is not None}
    reason = {"reason": texts.decline_text(c.get("code"))} if "code" in c else {}
    return {**c, **money, **reason}


PAYMENT_RECEIVED = message_template(
    "payment_succeeded",
    Topic.ACCOUNT,
    subject=lazy("Payment received"),
    text=lazy("We have received your payment of %(amount)s for account %(numbers)s. Thank you!"),
    words=words,
    sample={"amount": Decimal("1500.00"), "numbers": "1000000001"},
)

PAYMENT_FAILED = message_template(
    "payment_failed",
    Topic.ACCOUNT,
    subject=lazy("Payment failed"),
    text=lazy("The payment was not made: %(reason)s Nothing was charged."),
    words=words,
    sample={"code": "card_declined"},
)

AUTOPAY_OVER_LIMIT = message_template(
    "autopay_over_limit",
    Topic.ACCOUNT,
    subject=lazy("Autopay did not run"),
    text=lazy(
        "The amount due on account %(number)s (%(due)s) is above your autopay limit of %(limit)s. "
        "Please pay it on the portal."
    ),
    words=words,
    sample={"number": "1000000001", "due": Decimal("5400.00"), "limit": Decimal("3000.00")},
)
