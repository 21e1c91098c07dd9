"""Import of charges from the company's billing system (CSV or XLSX; the format is in README.md).

``read_file`` parses and checks every row without writing anything; ``check_against_db`` adds what only the
database knows (unknown accounts and services, rows charged before with other numbers); ``apply`` writes the
batch, its charges and their ledger entries in one transaction. The same file applied twice changes nothing
(file hash), and a row already charged with the same numbers is skipped (natural key: account, period, service).
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any

from portal.billing.queries import account_ids_by_number, services_by_code
from portal.billing.tables import Charge
from portal.core.db import to_kopecks
from portal.core.i18n import gettext as _
from portal.core.parse import parse_decimal
from portal.core.security import Principal

CHUNK = 500
MAX_ROWS = 2_000_000
BASES = ("metered", "norm", "average")

# Column name in the file → field; English names first, the Russian headings 1С exports are accepted too.
COLUMNS: dict[str, str] = {
    "account": "account",
    "лицевой счёт": "account",
    "лицевой счет": "account",
    "service": "service",
    "услуга": "service",
    "volume": "volume",
    "объём": "volume",
    "объем": "volume",
    "tariff": "tariff",
    "тариф": "tariff",
    "amount": "amount",
    "сумма": "amount",
    "recalculation": "recalculation",
    "перерасчёт": "recalculation",
    "перерасчет": "recalculation",
    "reason": "reason",
    "причина": "reason",
    "basis": "basis",
    "основание": "basis",
    "basis_note": "basis_note",
    "пояснение": "basis_note",
}
REQUIRED = ("account", "service", "volume", "tariff", "amount")

Progress = Callable[[int], None]


class Problem(StrEnum):
    FORMAT = "format"
    MISSING_COLUMN = "missing_column"
    EMPTY = "empty"
    BAD_NUMBER = "bad_number"
    NEGATIVE = "negative"
    BAD_BASIS = "bad_basis"
    NO_REASON = "no_reason"
    DUPLICATE = "duplicate"
    UNKNOWN_ACCOUNT = "unknown_account"
    UNKNOWN_SERVICE = "unknown_service"
    CHARGED_BEFORE = "charged_before"
    TOO_MANY = "too_many"


# Problems only the database knows; checking a file again replaces them.
DATABASE_PROBLEMS = frozenset({Problem.UNKNOWN_ACCOUNT, Problem.UNKNOWN_SERVICE, Problem.CHARGED_BEFORE})


@dataclass(frozen=True)
class RowProblem:
    line: int
    code: Problem
    column: str = ""
    value: str = ""
    other_line: int | None = None

    def message(self) -> str:
        """The problem in the reader's language, saying what to fix."""
        texts = {
            Problem.FORMAT: _("The file is neither a CSV nor an XLSX table."),
            Problem.MISSING_COLUMN: _("Column «%(column)s» is missing from the first row.", column=self.column),
            Problem.EMPTY: _("Column «%(column)s» is empty.", column=self.column),
            Problem.BAD_NUMBER: _(
                "«%(value)s» in column «%(column)s» is not a number.", value=self.value, column=self.column
            ),
            Problem.NEGATIVE: _("Column «%(column)s» cannot be negative.", column=self.column),
            Problem.BAD_BASIS: _("Basis «%(value)s» must be metered, norm or average.", value=self.value),
            Problem.NO_REASON: _("A recalculation needs its reason."),
            Problem.DUPLICATE: _(
                "The same account and service as line %(other)s.", other=self.other_line if self.other_line else ""
            ),
            Problem.UNKNOWN_ACCOUNT: _("Personal account %(value)s does not exist.", value=self.value),
            Problem.UNKNOWN_SERVICE: _("Service code «%(value)s» is unknown.", value=self.value),
            Problem.CHARGED_BEFORE: _(
                "This account was charged for this service in this period with other numbers; post a correction "
                "instead."
            ),
            Problem.TOO_MANY: _("The file has too many rows."),
        }
        return texts[self.code]


@dataclass(frozen=True)
class ChargeRow:
    line: int
    account: str
    service: str
    volume: Decimal
    tariff: Decimal
    amount: Decimal
    recalculation: Decimal
    reason: str
    basis: str
    basis_note: str


@dataclass
class ParsedFile:
    file_hash: str
    file_name: str
    rows: list[ChargeRow] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)
    account_ids: dict[str, int] = field(default_factory=dict)
    unchanged: int = 0  # rows charged before with the same numbers (skipped on apply)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def total_amount(self) -> Decimal:
        return sum((r.amount for r in self.rows), Decimal("0"))

    @property
    def total_recalculation(self) -> Decimal:
        return sum((r.recalculation for r in self.rows), Decimal("0"))

    @property
    def total(self) -> Decimal:
        return self.total_amount + self.total_recalculation

    @property
    def accounts(self) -> int:
        return len({r.account for r in self.rows})

    def by_service(self) -> list[tuple[str, int, Decimal]]:
        found: dict[str, list[Any]] = {}
        for r in self.rows:
            entry = found.setdefault(r.service, [0, Decimal("0")])
            entry[0] += 1
            entry[1] += r.amount + r.recalculation
        return [(code, n, total) for code, (n, total) in sorted(found.items())]


def file_hash(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def _decode(content: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1251"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ValueError("encoding")


def _table_rows(content: bytes, file_name: str) -> list[list[str]]:
    """The cells of the first sheet (XLSX) or of the CSV (``;`` or ``,`` separated, UTF-8 or Windows-1251)."""
    if content[:4] == b"PK\x03\x04":
        from openpyxl import load_workbook

        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        sheet = book.worksheets[0]
        rows = [["" if cell is None else _cell(cell) for cell in row] for row in sheet.iter_rows(values_only=True)]
        book.close()
        return rows
    if b"\x00" in content[:4096]:
        raise ValueError("binary")
    text = _decode(content)
    sample = text[:4096]
    delimiter = ";" if sample.count(";") >= sample.count(",") else ","
    return [row for row in csv.reader(io.StringIO(text), delimiter=delimiter)]


def _cell(value: Any) -> str:
    if isinstance(value, float):
        return repr(value)
    return str(value)


# Places after the comma each number column may have (volume as its column holds it, money in kopecks).
PLACES = {"volume": 4, "tariff": 4, "amount": 2, "recalculation": 2}
WHOLE_DIGITS = {"volume": 10, "tariff": 10, "amount": 12, "recalculation": 12}


def _number(name: str, raw: str) -> Decimal | None:
    """A number cell through ``core.parse`` (an empty cell is 0); None when it is not a number the column holds."""
    if not raw.strip():
        return Decimal("0")
    return parse_decimal(raw, places=PLACES[name], whole_digits=WHOLE_DIGITS[name])


def read_file(content: bytes, file_name: str = "", progress: Progress | None = None) -> ParsedFile:
    """Parse and check every row (no database); problems name the line of the file (the header is line 1)."""
    parsed = ParsedFile(file_hash=file_hash(content), file_name=file_name)
    try:
        table = _table_rows(content, file_name)
    except Exception:
        parsed.problems.append(RowProblem(1, Problem.FORMAT))
        return parsed
    if not table:
        parsed.problems.append(RowProblem(1, Problem.MISSING_COLUMN, "account"))
        return parsed
    header = [COLUMNS.get(h.strip().lstrip("\ufeff").lower(), "") for h in table[0]]
    for name in REQUIRED:
        if name not in header:
            parsed.problems.append(RowProblem(1, Problem.MISSING_COLUMN, name))
    if parsed.problems:
        return parsed
    if len(table) - 1 > MAX_ROWS:
        parsed.problems.append(RowProblem(1, Problem.TOO_MANY))
        return parsed
    index = {name: header.index(name) for name in set(header) if name}
    seen: dict[tuple[str, str], int] = {}
    for number, cells in enumerate(table[1:], start=2):
        if progress and number % 1000 == 0:
            progress(1000)
        if not any(str(c).strip() for c in cells):
            continue
        values = {name: (str(cells[i]).strip() if i < len(cells) else "") for name, i in index.items()}
        problems: list[RowProblem] = []
        for name in ("account", "service"):
            if not values.get(name):
                problems.append(RowProblem(number, Problem.EMPTY, name))
        numbers: dict[str, Decimal] = {}
        for name in ("volume", "tariff", "amount", "recalculation"):
            raw = values.get(name, "")
            value = _number(name, raw)
            if value is None:
                problems.append(RowProblem(number, Problem.BAD_NUMBER, name, raw[:40]))
                continue
            numbers[name] = value
            if name != "recalculation" and numbers[name] < 0:
                problems.append(RowProblem(number, Problem.NEGATIVE, name))
        basis = (values.get("basis") or "metered").lower()
        if basis not in BASES:
            problems.append(RowProblem(number, Problem.BAD_BASIS, "basis", basis))
        if numbers.get("recalculation") and not values.get("reason"):
            problems.append(RowProblem(number, Problem.NO_REASON, "reason"))
        key = (values.get("account", ""), values.get("service", ""))
        if all(key):
            if key in seen:
                problems.append(RowProblem(number, Problem.DUPLICATE, other_line=seen[key]))
            else:
                seen[key] = number
        if problems:
            parsed.problems.extend(problems)
            continue
        parsed.rows.append(
            ChargeRow(
                line=number,
                account=values["account"],
                service=values["service"],
                volume=numbers["volume"],
                tariff=numbers["tariff"],
                amount=numbers["amount"],
                recalculation=numbers["recalculation"],
                reason=values.get("reason", "")[:255],
                basis=basis,
                basis_note=values.get("basis_note", "")[:255],
            )
        )
    return parsed


async def check_against_db(parsed: ParsedFile, period: date, principal: Principal) -> ParsedFile:
    """Add the problems only the database knows: unknown accounts or services, rows charged before differently.

    An account outside the houses ``principal`` works with is unknown to them, like an account that does not exist.
    """
    parsed.problems = [p for p in parsed.problems if p.code not in DATABASE_PROBLEMS]
    services = await services_by_code()
    parsed.account_ids = await account_ids_by_number([r.account for r in parsed.rows], principal)
    for row in parsed.rows:
        if row.account not in parsed.account_ids:
            parsed.problems.append(RowProblem(row.line, Problem.UNKNOWN_ACCOUNT, "account", row.account))
        if row.service not in services:
            parsed.problems.append(RowProblem(row.line, Problem.UNKNOWN_SERVICE, "service", row.service))
    existing = await existing_charges(list(parsed.account_ids.values()), period)
    service_ids = {code: s.id for code, s in services.items()}
    parsed.unchanged = 0
    for row in parsed.rows:
        account_id = parsed.account_ids.get(row.account)
        service_id = service_ids.get(row.service)
        if account_id is None or service_id is None:
            continue
        before = existing.get((account_id, service_id))
        if before is None:
            continue
        if before == _signature(row):
            parsed.unchanged += 1
        else:
            parsed.problems.append(RowProblem(row.line, Problem.CHARGED_BEFORE))
    parsed.problems.sort(key=lambda p: p.line)
    return parsed


def _signature(row: ChargeRow) -> tuple[Decimal, int, int, int]:
    return (row.volume.normalize(), to_kopecks(row.tariff), to_kopecks(row.amount), to_kopecks(row.recalculation))


async def existing_charges(
    account_ids: list[int], period: date
) -> dict[tuple[int, int], tuple[Decimal, int, int, int]]:
    found: dict[tuple[int, int], tuple[Decimal, int, int, int]] = {}
    for start in range(0, len(account_ids), CHUNK):
        chunk = account_ids[start : start + CHUNK]
        rows = await Charge.select(
            Charge.account,
            Charge.service,
            Charge.volume,
            Charge.tariff_kopecks,
            Charge.amount_kopecks,
            Charge.recalculation_kopecks,
        ).where((Charge.period == period) & Charge.account.is_in(chunk))
        for r in rows:
            found[(r["account"], r["service"])] = (
                Decimal(str(r["volume"])).normalize(),
                r["tariff_kopecks"],
                r["amount_kopecks"],
                r["recalculation_kopecks"],
            )
    return found
