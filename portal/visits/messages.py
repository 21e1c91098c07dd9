"""The automatic messages of visits to the client centre (rendered in the recipient's language): the booking's
confirmation, its reminder a day before, a visit cancelled (by the resident, or by the centre with its reason), a
visit missed, and the thanks for one attended with the question how it went. A caller without a sign-in, booked by
the call centre, is told by SMS in words of their own (``FOR_CALLERS``: to call the office, not to use the portal)."""

from __future__ import annotations

from datetime import datetime

from portal.core.i18n import format_clock
from portal.core.i18n import format_day
from portal.core.i18n import gettext
from portal.core.i18n import lazy
from portal.notifications.messages import Context
from portal.notifications.messages import message_template
from portal.notifications.rules import Topic
from portal.settings import get_settings
from portal.visits.rules import BRING
from portal.visits.rules import PURPOSE_LABELS


def words(c: Context) -> Context:
    """The day and time in the company's zone as the reader writes them, the purpose and what to bring in their
    language."""
    moment = datetime.fromisoformat(c["starts_at"]) if c.get("starts_at") else None
    zone = get_settings().time_zone
    return {
        **c,
        "day": format_day(moment, "d MMMM, EEEE") if moment else "",
        "time": format_clock(moment, zone) if moment else "",
        "purpose": PURPOSE_LABELS.shown(c.get("purpose")),
        "bring": BRING.shown(c.get("purpose")) if c.get("purpose") else "",
    }


_SAMPLE = {
    "starts_at": "2026-12-10T10:30:00+03:00", "centre": "Клиентский центр ЖК «Крымская роза»",
    "address": "г. Симферополь, ул. Киевская, д. 1", "purpose": "keys", "reason": "", "link": "/visits/1",
}  # fmt: skip

BOOKED = message_template(
    "visits/booked",
    Topic.ACCOUNT,
    subject=lazy("You are booked at the client centre on %(day)s at %(time)s"),
    text=lazy(
        "You are booked at %(centre)s (%(address)s) on %(day)s at %(time)s: %(purpose)s. Please bring: %(bring)s "
        "If your plans change, cancel the visit in the portal up to an hour before it."
    ),
    short=lazy("Client centre: %(day)s at %(time)s"),
    words=words,
    sample=_SAMPLE,
)


REMINDER = message_template(
    "visits/reminder",
    Topic.ACCOUNT,
    subject=lazy("Reminder: the client centre on %(day)s at %(time)s"),
    text=lazy(
        "We are expecting you at %(centre)s (%(address)s) on %(day)s at %(time)s: %(purpose)s. Please bring: "
        "%(bring)s If your plans have changed, cancel the visit in the portal up to an hour before it, so that "
        "another resident can take the time."
    ),
    short=lazy("Client centre on %(day)s at %(time)s"),
    words=words,
    sample=_SAMPLE,
)


def _cancelled(c: Context) -> str:
    w = words(c)
    said = gettext("Your visit to %(centre)s on %(day)s at %(time)s is cancelled.", **w)
    if w.get("reason"):
        return (
            said
            + " "
            + gettext("The centre's reason: %(reason)s", **w)
            + " "
            + gettext("Please choose another time in the portal.")
        )
    return said


CANCELLED = message_template(
    "visits/cancelled",
    Topic.ACCOUNT,
    subject=lazy("Your visit to the client centre on %(day)s is cancelled"),
    text=_cancelled,
    short=lazy("Visit on %(day)s at %(time)s cancelled"),
    words=words,
    sample={**_SAMPLE, "reason": "Центр закрыт на санитарный день"},
)

MISSED = message_template(
    "visits/missed",
    Topic.ACCOUNT,
    subject=lazy("We missed you at the client centre on %(day)s"),
    text=lazy(
        "You were booked at %(centre)s on %(day)s at %(time)s but did not come. If your question is still open, "
        "please book another time in the portal."
    ),
    short=lazy("Missed visit on %(day)s"),
    words=words,
    sample=_SAMPLE,
)

CAME = message_template(
    "visits/came",
    Topic.ACCOUNT,
    subject=lazy("Thank you for coming to the client centre"),
    text=lazy(
        "Thank you for coming to %(centre)s on %(day)s. How were you received? Rate the visit in the portal: it takes "
        "a few seconds and helps the centre work better."
    ),
    short=lazy("Rate your visit of %(day)s"),
    words=words,
    sample=_SAMPLE,
)


# --- a caller without a sign-in, by SMS (in the company's language: they chose none) -----------------------------


def _by_phone(c: Context) -> Context:
    """``words``, and the office's phone the caller rings to change their plans."""
    return {**words(c), "phone": get_settings().office_phone}


CALLER_BOOKED = message_template(
    "visits/caller_booked",
    Topic.ACCOUNT,
    subject=lazy("Client centre: %(day)s at %(time)s"),
    text=lazy(
        "You are booked at %(centre)s (%(address)s) on %(day)s at %(time)s: %(purpose)s. Please bring: %(bring)s "
        "To cancel or move the visit, call %(phone)s."
    ),
    words=_by_phone,
    sample=_SAMPLE,
)

CALLER_REMINDER = message_template(
    "visits/caller_reminder",
    Topic.ACCOUNT,
    subject=lazy("Client centre tomorrow: %(day)s at %(time)s"),
    text=lazy(
        "We are expecting you at %(centre)s (%(address)s) on %(day)s at %(time)s: %(purpose)s. Please bring: "
        "%(bring)s If your plans have changed, call %(phone)s, so that another resident can take the time."
    ),
    words=_by_phone,
    sample=_SAMPLE,
)


def _caller_cancelled(c: Context) -> str:
    w = _by_phone(c)
    said = gettext("Your visit to %(centre)s on %(day)s at %(time)s is cancelled.", **w)
    if w.get("reason"):
        said += " " + gettext("The centre's reason: %(reason)s", **w)
    return said + " " + gettext("To book another time, call %(phone)s.", **w)


CALLER_CANCELLED = message_template(
    "visits/caller_cancelled",
    Topic.ACCOUNT,
    subject=lazy("Visit on %(day)s at %(time)s cancelled"),
    text=_caller_cancelled,
    words=_by_phone,
    sample={**_SAMPLE, "reason": "Центр закрыт на санитарный день"},
)

# The SMS a caller without a sign-in gets instead of a message of the portal (the others are not sent to them: a
# missed visit, the question how it went are asked in the portal).
FOR_CALLERS = {
    BOOKED.name: CALLER_BOOKED, REMINDER.name: CALLER_REMINDER, CANCELLED.name: CALLER_CANCELLED,
}  # fmt: skip
