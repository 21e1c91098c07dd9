"""The automatic messages of meters (notifications' message templates, rendered in the recipient's language):
the reminders of the window and of a verification date, and a reading rejected or corrected by staff."""

from __future__ import annotations

from datetime import date

from portal.core.i18n import format_day
from portal.core.i18n import lazy
from portal.meters.words import service_label
from portal.notifications.messages import Context
from portal.notifications.messages import message_template
from portal.notifications.rules import Topic


def _day(c: Context, key: str) -> str:
    return format_day(date.fromisoformat(c[key])) if c.get(key) else ""


def words(c: Context) -> Context:
    """A meter message's context as a reader sees it: the days and the month spelled out, the service named."""
    month = format_day(date.fromisoformat(c["period"]), "LLLL y") if c.get("period") else ""
    service = service_label(c["service"]).lower() if c.get("service") else ""
    return {**c, "until": _day(c, "until"), "date": _day(c, "date"), "month": month, "service": service}


WINDOW_OPEN = message_template(
    "meters/window_open",
    Topic.ACCOUNT,
    subject=lazy("Pass your meter readings by %(until)s"),
    text=lazy(
        "Readings of the meters of account %(account)s (%(address)s) for %(month)s are accepted until %(until)s. "
        "It takes a minute in the portal; a photo of the meter helps if a value looks unusual."
    ),
    short=lazy("Meter readings are accepted until %(until)s"),
    words=words,
    sample={"account": "1000000001", "address": "ул. Киевская, д. 1, кв. 5", "period": "2026-11-01",
            "until": "2026-11-25", "link": "/meters"},
)  # fmt: skip

WINDOW_CLOSING = message_template(
    "meters/window_closing",
    Topic.ACCOUNT,
    subject=lazy("Two days left to pass meter readings"),
    text=lazy(
        "No readings of account %(account)s (%(address)s) have been passed for %(month)s yet. They are accepted "
        "until %(until)s; without them the month is charged by the average consumption."
    ),
    short=lazy("Pass meter readings by %(until)s"),
    words=words,
    sample={"account": "1000000001", "address": "ул. Киевская, д. 1, кв. 5", "period": "2026-11-01",
            "until": "2026-11-25", "link": "/meters"},
)  # fmt: skip

VERIFICATION_DUE = message_template(
    "meters/verification_due",
    Topic.ACCOUNT,
    subject=lazy("A meter's verification is due on %(date)s"),
    text=lazy(
        "The verification of the %(service)s meter No. %(serial)s (%(address)s) is due on %(date)s. After that "
        "date its readings are not accepted as metered and the month is charged by the average. Order a "
        "verification or a replacement in advance; the meter's page in the portal has a button for it."
    ),
    short=lazy("Meter No. %(serial)s: verification due %(date)s"),
    words=words,
    sample={"service": "cold_water", "serial": "ХВ000123", "address": "ул. Киевская, д. 1, кв. 5",
            "date": "2026-12-20", "link": "/meters"},
)  # fmt: skip

READING_REJECTED = message_template(
    "meters/reading_rejected",
    Topic.ACCOUNT,
    subject=lazy("Your meter reading was not accepted"),
    text=lazy(
        "The reading %(value)s of the %(service)s meter No. %(serial)s for %(month)s was not accepted: %(reason)s. "
        "Please pass it again, with a photo of the meter if you can."
    ),
    short=lazy("Reading of meter No. %(serial)s not accepted"),
    words=words,
    sample={"value": "12 345,000", "service": "hot_water", "serial": "ГВ000123", "period": "2026-11-01",
            "reason": "на фото другое значение", "link": "/meters"},
)  # fmt: skip

READING_CORRECTED = message_template(
    "meters/reading_corrected",
    Topic.ACCOUNT,
    subject=lazy("Your meter reading was corrected"),
    text=lazy(
        "The reading of the %(service)s meter No. %(serial)s for %(month)s was corrected from %(old)s to %(new)s: "
        "%(reason)s."
    ),
    short=lazy("Reading of meter No. %(serial)s corrected"),
    words=words,
    sample={"service": "cold_water", "serial": "ХВ000123", "period": "2026-11-01", "old": "1 234,000",
            "new": "123,400", "reason": "лишняя цифра", "link": "/meters"},
)  # fmt: skip
