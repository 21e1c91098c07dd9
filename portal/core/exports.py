"""The spreadsheets staff download, written one way for every page, and the response that hands the file over.

An export hands its cells over as values — numbers, ``date`` and aware ``datetime`` moments, texts — and the
writers here put them down for the reader. A number says what it is by its type, as a month does (``Month``), since
a ``Decimal`` of two places may be roubles, square metres or a share: ``Money`` (roubles), ``Area`` (m²),
``Quantity`` (readings, hours, votes, ratings), ``Percent`` (per cent, the column's title saying «%») and ``Count``
(a whole number of things). Each is still a ``Decimal`` (an ``int``), so the CSV writes it as before:

- CSV in the reader's language (``dialect()``): Russian as Russian Excel opens it (``;`` between cells, a decimal
  comma, dates ``31.12.2026 14:05``, a yes-or-no as «да» / «нет»); English as English Excel opens it (``,`` between
  cells, a decimal point, dates ``2026-12-31 14:05``, "yes" / "no"). UTF-8 with a BOM, CRLF line ends, either way.
- XLSX with numbers as numbers in the format of what they are: money ``#,##0.00``, areas ``#,##0.0#``, readings,
  hours and per cents with as many decimals as they hold (a reading of three places ``#,##0.000``), counts
  ``#,##0``, a plain number in Excel's General; dates and moments as real date cells with a date format (a moment
  in the company's zone); a ``bool`` as a real boolean cell (Excel shows it in its own language: ИСТИНА / ЛОЖЬ,
  TRUE / FALSE), never 1 / 0. So Excel sums, sorts and filters them.

Text cells are kept from running as formulas in both (``safe_cell``). An identifier written with digits — a personal
account's number — says it is text (``Code``): Excel would read it as a number, dropping its leading zeros and
showing a long one as ``9,01E+15`` (rounded past 15 digits)."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterable
from collections.abc import Callable
from collections.abc import Iterable
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from datetime import datetime
from decimal import Decimal
from enum import Enum
from typing import Any
from urllib.parse import quote

from litestar import Response

from portal.core import clock
from portal.core.i18n import LazyText
from portal.core.i18n import domain_translations
from portal.core.i18n import get_locale
from portal.core.i18n import lazy
from portal.core.threads import written

CSV = "text/csv"  # the response adds «; charset=utf-8» to a text type itself
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
MONEY_FORMAT = "#,##0.00"  # Excel shows it with the separators of the reader's own Excel
AREA_FORMAT = "#,##0.0#"

Label = LazyText | str  # a column's name
Column = tuple[Label, Callable[[Any], Any]]  # a column of a table: its name and its value of a record


@dataclass(frozen=True)
class Dialect:
    """How a table's cells are written for readers of one language: in a CSV (the cell separator, the decimal sign,
    dates as text) and in an XLSX (the number formats of date cells)."""

    delimiter: str
    decimal: str
    day: str  # strftime of a date in a CSV
    moment: str  # strftime of a moment in a CSV
    day_format: str  # Excel's number format of a date cell
    moment_format: str
    month: str  # strftime of a month in a CSV
    month_format: str  # Excel's number format of a month's cell
    locale: str  # the language of a CSV's words (a yes-or-no)


RUSSIAN = Dialect(";", ",", "%d.%m.%Y", "%d.%m.%Y %H:%M", "DD.MM.YYYY", "DD.MM.YYYY HH:MM", "%m.%Y", "MM.YYYY", "ru")
ENGLISH = Dialect(",", ".", "%Y-%m-%d", "%Y-%m-%d %H:%M", "YYYY-MM-DD", "YYYY-MM-DD HH:MM", "%Y-%m", "YYYY-MM", "en")
YES, NO = lazy("yes"), lazy("no")  # a yes-or-no cell of a CSV, in the dialect's language


class Month(date):
    """A month of a report (its first day): a date cell shown as the month («11.2026», "2026-11"), so that a
    column of months sorts and filters as dates do. ``Month.of(period)``."""

    @classmethod
    def of(cls, day: date) -> Month:
        return cls(day.year, day.month, 1)


class Number(Decimal):
    """A number that says what it is; by itself shown with as many decimals as it holds. ``Kind.of(value)``."""

    @classmethod
    def of(cls, value: Decimal | int | str | None) -> Any:
        """The value as this kind (None stays None: an empty cell)."""
        return None if value is None else cls(value)

    @property
    def number_format(self) -> str:
        exponent = self.as_tuple().exponent
        places = -exponent if isinstance(exponent, int) and exponent < 0 else 0
        return "#,##0." + "0" * places if places else "#,##0"


class Money(Number):
    """A sum in roubles: always two decimals with separators (``#,##0.00``)."""

    @property
    def number_format(self) -> str:
        return MONEY_FORMAT


class Quantity(Number):
    """A measured number — a meter reading, hours, votes, a rating — with as many decimals as it holds (a reading
    stored to three places shows ``12 345.670``, not rounded to kopecks)."""


class Area(Number):
    """An area in m² (a premise's, a listing's, stored to two places): one or two decimals, «54,3», «54,35»."""

    @property
    def number_format(self) -> str:
        return AREA_FORMAT


class Percent(Number):
    """A share in per cent as a number (87.5 is 87.5 %), with its own decimals; the column's title says «%»."""


class Count(int):
    """A whole number of things — accounts, payments, views, months overdue: ``#,##0``. ``Count.of(value)``."""

    number_format = "#,##0"

    @classmethod
    def of(cls, value: int | None) -> Any:
        return None if value is None else cls(value)


class Code(str):
    """An identifier written with digits (a personal account's number): text, never a number. A CSV writes one of
    digits only as ``="0012345678"``, the text formula Excel and LibreOffice open as that text (a plain cell of
    digits they read as a number: its leading zeros dropped, over 11 digits shown as ``1,23E+15``, past 15
    rounded); an XLSX writes it as a text cell with the Text format ``@``. ``Code.of(value)``."""

    @classmethod
    def of(cls, value: str | None) -> Any:
        return None if value is None else cls(value)


TEXT_FORMAT = "@"
DIALECTS = {"ru": RUSSIAN, "en": ENGLISH}


def dialect(locale: str | None = None) -> Dialect:
    """The dialect of the reader's language (the request's, unless ``locale`` is given)."""
    return DIALECTS.get(locale or get_locale(), RUSSIAN)


def safe_cell(value: Any) -> Any:
    """A cell that never runs as a formula: text starting with = + - @ (or a tab, a return) gets a leading
    apostrophe; anything else stays as it is."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def _local(moment: datetime) -> datetime:
    """A moment as the company's clocks show it (an aware one converted; a naive one is taken as local)."""
    return clock.local(moment) if moment.tzinfo is not None else moment


def csv_cell(value: Any, d: Dialect) -> Any:
    """One value as a CSV of dialect ``d`` writes it: numbers with its decimal sign and no grouping, dates and
    moments (in the company's zone) in its pattern, a yes-or-no as a word of its language, texts guarded from
    formulas, None empty."""
    if value is None:
        return ""
    if isinstance(value, bool):
        word = YES if value else NO
        return domain_translations(d.locale, word.domain).ugettext(word.message)
    if isinstance(value, Decimal):
        return format(value, "f").replace(".", d.decimal)
    if isinstance(value, float):
        return repr(value).replace(".", d.decimal)
    if isinstance(value, datetime):
        return _local(value).strftime(d.moment)
    if isinstance(value, Month):
        return value.strftime(d.month)
    if isinstance(value, date):
        return value.strftime(d.day)
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Code) and value.isascii() and value.isdigit():
        return f'="{value}"'  # digits only: nothing in it can run
    return safe_cell(value)


def table(columns: Sequence[Column], records: Iterable[Any]) -> list[list[Any]]:
    """A table of ``records``: the columns' names (a lazy name is translated now), then a row a record with each
    column's value of it."""
    names = [label() if callable(label) else label for label, _ in columns]
    return [names, *([value(record) for _, value in columns] for record in records)]


def csv_writer(buffer: io.StringIO, d: Dialect) -> Any:
    """A ``csv.writer`` of dialect ``d`` into ``buffer`` (CRLF line ends, as Excel writes them)."""
    return csv.writer(buffer, delimiter=d.delimiter, lineterminator="\r\n")


def to_csv(rows: Iterable[Sequence[Any]], d: Dialect | None = None) -> bytes:
    """The rows as a CSV in the reader's language (or dialect ``d``): UTF-8 with a BOM."""
    d = d or dialect()
    buffer = io.StringIO()
    writer = csv_writer(buffer, d)
    for row in rows:
        writer.writerow([csv_cell(v, d) for v in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _xlsx_value(value: Any, d: Dialect) -> tuple[Any, str | None]:
    """A cell's value for openpyxl and its number format (None: Excel's General)."""
    if isinstance(value, bool):
        return value, None  # a boolean cell
    if isinstance(value, Number):
        return float(value), value.number_format
    if isinstance(value, Count):
        return int(value), value.number_format
    if isinstance(value, Decimal):
        return float(value), None  # a number that has not said what it is: Excel's General, never money
    if isinstance(value, datetime):
        return _local(value).replace(tzinfo=None), d.moment_format
    if isinstance(value, Month):
        return date(value.year, value.month, 1), d.month_format
    if isinstance(value, date):
        return value, d.day_format
    if isinstance(value, Enum):
        return value.value, None
    if isinstance(value, Code):
        return safe_cell(str(value)), TEXT_FORMAT
    if isinstance(value, str):  # a control character pasted into a text (an address) is no XML: left out
        from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE  # imported already: the workbook is openpyxl's

        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    return safe_cell(value), None


WIDTH_OF_FORMAT = {MONEY_FORMAT: 14}


def _width(value: Any, number_format: str | None) -> float:
    if isinstance(value, (int, float)) and not isinstance(value, bool) and number_format is not None:
        return max(WIDTH_OF_FORMAT.get(number_format, 10), len(f"{value:,}") + 3)  # never «#####» for a big one
    if number_format is not None:
        return WIDTH_OF_FORMAT.get(number_format, len(number_format) + 2)
    return min(len(str(value)) + 2, 50) if value is not None else 8


class Workbook:
    """An XLSX written a row at a time (openpyxl's write-only mode: rows go to a temporary file, not memory), for
    exports read from the database in batches. ``to_xlsx`` writes one whose rows are at hand.

        book = await Workbook.opened()
        await book.sheet(title).extend(cells(row) async for row in rows)
        return await book.written()

    The workbook is made, its rows written a batch at a time and the file saved on a worker thread
    (``core.threads``): an export of a big house written on the event loop held every other request of the process
    meanwhile, and the first of a process a second more, importing openpyxl.
    """

    def __init__(self, d: Dialect | None = None) -> None:
        from openpyxl import Workbook as Book

        self.dialect = d or dialect()
        self.book = Book(write_only=True)
        self.sheets: list[Sheet] = []

    @classmethod
    async def opened(cls, d: Dialect | None = None) -> Workbook:
        """A new workbook, made on a worker thread."""
        return await written(cls, d)

    def sheet(self, title: str) -> Sheet:
        """A new sheet (its title cut to Excel's 31 characters); the first row appended is its header."""
        sheet = Sheet(self.book.create_sheet(title=title[:31]), self.dialect)
        self.sheets.append(sheet)
        return sheet

    def content(self) -> bytes:
        for sheet in self.sheets:
            sheet.flush()
        buffer = io.BytesIO()
        self.book.save(buffer)
        return buffer.getvalue()

    async def written(self) -> bytes:
        """``content()`` written on a worker thread."""
        return await written(self.content)


class Sheet:
    """A sheet of a ``Workbook``: each column as wide as its header or its first value needs (a date cell too
    narrow shows «#####»), so the first two rows wait until both are known."""

    def __init__(self, sheet: Any, d: Dialect) -> None:
        self.sheet, self.dialect = sheet, d
        self.waiting: list[list[tuple[Any, str | None]]] | None = []

    def append(self, row: Sequence[Any]) -> None:
        line = [_xlsx_value(v, self.dialect) for v in row]
        if self.waiting is None:
            self._write(line)
            return
        self.waiting.append(line)
        if len(self.waiting) == 2:
            self.flush()

    def append_all(self, rows: Iterable[Sequence[Any]]) -> None:
        for row in rows:
            self.append(row)

    async def extend(self, rows: AsyncIterable[Sequence[Any]], batch: int = 500) -> None:
        """Append ``rows`` (read from the database) on a worker thread, ``batch`` rows at a time: never all of them
        held at once, nor written on the event loop."""
        waiting: list[Sequence[Any]] = []
        async for row in rows:
            waiting.append(row)
            if len(waiting) >= batch:
                await written(self.append_all, waiting)
                waiting = []
        if waiting:
            await written(self.append_all, waiting)

    def flush(self) -> None:
        """Set the columns' widths from the rows waiting and write them (before the sheet is saved)."""
        if self.waiting is None:
            return
        from openpyxl.utils import get_column_letter

        widths: dict[int, float] = {}
        for line in self.waiting:
            for i, (value, number_format) in enumerate(line, start=1):
                widths[i] = max(widths.get(i, 8), _width(value, number_format))
        for i, width in widths.items():
            self.sheet.column_dimensions[get_column_letter(i)].width = width
        waiting, self.waiting = self.waiting, None
        for line in waiting:
            self._write(line)

    def _write(self, line: list[tuple[Any, str | None]]) -> None:
        from openpyxl.cell import WriteOnlyCell

        cells = []
        for value, number_format in line:
            cell = WriteOnlyCell(self.sheet, value=value)
            if number_format:
                cell.number_format = number_format
            cells.append(cell)
        self.sheet.append(cells)


def to_xlsx(sheets: Iterable[tuple[str, Iterable[Sequence[Any]]]], d: Dialect | None = None) -> bytes:
    """A workbook of one sheet per ``(title, rows)``, the first row the header (``Workbook``)."""
    book = Workbook(d)
    for title, rows in sheets:
        sheet = book.sheet(title)
        for row in rows:
            sheet.append(row)
    return book.content()


def attachment(content: bytes, media_type: str, filename: str) -> Response[bytes]:
    """The file as a download named ``filename``; a name in Russian («…-черновик.xlsx») is given as RFC 6266's
    ``filename*`` in UTF-8, a header being Latin-1, with an ASCII stand-in for the oldest clients."""
    disposition = f'attachment; filename="{filename}"'
    if not filename.isascii():
        fallback = "".join(c if c.isascii() else "_" for c in filename)
        disposition = f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename)}"
    return Response(content=content, media_type=media_type, headers={"Content-Disposition": disposition})
