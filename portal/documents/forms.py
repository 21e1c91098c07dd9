"""The staff forms of the house's documents, read into typed values and translated messages (no I/O)."""

from __future__ import annotations

from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from typing import Any

from portal.core import storage
from portal.core.i18n import gettext
from portal.core.i18n import lazy
from portal.core.labels import Labels
from portal.core.parse import parse_date
from portal.core.parse import parse_ids
from portal.core.web import FormErrors
from portal.core.web import form_value
from portal.documents import rules
from portal.documents.tables import DocumentKind

KIND_LABELS = Labels(
    {
        DocumentKind.CONTRACT: lazy("Management contract"),
        DocumentKind.REPORT: lazy("Management company's report"),
        DocumentKind.NEWCOMER: lazy("Newcomer's memo"),
        DocumentKind.DESIGN_CODE: lazy("Design code"),
        DocumentKind.HOUSE_RULES: lazy("House rules"),
        DocumentKind.OTHER: lazy("Other"),
    }
)
kind_label = KIND_LABELS.shown
EVERY_HOUSE = "all"  # the «houses» choice of a document for the whole company


def size_label(size: int) -> str:
    """A file's size in the reader's words: «1,2 МБ», «340 КБ»."""
    from portal.core.i18n import format_number

    told = rules.size_of(size)
    number = format_number(told.number, 1)
    return gettext("%(size)s MB", size=number) if told.unit == "MB" else gettext("%(size)s KB", size=number)


def upload_refusal(refused: storage.UploadRefused) -> str:
    """Why a file was not taken: a document is a PDF, told by its content whatever its name."""
    if refused.code == "empty":
        return gettext("The file is empty.")
    if refused.code == "too_large":
        return gettext("The file is larger than %(mb)s MB.", mb=storage.MAX_DOCUMENT_BYTES // (1024 * 1024))
    return gettext("This file is not a PDF, whatever its name says: save the document as PDF and attach it again.")


def _values(data: Mapping[str, Any], name: str) -> list[str]:
    value = data.get(name, [])
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


@dataclass
class DocumentForm:
    """A new document: its words, kind, date and houses (``houses`` empty and ``company_wide`` for all)."""

    title: str = ""
    kind: DocumentKind | None = None
    issued_on: date | None = None
    company_wide: bool = False
    houses: list[int] = field(default_factory=list)
    notify: bool = False
    typed: dict[str, Any] = field(default_factory=dict)
    errors: FormErrors = field(default_factory=FormErrors)


def typed_from(title: str, kind: str, issued_on: date, company_wide: bool, houses: Sequence[int]) -> DocumentForm:
    """A document's form typed with what it is now, for staff to correct."""
    chosen = [EVERY_HOUSE] if company_wide else [str(h) for h in houses]
    typed = {"title": title, "kind": kind, "issued_on": issued_on.strftime("%d.%m.%Y"), "houses": chosen}
    return DocumentForm(typed=typed)


def read_document(data: Mapping[str, Any], scope: Sequence[int], every_house: bool, today: date) -> DocumentForm:
    """The new document's form: a title, a kind, the date it bears (not a day to come), and its houses among the
    staff member's ``scope`` — or every house, for one who works with every house (``every_house``)."""
    chosen = _values(data, "houses")
    form = DocumentForm(
        typed={
            "title": form_value(data, "title"),
            "kind": form_value(data, "kind"),
            "issued_on": form_value(data, "issued_on"),
            "houses": chosen,
            "notify": form_value(data, "notify"),
        }
    )
    form.title = " ".join(form.typed["title"].split())
    if not form.title:
        form.errors.add("title", gettext("Enter the title residents will see."))
    elif len(form.title) > rules.MAX_TITLE:
        form.errors.add("title", gettext("At most %(n)s characters.", n=rules.MAX_TITLE))
    try:
        form.kind = DocumentKind(form.typed["kind"])
    except ValueError:
        form.errors.add("kind", gettext("Choose the kind of document."))
    form.issued_on = parse_date(form.typed["issued_on"])
    if form.issued_on is None:
        form.errors.add("issued_on", gettext("Enter a date, e.g. 15.12.2026."))
    elif form.issued_on > today:
        form.errors.add("issued_on", gettext("Enter the date the document bears: it has not come yet."))
    form.company_wide = every_house and EVERY_HOUSE in chosen
    form.houses = [] if form.company_wide else [h for h in parse_ids(chosen) if h in set(scope)]
    if not form.company_wide and not form.houses:
        form.errors.add("houses", gettext("Choose the houses the document is for."))
    form.notify = bool(form.typed["notify"])
    return form
