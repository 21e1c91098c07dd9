"""The spreadsheets staff download, written one way for every page: CSV as Russian Excel opens it (UTF-8 with a
BOM, ``;`` between cells, a decimal comma) and XLSX (numbers as numbers), each text cell kept from running as a
formula; and the response that hands the file over."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from collections.abc import Iterable
from collections.abc import Sequence
from decimal import Decimal
from enum import Enum
from typing import Any

from litestar import Response

from portal.core.i18n import LazyText

CSV = "text/csv"  # the response adds «; charset=utf-8» to a text type itself
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

Label = LazyText | str  # a column's name
Column = tuple[Label, Callable[[Any], Any]]  # a column of a table: its name and its value of a record


def safe_cell(value: Any) -> Any:
    """A cell that never runs as a formula: text starting with = + - @ (or a tab, a return) gets a leading
    apostrophe; anything else stays as it is."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def table(columns: Sequence[Column], records: Iterable[Any]) -> list[list[Any]]:
    """A table of ``records``: the columns' names (a lazy name is translated now), then a row a record with each
    column's value of it."""
    names = [label() if callable(label) else label for label, _ in columns]
    return [names, *([value(record) for _, value in columns] for record in records)]


def to_csv(rows: Iterable[Sequence[Any]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    for row in rows:
        writer.writerow([str(v).replace(".", ",") if isinstance(v, Decimal) else safe_cell(v) for v in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _xlsx_cell(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, Enum):
        return value.value
    return safe_cell(value)


def to_xlsx(sheets: Iterable[tuple[str, Iterable[Sequence[Any]]]]) -> bytes:
    """A workbook of one sheet per ``(title, rows)`` (a title is cut to Excel's 31 characters)."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    for title, rows in sheets:
        sheet = book.create_sheet(title=title[:31])
        for row in rows:
            sheet.append([_xlsx_cell(v) for v in row])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def attachment(content: bytes, media_type: str, filename: str) -> Response[bytes]:
    """The file as a download named ``filename``."""
    return Response(
        content=content, media_type=media_type, headers={"Content-Disposition": f'attachment; filename="{filename}"'}
    )
