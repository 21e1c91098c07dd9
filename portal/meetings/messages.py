"""The automatic messages of owners' meetings, as message templates rendered in each owner's language."""

from __future__ import annotations

from datetime import date

from portal.core.i18n import format_day, gettext
from portal.meetings import forms
from portal.notifications.messages import message_template
from portal.notifications.rules import Topic

NOTICE = message_template(
    "meetings/notice",
    Topic.NOTICE,
    subject=lambda c: gettext("Owners' meeting: %(title)s", title=c["title"]),
    text=lambda c: gettext(
        "An owners' general meeting of your house (%(address)s) is called: %(title)s.\n"
        "Form: %(form)s. Voting from %(start)s to %(end)s inclusive.\n"
        "The agenda and the materials: %(url)s",
        address=c["address"],
        title=c["title"],
        form=forms.form_label(c["form"]),
        start=format_day(c["starts_on"]),
        end=format_day(c["voting_ends_on"]),
        url=c["url"],
    ),
    sample={
        "title": "Roof repair",
        "address": "Lenina St, 1",
        "form": "absentee",
        "starts_on": date(2026, 12, 10),
        "voting_ends_on": date(2026, 12, 24),
        "url": "https://portal.example/meetings/1",
    },
)

RESULTS = message_template(
    "meetings/results",
    Topic.NOTICE,
    subject=lambda c: gettext("Results of the owners' meeting: %(title)s", title=c["title"]),
    text=lambda c: gettext(
        "The owners' general meeting of your house (%(address)s) is over: %(title)s.\n"
        "The results and the protocol: %(url)s",
        address=c["address"],
        title=c["title"],
        url=c["url"],
    ),
    sample={"title": "Roof repair", "address": "Lenina St, 1", "url": "https://portal.example/meetings/1"},
)
