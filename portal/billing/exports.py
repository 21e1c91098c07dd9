"""CSV and XLSX exports of staff lists, safe to open in a spreadsheet (no formula injection)."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from portal.core import exports
from portal.core.i18n import gettext as _

DANGEROUS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """Text that a spreadsheet would run as a formula gets a leading apostrophe; numbers stay numbers."""
    if isinstance(value, str) and value.startswith(DANGEROUS):
        return "'" + value
    return value


def debtor_table(rows: Sequence[Any]) -> list[list[Any]]:
    header = [
        _("Account"),
        _("Payer"),
        _("Address"),
        _("Entrance"),
        _("Debt, ₽"),
        _("Overdue, ₽"),
        _("Charged this month, ₽"),
        _("Months overdue"),
    ]
    body = [[r.number, r.payer_name, r.address, r.entrance or "", r.debt, r.overdue, r.charged, r.months] for r in rows]
    return [header, *body]


def to_csv(rows: Sequence[Sequence[Any]]) -> bytes:
    """UTF-8 with a BOM and ``;`` separators, as Russian Excel opens it; decimals with a comma."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    for row in rows:
        writer.writerow([_csv_value(safe_cell(v)) for v in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _csv_value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value).replace(".", ",")
    return value


def to_xlsx(rows: Sequence[Sequence[Any]], title: str) -> bytes:
    return exports.to_xlsx([(title, rows)])
