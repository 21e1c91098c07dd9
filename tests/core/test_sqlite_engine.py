"""The embedded SQLite engine: long-lived connections, one writer, savepoints and IMMEDIATE transactions."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from portal.core import db
from portal.core.sqlite_engine import PortalSQLiteEngine
from portal.core.sqlite_engine import is_read


@pytest.fixture
async def engine(tmp_path: Path) -> AsyncIterator[PortalSQLiteEngine]:
    made = db.make_engine(f"sqlite:///{tmp_path / 'e.sqlite'}")
    assert isinstance(made, PortalSQLiteEngine)
    await made.run_ddl("CREATE TABLE item (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, n INTEGER DEFAULT 0)")
    previous = db.get_engine()
    db.use_engine(made, tables=[])
    yield made
    db.use_engine(previous, tables=[])
    await db.stop(made)


def _threads() -> set[str]:
    return {t.name for t in threading.enumerate() if t.name.startswith("sqlite-")}


async def test_queries_reuse_long_lived_connections(engine: PortalSQLiteEngine) -> None:
    for n in range(50):
        await engine._run("INSERT INTO item (name) VALUES (?)", [f"item {n}"])
    before = _threads()
    results = await asyncio.gather(*(engine.run_ddl("SELECT count(*) AS c FROM item") for _ in range(200)))
    assert {r[0]["c"] for r in results} == {50}
    # One writer thread, however many queries ran; reads start no thread at all.
    assert _threads() == before and len(before) == 1, before
    mode = await engine.run_ddl("PRAGMA journal_mode")
    assert mode[0]["journal_mode"] == "wal"


async def test_a_reader_never_writes(engine: PortalSQLiteEngine) -> None:
    import sqlite3

    with pytest.raises(sqlite3.OperationalError):
        await engine._read("DELETE FROM item", [])
    assert is_read("SELECT 1") and is_read("  (SELECT 1)") and is_read("WITH a AS (SELECT 1) SELECT * FROM a")
    assert not is_read("WITH a AS (SELECT 1) DELETE FROM item") and not is_read("INSERT INTO item VALUES (1)")


def test_a_with_statement_is_a_write_only_by_a_write_word_of_its_own() -> None:
    assert is_read("WITH a AS (SELECT updated_at, deleted_on FROM item) SELECT * FROM a")
    assert not is_read("with a as (select 1) update item set n = 2")
    assert not is_read("WITH gone AS (DELETE FROM item RETURNING id) SELECT count(*) FROM gone")


def test_a_long_read_is_told_without_a_case_blind_search(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every statement of a page is asked (the news of the resident home is a WITH of 1,600 characters): the
    case-blind search runs only where a write word appears at all."""
    from portal.core import sqlite_engine

    class Refused:
        def search(self, sql: str) -> None:
            raise AssertionError(f"searched: {sql}")

    monkeypatch.setattr(sqlite_engine, "_WRITE_WORD", Refused())
    columns = ", ".join(f"p.c{n}" for n in range(200))
    sql = f"WITH m AS (SELECT a.id FROM account a) SELECT {columns} FROM post p JOIN m ON m.id = p.id"  # noqa: S608
    assert is_read(sql)


async def test_atomic_rolls_back_only_its_savepoint(engine: PortalSQLiteEngine) -> None:
    async with db.atomic():
        await engine.run_ddl("INSERT INTO item (name) VALUES ('kept')")
        with pytest.raises(RuntimeError):
            async with db.atomic():
                await engine.run_ddl("INSERT INTO item (name) VALUES ('undone')")
                raise RuntimeError("inner failure")
    names = [r["name"] for r in await engine.run_ddl("SELECT name FROM item ORDER BY id")]
    assert names == ["kept"]


async def test_concurrent_read_then_write_transactions_all_commit(engine: PortalSQLiteEngine) -> None:
    await engine.run_ddl("INSERT INTO item (name, n) VALUES ('counter', 0)")

    async def bump() -> None:
        async with db.atomic():
            row = await engine.run_ddl("SELECT n FROM item WHERE name = 'counter'")
            await asyncio.sleep(0)
            await engine._run("UPDATE item SET n = ? WHERE name = 'counter'", [row[0]["n"] + 1])

    await asyncio.gather(*(bump() for _ in range(40)))
    assert (await engine.run_ddl("SELECT n FROM item WHERE name = 'counter'"))[0]["n"] == 40


async def test_readers_see_committed_writes_and_not_open_ones(engine: PortalSQLiteEngine) -> None:
    seen_inside: list[int] = []
    started, checked = asyncio.Event(), asyncio.Event()

    async def writer() -> None:
        async with engine.transaction():
            await engine.run_ddl("INSERT INTO item (name) VALUES ('pending')")
            started.set()
            await checked.wait()

    async def reader() -> None:
        await started.wait()
        seen_inside.append((await engine._read("SELECT count(*) AS c FROM item", []))[0]["c"])
        checked.set()

    await asyncio.gather(writer(), reader())
    assert seen_inside == [0]
    assert (await engine.run_ddl("SELECT count(*) AS c FROM item"))[0]["c"] == 1


async def test_a_failed_transaction_frees_the_writer(engine: PortalSQLiteEngine) -> None:
    import sqlite3

    with pytest.raises(sqlite3.IntegrityError):
        async with db.atomic():
            await engine.run_ddl("INSERT INTO item (name) VALUES ('twice')")
            await engine.run_ddl("INSERT INTO item (name) VALUES ('twice')")
    await asyncio.wait_for(engine.run_ddl("INSERT INTO item (name) VALUES ('after')"), 5)
    assert [r["name"] for r in await engine.run_ddl("SELECT name FROM item")] == ["after"]
