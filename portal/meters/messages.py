"""The automatic messages of meters (notifications' message templates, rendered in the recipient's language):
the reminders of the window and of a verification date, and a reading rejected or corrected by staff."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from portal.core.i18n import LazyText
from portal.core.i18n import format_day
from portal.core.i18n import format_number
from portal.core.i18n import gettext
from portal.core.i18n import lazy
from portal.meters.words import meter_of
from portal.notifications.messages import Context
from portal.notifications.messages import MessageTemplate
from portal.notifications.messages import message_template
from portal.notifications.rules import Topic


def _day(c: Context, key: str) -> str:
    return format_day(date.fromisoformat(c[key])) if c.get(key) else ""


def _values(c: Context, key: str) -> dict[str, str]:
    """A reading's values (one a zone, kept as numbers) as «1 234,000 / 567,000» in the reader's language; a value
    kept already written out (an older message) is shown as it is."""
    kept = c.get(key)
    if not isinstance(kept, list):
        return {}
    digits = int(c.get("decimals", 3))
    return {key: " / ".join(format_number(Decimal(v), digits, fixed=True) for v in kept)}


def words(c: Context) -> Context:
    """A meter message's context as a reader sees it: the days and the month spelled out, the meter named by its
    service as the sentence needs it, the reading's values as numbers of the reader's language."""
    month = format_day(date.fromisoformat(c["period"]), "LLLL y") if c.get("period") else ""
    meter = (meter_of.known(c["service"]) if c.get("service") else "") or gettext("of the meter")
    values = {**_values(c, "value"), **_values(c, "old"), **_values(c, "new")}
    return {**c, "until": _day(c, "until"), "date": _day(c, "date"), "month": month, "meter": meter, **values}


def _meter_message(name: str, subject: LazyText, text: LazyText, short: LazyText, sample: Context) -> MessageTemplate:
    """A message of meters: about an account, read through ``words``, its link the meters page."""
    sample = {**sample, "link": "/meters"}
    return message_template(
        f"meters/{name}", Topic.ACCOUNT, subject=subject, text=text, short=short, words=words, sample=sample
    )


# Sample contexts (English words and numbers), for the tests that render every template in both languages.
_ADDRESS = "Kievskaya St, 1, flat 5"
_WINDOW = {"account": "1000000001", "address": _ADDRESS, "period": "2026-11-01", "until": "2026-11-25"}
_COLD = {"service": "cold_water", "serial": "CW000123"}

WINDOW_OPEN = _meter_message(
    "window_open",
    lazy("Pass your meter readings by %(until)s"),
    lazy(
        "Readings of the meters of account %(account)s (%(address)s) for %(month)s are accepted until %(until)s. "
        "It takes a minute in the portal; a photo of the meter helps if a value looks unusual."
    ),
    lazy("Meter readings are accepted until %(until)s"),
    _WINDOW,
)

WINDOW_CLOSING = _meter_message(
    "window_closing",
    lazy("Two days left to pass meter readings"),
    lazy(
        "No readings of account %(account)s (%(address)s) have been passed for %(month)s yet. They are accepted "
        "until %(until)s; without them the month is charged by the average consumption."
    ),
    lazy("Pass meter readings by %(until)s"),
    _WINDOW,
)

VERIFICATION_DUE = _meter_message(
    "verification_due",
    lazy("A meter's verification is due on %(date)s"),
    lazy(
        "The verification %(meter)s No. %(serial)s (%(address)s) is due on %(date)s. After that "
        "date its readings are not accepted as metered and the month is charged by the average. Order a "
        "verification or a replacement in advance; the meter's page in the portal has a button for it."
    ),
    lazy("Meter No. %(serial)s: verification due %(date)s"),
    {**_COLD, "address": _ADDRESS, "date": "2026-12-20"},
)

READING_REJECTED = _meter_message(
    "reading_rejected",
    lazy("Your meter reading was not accepted"),
    lazy(
        "The reading %(value)s %(meter)s No. %(serial)s for %(month)s was not accepted: %(reason)s. "
        "Please pass it again, with a photo of the meter if you can."
    ),
    lazy("Reading of meter No. %(serial)s not accepted"),
    {"value": ["12345.000"], "decimals": 3, "service": "hot_water", "serial": "HW000123", "period": "2026-11-01",
     "reason": "the photo shows another value"},
)  # fmt: skip

READING_CORRECTED = _meter_message(
    "reading_corrected",
    lazy("Your meter reading was corrected"),
    lazy("The reading %(meter)s No. %(serial)s for %(month)s was corrected from %(old)s to %(new)s: %(reason)s."),
    lazy("Reading of meter No. %(serial)s corrected"),
    {
        **_COLD,
        "period": "2026-11-01",
        "old": ["1234.000"],
        "new": ["123.400"],
        "decimals": 3,
        "reason": "an extra digit",
    },
)
