"""The automatic messages of the mystery resident (rendered in the recipient's language): the invitation to check the
house, the reminder of a month's check not sent by the 20th, the receipt of a check with the requests its remarks
filed, and the word that staff took the resident off the checks."""

from __future__ import annotations

from datetime import date

from portal.core.i18n import format_day
from portal.core.i18n import gettext
from portal.core.i18n import lazy
from portal.notifications.messages import Context
from portal.notifications.messages import message_template
from portal.notifications.rules import Topic


def words(c: Context) -> Context:
    """The month spelled out in the reader's language («декабрь 2026»), the requests' numbers listed."""
    month = format_day(date.fromisoformat(c["month"]), "LLLL y") if c.get("month") else ""
    numbers = ", ".join(f"№ {n}" for n in c.get("numbers", []))
    return {**c, "month": month, "numbers": numbers}


_SAMPLE = {"month": "2026-11-01", "address": "Kievskaya St, 1", "link": "/mystery"}

REMINDER = message_template(
    "mystery/reminder",
    Topic.ACCOUNT,
    subject=lazy("House check for %(month)s"),
    text=lazy(
        "You have not sent the check of your house (%(address)s) for %(month)s yet. It takes a few minutes: grade "
        "eight points from 1 to 5. The company sees your grades without your name."
    ),
    short=lazy("Please send the house check for %(month)s"),
    words=words,
    sample=_SAMPLE,
)


def _received(c: Context) -> str:
    w = words(c)
    said = gettext("Your check of the house (%(address)s) for %(month)s is received.", **w)
    if w["numbers"]:
        return said + " " + gettext("Remarks are passed to dispatch as requests, without your name: %(numbers)s.", **w)
    return said + " " + gettext("Thank you for your time.")


RECEIVED = message_template(
    "mystery/received",
    Topic.ACCOUNT,
    subject=lazy("Your house check for %(month)s is received"),
    text=_received,
    short=lazy("House check for %(month)s received"),
    words=words,
    sample={**_SAMPLE, "numbers": [701, 702]},
)


INVITED = message_template(
    "mystery/invited",
    Topic.ACCOUNT,
    subject=lazy("You are invited to check your house"),
    text=lazy(
        "The management company invites you to be a mystery resident of your house (%(address)s): once a month you "
        "grade eight points from 1 to 5, and the company sees your grades without your name. Accept or decline the "
        "invitation in your personal account."
    ),
    short=lazy("You are invited to check your house: accept or decline"),
    words=words,
    sample=_SAMPLE,
)

WITHDRAWN = message_template(
    "mystery/withdrawn",
    Topic.ACCOUNT,
    subject=lazy("You no longer check your house"),
    text=lazy(
        "The management company has taken you off the checks of your house (%(address)s): no more checks or "
        "reminders will come. The checks you sent are kept. Thank you for your help!"
    ),
    short=lazy("You no longer check your house"),
    words=words,
    sample=_SAMPLE,
)
