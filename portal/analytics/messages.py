"""The automatic message of analytics (a notifications' message template, rendered in the recipient's language):
the invitation to a wave of the NPS survey, with the link to the survey page."""

from __future__ import annotations

from datetime import date

from portal.core.i18n import format_day
from portal.core.i18n import lazy
from portal.notifications.messages import Context
from portal.notifications.messages import message_template
from portal.notifications.rules import Topic

SURVEY_LINK = "/surveys/nps"


def words(c: Context) -> Context:
    """The invitation's context as a reader sees it: the wave's last day spelled out."""
    return {**c, "until": format_day(date.fromisoformat(c["until"])) if c.get("until") else ""}


# Channels are chosen as for the notices of the house; the survey's own consent (the processing consent,
# ``accounts.rules.may_send("survey", …)``) is checked by the sender before any channel is picked.
NPS_INVITATION = message_template(
    "analytics/nps_invitation",
    Topic.NOTICE,
    subject=lazy("How are we doing? Rate our work from 0 to 10"),
    text=lazy(
        "How likely are you to recommend our management company to a friend or neighbour? Give a score from "
        "0 to 10 and, if you like, say why in a few words. The survey takes a minute and is open until %(until)s."
    ),
    short=lazy("Rate our work from 0 to 10 until %(until)s"),
    words=words,
    sample={"until": "2026-06-24", "link": SURVEY_LINK},
)
