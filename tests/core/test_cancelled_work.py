"""Work stopped in the middle of a transaction (a job cut off at its bound by the embedded scheduler or SAQ's worker,
a request whose client went away) leaves nothing half-written and the database as usable as before, on both
engines: what it wrote is rolled back, the connection is handed on clean, and the next unit of work commits."""

from __future__ import annotations

import asyncio
import secrets
from typing import Any

import pytest

from tests.conftest import committed

# A statement that keeps the database busy for a few seconds on each engine.
_SLOW = {
    "postgres": "SELECT pg_sleep(3)",
    "sqlite": "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 30000000) "
    "SELECT COUNT(*) FROM n",
}


async def _written(action: str) -> int:
    from portal.core.tables import AuditEvent

    return await AuditEvent.count().where(AuditEvent.action == action)


async def _write(action: str) -> None:
    from portal.core.tables import AuditEvent

    await AuditEvent.insert(AuditEvent(action=action, entity="test"))


@pytest.mark.parametrize("engine_name", ["sqlite", "postgres"])
@pytest.mark.parametrize("stopped_in", ["waiting", "statement"])
async def test_a_unit_of_work_stopped_midway_leaves_nothing_and_the_next_one_commits(
    engines: dict[str, Any], engine_name: str, stopped_in: str
) -> None:
    from portal.core.db import atomic
    from portal.core.tables import AuditEvent

    marker = f"test.cancelled.{secrets.token_hex(4)}"
    async with committed(engines, engine_name) as engine:
        try:

            async def work() -> None:
                async with atomic():
                    await _write(marker)
                    if stopped_in == "statement":
                        await AuditEvent.raw(_SLOW[engine_name])
                    else:
                        await asyncio.sleep(30)  # a mail server that never answers

            with pytest.raises(TimeoutError):
                async with asyncio.timeout(0.3):
                    await work()
            assert engine.current_transaction.get() is None
            assert await _written(marker) == 0  # nothing of the stopped work stays
            async with asyncio.timeout(30):  # the database is usable again, not left locked or mid-transaction
                for _ in range(3):
                    async with atomic():
                        await _write(f"{marker}.next")
            assert await _written(f"{marker}.next") == 3
        finally:
            await AuditEvent.delete().where(AuditEvent.action.like(f"{marker}%"))
