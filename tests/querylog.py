"""The queries an engine runs, and their plans: shared by the query-count and query-plan tests and the bench."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from piccolo.querystring import QueryString

from portal.core.db import is_sqlite

INDEXED_SQLITE = ("USING INDEX", "USING COVERING INDEX", "USING INTEGER PRIMARY KEY")


@contextmanager
def captured(engine: Any) -> Iterator[list[QueryString]]:
    """The query strings ``engine`` runs inside the block (the engine class has slots: patched on the class)."""
    seen: list[QueryString] = []
    cls = type(engine)
    original = cls.run_querystring

    async def run(self: Any, querystring: QueryString, *args: Any, **kwargs: Any) -> Any:
        if self is engine:
            seen.append(querystring)
        return await original(self, querystring, *args, **kwargs)

    cls.run_querystring = run  # type: ignore[method-assign]
    try:
        yield seen
    finally:
        cls.run_querystring = original  # type: ignore[method-assign]


async def plan_of(engine: Any, querystring: QueryString, *, forbid_seqscan: bool = False) -> str:
    """EXPLAIN QUERY PLAN on SQLite, EXPLAIN on PostgreSQL (optionally with sequential scans switched off,
    which shows whether an index can serve the query at all on small test data)."""
    if is_sqlite(engine):
        rows = await engine.run_querystring(QueryString("EXPLAIN QUERY PLAN {}", querystring))
        return "\n".join(row["detail"] for row in rows)
    if forbid_seqscan:
        await engine.run_ddl("SET LOCAL enable_seqscan = off")
    rows = await engine.run_querystring(QueryString("EXPLAIN {}", querystring))
    return "\n".join(row["QUERY PLAN"] for row in rows)


def unindexed_steps(plan: str, table: str, sqlite: bool) -> list[str]:
    """The steps of a plan that read ``table`` without an index (empty: the query is indexed)."""
    if sqlite:
        steps = [line for line in plan.splitlines() if re.search(rf"\b(SCAN|SEARCH) {table}\b", line)]
        return [line for line in steps if not any(marker in line for marker in INDEXED_SQLITE)]
    return [line.strip() for line in plan.splitlines() if re.search(rf"Seq Scan on {table}\b", line)]
