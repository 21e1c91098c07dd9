"""Import of charges from the company's billing system (CSV or XLSX; the format is in README.md).

``read_file`` streams the file through ``core.tabular`` (limits checked while reading) and checks every row
without writing anything; ``check_against_db`` adds what only the database knows (unknown accounts and services,
accounts outside the importer's houses, rows charged before with other numbers). ``actions.import_charges``
writes the result. The same file applied twice changes nothing (file hash), and a row already charged with the
same numbers is skipped (natural key: account, period, service).
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import IO
from typing import Any

from portal.billing import rules
from portal.billing.queries import account_ids_by_number
from portal.billing.queries import services_by_code
from portal.billing.tables import Basis
from portal.billing.tables import Charge
from portal.core import tabular
from portal.core.db import to_kopecks
from portal.core.i18n import gettext as _
from portal.core.parse import parse_decimal
from portal.core.security import Principal

CHUNK = 500
MAX_ROWS = 100_000  # about 14 000 accounts of seven services a file; a larger company loads a file per house
MAX_CELL = 255
MAX_BYTES = 30 * 1024 * 1024
LIMITS = tabular.Limits(rows=MAX_ROWS, columns=16, cell=MAX_CELL, size=MAX_BYTES)

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
    # optional parts of the ЕПД (ПП № 354 п. 69): they explain the amount, they do not add to it
    "volume_common": "volume_common",
    "объём одн": "volume_common",
    "объем одн": "volume_common",
    "coefficient": "coefficient",
    "повышающий коэффициент": "coefficient",
    "coefficient_amount": "coefficient_amount",
    "сумма повышающего коэффициента": "coefficient_amount",
    "benefit": "benefit",
    "льготы": "benefit",
}
REQUIRED = ("account", "service", "volume", "tariff", "amount")
NUMBERS = (
    "volume",
    "tariff",
    "amount",
    "recalculation",
    "volume_common",
    "coefficient",
    "coefficient_amount",
    "benefit",
)
# Places after the comma each number column may have (volume as its column holds it, money in kopecks).
PLACES = {
    "volume": 4,
    "tariff": 4,
    "amount": 2,
    "recalculation": 2,
    "volume_common": 4,
    "coefficient": 2,
    "coefficient_amount": 2,
    "benefit": 2,
}
WHOLE_DIGITS = {
    "volume": 10,
    "tariff": 10,
    "amount": 12,
    "recalculation": 12,
    "volume_common": 10,
    "coefficient": 2,
    "coefficient_amount": 12,
    "benefit": 12,
}

Progress = Callable[[int], None]


class Problem(StrEnum):
    FILE = "file"  # the file is refused as a whole while it is read; ``value`` is core.tabular's ``Trouble``
    MISSING_COLUMN = "missing_column"
    EMPTY = "empty"
    BAD_NUMBER = "bad_number"
    NEGATIVE = "negative"
    BAD_BASIS = "bad_basis"
    NO_REASON = "no_reason"
    PARTS_EXCEED = "parts_exceed"
    NO_COEFFICIENT = "no_coefficient"
    DUPLICATE = "duplicate"
    UNKNOWN_ACCOUNT = "unknown_account"
    UNKNOWN_SERVICE = "unknown_service"
    CHARGED_BEFORE = "charged_before"


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
        if self.code is Problem.FILE:  # worded as core.tabular words what it refuses (the line is shown apart)
            return tabular.TableError(tabular.Trouble(self.value), LIMITS).message()
        texts = {
            Problem.MISSING_COLUMN: _("Column “%(column)s” is missing from the first row.", column=self.column),
            Problem.EMPTY: _("Column “%(column)s” is empty.", column=self.column),
            Problem.BAD_NUMBER: _(
                "“%(value)s” in column “%(column)s” is not a number.", value=self.value, column=self.column
            ),
            Problem.NEGATIVE: _("Column “%(column)s” cannot be negative.", column=self.column),
            Problem.BAD_BASIS: _("Basis “%(value)s” must be metered, norm or average.", value=self.value),
            Problem.NO_REASON: _("A recalculation needs its reason."),
            Problem.PARTS_EXCEED: _(
                "The increasing coefficient's part is larger than the amount with the benefits added back: the "
                "amount is what is charged after both."
            ),
            Problem.NO_COEFFICIENT: _("An amount for the increasing coefficient needs the coefficient (e.g. 1.5)."),
            Problem.DUPLICATE: _(
                "The same account and service as line %(other)s.", other=self.other_line if self.other_line else ""
            ),
            Problem.UNKNOWN_ACCOUNT: _("Personal account %(value)s does not exist.", value=self.value),
            Problem.UNKNOWN_SERVICE: _("Service code “%(value)s” is unknown.", value=self.value),
            Problem.CHARGED_BEFORE: _(
                "This account was charged for this service in this period with other numbers; post a correction "
                "instead."
            ),
        }
        return texts[self.code]


@dataclass(frozen=True, slots=True, kw_only=True)
class ChargeRow(rules.ChargeFigures):
    """One checked row of the file: its line, the account number and service code it names, and its figures."""

    line: int
    account: str
    service: str


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

    def sum_of(self, column: str) -> Decimal:
        """The sum of one column of the rows (``amount``, ``recalculation`` …)."""
        return rules.sum_of(self.rows, column)

    @property
    def total(self) -> Decimal:
        return rules.sum_of(self.rows, "total")

    @property
    def accounts(self) -> int:
        return len({r.account for r in self.rows})

    def by_service(self) -> list[tuple[str, int, Decimal]]:
        found: dict[str, list[Any]] = {}
        for r in self.rows:
            entry = found.setdefault(r.service, [0, Decimal("0")])
            entry[0] += 1
            entry[1] += r.total
        return [(code, n, total) for code, (n, total) in sorted(found.items())]

    def to_plain(self) -> dict[str, Any]:
        """The rows and problems as plain JSON values (the checked file kept between preview and apply)."""
        return {
            "file_hash": self.file_hash,
            "file_name": self.file_name,
            "rows": [_plain_row(r) for r in self.rows],
            "problems": [[p.line, p.code, p.column, p.value, p.other_line] for p in self.problems],
        }

    @classmethod
    def from_plain(cls, data: dict[str, Any]) -> ParsedFile:
        return cls(
            file_hash=data["file_hash"],
            file_name=data["file_name"],
            rows=[_row_of_plain(row) for row in data["rows"]],
            problems=[
                RowProblem(line, Problem(code), column, value, other)
                for line, code, column, value, other in data["problems"]
            ],
        )


# A checked row as a plain list of these values, numbers as text (kept between preview and apply).
PLAIN = ("line", "account", "service", *NUMBERS[:4], "reason", "basis", "basis_note", *NUMBERS[4:])


def _plain_row(r: ChargeRow) -> list[Any]:
    return [str(v) if isinstance(v, Decimal) else v for v in (getattr(r, name) for name in PLAIN)]


def _row_of_plain(row: list[Any]) -> ChargeRow:
    """The row of ``_plain_row``'s list (one kept without the optional parts takes them as 0)."""
    return ChargeRow(**{name: Decimal(v) if name in NUMBERS else v for name, v in zip(PLAIN, row, strict=False)})


def file_hash(source: bytes | IO[bytes]) -> str:
    """SHA-256 of the file's bytes (read in chunks; a file is left at its start)."""
    if isinstance(source, bytes | bytearray):
        return hashlib.sha256(source).hexdigest()
    digest = hashlib.sha256()
    source.seek(0)
    while chunk := source.read(1024 * 1024):
        digest.update(chunk)
    source.seek(0)
    return digest.hexdigest()


def _number(name: str, raw: str) -> Decimal | None:
    """A number cell through ``core.parse`` (an empty cell is 0); None when it is not a number the column holds."""
    if not raw:
        return Decimal("0")
    return parse_decimal(raw, places=PLACES[name], whole_digits=WHOLE_DIGITS[name])


def read_file(source: bytes | IO[bytes], file_name: str = "", progress: Progress | None = None) -> ParsedFile:
    """Read and check every row (no database), streaming: problems name the line of the file (the header is 1).

    ``progress`` is called with the number of lines read every 1000 lines. A file past a limit (size, rows,
    cell length) stops at that point with one problem for the file."""
    source = io.BytesIO(source) if isinstance(source, bytes | bytearray) else source
    parsed = ParsedFile(file_hash=file_hash(source), file_name=file_name[:255])
    lines = tabular.read_rows(source, LIMITS)
    try:
        index = _header(next(lines, []), parsed)
        if index is not None:
            _read_rows(lines, index, parsed, progress)
    except tabular.TableError as exc:  # the file is refused as a whole: its one problem says why
        parsed.rows.clear()
        parsed.problems = [RowProblem(exc.line or 1, Problem.FILE, value=exc.trouble)]
    return parsed


def _header(cells: list[str], parsed: ParsedFile) -> dict[str, int] | None:
    header = [COLUMNS.get(h.lstrip("\ufeff").lower(), "") for h in cells]
    for name in REQUIRED:
        if name not in header:
            parsed.problems.append(RowProblem(1, Problem.MISSING_COLUMN, name))
    if parsed.problems:
        return None
    return {name: header.index(name) for name in set(header) if name}


def _read_rows(lines: Any, index: dict[str, int], parsed: ParsedFile, progress: Progress | None) -> None:
    seen: dict[tuple[str, str], int] = {}
    for number, values in tabular.named_lines(lines, index, progress):
        row, problems = _read_row(number, values)
        key = (values.get("account", ""), values.get("service", ""))
        if all(key):
            if key in seen:
                problems.append(RowProblem(number, Problem.DUPLICATE, other_line=seen[key]))
            else:
                seen[key] = number
        if problems:
            parsed.problems.extend(problems)
        elif row is not None:
            parsed.rows.append(row)


def _read_row(number: int, values: dict[str, str]) -> tuple[ChargeRow | None, list[RowProblem]]:
    problems = [RowProblem(number, Problem.EMPTY, name) for name in ("account", "service") if not values.get(name)]
    numbers: dict[str, Decimal] = {}
    for name in NUMBERS:
        raw = values.get(name, "")
        value = _number(name, raw)
        if value is None:
            problems.append(RowProblem(number, Problem.BAD_NUMBER, name, raw[:40]))
        elif name != "recalculation" and value < 0:
            problems.append(RowProblem(number, Problem.NEGATIVE, name))
        else:
            numbers[name] = value
    basis = (values.get("basis") or Basis.METERED).lower()
    if basis not in set(Basis):
        problems.append(RowProblem(number, Problem.BAD_BASIS, "basis", basis[:40]))
    if numbers.get("recalculation") and not values.get("reason"):
        problems.append(RowProblem(number, Problem.NO_REASON, "reason"))
    if not problems and numbers["coefficient_amount"] > numbers["amount"] + numbers["benefit"]:
        problems.append(RowProblem(number, Problem.PARTS_EXCEED, "coefficient_amount"))
    if not problems and numbers["coefficient_amount"] and not numbers["coefficient"]:
        problems.append(RowProblem(number, Problem.NO_COEFFICIENT, "coefficient"))
    if problems:
        return None, problems
    row = ChargeRow(
        line=number,
        account=values["account"],
        service=values["service"],
        reason=values.get("reason", ""),
        basis=basis,
        basis_note=values.get("basis_note", ""),
        **numbers,
    )
    return row, []


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
