"""The payments files and the billing system's balances, imported through the checked imports of
``portal.core.imports``: each file is read off the event loop with its progress shown, previewed with its totals
and its problems by line, and applied whole from the rows the preview checked (never read again)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from portal.billing import book
from portal.billing import registries
from portal.billing import registry_files
from portal.billing.registry_files import BalanceLine
from portal.billing.registry_files import ParsedRegistry
from portal.billing.registry_files import PaymentLine
from portal.core import imports as checked
from portal.core.security import Principal


class _Parsed:
    """A parsed payments file as ``core.imports`` sees it: problems as worded lines; the first row carries the
    file's kind and name (they are kept with the rows between the preview and the apply)."""

    def __init__(self, parsed: ParsedRegistry | registry_files.ParsedBalances) -> None:
        self.rows: list[Any] = parsed.rows
        self.problems = [p.message() for p in parsed.problems]
        self.kind = getattr(parsed, "kind", "")

    @property
    def ok(self) -> bool:
        return not self.problems and bool(self.rows)


def _parse_payments(filename: str, content: bytes, progress: Callable[[int], None]) -> _Parsed:
    parsed = registry_files.read_registry(filename, content, progress)
    result = _Parsed(parsed)
    if result.rows:
        first = result.rows[0]
        result.rows[0] = _First(first, parsed.kind, filename[:255])
    return result


class _First:
    """The first line of a file, with the file's kind and name."""

    def __init__(self, row: PaymentLine, kind: str, file_name: str) -> None:
        self.row, self.kind, self.file_name = row, kind, file_name


def _dump(row: PaymentLine | _First) -> dict[str, Any]:
    if isinstance(row, _First):
        return {**registry_files.line_to_json(row.row), "kind": row.kind, "file": row.file_name}
    return registry_files.line_to_json(row)


def _load(data: dict[str, Any]) -> PaymentLine | _First:
    row = registry_files.line_from_json(data)
    return _First(row, data["kind"], data["file"]) if "kind" in data else row


def _unwrap(rows: list[Any]) -> tuple[list[PaymentLine], str, str]:
    first = rows[0] if rows and isinstance(rows[0], _First) else None
    lines = [first.row, *rows[1:]] if first else list(rows)
    return lines, first.kind if first else "table", first.file_name if first else ""


async def _check_payments(rows: list[Any], who: Principal | None, step: Callable[[str], None]) -> Any:
    lines, _, _ = _unwrap(rows)
    return registries.report_of(await registries.decide(lines, who, step))


async def _apply_payments(rows: list[Any], who: Principal | None, ip: str) -> Any:
    lines, kind, file_name = _unwrap(rows)
    return await registries.apply_lines(lines, who, kind, file_name, ip=ip)


PAYMENTS: checked.Importer[Any] = checked.Importer(
    name="payments",
    parse=_parse_payments,
    check=_check_payments,
    apply=_apply_payments,
    dump=_dump,
    load=_load,
)


def _balances_importer(kind: str) -> checked.Importer[BalanceLine]:
    need = "opening" if kind == book.OPENING else "closing"

    def parse(filename: str, content: bytes, progress: Callable[[int], None]) -> _Parsed:
        return _Parsed(registry_files.read_balances(filename, content, progress, need=need))

    async def check(rows: list[BalanceLine], who: Principal | None, step: Callable[[str], None]) -> Any:
        return await book.load(rows, who, kind, dry_run=True)

    async def apply(rows: list[BalanceLine], who: Principal | None, ip: str) -> Any:
        return await book.load(rows, who, kind, ip=ip)

    return checked.Importer(
        name=f"balances-{kind}",
        parse=parse,
        check=check,
        apply=apply,
        dump=registry_files.balance_to_json,
        load=registry_files.balance_from_json,
    )


OPENING = _balances_importer(book.OPENING)
EXPORT = _balances_importer(book.EXPORT)
IMPORTERS = {"payments": PAYMENTS, "opening": OPENING, "export": EXPORT}
