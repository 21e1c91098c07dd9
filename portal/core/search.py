"""Staff text search backed by the engine's own index, never a ``LIKE '%…%'`` scan of a growing table.

A searchable table keeps one lower-cased text column (number, address, names, description). The index:
- PostgreSQL: a ``pg_trgm`` GIN index on the column, so ``column LIKE '%term%'`` (substrings of numbers and names,
  any language) is answered from the index;
- SQLite: an FTS5 table with the ``trigram`` tokenizer over the column (external content, kept in step by
  triggers), queried with ``MATCH``.
Every word of the query must occur (AND). Words shorter than 3 characters cannot use a trigram index: they are
dropped, except a number, which is matched exactly against ``number_column`` when one is given.

``search_ddl(table, column)`` gives the statements a migration runs to build the index on the current engine.
"""

from __future__ import annotations

import re
from string import Template

from piccolo.columns.combination import WhereRaw
from piccolo.engine.base import Engine

from portal.core.db import get_engine
from portal.core.db import is_sqlite

MAX_TERMS = 6
MIN_TERM = 3


def normalise(text: str) -> str:
    """What is stored in a search column and what a query is compared with: lower case, ё → е, single ordinary
    spaces. Any white space counts as one, the no-break spaces too (U+00A0, U+202F): a stored sentence keeps a
    number with its unit by one («18\u00a0полных дней», ``i18n.fill``), a query is typed with ordinary spaces."""
    return re.sub(r"\s+", " ", (text or "").lower().replace("ё", "е")).strip()


def terms_of(query: str) -> list[str]:
    """The words of a query that the index can answer (3+ characters), at most six."""
    words = [w.strip("\"'%_*") for w in normalise(query).split(" ")]
    return [w for w in words if len(w) >= MIN_TERM][:MAX_TERMS]


def text_match(table: str, column: str, query: str, *, engine: Engine | None = None) -> WhereRaw | None:
    """A WHERE clause selecting the rows of ``table`` whose ``column`` contains every word of ``query``.

    ``None`` when the query has no word the index can answer (the caller decides: ignore, or match a number).
    """
    words = terms_of(query)
    if not words:
        return None
    table, column = _identifier(table), _identifier(column)
    if is_sqlite(engine or get_engine()):
        expression = " AND ".join('"' + w.replace('"', '""') + '"' for w in words)
        sql = f"{table}.id IN (SELECT rowid FROM {table}_fts WHERE {table}_fts MATCH {{}})"  # noqa: S608 (identifiers checked)
        return WhereRaw(sql, expression)
    clause = " AND ".join(f"{table}.{column} LIKE {{}}" for _ in words)
    return WhereRaw(clause, *("%" + escape_like(w) + "%" for w in words))


def _identifier(name: str) -> str:
    """Table and column names come from code, never from a request; refuse anything but a plain identifier."""
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", name):
        raise ValueError(f"not an identifier: {name!r}")
    return name


def escape_like(word: str) -> str:
    return word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def search_ddl(table: str, column: str, *, sqlite: bool) -> list[str]:
    """Statements that build the search index of ``table.column`` (run by a migration, on either engine)."""
    table, column = _identifier(table), _identifier(column)
    if not sqlite:
        return [
            "CREATE EXTENSION IF NOT EXISTS pg_trgm",
            f"CREATE INDEX IF NOT EXISTS {table}_{column}_trgm ON {table} USING gin ({column} gin_trgm_ops)",
        ]
    names = {"fts": f"{table}_fts", "table": table, "column": column}
    # Identifiers only (checked above): DDL cannot take parameters.
    return [Template(statement).substitute(names) for statement in _SQLITE_FTS]


_SQLITE_FTS = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS $fts USING fts5($column, content='$table', content_rowid='id', "
    "tokenize='trigram')",
    "CREATE TRIGGER IF NOT EXISTS ${fts}_ai AFTER INSERT ON $table BEGIN "
    "INSERT INTO $fts(rowid, $column) VALUES (new.id, new.$column); END",
    "CREATE TRIGGER IF NOT EXISTS ${fts}_ad AFTER DELETE ON $table BEGIN "
    "INSERT INTO $fts($fts, rowid, $column) VALUES ('delete', old.id, old.$column); END",
    "CREATE TRIGGER IF NOT EXISTS ${fts}_au AFTER UPDATE OF $column ON $table BEGIN "
    "INSERT INTO $fts($fts, rowid, $column) VALUES ('delete', old.id, old.$column); "
    "INSERT INTO $fts(rowid, $column) VALUES (new.id, new.$column); END",
    "INSERT INTO $fts($fts) VALUES ('rebuild')",
)
