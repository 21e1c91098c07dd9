"""The automatic messages of the dispatch service, as message templates rendered in the recipient's language."""

from __future__ import annotations

from portal.core.i18n import gettext
from portal.notifications.messages import message_template
from portal.notifications.rules import Topic
from portal.tickets import rules

STATUS_CHANGED = message_template(
    "ticket_status",
    Topic.ACCOUNT,
    subject=lambda c: gettext(
        "Request No. %(number)s: %(status)s", number=c["number"], status=rules.label(rules.STATUS_LABELS, c["status"])
    ),
    text=lambda c: c.get("comment", ""),
    sample={"number": 1042, "status": "done", "comment": ""},
)

REPLY = message_template(
    "ticket_reply",
    Topic.ACCOUNT,
    subject=lambda c: gettext("New message on request No. %(number)s", number=c["number"]),
    text=lambda c: c.get("text") or gettext("Photos attached"),
    sample={"number": 1042, "text": ""},
)

ASSIGNED = message_template(
    "ticket_assigned",
    Topic.ACCOUNT,
    subject=lambda c: gettext("Request No. %(number)s is assigned to you", number=c["number"]),
    text=lambda c: rules.category_label(c["category"]),
    sample={"number": 1042, "category": "garbage_chute"},
)

EMERGENCY = message_template(
    "ticket_emergency",
    Topic.EMERGENCY,
    subject=lambda c: gettext("Emergency request No. %(number)s", number=c["number"]),
    text=lambda c: rules.category_label(c["category"]),
    sample={"number": 1042, "category": "garbage_chute"},
)
