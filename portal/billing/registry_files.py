"""Reading the files of payments made outside the portal (no database): a bank's payment registry in the common
Russian ``;``-separated format, and a table with a header (a generic CSV/XLSX, the billing system's export of
payments; the same reader takes the billing system's balances). The formats are in README.md.

Every problem names its line (the file's first line is 1) and is worded when it is shown (``message()``): the
reading runs in a worker thread, which has no reader's language. A file is taken whole or not at all.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Callable
from collections.abc import Iterator
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from datetime import time
from decimal import Decimal
from enum import StrEnum
from typing import Any
from typing import TypeVar

from portal.billing.registry_tables import Channel
from portal.billing.registry_tables import RegistryKind
from portal.core import tabular
from portal.core.i18n import format_money
from portal.core.i18n import format_number
from portal.core.i18n import gettext as _
from portal.core.i18n import ngettext
from portal.core.imports import ParseResult
from portal.core.parse import parse_date
from portal.core.parse import parse_decimal

MAX_ROWS = 200_000
MAX_BYTES = 40 * 1024 * 1024
LIMITS = tabular.Limits(rows=MAX_ROWS, columns=24, cell=255, size=MAX_BYTES)
MAX_ID = 64

Progress = Callable[[int], None]
L = TypeVar("L")


class Problem(StrEnum):
    TOO_LARGE = "too_large"
    NOT_A_TABLE = "not_a_table"
    UTF16 = "utf16"  # Excel's «Unicode text»
    ENCODING = "encoding"
    TOO_MANY = "too_many"
    TOO_LONG = "too_long"
    EMPTY_FILE = "empty_file"
    MISSING_COLUMN = "missing_column"
    FIELDS = "fields"
    EMPTY = "empty"
    BAD_DATE = "bad_date"
    BAD_AMOUNT = "bad_amount"
    NOT_POSITIVE = "not_positive"
    BAD_PERIOD = "bad_period"
    BAD_CHANNEL = "bad_channel"
    ID_TOO_LONG = "id_too_long"
    CONFLICT = "conflict"
    NO_TOTALS = "no_totals"
    TOTALS_COUNT = "totals_count"
    TOTALS_SUM = "totals_sum"
    AFTER_TOTALS = "after_totals"
    BALANCES_FILE = "balances_file"  # a file of balances chosen as payments
    PAYMENTS_FILE = "payments_file"  # a file of payments chosen as balances


@dataclass(frozen=True)
class LineProblem:
    line: int
    code: Problem
    value: str = ""
    expected: str = ""

    def message(self) -> str:
        """The problem in the reader's language, with its line, saying what to fix."""
        texts = {
            Problem.TOO_LARGE: _("The file is larger than %(mb)s MB.", mb=MAX_BYTES // (1024 * 1024)),
            Problem.NOT_A_TABLE: _("The file is neither a payment registry nor a CSV or XLSX table."),
            Problem.UTF16: _("The file is UTF-16 text (Excel's “Unicode text”): save it as “CSV UTF-8” or as XLSX."),
            Problem.ENCODING: tabular.unreadable_encoding(),
            Problem.TOO_MANY: ngettext(
                "The file has more than %(num)s line.",
                "The file has more than %(num)s lines.",
                MAX_ROWS,
                num=format_number(MAX_ROWS, 0),
            ),
            Problem.TOO_LONG: _("A field is longer than 255 characters."),
            Problem.BALANCES_FILE: _(
                "This is a file of balances, not of payments: under “The file holds”, choose “Opening balances” or "
                "“Balances of the billing system's export”."
            ),
            Problem.PAYMENTS_FILE: _(
                "This is a file of payments, not of balances: under “The file holds”, choose “Payments”."
            ),
            Problem.EMPTY_FILE: _("The file has no payments."),
            Problem.MISSING_COLUMN: _("Column “%(column)s” is missing from the first row.", column=self.value),
            Problem.FIELDS: _(
                "Fields in the line: %(found)s; a registry line needs at least %(n)s.",
                found=self.value,
                n=self.expected,
            ),
            Problem.EMPTY: _("“%(column)s” is empty.", column=self.value),
            Problem.BAD_DATE: _("“%(value)s” is not a date (as 05.11.2026).", value=self.value),
            Problem.BAD_AMOUNT: _("“%(value)s” is not an amount in roubles (as 1234,56).", value=self.value),
            Problem.NOT_POSITIVE: _("A payment is a positive amount."),
            Problem.BAD_PERIOD: _(
                "“%(value)s” is not a billing month (as 1126, 11.2026 or 2026-11).", value=self.value
            ),
            Problem.BAD_CHANNEL: _(
                "“%(value)s” is not a channel; use card, sbp, qr, cash, autopay or bank.", value=self.value
            ),
            Problem.ID_TOO_LONG: ngettext(
                "The payment id is longer than %(num)s character.",
                "The payment id is longer than %(num)s characters.",
                MAX_ID,
            ),
            Problem.CONFLICT: _(
                "Payment %(id)s is on line %(other)s with another account, amount or date.",
                id=self.value,
                other=self.expected,
            ),
            Problem.NO_TOTALS: _("The totals line (starting with “=”) is missing at the end of the registry."),
            Problem.TOTALS_COUNT: _(
                "Payments in the totals line: %(stated)s; in the registry: %(found)s.",
                stated=self.value,
                found=self.expected,
            ),
            Problem.TOTALS_SUM: _(
                "The totals line says %(stated)s, but the payments add up to %(found)s.",
                stated=_money_text(self.value),
                found=_money_text(self.expected),
            ),
            Problem.AFTER_TOTALS: _("Nothing may follow the totals line."),
        }
        return _("Line %(n)s: %(text)s", n=self.line, text=texts[self.code])


def _money_text(text: str) -> str:
    amount = parse_decimal(text, places=2, whole_digits=15)
    return text if amount is None else format_money(amount)


@dataclass(frozen=True, slots=True)
class PaymentLine:
    """One payment of a file: the account as the payer gave it, the amount in kopecks, the day (and time) paid,
    the billing month it names (if any), the payment's id at its sender and the channel it came through.
    ``repeat_of`` is the line this one repeats word for word (the same payment listed twice: skipped)."""

    line: int
    payment_id: str
    account: str
    amount_kopecks: int
    paid_on: date
    paid_at: str = ""  # hh:mm[:ss], local time
    period: date | None = None
    channel: str = Channel.BANK_REGISTRY
    payer: str = ""
    repeat_of: int = 0

    def same_payment(self, other: PaymentLine) -> bool:
        return (self.account, self.amount_kopecks, self.paid_on) == (other.account, other.amount_kopecks, other.paid_on)

    @property
    def moment(self) -> time:
        parts = [int(p) for p in self.paid_at.split(":") if p.isdigit()] if self.paid_at else []
        hour, minute, second = (parts + [12, 0, 0][len(parts) :])[:3]
        return time(hour, minute, second)


@dataclass
class Parsed(ParseResult[L]):
    """The lines of a file and its problems (``core.imports.ParseResult``), each problem worded when it is shown."""

    problems: list[LineProblem] = field(default_factory=list)  # type: ignore[assignment]


@dataclass
class ParsedRegistry(Parsed[PaymentLine]):
    kind: str = RegistryKind.BANK
    encoding: str = ""
    stated_count: int | None = None
    stated_kopecks: int | None = None

    @property
    def total_kopecks(self) -> int:
        return sum(r.amount_kopecks for r in self.rows if not r.repeat_of)


def line_to_json(row: PaymentLine) -> dict[str, Any]:
    return {
        "l": row.line,
        "id": row.payment_id,
        "a": row.account,
        "k": row.amount_kopecks,
        "d": row.paid_on.isoformat(),
        "t": row.paid_at,
        "p": row.period.isoformat() if row.period else None,
        "c": row.channel,
        "n": row.payer,
        "r": row.repeat_of,
    }


def line_from_json(data: dict[str, Any]) -> PaymentLine:
    return PaymentLine(
        line=data["l"],
        payment_id=data["id"],
        account=data["a"],
        amount_kopecks=int(data["k"]),
        paid_on=date.fromisoformat(data["d"]),
        paid_at=data["t"],
        period=date.fromisoformat(data["p"]) if data["p"] else None,
        channel=data["c"],
        payer=data["n"],
        repeat_of=int(data["r"]),
    )


# --- encodings -----------------------------------------------------------------------------------------------


def detect_encoding(content: bytes) -> str | None:
    """UTF-8 when the bytes decode as UTF-8; otherwise the single-byte Russian encoding they read in
    (``tabular.russian_encoding``: a registry in capitals, «ИВАНОВ ИВАН», reads as Windows-1251 too)."""
    try:
        content.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        pass
    encoding = tabular.russian_encoding(content[: tabular.ENCODING_SAMPLE])
    try:
        content.decode(encoding)
    except UnicodeDecodeError:
        return None
    return encoding


# --- values ----------------------------------------------------------------------------------------------------

_PERIOD = re.compile(r"(\d{2})[.\-/]?(\d{2}|\d{4})")
_TIME = re.compile(r"\d{1,2}:\d{2}(:\d{2})?")
_TAG = re.compile(r"([A-Za-zА-Яа-яЁё_/]+)\s*[:=]\s*([^,|;\s]+)")
ACCOUNT_TAGS = frozenset({"persacc", "лс", "л/с", "лицевой", "лицевойсчет", "account", "acc"})
PERIOD_TAGS = frozenset({"paymperiod", "период", "period"})

CHANNELS: dict[str, str] = {
    "": Channel.BANK_REGISTRY,
    "bank": Channel.BANK_REGISTRY,
    "банк": Channel.BANK_REGISTRY,
    "registry": Channel.BANK_REGISTRY,
    "реестр": Channel.BANK_REGISTRY,
    "qr": Channel.BANK_QR,
    "bank_qr": Channel.BANK_QR,
    "qr-код": Channel.BANK_QR,
    "cash": Channel.CASH_DESK,
    "cash_desk": Channel.CASH_DESK,
    "касса": Channel.CASH_DESK,
    "наличные": Channel.CASH_DESK,
    "sbp": Channel.SBP,
    "сбп": Channel.SBP,
    "card": Channel.PORTAL_CARD,
    "portal_card": Channel.PORTAL_CARD,
    "карта": Channel.PORTAL_CARD,
    "autopay": Channel.AUTOPAY,
    "автоплатёж": Channel.AUTOPAY,
    "автоплатеж": Channel.AUTOPAY,
}


def parse_period(text: str) -> date | None:
    """A billing month as banks write it: ``1126`` or ``112026`` (MMYY, MMYYYY), ``11.2026``, ``2026-11``."""
    text = text.strip()
    if re.fullmatch(r"\d{4}-\d{2}", text):
        year, month = int(text[:4]), int(text[5:])
    elif match := _PERIOD.fullmatch(text):
        month, year = int(match[1]), int(match[2])
        year += 2000 if year < 100 else 0
    else:
        return None
    if not 1 <= month <= 12 or not 2000 <= year <= 2100:
        return None
    return date(year, month, 1)


def parse_day(text: str) -> date | None:
    """05.11.2026, 05-11-2026, 05/11/2026 or 2026-11-05 (a time after a space is ignored)."""
    text = text.strip().split(" ")[0]
    if re.fullmatch(r"\d{2}[-/]\d{2}[-/]\d{4}", text):
        text = text.replace("-", ".").replace("/", ".")
    return parse_date(text)


def parse_kopecks(text: str) -> int | None:
    amount = parse_decimal(text, places=2, whole_digits=12)
    return None if amount is None else int(amount * 100)


def account_of(cell: str) -> tuple[str, str]:
    """The account and the period a cell names: a plain number, or tags (``ЛС:7700000001,ПЕРИОД:1126``,
    ``PersAcc=7700000001``)."""
    tags = {name.lower().replace(" ", ""): value for name, value in _TAG.findall(cell)}
    if not tags:
        return cell.strip(), ""
    account = next((v for k, v in tags.items() if k in ACCOUNT_TAGS), "")
    period = next((v for k, v in tags.items() if k in PERIOD_TAGS), "")
    return account, period


# --- a bank's registry -------------------------------------------------------------------------------------------

# Fields of a payment line, in order (the common format of Russian banks' registries of utility payments).
BANK_FIELDS = (
    "paid_on",
    "paid_at",
    "branch",
    "cashier",
    "payment_id",
    "account",
    "payer",
    "address",
    "period",
    "amount",
    "transferred",
    "commission",
    "channel",
)
BANK_REQUIRED = 10  # up to the amount; the sums transferred, the commission and the channel may be left out


def _read_bank(text: str, parsed: ParsedRegistry, progress: Progress | None) -> None:
    totals: tuple[int, list[str]] | None = None
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=";")
    number = 0
    for number, cells in enumerate(reader, start=1):
        if progress and number % 1000 == 0:
            progress(number)
        if number > MAX_ROWS + 1:
            parsed.problems = [LineProblem(number, Problem.TOO_MANY)]
            return
        cells = [c.strip() for c in cells[: LIMITS.columns]]
        if not any(cells) or cells[0].startswith("#"):
            continue
        if any(len(c) > LIMITS.cell for c in cells):
            parsed.problems = [LineProblem(number, Problem.TOO_LONG)]
            return
        if totals is not None:
            parsed.problems.append(LineProblem(number, Problem.AFTER_TOTALS))
            continue
        if cells[0].startswith("="):
            totals = (number, [cells[0][1:], *cells[1:]])
            continue
        if len(cells) < BANK_REQUIRED:
            parsed.problems.append(LineProblem(number, Problem.FIELDS, str(len(cells)), str(BANK_REQUIRED)))
            continue
        values = dict(zip(BANK_FIELDS, cells, strict=False))
        account, tagged_period = account_of(values["account"])
        values["account"] = account
        if tagged_period and not values.get("period"):
            values["period"] = tagged_period
        _add_line(number, values, parsed)
    _check_totals(totals, parsed, number + 1)


def _check_totals(totals: tuple[int, list[str]] | None, parsed: ParsedRegistry, end: int) -> None:
    """The totals line ``=count;amount;…`` must agree with the payments above it (every line counted, a repeated
    one too: that is what the bank sent)."""
    if totals is None:
        parsed.problems.append(LineProblem(end, Problem.NO_TOTALS))
        return
    number, cells = totals
    count = cells[0] if cells else ""
    amount = cells[1] if len(cells) > 1 else ""
    stated = parse_kopecks(amount)
    if not count.isdigit():
        parsed.problems.append(LineProblem(number, Problem.TOTALS_COUNT, count[:20] or "—", str(len(parsed.rows))))
        return
    parsed.stated_count, parsed.stated_kopecks = int(count), stated
    if parsed.problems:  # the payments themselves have problems: the totals cannot be compared yet
        return
    if int(count) != len(parsed.rows):
        parsed.problems.append(LineProblem(number, Problem.TOTALS_COUNT, count, str(len(parsed.rows))))
    found = sum(r.amount_kopecks for r in parsed.rows)
    if stated is None or stated != found:
        parsed.problems.append(LineProblem(number, Problem.TOTALS_SUM, amount[:20] or "—", _rub(found)))


def _rub(kopecks: int) -> str:
    return str(Decimal(kopecks) / 100)


# --- a table with a header ----------------------------------------------------------------------------------------

COLUMNS: dict[str, str] = {
    "account": "account",
    "лицевой счёт": "account",
    "лицевой счет": "account",
    "лс": "account",
    "amount": "amount",
    "сумма": "amount",
    "paid_on": "paid_on",
    "дата оплаты": "paid_on",
    "дата платежа": "paid_on",
    "дата": "paid_on",
    "period": "period",
    "период": "period",
    "payment_id": "payment_id",
    "номер платежа": "payment_id",
    "идентификатор платежа": "payment_id",
    "id платежа": "payment_id",
    "channel": "channel",
    "канал": "channel",
    "способ оплаты": "channel",
    "payer": "payer",
    "плательщик": "payer",
}
REQUIRED = ("account", "amount", "paid_on", "payment_id")


def header_of(cells: list[str], columns: dict[str, str]) -> list[str]:
    return [columns.get(c.lstrip("\ufeff").strip().lower(), "") for c in cells]


_TOTALS = re.compile(r"=\d+;")  # a bank registry's totals line: «=3;5653,63;…»


def _of_balances(cells: list[str]) -> bool:
    """The first row names the columns of a file of balances (``read_balances``), not of payments."""
    header = set(header_of(cells, BALANCE_COLUMNS))
    return {"account", "period"} <= header and bool({"opening", "closing"} & header)


def _names_payments(cells: list[str]) -> bool:
    """The first row names at least two of a payment table's required columns."""
    return len(set(header_of(cells, COLUMNS)) & set(REQUIRED)) >= 2


def _of_payments(cells: list[str], text: str) -> bool:
    """A file of payments (``read_registry``): a table naming their columns, or a bank's registry (its totals line)."""
    return _names_payments(cells) or any(_TOTALS.match(line) for line in text.splitlines()[-3:])


def _read_table(lines: Iterator[list[str]], parsed: ParsedRegistry, progress: Progress | None) -> None:
    cells = next(lines, [])
    header = header_of(cells, COLUMNS)
    missing = [name for name in REQUIRED if name not in header]
    if missing:
        wrong_kind = [LineProblem(1, Problem.BALANCES_FILE)] if _of_balances(cells) else []
        parsed.problems = wrong_kind or [LineProblem(1, Problem.MISSING_COLUMN, name) for name in missing]
        return
    index = {name: header.index(name) for name in set(header) if name}
    for number, values in tabular.named_lines(lines, index, progress):
        _add_line(number, values, parsed)


# --- both -------------------------------------------------------------------------------------------------------


def _add_line(number: int, values: dict[str, str], parsed: ParsedRegistry) -> None:
    problems: list[LineProblem] = []
    for name, label in (("payment_id", _label("payment_id")), ("account", _label("account"))):
        if not values.get(name):
            problems.append(LineProblem(number, Problem.EMPTY, label))
    if len(values.get("payment_id", "")) > MAX_ID:
        problems.append(LineProblem(number, Problem.ID_TOO_LONG))
    paid_on = parse_day(values.get("paid_on", ""))
    if paid_on is None:
        problems.append(LineProblem(number, Problem.BAD_DATE, values.get("paid_on", "")[:20]))
    kopecks = parse_kopecks(values.get("amount", ""))
    if kopecks is None:
        problems.append(LineProblem(number, Problem.BAD_AMOUNT, values.get("amount", "")[:20]))
    elif kopecks <= 0:
        problems.append(LineProblem(number, Problem.NOT_POSITIVE))
    period = None
    if values.get("period"):
        period = parse_period(values["period"])
        if period is None:
            problems.append(LineProblem(number, Problem.BAD_PERIOD, values["period"][:20]))
    channel = CHANNELS.get(values.get("channel", "").strip().lower())
    if channel is None:
        problems.append(LineProblem(number, Problem.BAD_CHANNEL, values.get("channel", "")[:20]))
    paid_at = values.get("paid_at", "")
    if problems or paid_on is None or kopecks is None or channel is None:
        parsed.problems.extend(problems)
        return
    parsed.rows.append(
        PaymentLine(
            line=number,
            payment_id=values["payment_id"],
            account=values["account"],
            amount_kopecks=kopecks,
            paid_on=paid_on,
            paid_at=paid_at if _TIME.fullmatch(paid_at) else "",
            period=period,
            channel=channel,
            payer=values.get("payer", "")[:160],
        )
    )


def _label(name: str) -> str:
    return {"payment_id": "payment_id", "account": "account"}[name]


def _mark_repeats(parsed: ParsedRegistry) -> None:
    """The same payment id twice: the same payment listed again is skipped; with other data the file stops."""
    seen: dict[str, PaymentLine] = {}
    rows: list[PaymentLine] = []
    for row in parsed.rows:
        first = seen.get(row.payment_id)
        if first is None:
            seen[row.payment_id] = row
            rows.append(row)
        elif first.same_payment(row):
            rows.append(PaymentLine(**{**_fields(row), "repeat_of": first.line}))
        else:
            parsed.problems.append(LineProblem(row.line, Problem.CONFLICT, row.payment_id, str(first.line)))
    parsed.rows = rows
    parsed.problems.sort(key=lambda p: p.line)


def _fields(row: PaymentLine) -> dict[str, Any]:
    return {name: getattr(row, name) for name in PaymentLine.__dataclass_fields__}


FILE_PROBLEMS = {
    tabular.Trouble.TOO_LARGE: Problem.TOO_LARGE,
    tabular.Trouble.NOT_A_TABLE: Problem.NOT_A_TABLE,
    tabular.Trouble.ENCODING: Problem.ENCODING,
    tabular.Trouble.TOO_MANY_ROWS: Problem.TOO_MANY,
    tabular.Trouble.CELL_TOO_LONG: Problem.TOO_LONG,
}


def _unreadable(content: bytes, undecoded: bool) -> Problem:
    """Why a file that is no table of ours is refused: UTF-16 (its byte order mark), an encoding, or its content."""
    if content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return Problem.UTF16
    return Problem.ENCODING if undecoded else Problem.NOT_A_TABLE


def _first_line(text: str) -> list[str]:
    for raw in text.splitlines():
        if raw.strip() and not raw.lstrip().startswith("#"):
            return next(csv.reader([raw], delimiter=";" if raw.count(";") >= raw.count(",") else ","))
    return []


def decode(content: bytes) -> tuple[str, str] | None:
    """The file's text and its encoding (UTF-8, Windows-1251, KOI8-R or DOS 866), or None for something else."""
    encoding = detect_encoding(content)
    if encoding is None:
        return None
    return content.decode("utf-8-sig" if encoding == "utf-8" else encoding), encoding


def read_registry(filename: str, content: bytes, progress: Progress | None = None) -> ParsedRegistry:
    """Read and check every line of a payments file (no database): a bank's registry or a table with a header.

    A CSV whose first line (after ``#`` comments) names at least two of the required columns is a table; any
    other CSV is a bank's registry, which must end with its totals line. XLSX is always a table."""
    parsed = ParsedRegistry()
    if len(content) > MAX_BYTES:
        parsed.problems = [LineProblem(1, Problem.TOO_LARGE)]
        return parsed
    if content.startswith(tabular.XLSX_MAGIC):
        parsed.kind = RegistryKind.TABLE
        _read_tabular(content, parsed, lambda lines: _read_table(lines, parsed, progress))
    else:
        decoded = decode(content)
        if decoded is None or b"\x00" in content[:4096]:
            parsed.problems = [LineProblem(1, _unreadable(content, decoded is None))]
            return parsed
        text, parsed.encoding = decoded
        if _of_balances(_first_line(text)):
            parsed.problems = [LineProblem(1, Problem.BALANCES_FILE)]
            return parsed
        if _names_payments(_first_line(text)):
            parsed.kind = RegistryKind.TABLE
            _read_tabular(text.encode("utf-8"), parsed, lambda lines: _read_table(lines, parsed, progress))
        else:
            parsed.kind = RegistryKind.BANK
            _read_bank(text, parsed, progress)
    if not parsed.problems:
        _mark_repeats(parsed)
    if not parsed.problems and not parsed.rows:
        parsed.problems = [LineProblem(1, Problem.EMPTY_FILE)]
    return parsed


def _read_tabular(content: bytes, parsed: Parsed[Any], read: Callable[[Iterator[list[str]]], None]) -> None:
    """``read`` the lines of a CSV or XLSX table; a file past a limit is refused as a whole, with its one problem."""
    try:
        read(tabular.read_rows(content, LIMITS))
    except tabular.TableError as exc:
        parsed.rows.clear()
        parsed.problems = [LineProblem(exc.line or 1, FILE_PROBLEMS[exc.trouble])]


# --- balances (the billing system's сальдо and its export of balances) --------------------------------------------

BALANCE_COLUMNS: dict[str, str] = {
    "account": "account",
    "лицевой счёт": "account",
    "лицевой счет": "account",
    "period": "period",
    "период": "period",
    "opening": "opening",
    "сальдо на начало": "opening",
    "входящее сальдо": "opening",
    "closing": "closing",
    "сальдо на конец": "closing",
    "исходящее сальдо": "closing",
}


@dataclass(frozen=True, slots=True)
class BalanceLine:
    line: int
    account: str
    period: date
    opening_kopecks: int | None
    closing_kopecks: int | None


class ParsedBalances(Parsed[BalanceLine]):
    """Each account's balance of a month per the billing system."""


def balance_to_json(row: BalanceLine) -> dict[str, Any]:
    return {
        "l": row.line,
        "a": row.account,
        "p": row.period.isoformat(),
        "o": row.opening_kopecks,
        "c": row.closing_kopecks,
    }


def balance_from_json(data: dict[str, Any]) -> BalanceLine:
    return BalanceLine(data["l"], data["a"], date.fromisoformat(data["p"]), data["o"], data["c"])


def read_balances(
    filename: str, content: bytes, progress: Progress | None = None, *, need: str = "opening"
) -> ParsedBalances:
    """Each account's balance of a month per the billing system: ``account;period;opening;closing`` (signed
    roubles, a debt positive). ``need`` is the column the import must have: ``opening`` (сальдо) or ``closing``
    (the export the reconciliation compares with)."""
    parsed = ParsedBalances()
    if not content.startswith(tabular.XLSX_MAGIC):
        decoded = decode(content)
        if decoded is None:
            parsed.problems = [LineProblem(1, Problem.ENCODING)]
            return parsed
        if _of_payments(_first_line(decoded[0]), decoded[0].strip()):
            parsed.problems = [LineProblem(1, Problem.PAYMENTS_FILE)]
            return parsed
        content = decoded[0].encode("utf-8")
    _read_tabular(content, parsed, lambda lines: _read_balance_rows(lines, parsed, progress, need))
    if not parsed.problems and not parsed.rows:
        parsed.problems = [LineProblem(1, Problem.EMPTY_FILE)]
    return parsed


def _read_balance_rows(
    lines: Iterator[list[str]], parsed: ParsedBalances, progress: Progress | None, need: str
) -> None:
    cells = next(lines, [])
    header = header_of(cells, BALANCE_COLUMNS)
    missing = [name for name in ("account", "period", need) if name not in header]
    if missing:
        wrong_kind = [LineProblem(1, Problem.PAYMENTS_FILE)] if _of_payments(cells, "") else []
        parsed.problems = wrong_kind or [LineProblem(1, Problem.MISSING_COLUMN, name) for name in missing]
        return
    index = {name: header.index(name) for name in set(header) if name}
    seen: dict[tuple[str, date], int] = {}
    for number, values in tabular.named_lines(lines, index, progress):
        row = _balance_line(number, values, parsed, need)
        if row is None:
            continue
        key = (row.account, row.period)
        if key in seen:
            parsed.problems.append(LineProblem(number, Problem.CONFLICT, row.account, str(seen[key])))
            continue
        seen[key] = number
        parsed.rows.append(row)


def _balance_line(number: int, values: dict[str, str], parsed: ParsedBalances, need: str) -> BalanceLine | None:
    problems: list[LineProblem] = []
    if not values.get("account"):
        problems.append(LineProblem(number, Problem.EMPTY, "account"))
    period = parse_period(values.get("period", ""))
    if period is None:
        problems.append(LineProblem(number, Problem.BAD_PERIOD, values.get("period", "")[:20]))
    amounts: dict[str, int | None] = {}
    for name in ("opening", "closing"):
        raw = values.get(name, "")
        if not raw and name != need:
            amounts[name] = None
            continue
        amount = parse_decimal(raw, places=2, whole_digits=12)
        if amount is None:
            problems.append(LineProblem(number, Problem.BAD_AMOUNT, raw[:20]))
        else:
            amounts[name] = int(amount * 100)
    if problems or period is None:
        parsed.problems.extend(problems)
        return None
    return BalanceLine(number, values["account"], period, amounts.get("opening"), amounts.get("closing"))
