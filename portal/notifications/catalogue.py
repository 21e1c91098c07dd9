"""Message templates of automatic messages that no domain module sends yet on its own (their words live here):
the monthly meter reminder and the outage notice to a resident."""

from __future__ import annotations

from datetime import date

from portal.core.i18n import format_day, gettext
from portal.notifications.messages import message_template
from portal.notifications.rules import Topic

METER_REMINDER = message_template(
    "meters/reminder",
    Topic.ACCOUNT,
    subject=lambda c: gettext("Pass your meter readings by %(date)s", date=format_day(c["until"], "day_month")),
    text=lambda c: gettext(
        "Hello!\n\nThe readings of the meters of account %(n)s are expected by %(date)s. It takes a minute in the "
        "portal: %(url)s\n\nWithout readings the month is charged by the average.",
        n=c["account"],
        date=format_day(c["until"], "day_month"),
        url=c["url"],
    ),
    short=lambda c: gettext("Pass meter readings by %(date)s", date=format_day(c["until"], "day_month")),
    sample={"account": "1000000001", "until": date(2026, 12, 25), "url": "https://portal.example/meters"},
)

OUTAGE = message_template(
    "tickets/outage",
    Topic.EMERGENCY,
    subject=lambda c: gettext("Outage: %(service)s, %(address)s", service=c["service"], address=c["address"]),
    text=lambda c: gettext(
        "%(service)s is off at %(address)s from %(start)s. Expected back by %(end)s.",
        service=c["service"],
        address=c["address"],
        start=c["start"],
        end=c["end"],
    ),
    short=lambda c: gettext("Outage: %(service)s until %(end)s", service=c["service"], end=c["end"]),
    sample={"service": "Cold water", "address": "Lenina St, 1", "start": "10:00", "end": "18:00"},
)
