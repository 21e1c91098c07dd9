"""The notes the portal itself writes on ledger entries (лицевой счёт): stored in Russian, the words the company's
staff and its billing system read, and shown in the reader's language.

A note is stored as its Russian words with its values in them («Онлайн-оплата №42»): the rows written before this
module, and any other reader of the table (exports, the billing system), keep reading them as they were. To show
one, the stored words are matched against the notes below (for the entry's kind) and said again through gettext
with the same values; a note that matches none (a refund's reason as staff typed it, words a registry brought) is
shown as stored, marked Russian on a page in another language.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from datetime import datetime

from markupsafe import Markup
from markupsafe import escape

from portal.billing.tables import EntryKind
from portal.core.i18n import LazyText
from portal.core.i18n import format_day
from portal.core.i18n import lazy
from portal.core.i18n import russian_markup

# What each kind of value may be in the stored words, and how it is read back.
_VALUES = {
    "number": r"\d+",
    "payment": r"\S+",
    "day": r"\d{2}\.\d{2}\.\d{4}",
    "month": r"\d{2}\.\d{4}",
}


@dataclass(frozen=True)
class Note:
    stored: str  # the Russian words with {value} places
    shown: LazyText  # the words said in the reader's language, with %(value)s places
    kinds: frozenset[EntryKind]
    # The words after the entry's kind where a list names the kind first: «Оплата · через банк», not «Оплата · Оплата
    # через банк». None: the same as ``shown``.
    after_kind: LazyText | None = None

    def write(self, **values: object) -> str:
        """The words to store: ``{day}`` a date (dd.mm.yyyy), ``{month}`` a month (mm.yyyy), others as given."""
        return self.stored.format(**{name: _stored(name, value) for name, value in values.items()})

    def read(self, text: str) -> dict[str, str] | None:
        """The values of stored words written by ``write``, or None when they are not this note's."""
        parts = re.split(r"\{(\w+)\}", self.stored)
        pattern = "".join(re.escape(p) if i % 2 == 0 else f"(?P<{p}>{_VALUES[p]})" for i, p in enumerate(parts))
        found = re.fullmatch(pattern, text)
        return found.groupdict() if found else None


def _stored(name: str, value: object) -> str:
    if name == "day" and isinstance(value, date | datetime):
        return f"{value:%d.%m.%Y}"
    if name == "month" and isinstance(value, date | datetime):
        return f"{value:%m.%Y}"
    return str(value)


def _shown(name: str, value: str) -> str:
    if name == "day":
        return format_day(datetime.strptime(value, "%d.%m.%Y").date())  # noqa: DTZ007 - a calendar day
    if name == "month":
        return format_day(datetime.strptime(f"01.{value}", "%d.%m.%Y").date())  # noqa: DTZ007 - the month's 1st
    return value


_PAYMENTS = frozenset({EntryKind.PAYMENT})
ONLINE_PAYMENT = Note("Онлайн-оплата №{number}", lazy("Online payment No. %(number)s"), _PAYMENTS)
ONLINE = Note("Онлайн-оплата", lazy("Online payment"), _PAYMENTS)
BANK = Note("Оплата через банк", lazy("Payment through a bank"), _PAYMENTS, lazy("through a bank"))
REGISTRY = Note("Платёж {payment} от {day}", lazy("Payment %(payment)s of %(day)s"), _PAYMENTS)
OPENING = Note(
    "Сальдо на начало {month} по данным биллинга",
    lazy("Balance on %(month)s by the billing system"),
    frozenset({EntryKind.CORRECTION}),
)
NOTES = (ONLINE_PAYMENT, ONLINE, BANK, REGISTRY, OPENING)


def words(kind: str, note: str, after_kind: bool = False) -> tuple[str, bool]:
    """The note of an entry in the reader's language (as it reads after the entry's kind when ``after_kind``), and
    whether it is the stored text shown as it is."""
    for known in NOTES:
        values = known.read(note) if kind in known.kinds else None
        if values is not None:
            said = (known.after_kind if after_kind else None) or known.shown
            return said.format({name: _shown(name, value) for name, value in values.items()}), False
    return note, True


def markup(entry: object, after_kind: bool = False) -> Markup:
    """``{{ ledger_note(entry) }}``: the note for a page's text, stored words marked Russian on an English page;
    ``ledger_note(entry, after_kind=True)`` where the kind is named just before it."""
    text, stored = words(str(getattr(entry, "kind", "")), str(getattr(entry, "note", "") or ""), after_kind)
    return russian_markup(text) if stored else escape(text)
