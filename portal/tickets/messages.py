"""The automatic messages of the dispatch service, as message templates rendered in the recipient's language."""

from __future__ import annotations

from datetime import date
from datetime import datetime

from portal.core.i18n import LazyText
from portal.core.i18n import format_day
from portal.core.i18n import format_moment
from portal.core.i18n import gettext
from portal.core.i18n import lazy
from portal.core.i18n import own_words
from portal.notifications.messages import Context
from portal.notifications.messages import MessageTemplate
from portal.notifications.messages import message_template
from portal.notifications.rules import Topic
from portal.settings import get_settings
from portal.tickets import rules


def words(c: Context) -> Context:
    """A request's message context as a reader sees it: its status and category named."""
    status = rules.STATUS_LABELS.shown(c["status"]) if c.get("status") else ""
    category = rules.category_label(c["category"]) if c.get("category") else ""
    return {**c, "status": status, "category": category}


def new_deadline(c: Context) -> str:
    """«Новый срок: 5 декабря 2026, 18:00» where the move counted the deadline anew (``deadline``, stored as
    ISO text: a request reopened, sent back or returned), in the reader's language and the company's zone."""
    if not c.get("deadline"):
        return ""
    due = format_moment(datetime.fromisoformat(c["deadline"]), get_settings().time_zone)
    return gettext("New deadline: %(deadline)s", deadline=due)


STATUS_SUBJECT = lazy("Request No. %(number)s: %(status)s")
STATUS_TEXT = lazy("The status of request No. %(number)s is now: %(status)s.")


def _joined(*parts: str, between: str) -> str:
    return between.join(part for part in parts if part)


STATUS_CHANGED = message_template(
    "ticket_status",
    Topic.ACCOUNT,
    subject=STATUS_SUBJECT,
    # The move said in a sentence (a move without a comment said nothing else), then the comment as worded (its
    # English twin ``comment_en``) and a new deadline.
    text=lambda c: _joined(STATUS_TEXT.format(words(c)), own_words(c, "comment"), new_deadline(c), between="\n\n"),
    short=lambda c: _joined(STATUS_SUBJECT.format(words(c)), new_deadline(c), between=". "),
    words=words,
    sample={"number": 1042, "status": "reopened", "comment": "", "deadline": "2026-03-11T15:00:00+00:00"},
)

REPLY = message_template(
    "ticket_reply",
    Topic.ACCOUNT,
    subject=lazy("New message on request No. %(number)s"),
    # A message the portal worded carries its English twin (``text_en``): the recipient reads their language.
    text=lambda c: own_words(c, "text") or gettext("Photos attached"),
    sample={"number": 1042, "text": ""},
)


CATEGORY_TEXT = lazy("Category of request No. %(number)s: %(category)s.")


def _about_category(name: str, topic: Topic, subject: LazyText) -> MessageTemplate:
    """A message whose text names the request's category (to the executor it is assigned to, to the dispatchers of
    an emergency) in a sentence, not the label alone."""
    sample = {"number": 1042, "category": "garbage_chute"}
    return message_template(name, topic, subject=subject, text=CATEGORY_TEXT, words=words, sample=sample)


ASSIGNED = _about_category("ticket_assigned", Topic.ACCOUNT, lazy("Request No. %(number)s is assigned to you"))
UNASSIGNED = _about_category(
    "ticket_unassigned", Topic.ACCOUNT, lazy("Request No. %(number)s is no longer assigned to you")
)
# An executor gave a request of theirs back (a wrong address, another trade's work): to the dispatchers of its house.
HANDED_BACK_TEXT = lazy("%(executor)s handed request No. %(number)s back: it has no executor now. The reason:")
HANDED_BACK = message_template(
    "ticket_handed_back",
    Topic.ACCOUNT,
    subject=lazy("Request No. %(number)s is handed back by its executor"),
    text=lambda c: _joined(HANDED_BACK_TEXT.format(c), c.get("reason", ""), between="\n\n"),
    sample={"number": 1042, "executor": "Лукин С. И.", "reason": "Не тот адрес: в доме нет квартиры 50"},
)
EMERGENCY = _about_category("ticket_emergency", Topic.EMERGENCY, lazy("Emergency request No. %(number)s"))

# The previous owners of a flat, when staff applied the new owner's documents and closed their account (each reader in
# their own language: ``accounts.notify``).
HANDOVER_ENDED = message_template(
    "ticket_handover_ended",
    Topic.ACCOUNT,
    subject=lazy("Personal account %(account)s has a new owner"),
    text=lazy(
        "The management company has registered a new owner of the premise of personal account %(account)s from "
        "%(day)s. The account is closed the day before; its history and balance stay open to you on the portal, "
        "and what it owed on the day it closed is paid from its page."
        "\n\nIf this is a mistake, call the management company."
    ),
    words=lambda c: {**c, "day": format_day(date.fromisoformat(c["day"]))},
    sample={"account": "1000000001", "day": "2026-12-01"},
)

# The old account's other residents (family, tenants): the account is closed, and the new owner is the one who
# gives access to theirs.
HANDOVER_CLOSED = message_template(
    "ticket_handover_closed",
    Topic.ACCOUNT,
    subject=lazy("Personal account %(account)s is closed"),
    text=lazy(
        "The premise of personal account %(account)s has a new owner from %(day)s, and the account is closed the "
        "day before. If you go on living there, ask the new owner to invite you to their account on the portal."
        "\n\nIf this is a mistake, call the management company."
    ),
    words=lambda c: {**c, "day": format_day(date.fromisoformat(c["day"]))},
    sample={"account": "1000000001", "day": "2026-12-01"},
)
