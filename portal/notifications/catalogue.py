"""Message templates of automatic messages that no domain module sends yet on its own (their words live here):
the monthly meter reminder and the outage notice to a resident."""

from __future__ import annotations

from datetime import date

from portal.core.i18n import format_day
from portal.core.i18n import lazy
from portal.notifications.messages import Context
from portal.notifications.messages import message_template
from portal.notifications.rules import Topic


def words(c: Context) -> Context:
    """The reminder's account and day («25 December»); an outage's words are stored as they are shown."""
    return {**c, "n": c["account"], "date": format_day(c["until"], "day_month")} if "until" in c else c


METER_REMINDER = message_template(
    "meters/reminder",
    Topic.ACCOUNT,
    subject=lazy("Pass your meter readings by %(date)s"),
    text=lazy(
        "Hello!\n\nThe readings of the meters of account %(n)s are expected by %(date)s. It takes a minute in the "
        "portal: %(url)s\n\nWithout readings the month is charged by the average."
    ),
    short=lazy("Pass meter readings by %(date)s"),
    words=words,
    sample={"account": "1000000001", "until": date(2026, 12, 25), "url": "https://portal.example/meters"},
)

OUTAGE = message_template(
    "tickets/outage",
    Topic.EMERGENCY,
    subject=lazy("Outage: %(service)s, %(address)s"),
    text=lazy("%(service)s is off at %(address)s from %(start)s. Expected back by %(end)s."),
    short=lazy("Outage: %(service)s until %(end)s"),
    sample={"service": "Cold water", "address": "Lenina St, 1", "start": "10:00", "end": "18:00"},
)
