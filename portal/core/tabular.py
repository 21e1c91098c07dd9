"""Tables people upload (CSV or XLSX) read as a stream of rows, with limits that hold while reading.

    try:
        for cells in tabular.read_rows(upload, tabular.Limits(rows=50_000)):
            ...  # the header first, then one list of cell texts per line of the file
    except tabular.TableError as problem:
        show(problem.message())  # «Строка 50 002: в файле больше 50 000 строк.»

- ``source`` is ``bytes`` or a binary file opened for reading (an upload, a file on disk); it is never read
  into memory as a whole.
- CSV: UTF-8 (with or without a BOM), else Windows-1251, KOI8-R or DOS 866, whichever reads as Russian text
  (``russian_encoding``); the delimiter is «;» or «,», whichever the first line
  has more of. XLSX: the first worksheet, values rather than formulas (openpyxl, read-only), dates as
  ``dd.mm.yyyy``, whole numbers without «.0». The type is taken from the content, not the file name.
- Every line is yielded, empty ones included, so a line's number is its position (the header is line 1);
  cells are stripped texts, at most ``limits.columns`` of them (cells further right are not read).
- ``TableError`` is raised as soon as a limit is passed: the file's size, the number of lines after the header
  (counted as they are read: an XLSX's own ``<dimension>`` is ignored, gaps in its row numbers count as lines),
  a cell's length, the unpacked size of an XLSX part (zip bombs), or a file that is not a readable table.

Parsing is CPU work: call it off the event loop (a worker thread), e.g. ``await anyio.to_thread.run_sync``.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import io
import zipfile
from collections import Counter
from collections.abc import Callable
from collections.abc import Iterator
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from datetime import datetime
from datetime import time
from enum import StrEnum
from typing import IO
from typing import Any

from portal.core.i18n import format_number
from portal.core.i18n import gettext
from portal.core.i18n import ngettext

CHUNK = 1024 * 1024
XLSX_MAGIC = b"PK\x03\x04"


@dataclass(frozen=True)
class Limits:
    """What a file may hold: ``rows`` lines after the header, ``columns`` cells a line (the rest is not read),
    ``cell`` characters a cell, ``size`` bytes of file and ``unpacked`` bytes of any part of an XLSX."""

    rows: int
    columns: int = 64
    cell: int = 255
    size: int = 10 * 1024 * 1024
    unpacked: int = 256 * 1024 * 1024


class Trouble(StrEnum):
    TOO_LARGE = "too_large"
    NOT_A_TABLE = "not_a_table"
    ENCODING = "encoding"
    TOO_MANY_ROWS = "too_many_rows"
    CELL_TOO_LONG = "cell_too_long"


class TableError(ValueError):
    """The file cannot be taken as a whole. ``message()`` words it in the current language (call it where the
    message is shown: a worker thread has no reader's language)."""

    def __init__(self, trouble: Trouble, limits: Limits, line: int | None = None) -> None:
        super().__init__(f"{trouble} at line {line}")
        self.trouble = trouble
        self.limits = limits
        self.line = line

    def message(self) -> str:
        limits = self.limits
        text = {
            Trouble.TOO_LARGE: gettext("The file is larger than %(mb)s MB.", mb=limits.size // (1024 * 1024)),
            Trouble.NOT_A_TABLE: gettext("The file is neither a CSV nor an XLSX table."),
            Trouble.ENCODING: unreadable_encoding(),
            Trouble.TOO_MANY_ROWS: ngettext(
                "The file has more than %(num)s row.",
                "The file has more than %(num)s rows.",
                limits.rows,
                num=format_number(limits.rows, 0),
            ),
            Trouble.CELL_TOO_LONG: ngettext(
                "A cell is longer than %(num)s character.", "A cell is longer than %(num)s characters.", limits.cell
            ),
        }[self.trouble]
        return text if self.line is None else line_problem(self.line, text)


def line_problem(line: int, text: str) -> str:
    """«Строка 5: …» — a problem of one line of the file (the header is line 1)."""
    return gettext("Line %(line)s: %(problem)s", line=line, problem=text)


def read_header(
    lines: Iterator[list[str]], required: Sequence[str], known: Sequence[str]
) -> tuple[dict[str, int], str]:
    """Take the header line from ``lines``: the position of each ``known`` column the file has, or (with an empty
    index) the problem — an empty file, or ``required`` columns missing."""
    try:
        names = [name.strip().lower() for name in next(lines)]
    except StopIteration:
        return {}, gettext("The file is empty.")
    missing = [name for name in required if name not in names]
    if missing:
        return {}, line_problem(1, gettext("the columns %(names)s are missing.", names=", ".join(missing)))
    return {name: names.index(name) for name in known if name in names}, ""


def named_lines(
    lines: Iterator[list[str]], index: Mapping[str, int], progress: Callable[[int], None] | None = None
) -> Iterator[tuple[int, dict[str, str]]]:
    """The lines after the header, each with its number (the header is line 1) and its cells by the column names
    of ``index`` (a cell past the end of a short line is empty); empty lines are passed over. ``progress`` is
    told the line number every 1000 lines."""
    for number, cells in enumerate(lines, start=2):
        if progress and number % 1000 == 0:
            progress(number)
        if not any(cells):
            continue
        yield number, {name: (cells[i] if i < len(cells) else "") for name, i in index.items()}


def read_rows(source: bytes | IO[bytes], limits: Limits) -> Iterator[list[str]]:
    """The lines of a CSV or XLSX file, the header first, each a list of cell texts (see the module's text)."""
    stream = io.BytesIO(source) if isinstance(source, bytes | bytearray) else source
    stream.seek(0, io.SEEK_END)
    if stream.tell() > limits.size:
        raise TableError(Trouble.TOO_LARGE, limits)
    stream.seek(0)
    head = stream.read(4096)
    stream.seek(0)
    if head.startswith(XLSX_MAGIC):
        rows = _xlsx_rows(stream, limits)
    elif not head or b"\x00" in head:
        raise TableError(Trouble.NOT_A_TABLE, limits)
    else:
        rows = _csv_rows(stream, limits)
    for line, cells in enumerate(rows, start=1):
        if line > limits.rows + 1:
            raise TableError(Trouble.TOO_MANY_ROWS, limits, line)
        for cell in cells:
            if len(cell) > limits.cell:
                raise TableError(Trouble.CELL_TOO_LONG, limits, line)
        yield cells


# --- CSV ---------------------------------------------------------------------------------------------------


# The single-byte encodings a file not in UTF-8 is read in, with the names people know them by: the detector
# (``russian_encoding``) chooses among these, and the message of an unreadable file lists these (``READ_AS``).
SINGLE_BYTE_NAMES = {"cp1251": "Windows-1251", "koi8_r": "KOI8-R", "cp866": "CP866 (DOS)"}
SINGLE_BYTE = tuple(SINGLE_BYTE_NAMES)
READ_AS = ("UTF-8", *SINGLE_BYTE_NAMES.values())
ENCODING_SAMPLE = 200_000


def unreadable_encoding() -> str:
    """The message of a text file in none of the encodings read, naming those that are (``READ_AS``)."""
    return gettext(
        "The file is in none of the encodings accepted (%(encodings)s): save it as “CSV UTF-8” or as XLSX.",
        encodings=", ".join(READ_AS),
    )


# How often each letter comes in Russian text, per mille: the reading of a file's bytes with the most usual letters
# is its encoding (a wrong one reads them as other letters, or as box drawings and signs).
_LETTER_FREQUENCY = dict(
    zip(
        "оеаинтсрвлкмдпуяыьгзбчйхжшюцщэфъё",
        (110, 85, 80, 74, 67, 63, 55, 47, 45, 44, 35, 32, 30, 28, 26, 20, 19, 17, 17, 17, 16, 14, 12, 10, 9, 7, 6,
         5, 4, 3, 3, 1, 1),
        strict=True,
    )
)  # fmt: skip


def russian_encoding(sample: bytes) -> str:
    """The single-byte encoding (Windows-1251, KOI8-R or DOS 866) whose reading of ``sample`` has the most usual
    Russian letters: text in capitals, «ИВАНОВ ИВАН», reads as Windows-1251 too; Windows-1251 when none reads."""
    high = sample.translate(None, bytes(range(0x80)))
    best, best_score = SINGLE_BYTE[0], -1
    for encoding in SINGLE_BYTE:
        try:
            letters = Counter(high.decode(encoding).lower())
        except UnicodeDecodeError:
            continue
        score = sum(count * _LETTER_FREQUENCY.get(letter, 0) for letter, count in letters.items())
        if score > best_score:
            best, best_score = encoding, score
    return best


def _encoding(stream: IO[bytes]) -> str:
    """UTF-8 if the whole file decodes as UTF-8 (checked chunk by chunk), else the Russian single-byte encoding its
    start reads in (``russian_encoding``)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        while chunk := stream.read(CHUNK):
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
        return "utf-8-sig"
    except UnicodeDecodeError:
        stream.seek(0)
        return russian_encoding(stream.read(ENCODING_SAMPLE))
    finally:
        stream.seek(0)


def _csv_rows(stream: IO[bytes], limits: Limits) -> Iterator[list[str]]:
    text = io.TextIOWrapper(stream, encoding=_encoding(stream), newline="")
    try:
        first = text.readline()
        delimiter = ";" if first.count(";") >= first.count(",") else ","
        text.seek(0)
        reader = csv.reader(text, delimiter=delimiter)
        while True:
            try:
                row = next(reader)
            except StopIteration:
                return
            yield [cell.strip() for cell in row[: limits.columns]]
    except UnicodeDecodeError as exc:
        raise TableError(Trouble.ENCODING, limits) from exc
    except csv.Error as exc:  # a field past csv's own limit (far beyond ours), a stray quote at the end
        trouble = Trouble.CELL_TOO_LONG if "field limit" in str(exc) else Trouble.NOT_A_TABLE
        raise TableError(trouble, limits) from exc
    finally:
        with contextlib.suppress(ValueError):  # the caller may have closed the file already
            text.detach()  # a wrapper left to the garbage collector would close the caller's file


# --- XLSX --------------------------------------------------------------------------------------------------


def _row_tags(xml: bytes) -> int:
    """How many ``<row`` elements start in ``xml`` (``<rowBreaks`` is the only other element named so). A sheet
    written with a namespace prefix (``<x:row``) is not counted here; the line count while reading still holds."""
    return xml.count(b"<row") - xml.count(b"<rowBreaks")


def _xlsx_rows(stream: IO[bytes], limits: Limits) -> Iterator[list[str]]:
    from openpyxl import load_workbook

    try:
        archive = zipfile.ZipFile(stream)
        if any(info.file_size > limits.unpacked for info in archive.infolist()):
            raise TableError(Trouble.TOO_LARGE, limits)
        book = load_workbook(stream, read_only=True, data_only=True)
    except TableError:
        raise
    except Exception as exc:  # a broken or foreign file: say what to do, not how it broke
        raise TableError(Trouble.NOT_A_TABLE, limits) from exc
    try:
        sheet = book.worksheets[0]
        _count_row_elements(archive, str(getattr(sheet, "_worksheet_path", "")), limits)
        sheet.reset_dimensions()  # the file's own <dimension> neither pads nor cuts the rows
        rows = sheet.iter_rows(max_col=limits.columns, values_only=True)
        while True:
            try:
                values = next(rows)
            except StopIteration:
                return
            end = len(values)
            while end and values[end - 1] is None:  # openpyxl pads every row to max_col
                end -= 1
            yield [_text(values[i]) for i in range(end)]
    except TableError:
        raise
    except Exception as exc:
        raise TableError(Trouble.NOT_A_TABLE, limits) from exc
    finally:
        book.close()
        archive.close()


def _count_row_elements(archive: zipfile.ZipFile, part: str, limits: Limits) -> None:
    """Refuse a sheet with more row elements than the limit, counted as its XML is unpacked, before parsing it."""
    try:
        source = archive.open(part.lstrip("/"))
    except KeyError:
        return  # the stream check in read_rows still counts every line
    seen, pending = 0, b""
    with source:
        while chunk := source.read(CHUNK):
            pending += chunk
            cut = pending.rfind(b"<")
            done, pending = (pending[:cut], pending[cut:]) if cut > 0 else (pending, b"")
            seen += _row_tags(done)
            if seen > limits.rows + 1:
                raise TableError(Trouble.TOO_MANY_ROWS, limits, limits.rows + 2)
    seen += _row_tags(pending)
    if seen > limits.rows + 1:
        raise TableError(Trouble.TOO_MANY_ROWS, limits, limits.rows + 2)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        text = repr(value)
        return text[:-2] if text.endswith(".0") else text
    if isinstance(value, datetime):
        return value.strftime("%d.%m.%Y") if value.time() == time(0) else value.strftime("%d.%m.%Y %H:%M")
    if isinstance(value, date):
        return value.strftime("%d.%m.%Y")
    return str(value).strip()
