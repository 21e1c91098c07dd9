"""The automatic messages of owners' meetings, as message templates rendered in each owner's language."""

from __future__ import annotations

from datetime import date

from portal.core.address import premise_name
from portal.core.i18n import format_day
from portal.core.i18n import gettext
from portal.core.i18n import lazy
from portal.core.i18n import ngettext
from portal.core.i18n import own_words
from portal.meetings import forms
from portal.meetings import rules
from portal.notifications.messages import Context
from portal.notifications.messages import message_template
from portal.notifications.rules import Topic


def words(c: Context) -> Context:
    """A meeting's message context as an owner reads it: the title in the owner's language (the English twin, else
    the Russian), the form named, the voting days spelled out."""
    c = {**c, "title": own_words(c, "title")}
    if "form" not in c:
        return c
    return {**c, "form": forms.form_label(c["form"]), "start": format_day(c["starts_on"]),
            "end": format_day(c["voting_ends_on"])}  # fmt: skip


NOTICE = message_template(
    "meetings/notice",
    Topic.NOTICE,
    subject=lazy("Owners' meeting: %(title)s"),
    text=lazy(
        "An owners' general meeting of your house (%(address)s) is called: %(title)s.\n"
        "Form: %(form)s. Voting from %(start)s to %(end)s inclusive.\n"
        "The agenda and the materials: %(url)s"
    ),
    # In the portal's list the title links to the meeting: the words without its address.
    inapp=lazy(
        "An owners' general meeting of your house (%(address)s) is called: %(title)s.\n"
        "Form: %(form)s. Voting from %(start)s to %(end)s inclusive."
    ),
    words=words,
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
    subject=lazy("Results of the owners' meeting: %(title)s"),
    text=lazy(
        "The owners' general meeting of your house (%(address)s) is over: %(title)s.\n"
        "The results and the protocol: %(url)s"
    ),
    inapp=lazy("The owners' general meeting of your house (%(address)s) is over: %(title)s."),
    words=words,
    sample={"title": "Roof repair", "address": "Lenina St, 1", "url": "https://portal.example/meetings/1"},
)


def rejected_words(c: Context) -> Context:
    """A rejected ballot as its owner reads it: the premise and the reason in the owner's language; the moderator's
    comment as written, on one line: its line breaks would make it paragraphs of the company's e-mail, an address
    alone in one a link the company seems to send."""
    note = " ".join((c.get("note") or "").split())
    return {**words(c), "premise": premise_name(c["premise_kind"], c["premise_number"]),
            "reason": forms.rejection_label(rules.Rejection(c["reason"])),
            "note": gettext("Comment: %(note)s", note=note) if note else ""}  # fmt: skip


REJECTED = message_template(
    "meetings/ballot_rejected",
    Topic.ACCOUNT,
    subject=lazy("Your paper ballot is not counted: %(title)s"),
    text=lazy(
        "Your paper ballot for %(premise)s in the owners' meeting “%(title)s” was checked and is not counted.\n"
        "Reason: %(reason)s. %(note)s\n"
        "If you think this is a mistake, contact the management company."
    ),
    words=rejected_words,
    sample={
        "title": "Roof repair",
        "premise_kind": "flat",
        "premise_number": "12",
        "reason": "unsigned",
        "note": "",
    },
)


# The one-time code that confirms an owner's electronic ballots: e-mailed whatever the owner chose, with no unsubscribe
# line (``accounts.rules.SECURITY_NOTICES``); ``premises`` come worded in the owner's language.
CODE = message_template(
    "meetings/code",
    Topic.ACCOUNT,
    subject=lazy("Code to confirm your vote: %(code)s"),
    text=lazy(
        "Your confirmation code: %(code)s\n\nIt confirms your ballots in the owners' meeting “%(title)s” "
        "for: %(premises)s. After confirmation the ballots cannot be changed.\n"
        "The code works for %(minutes)s minutes. If you did not vote, ignore this message."
    ),
    words=words,
    sample={"code": "123456", "title": "Roof repair", "premises": "flat 12", "minutes": 15},
)


def _days_left(c: Context) -> str:
    """«До конца голосования по собранию «…» осталось 3 дня. Вы ещё не проголосовали.», the count in its form."""
    return ngettext(
        "%(num)d day is left until the voting in the owners' meeting “%(title)s” ends. You have not voted yet.",
        "%(num)d days are left until the voting in the owners' meeting “%(title)s” ends. You have not voted yet.",
        int(c["days"]),
        title=own_words(c, "title"),
    )


REMINDER = message_template(
    "meetings/reminder",
    Topic.NOTICE,
    subject=lambda c: gettext("Voting ends soon: %(title)s", title=own_words(c, "title")),
    text=lambda c: "\n\n".join([_days_left(c), gettext("Vote:"), c["url"]]),
    inapp=_days_left,  # the in-app title links to the meeting, where the owner votes
    sample={"title": "Roof repair", "days": 3, "url": "https://portal.example/meetings/1"},
)
