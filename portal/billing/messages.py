"""The automatic messages of billing (notifications' message templates, rendered in the recipient's language): the
accountants' alert that the reconciliation found balances differing from the billing system's, and the residents'
«Квитанция готова» when a month's receipt of their account is issued (``billing.notices``)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from portal.core.db import from_kopecks
from portal.core.i18n import format_day
from portal.core.i18n import format_money
from portal.core.i18n import gettext
from portal.core.i18n import lazy
from portal.core.i18n import ngettext
from portal.notifications.messages import Context
from portal.notifications.messages import message_template
from portal.notifications.rules import Topic


def _differ(c: Context) -> str:
    """«The reconciliation of ноябрь 2026 found 3 accounts …», the month and the sum in the reader's language."""
    return ngettext(
        "The reconciliation of %(month)s found %(num)d account whose balance differs from the billing "
        "system's, by %(sum)s in all.",
        "The reconciliation of %(month)s found %(num)d accounts whose balance differs from the billing "
        "system's, by %(sum)s in all.",
        int(c["found"]),
        month=format_day(c["period"], "LLLL y"),
        sum=format_money(from_kopecks(int(c["total"]))),
    )


RECONCILIATION = message_template(
    "billing_reconciliation",
    Topic.ACCOUNT,
    subject=lazy("Balances differ from the billing system"),
    text=_differ,
    sample={"period": date(2026, 11, 1), "found": 3, "total": 125050},
)


def _said(c: Context) -> str:
    """«Квитанция за ноябрь 2026 по лицевому счёту 9101000001 готова: к оплате 2 688,63 ₽ до 15 декабря.», or that
    the month ended overpaid, or with nothing owed: the sums as the receipt shows them."""
    month, number = format_day(c["period"], "LLLL y"), c["number"]
    if Decimal(c["to_pay"]) > 0:
        return gettext(
            "The receipt for %(month)s for account %(number)s is ready: %(sum)s to pay by %(due)s.",
            month=month,
            number=number,
            sum=format_money(Decimal(c["to_pay"])),
            due=format_day(c["due"], "day_month"),
        )
    if Decimal(c["overpaid"]) > 0:
        return gettext(
            "The receipt for %(month)s for account %(number)s is ready. Overpayment %(sum)s: nothing to pay.",
            month=month,
            number=number,
            sum=format_money(Decimal(c["overpaid"])),
        )
    return gettext(
        "The receipt for %(month)s for account %(number)s is ready. Nothing to pay.", month=month, number=number
    )


def _ready(c: Context) -> str:
    """The e-mail's words: what the receipt says, its address, and where to pay when something is to pay."""
    parts = [_said(c), gettext("The receipt:"), c["link"]]
    if Decimal(c["to_pay"]) > 0:
        parts += [gettext("Pay online:"), c["pay_url"]]
    return "\n\n".join(parts)


RECEIPT_READY = message_template(
    "billing/receipt_ready",
    Topic.ACCOUNT,
    subject=lambda c: gettext("The receipt for %(month)s is ready", month=format_day(c["period"], "LLLL y")),
    text=_ready,
    inapp=_said,  # the in-app title links to the receipt; paying is a click away there
    sample={
        "account_id": 1,
        "number": "9101000001",
        "period": date(2026, 11, 1),
        "to_pay": Decimal("2688.63"),
        "overpaid": Decimal("0.00"),
        "due": date(2026, 12, 15),
        "pay_url": "https://portal.example/pay?account=1",
    },
)
