"""The automatic message of billing (a notifications' message template, rendered in the recipient's language): the
accountants' alert that the reconciliation found balances differing from the billing system's."""

from __future__ import annotations

from datetime import date

from portal.core.db import from_kopecks
from portal.core.i18n import format_day
from portal.core.i18n import format_money
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
