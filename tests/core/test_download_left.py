"""A reader who leaves a streamed download (a tab closed, a HEAD answered once its headers are out) gives its
database connection back to the pool with no transaction open (core.csv_stream.Streamed).

Made certain, on PostgreSQL with a pool of one connection: the export's closing write (the month recorded as
exported) waits for a lock another connection holds, the reader leaves just then, the lock goes. Before the fix
Litestar's cancellation cut the transaction's own rollback short: the connection stayed «idle in transaction»,
outside the pool, and the next page waited for a connection for ever."""

from __future__ import annotations

import asyncio
from typing import Any

import asyncpg
import pytest

from portal.core import db
from portal.meters.tables import MeterExport
from tests.conftest import committed
from tests.two_staff import make_registry
from tests.two_staff import remove_registry
from tests.two_staff import two_staff

BUSY = (
    "SELECT state, wait_event_type FROM pg_stat_activity "
    "WHERE datname = current_database() AND pid <> pg_backend_pid() AND state <> 'idle'"
)


async def _waiting_for_lock(other: asyncpg.Connection) -> None:
    for _ in range(1500):  # 30 s: on a machine busy with other tests the export is slow to reach its record
        # ``other`` holds the lock in a transaction, where PostgreSQL answers pg_stat_activity from one snapshot
        # taken at its first reading: without clearing it, a first look taken before the export reached its record
        # saw it never wait, and the record's lock timeout (5 s) failed the export instead of the reader leaving.
        await other.execute("SELECT pg_stat_clear_snapshot()")
        if any(r["wait_event_type"] == "Lock" for r in await other.fetch(BUSY)):
            return
        await asyncio.sleep(0.02)
    raise AssertionError("the export never waited for the lock")


async def _busy_after_the_lock(other: asyncpg.Connection, hold_released: asyncio.Event) -> list[str]:
    """The sessions still busy once the lock is gone and the export's connection has had its moment to settle (up
    to 10 s on a busy machine): a connection left «idle in transaction» stays so, however long one waits."""
    await asyncio.wait_for(hold_released.wait(), 10)
    states: list[str] = []
    for _ in range(100):
        states = [r["state"] for r in await other.fetch(BUSY)]
        if not states:
            break
        await asyncio.sleep(0.1)
    return states


async def _pool_given_back(engine: Any) -> None:
    """A connection left out of the pool (the failure this file is about): a new pool, to clean up with."""
    if engine.pool.get_idle_size() == 0:
        engine.pool.terminate()
        engine.pool = None
        await db.start(engine)


def _request(path: str, query: str, session: str) -> dict[str, Any]:
    headers = [(b"host", b"testserver"), (b"cookie", f"session={session}".encode())]
    return {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET", "scheme": "http",
        "path": path, "raw_path": path.encode(), "query_string": query.encode(), "root_path": "", "headers": headers,
        "client": ("127.0.0.1", 50000), "server": ("testserver", 80),
    }  # fmt: skip


async def _leave_while_recording(
    app: Any, other: asyncpg.Connection, house: int, session: str
) -> tuple[list[Any], list[str]]:
    """The export of ``house``'s month, its reader leaving while its record waits for ``other``'s lock on the table
    of exports (let go a moment later); what the app sent, and the sessions still busy after."""
    hold = other.transaction()
    released = asyncio.Event()

    async def let_go() -> None:
        await hold.rollback()
        released.set()

    await hold.start()
    await other.execute("LOCK TABLE meter_export IN ACCESS EXCLUSIVE MODE")
    asked: list[str] = []
    sent: list[Any] = []

    async def receive() -> dict[str, Any]:
        if not asked:
            asked.append("body")
            return {"type": "http.request", "body": b"", "more_body": False}
        await _waiting_for_lock(other)  # the export is writing its record: the reader leaves now
        asyncio.get_running_loop().call_later(0.2, lambda: asyncio.ensure_future(let_go()))
        return {"type": "http.disconnect"}

    async def send(message: Any) -> None:
        sent.append(message)

    scope = _request("/staff/meters/export.csv", f"period=2026-11&house={house}", session)
    await asyncio.wait_for(app(scope, receive, send), 30)
    return sent, await _busy_after_the_lock(other, released)


async def test_a_reader_leaving_mid_export_leaves_no_connection_in_a_transaction(
    app: Any, engines: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    if "postgres" not in engines:
        pytest.skip("PostgreSQL is not available: set TEST_POSTGRES_URL (CI always does)")
    monkeypatch.setattr(db, "POOL_MIN", 1)
    monkeypatch.setattr(db, "POOL_MAX", 1)
    async with committed(engines, "postgres") as engine:
        ids = await make_registry()
        other = await asyncpg.connect(engine.config["dsn"])
        try:
            async with two_staff(app, roles=("accountant",), houses=(ids["house"],)) as (accountant, _):
                try:
                    sent, busy = await _leave_while_recording(app, other, ids["house"], accountant.cookies["session"])
                    assert sent[0]["status"] == 200
                    assert busy == []  # nobody left «idle in transaction»
                    page = await asyncio.wait_for(accountant.get("/staff/meters"), 30)  # the pool's one connection
                    assert page.status_code == 200
                    # The record begun is written whole: a write is never cut in the middle by the reader leaving.
                    assert await MeterExport.count().where(MeterExport.house == ids["house"]) == 1
                finally:
                    # Its lock let go before the staff are removed: a failure above otherwise left the removal
                    # waiting on that lock for ever, and the whole run hung.
                    await other.close()
                    await _pool_given_back(engine)
        finally:
            if not other.is_closed():
                await other.close()
            await MeterExport.delete().where(MeterExport.house == ids["house"])
            await remove_registry(ids)
