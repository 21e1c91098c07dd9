"""Many rows written in one statement each per chunk, without building a Piccolo ``Table`` instance per row.

Piccolo's ``Table.insert(*rows)`` spends most of its time constructing each instance and compiling a
placeholder per value; a month of charges for a few thousand accounts took seconds of CPU that way.
``insert_rows`` writes plain tuples: the SQL text is composed once per chunk with the engine's own
placeholders and handed to the engine as it is (the same query path, so it runs inside the caller's
``atomic()`` transaction on both engines). Values are what the columns hold (ints, str, Decimal, date,
aware datetime, None; an Enum is written as its value; JSON as its text).
"""

from __future__ import annotations

from collections.abc import Iterable
from collections.abc import Mapping
from collections.abc import Sequence
from enum import Enum
from typing import Any

from piccolo.columns.defaults.base import Default
from piccolo.query.methods.raw import Raw
from piccolo.querystring import QueryString
from piccolo.table import Table

# SQLite (3.32+) takes 32,766 parameters a statement and PostgreSQL 32,767: stay well below both.
MAX_PARAMETERS = 30_000
MAX_ROWS = 1_000


def _value(value: Any) -> Any:
    return value.value if isinstance(value, Enum) else value


def _placeholders(engine_type: str, start: int, count: int) -> str:
    if engine_type == "sqlite":
        return "(" + ", ".join("?" * count) + ")"
    return "(" + ", ".join(f"${start + i}" for i in range(count)) + ")"


def statement(table: type[Table], sql: str, args: Sequence[Any]) -> Raw:
    """A raw statement whose SQL is already in the engine's placeholder style (``?`` or ``$n``)."""
    querystring = QueryString("")
    querystring._frozen_compiled_strings = (sql, list(args))
    return Raw(table=table, querystring=querystring)


async def insert_rows(
    table: type[Table],
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    returning: Sequence[str] = (),
    conflict: str = "",
) -> list[dict[str, Any]]:
    """Insert ``rows`` (tuples in the order of ``columns``) in chunks; the ``returning`` columns of each row written.

    ``conflict`` is an ``ON CONFLICT`` target with its action, e.g. ``"(reference) DO NOTHING"`` (rows skipped
    by it return nothing).
    """
    engine_type = table._meta.db.engine_type
    name = table._meta.tablename
    per_chunk = max(1, min(MAX_ROWS, MAX_PARAMETERS // max(1, len(columns))))
    head = f"INSERT INTO {name} ({', '.join(columns)}) VALUES "  # noqa: S608 (names come from code)
    tail = (f" ON CONFLICT {conflict}" if conflict else "") + (
        f" RETURNING {', '.join(returning)}" if returning else ""
    )
    found: list[dict[str, Any]] = []
    chunk: list[Sequence[Any]] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == per_chunk:
            found += await _insert_chunk(table, engine_type, head, tail, len(columns), chunk)
            chunk = []
    if chunk:
        found += await _insert_chunk(table, engine_type, head, tail, len(columns), chunk)
    return found


async def insert_records(table: type[Table], records: Sequence[Mapping[str, Any]]) -> None:
    """Insert ``records`` (each a mapping of column name to value, all with the same names) in chunks, in their
    order; every other column but the primary key gets its default, as ``Table(**record)`` would give it (a
    default of "now" is taken once for all of them)."""
    if not records:
        return
    given = list(records[0])
    defaults = {}
    for column in table._meta.columns:
        if column._meta.primary_key or column._meta.name in given:
            continue
        value = column.get_default_value()
        defaults[column._meta.db_column_name] = value.python() if isinstance(value, Default) else value
    rest = tuple(defaults.values())

    def rows() -> Iterable[tuple[Any, ...]]:
        for record in records:
            if len(record) != len(given):
                raise ValueError(f"a record of {sorted(record)} among records of {sorted(given)}")
            yield tuple(record[name] for name in given) + rest

    await insert_rows(table, [*given, *defaults], rows())


async def _insert_chunk(
    table: type[Table], engine_type: str, head: str, tail: str, width: int, chunk: list[Sequence[Any]]
) -> list[dict[str, Any]]:
    args: list[Any] = []
    groups = []
    for row in chunk:
        if len(row) != width:
            raise ValueError(f"a row of {len(row)} values for {width} columns")
        groups.append(_placeholders(engine_type, len(args) + 1, width))
        args.extend(_value(v) for v in row)
    result = await statement(table, head + ", ".join(groups) + tail, args)
    return list(result or [])


async def execute(table: type[Table], sql: str, args: Sequence[Any] = ()) -> list[dict[str, Any]]:
    """Run one statement written with ``{}`` placeholders, turned into the engine's own (``?`` or ``$n``)."""
    engine_type = table._meta.db.engine_type
    parts = sql.split("{}")
    if len(parts) - 1 != len(args):
        raise ValueError(f"{len(parts) - 1} placeholders for {len(args)} values")
    if engine_type == "sqlite":
        text = "?".join(parts)
    else:
        text = parts[0] + "".join(f"${i}{part}" for i, part in enumerate(parts[1:], start=1))
    return list(await statement(table, text, [_value(a) for a in args]) or [])
