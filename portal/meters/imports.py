"""The meter import file (CSV or XLSX) read into checked rows, and the import itself through ``core.imports``
(preview with line-numbered problems, all or nothing, a re-import changes nothing). The format is documented in
README.md ("Meter import"): one row per meter, found by its premise (house address, premise kind and number) and
its serial number; the account is given when the premise has more than one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict
from dataclasses import dataclass
from datetime import date
from typing import IO
from typing import Any

from portal.core import imports as checked
from portal.core import tabular
from portal.core.i18n import gettext
from portal.core.imports import ParseResult
from portal.core.parse import parse_date
from portal.core.parse import parse_int
from portal.core.security import Principal
from portal.core.tabular import line_problem
from portal.housing import rules as housing_rules
from portal.housing.rules import Problem
from portal.meters.tables import MeterStatus
from portal.meters.tables import Service

COLUMNS: tuple[str, ...] = (
    "house_address",
    "premise_kind",
    "premise_number",
    "account_number",
    "resource",
    "zones",
    "serial",
    "place",
    "digits",
    "decimals",
    "installed_on",
    "next_verification",
    "verified_on",
    "status",
    "replaces",
)
DATES = ("installed_on", "next_verification", "verified_on")
REQUIRED_COLUMNS: tuple[str, ...] = ("house_address", "premise_number", "resource", "serial")
ENTITIES: tuple[str, ...] = ("meters", "replacements")
MAX_ROWS = 50_000
MAX_CELL = 255
MAX_BYTES = 10 * 1024 * 1024
LIMITS = tabular.Limits(rows=MAX_ROWS, columns=len(COLUMNS) + 10, cell=4 * MAX_CELL, size=MAX_BYTES)

RESOURCE_WORDS: dict[str, str] = {
    **{w: Service.COLD_WATER for w in ("cold_water", "cold water", "хвс", "хв", "холодная вода", "холодная")},
    **{w: Service.HOT_WATER for w in ("hot_water", "hot water", "гвс", "гв", "горячая вода", "горячая")},
    **{w: Service.ELECTRICITY for w in ("electricity", "ээ", "электроэнергия", "электричество", "электро")},
    **{w: Service.HEATING for w in ("heating", "отопление", "тепло", "теплоэнергия")},
    **{w: Service.GAS for w in ("gas", "газ")},
}
STATUS_WORDS: dict[str, str] = {
    **{w: MeterStatus.ACTIVE for w in ("", "active", "работает", "в работе", "исправен", "действует")},
    **{w: MeterStatus.FAILED for w in ("failed", "неисправен", "вышел из строя", "сломан")},
    **{w: MeterStatus.REMOVED for w in ("removed", "снят", "демонтирован")},
}


@dataclass(frozen=True)
class MeterRow:
    line: int
    house_address: str
    premise_kind: str
    premise_number: str
    account_number: str | None
    service: str
    zones: int
    serial: str
    place: str
    digits: int
    decimals: int
    installed_on: date | None
    next_verification: date | None
    status: str
    replaces: str | None
    verified_on: date | None = None  # a verification recorded from the technician's paper: the day it was done

    @property
    def premise_key(self) -> tuple[str, str, str]:
        return (self.house_address, self.premise_kind, self.premise_number)


def row_to_json(row: MeterRow) -> dict[str, Any]:
    plain = asdict(row)
    for name in DATES:
        plain[name] = plain[name].isoformat() if plain[name] else None
    return plain


def row_from_json(data: dict[str, Any]) -> MeterRow:
    values = dict(data)
    for name in DATES:
        values[name] = date.fromisoformat(values[name]) if values.get(name) else None
    return MeterRow(**values)


def column_problem(name: str, text: str) -> str:
    """A problem of a row's cell, as the preview lists it beside its line."""
    return gettext("column “%(name)s” — %(problem)s", name=name, problem=text)


def parse_file(
    filename: str, data: bytes | IO[bytes], progress: Callable[[int], None] | None = None
) -> ParseResult[MeterRow]:
    """Read and check a CSV or XLSX meter file (CPU work: call it off the event loop)."""
    try:
        return parse_lines(tabular.read_rows(data, LIMITS), progress)
    except tabular.TableError as problem:
        return ParseResult(problems=[problem.message()])


def parse_lines(lines: Any, progress: Callable[[int], None] | None = None) -> ParseResult[MeterRow]:
    """Check every line; the result has either all rows or the problems (with line numbers, header = line 1)."""
    result: ParseResult[MeterRow] = ParseResult()
    iterator = iter(lines)
    index, problem = tabular.read_header(iterator, REQUIRED_COLUMNS, COLUMNS)
    if problem:
        result.problems.append(problem)
        return result
    seen: dict[tuple[tuple[str, str, str], str], int] = {}
    for line, values in tabular.named_lines(iterator, index, progress):
        row, problems = _read_row(line, values)
        if row is None:
            result.problems.extend(line_problem(line, p) for p in problems)
        else:
            key = (row.premise_key, row.serial)
            if key in seen:
                result.problems.append(
                    line_problem(line, gettext("this meter is already on line %(line)s.", line=seen[key]))
                )
            else:
                seen[key] = line
                result.rows.append(row)
        if len(result.problems) >= 100:
            break
    return result.finished()


def _read_row(line: int, values: dict[str, str]) -> tuple[MeterRow | None, list[str]]:
    problems: list[str] = []

    def text(name: str, *, required: bool, limit: int = 255) -> str:
        parsed = housing_rules.parse_text(values.get(name, ""), required=required, limit=limit)
        if isinstance(parsed, Problem):
            problems.append(column_problem(name, housing_rules.message(parsed)))
            return ""
        return parsed

    address = text("house_address", required=True)
    kind_text = values.get("premise_kind", "").strip() or "flat"
    kind = housing_rules.parse_choice(kind_text, housing_rules.PREMISE_KIND_WORDS)
    if isinstance(kind, Problem):
        problems.append(column_problem("premise_kind", housing_rules.message(kind)))
    number = housing_rules.parse_premise_number(values.get("premise_number", ""))
    if isinstance(number, Problem):
        problems.append(column_problem("premise_number", housing_rules.message(number)))
    account_text = values.get("account_number", "").strip()
    account = housing_rules.parse_account_number(account_text) if account_text else None
    if isinstance(account, Problem):
        problems.append(column_problem("account_number", housing_rules.message(account)))
    service = RESOURCE_WORDS.get(" ".join(values.get("resource", "").split()).lower())
    if service is None:
        problems.append(column_problem("resource", gettext("cold_water, hot_water, electricity, heating or gas.")))
    zones = parse_int(values.get("zones", "") or "1", low=1, high=3)
    if zones is None or (zones > 1 and service != Service.ELECTRICITY):
        problems.append(column_problem("zones", gettext("1; 2 or 3 only for electricity.")))
    serial = text("serial", required=True, limit=32)
    place = text("place", required=False, limit=64)
    digits = parse_int(values.get("digits", "") or ("6" if service == Service.ELECTRICITY else "5"), low=4, high=9)
    if digits is None:
        problems.append(column_problem("digits", gettext("a whole number from 4 to 9.")))
    default_decimals = "1" if service == Service.ELECTRICITY else "3"
    decimals = parse_int(values.get("decimals", "") or default_decimals, low=0, high=3)
    if decimals is None or (service == Service.ELECTRICITY and decimals > 1):
        problems.append(column_problem("decimals", gettext("0 to 3; electricity 0 or 1.")))
    dates: dict[str, date | None] = {}
    for name in DATES:
        raw = values.get(name, "").strip()
        dates[name] = parse_date(raw) if raw else None
        if raw and dates[name] is None:
            problems.append(column_problem(name, gettext("a date as 25.11.2026.")))
    status = STATUS_WORDS.get(" ".join(values.get("status", "").split()).lower())
    if status is None:
        problems.append(column_problem("status", gettext("active, failed or removed.")))
    replaces = text("replaces", required=False, limit=32) or None
    if replaces and replaces == serial:
        problems.append(column_problem("replaces", gettext("a meter cannot replace itself.")))
    if problems:
        return None, problems
    return (
        MeterRow(
            line=line,
            house_address=address,
            premise_kind=str(kind),
            premise_number=str(number),
            account_number=account if isinstance(account, str) else None,
            service=str(service),
            zones=zones or 1,
            serial=serial,
            place=place,
            digits=digits or 5,
            decimals=decimals if decimals is not None else 3,
            installed_on=dates["installed_on"],
            next_verification=dates["next_verification"],
            status=str(status),
            replaces=replaces,
            verified_on=dates["verified_on"],
        ),
        [],
    )


def entity_labels() -> dict[str, str]:
    return {"meters": gettext("Meters"), "replacements": gettext("Replacements")}


async def _check(rows: list[MeterRow], actor: Principal | None, step: Callable[[str], None]) -> Any:
    from portal.meters.actions import import_meters

    return await import_meters(rows, actor, dry_run=True, progress=step)


async def _apply(rows: list[MeterRow], actor: Principal | None, ip: str) -> Any:
    from portal.meters.actions import import_meters

    return await import_meters(rows, actor, ip=ip)


METERS: checked.Importer[MeterRow] = checked.Importer(
    name="meters", parse=parse_file, check=_check, apply=_apply, dump=row_to_json, load=row_from_json
)
