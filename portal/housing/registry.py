"""The registry import file (CSV or XLSX) read into checked rows, with no I/O but the bytes given.

One row per premise + owner + account; the format is documented in README.md ("Registry import"). Every row
is checked before anything is written; a problem names its line («Строка 7: …», the header is line 1).
"""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import IO
from typing import Any

from portal.core import tabular
from portal.core.i18n import format_number
from portal.core.i18n import gettext
from portal.core.i18n import ngettext
from portal.core.imports import ParseResult
from portal.core.tabular import line_problem
from portal.housing import rules
from portal.housing.rules import Problem

COLUMNS: tuple[str, ...] = (
    "complex",
    "house_address",
    "entrance",
    "floor",
    "premise_kind",
    "premise_number",
    "area",
    "risers",
    "account_number",
    "payer_name",
    "owner_name",
    "owner_kind",
    "share",
    "owner_joint",
    "owner_inn",
    "owner_phone",
    "owner_email",
)
REQUIRED_COLUMNS: tuple[str, ...] = ("complex", "house_address", "premise_kind", "premise_number", "area")
MAX_ROWS = 50_000
MAX_CELL = 255
MAX_BYTES = 10 * 1024 * 1024
YES_WORDS = frozenset({"1", "да", "yes", "true", "д", "y", "совместная", "joint"})


@dataclass(frozen=True)
class RegistryRow:
    line: int
    complex: str
    house_address: str
    entrance: int | None
    floor: int | None
    premise_kind: str
    premise_number: str
    area: Decimal
    risers: tuple[str, ...]
    account_number: str | None
    payer_name: str
    owner_name: str | None
    owner_kind: str
    share: Fraction
    owner_joint: bool
    owner_inn: str | None
    owner_phone: str
    owner_email: str

    @property
    def premise_key(self) -> tuple[str, str, str]:
        return (self.house_address, self.premise_kind, self.premise_number)

    @property
    def owner_key(self) -> tuple[str, str | None]:
        return (self.owner_name or "", self.owner_inn)


def row_to_json(row: RegistryRow) -> dict[str, Any]:
    """A checked row as plain JSON values, kept between the preview and the import (never parsed twice)."""
    plain = {name: getattr(row, name) for name in RegistryRow.__dataclass_fields__}
    return {
        **plain,
        "area": str(row.area),
        "share": f"{row.share.numerator}/{row.share.denominator}",
        "risers": list(row.risers),
    }


def row_from_json(data: dict[str, Any]) -> RegistryRow:
    return RegistryRow(
        **{
            **data,
            "area": Decimal(data["area"]),
            "share": Fraction(data["share"]),
            "risers": tuple(data["risers"]),
        }
    )


Progress = Callable[[int], None]  # told the number of lines read, every PROGRESS_EVERY lines
PROGRESS_EVERY = 1000


def parse_lines(lines: Iterable[list[str]], progress: Progress | None = None) -> ParseResult[RegistryRow]:
    """Check every line of the file; the result has either all rows or the problems (with line numbers)."""
    result = ParseResult[RegistryRow]()
    iterator = iter(lines)
    index, problem = tabular.read_header(iterator, REQUIRED_COLUMNS, COLUMNS)
    if problem:
        result.problems.append(problem)
        return result
    seen_premises: dict[tuple[str, str, str], RegistryRow] = {}
    seen_accounts: dict[str, RegistryRow] = {}
    seen_owners: dict[tuple[str, str | None], RegistryRow] = {}
    seen_pairs: set[tuple[tuple[str, str, str], tuple[str, str | None]]] = set()
    shares: dict[tuple[str, str, str], list[tuple[Fraction, bool]]] = {}
    houses: dict[str, RegistryRow] = {}
    for offset, cells in enumerate(iterator):
        line = offset + 2
        if progress and offset % PROGRESS_EVERY == 0:
            progress(offset)
        if line - 1 > MAX_ROWS:
            result.problems.append(
                ngettext(
                    "The file has more than %(num)s row.",
                    "The file has more than %(num)s rows.",
                    MAX_ROWS,
                    num=format_number(MAX_ROWS, 0),
                )
            )
            break
        if not any(c.strip() for c in cells):
            continue
        values = {name: (cells[i] if i < len(cells) else "") for name, i in index.items()}
        row, problems = _read_row(line, values)
        if row is None:
            result.problems.extend(line_problem(line, p) for p in problems)
            if len(result.problems) >= 100:
                break
            continue
        conflict = _conflict(row, seen_premises, seen_accounts, seen_owners, seen_pairs, shares, houses)
        if conflict:
            result.problems.append(line_problem(line, conflict))
            continue
        result.rows.append(row)
    return result.finished()


# The file is streamed by core.tabular: size, lines and cells are limited while it is read (a forged XLSX
# <dimension> does not matter, a zip bomb is refused). Its cell limit is wider than MAX_CELL, so that a merely
# long cell is reported by its column on its line, as every other problem of a row is.
LIMITS = tabular.Limits(rows=MAX_ROWS, columns=len(COLUMNS) + 10, cell=4 * MAX_CELL, size=MAX_BYTES)


def parse_file(filename: str, data: bytes | IO[bytes], progress: Progress | None = None) -> ParseResult[RegistryRow]:
    """Read and check a CSV or XLSX registry file (CPU work: call it off the event loop). The type is taken from
    the content; ``filename`` is only for messages."""
    try:
        return parse_lines(tabular.read_rows(data, LIMITS), progress)
    except tabular.TableError as problem:
        return ParseResult[RegistryRow](problems=[problem.message()])


# How each column of a row is read, in the order its problems are reported.
_CELLS: dict[str, Callable[[str], Any]] = {
    "complex": lambda v: rules.parse_text(v, limit=200),
    "house_address": rules.parse_text,
    "entrance": lambda v: rules.parse_entrance_number(v, required=False),
    "floor": rules.parse_floor,
    "premise_kind": lambda v: rules.parse_choice(v, rules.PREMISE_KIND_WORDS),
    "premise_number": rules.parse_premise_number,
    "area": rules.parse_area,
    "risers": rules.parse_riser_codes,
    "account_number": lambda v: rules.parse_account_number(v.strip()) if v.strip() else None,
    "payer_name": lambda v: rules.parse_text(v, required=False),
    "owner_name": lambda v: rules.parse_text(v, required=False) or None,
    "owner_kind": lambda v: rules.parse_choice(v, rules.OWNER_KIND_WORDS),
    "share": lambda v: rules.parse_share(v.strip()) if v.strip() else Fraction(1),
    "owner_joint": lambda v: v.strip().lower() in YES_WORDS,
    "owner_inn": rules.parse_inn,
    "owner_phone": rules.parse_phone,
    "owner_email": rules.parse_email,
}


def _read_row(line: int, values: dict[str, str]) -> tuple[RegistryRow | None, list[str]]:
    problems: list[str] = []

    def check(name: str, parsed: Any) -> Any:
        if isinstance(parsed, Problem):
            problems.append(f"{_column_label(name)} — {rules.message(parsed)}")
            return None
        return parsed

    for name, value in values.items():
        if len(value) > MAX_CELL:
            problems.append(f"{_column_label(name)} — {rules.message(Problem.TOO_LONG)}")
    if problems:
        return None, problems
    cells = {name: check(name, read(values.get(name, ""))) for name, read in _CELLS.items()}
    owned = values.get("share", "").strip() or cells["owner_inn"] or cells["owner_phone"] or cells["owner_email"]
    if not cells["owner_name"] and owned:
        problems.append(f"{_column_label('owner_name')} — {rules.message(Problem.REQUIRED)}")
    if cells["owner_kind"] and (problem := rules.owner_inn_problem(cells["owner_kind"], cells["owner_inn"])):
        problems.append(f"{_column_label('owner_inn')} — {rules.message(problem)}")
    if problems:
        return None, problems
    return RegistryRow(line=line, **{**cells, "risers": tuple(cells["risers"])}), []


def _conflict(
    row: RegistryRow,
    premises: dict[tuple[str, str, str], RegistryRow],
    accounts: dict[str, RegistryRow],
    owners: dict[tuple[str, str | None], RegistryRow],
    pairs: set[tuple[tuple[str, str, str], tuple[str, str | None]]],
    shares: dict[tuple[str, str, str], list[tuple[Fraction, bool]]],
    houses: dict[str, RegistryRow],
) -> str | None:
    """A row that contradicts an earlier one (the same premise with another area, an account twice …)."""
    house = houses.setdefault(row.house_address, row)
    if house.complex != row.complex:
        return gettext("the house is in another complex on line %(line)s.", line=house.line)
    first = premises.setdefault(row.premise_key, row)
    if first is not row and (first.area, first.floor, first.entrance, first.complex) != (
        row.area,
        row.floor,
        row.entrance,
        row.complex,
    ):
        return gettext("the premise differs from line %(line)s (area, floor, entrance or complex).", line=first.line)
    if row.account_number:
        other = accounts.setdefault(row.account_number, row)
        if other is not row and other.premise_key != row.premise_key:
            return gettext(
                "account %(n)s is given for another premise on line %(line)s.", n=row.account_number, line=other.line
            )
    if row.owner_name:
        other = owners.setdefault(row.owner_key, row)
        if other is not row and (other.owner_kind, other.owner_phone, other.owner_email) != (
            row.owner_kind,
            row.owner_phone,
            row.owner_email,
        ):
            return gettext("the owner's details differ from line %(line)s.", line=other.line)
        pair = (row.premise_key, row.owner_key)
        if pair in pairs:
            return gettext("this owner of this premise is already on an earlier line.")
        pairs.add(pair)
        held = shares.setdefault(row.premise_key, [])
        if not rules.shares_fit(held, (row.share, row.owner_joint)):
            return rules.message(Problem.SHARES_EXCEED)
        held.append((row.share, row.owner_joint))
    return None


def _column_label(name: str) -> str:
    return gettext("column “%(name)s”", name=name)
