"""The automatic messages of payments, as message templates rendered in the payer's language."""

from __future__ import annotations

from decimal import Decimal

from portal.core.i18n import LazyText
from portal.core.i18n import format_money
from portal.core.i18n import lazy
from portal.core.i18n import ngettext
from portal.notifications.messages import Context
from portal.notifications.messages import MessageTemplate
from portal.notifications.messages import message_template
from portal.notifications.rules import Topic
from portal.payments import texts


def words(c: Context) -> Context:
    """A payment's message context as the payer reads it: sums as money, a decline code as its reason."""
    money = {key: format_money(c[key]) for key in ("amount", "due", "limit") if c.get(key) is not None}
    reason = {"reason": texts.decline_text(c.get("code"))} if "code" in c else {}
    return {**c, **money, **reason, **_accounts(c)}


def _accounts(c: Context) -> Context:
    """«лицевому счёту 9101000001» or «лицевым счетам 9101000001, 9102000001»: one checkout may pay several."""
    if not c.get("numbers"):
        return {}
    numbers = str(c["numbers"])
    count = len(numbers.split(", "))
    return {"accounts": ngettext("account %(numbers)s", "accounts %(numbers)s", count, numbers=numbers)}


def _to_payer(name: str, subject: LazyText, text: LazyText, sample: Context) -> MessageTemplate:
    """A message to the payer about their account, in the words of ``words``."""
    return message_template(name, Topic.ACCOUNT, subject=subject, text=text, words=words, sample=sample)


PAYMENT_RECEIVED = _to_payer(
    "payment_succeeded",
    lazy("Payment received"),
    lazy("We have received your payment of %(amount)s for %(accounts)s. Thank you!"),
    {"amount": Decimal("1500.00"), "numbers": "1000000001"},
)

PAYMENT_FAILED = _to_payer(
    "payment_failed",
    lazy("Payment failed"),
    lazy("The payment was not made. %(reason)s Nothing was charged."),
    {"code": "card_declined"},
)

AUTOPAY_OVER_LIMIT = _to_payer(
    "autopay_over_limit",
    lazy("Autopay did not run"),
    lazy(
        "The amount due on account %(number)s (%(due)s) is above your autopay limit of %(limit)s. "
        "Please pay it on the portal."
    ),
    {"number": "1000000001", "due": Decimal("5400.00"), "limit": Decimal("3000.00")},
)

AUTOPAY_CLOSED_ACCOUNT = _to_payer(
    "autopay_closed_account",
    lazy("Autopay turned off"),
    lazy("Autopay on closed account %(number)s has been turned off: nothing is owed on it."),
    {"number": "1000000001"},
)

AUTOPAY_CARD_GONE = _to_payer(
    "autopay_card_gone",
    lazy("Autopay turned off: the card no longer works"),
    lazy(
        "Autopay on account %(number)s has been turned off: the bank says the card •••• %(last4)s can no longer be "
        "charged. Nothing was charged. Add another card on the autopay page and turn autopay on again."
    ),
    {"number": "1000000001", "last4": "4242"},
)

AUTOPAY_NO_RIGHT = _to_payer(
    "autopay_no_right",
    lazy("Autopay turned off"),
    lazy(
        "Autopay on account %(number)s has been turned off: you may no longer pay for this account. If that is a "
        "mistake, ask its owner to give you the right to pay, then turn autopay on again on the autopay page."
    ),
    {"number": "1000000001"},
)

PAYMENT_REFUNDED = _to_payer(
    "payment_refunded",
    lazy("Money returned"),
    lazy(
        "%(amount)s of your payment No. %(id)s for account %(number)s has been returned to you: to the card or "
        "account it was paid from. The account's balance counts the refund."
    ),
    {"amount": Decimal("1000.00"), "id": 845, "number": "1000000001"},
)
