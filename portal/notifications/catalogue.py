"""Message templates of automatic messages that no domain module sends yet on its own (their words live here):
the outage notice to a resident."""

from __future__ import annotations

from portal.core.i18n import lazy
from portal.notifications.messages import message_template
from portal.notifications.rules import Topic

OUTAGE = message_template(
    "tickets/outage",
    Topic.EMERGENCY,
    subject=lazy("Outage: %(service)s, %(address)s"),
    text=lazy("%(service)s is off at %(address)s from %(start)s. Expected back by %(end)s."),
    short=lazy("Outage: %(service)s until %(end)s"),
    sample={"service": "Cold water", "address": "Lenina St, 1", "start": "10:00", "end": "18:00"},
)
