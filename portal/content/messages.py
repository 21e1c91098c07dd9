"""The automatic messages of content: the reminder of an event to those going, rendered in each person's language."""

from __future__ import annotations

from datetime import datetime

from portal.core.i18n import format_moment
from portal.core.i18n import gettext
from portal.core.i18n import lazy
from portal.core.i18n import own_words
from portal.core.typography import bound
from portal.notifications.messages import Context
from portal.notifications.messages import message_template
from portal.notifications.rules import Topic
from portal.settings import get_settings


def words(c: Context) -> Context:
    """An event's reminder as the person reads it: the title in their language (the English twin, else the
    Russian), its short words bound to the next one (a phone's notification never ends a line with «на»), the start
    in the company's zone, the place as staff wrote it (or «see the event's page»)."""
    when = format_moment(datetime.fromisoformat(c["starts_at"]), get_settings().time_zone)
    place = c.get("place") or gettext("see the event's page")
    return {**c, "title": bound(own_words(c, "title")), "when": when, "place": place}


EVENT_REMINDER = message_template(
    "content/event_reminder",
    Topic.NOTICE,
    subject=lazy("Tomorrow: %(title)s"),
    # The e-mail ends with the event's page; in the portal's list the title links there.
    text=lazy("You said you would come to “%(title)s”. When: %(when)s. Where: %(place)s."),
    words=words,
    sample={
        "title": "Courtyard clean-up",
        "title_en": "",
        "starts_at": "2026-12-12T10:00:00+03:00",
        "place": "The courtyard of Lenina St, 1",
    },
)
