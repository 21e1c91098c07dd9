"""A busy database never hangs a page (core.outages, core.db.waiting_at_most): a web request's write waits at most
``web_lock_wait`` seconds for a lock another transaction holds — a row on PostgreSQL (``SET LOCAL lock_timeout``),
the database on SQLite (the writer's ``busy_timeout``, and the writer itself held by this process's own long work) —
then is answered «busy, try again» (503) with nothing written; a job, even one a page started, waits on as before."""

from __future__ import annotations

import asyncio
import contextlib
import json
import secrets
import sqlite3
import time
from collections.abc import AsyncIterator
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import asyncpg
import httpx
import pytest

from tests.conftest import PortalClient
from tests.conftest import committed

WAIT = 1.0  # the web wait of these tests' app (5 s by default)
TRY_AGAIN = "Форма не отправлена: сервис ненадолго занят. Отправьте её ещё раз через минуту."


@pytest.fixture
def quick_app() -> Iterator[Any]:
    from portal.app import create_app
    from portal.settings import Settings
    from portal.settings import get_settings
    from portal.settings import use_settings

    before = get_settings()
    yield create_app(replace(Settings.from_env(), web_lock_wait=WAIT))
    use_settings(before)


@contextlib.asynccontextmanager
async def client_of(app: Any, user_id: int | None = None) -> AsyncIterator[PortalClient]:
    async with PortalClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as c:
        if user_id is not None:
            session = secrets.token_hex(32)
            await app.stores.get("sessions").set(session, json.dumps({"uid": user_id}).encode(), expires_in=600)
            c.cookies.set("session", session, domain="testserver.local")
        yield c


async def _timed(work: Any) -> tuple[Any, float]:
    """The answer of ``work`` and the seconds it took (never more than 10: a hung page fails the test)."""
    started = time.monotonic()
    answer = await asyncio.wait_for(work, 10)
    return answer, time.monotonic() - started


def _job(name: str, work: Any) -> Any:
    from portal.core import jobs

    async def run(now: Any) -> None:
        await work()

    return jobs.Job(name, 3600, run)


async def _name_of(user_id: int) -> str:
    from portal.accounts.tables import User

    return (await User.select(User.full_name).where(User.id == user_id).first())["full_name"]


async def _still_waiting_after_the_web_wait(task: asyncio.Task[Any]) -> None:
    await asyncio.sleep(WAIT + 1)
    assert not task.done(), "it gave up where a page would"


async def test_a_form_whose_row_another_transaction_holds_is_answered_busy_in_time_on_postgres(
    engines: dict[str, Any], quick_app: Any
) -> None:
    from portal.accounts import consent
    from portal.accounts.tables import ConsentRecord
    from portal.accounts.tables import User
    from portal.core import jobs
    from portal.core.db import atomic
    from portal.core.db import waiting_at_most
    from portal.core.tables import AuditEvent

    async with committed(engines, "postgres") as engine:
        user = User(email=f"lock-{secrets.token_hex(4)}@example.ru", full_name="Было Имя", password_hash="")
        await user.save()
        await ConsentRecord(user=user.id, text_version=consent.current_version(), channel="test").save()
        holder = await asyncpg.connect(engine.config["dsn"])
        form = {"full_name": "Стало Имя", "locale": "ru", "channels": "email"}
        back = {"Referer": "http://testserver/profile"}
        try:
            async with client_of(quick_app, user.id) as c:
                for send in (c.form, c.htmx_form):
                    held = holder.transaction()
                    await held.start()
                    await holder.fetch("SELECT id FROM portal_user WHERE id = $1 FOR UPDATE", user.id)  # a long import
                    try:
                        refused, took = await _timed(send("/profile", form, headers=back))
                    finally:
                        await held.rollback()
                    assert refused.status_code == 503, send
                    assert WAIT - 0.2 < took < WAIT + 2
                    assert refused.headers["retry-after"] == "60"
                    assert TRY_AGAIN in refused.text and 'href="/profile"' in refused.text
                    assert "form-taken" not in {k.lower() for k in refused.headers}  # drafts.js keeps the text
                    # Nothing half-written: the name as it was, no audit row of a change that did not happen.
                    assert await _name_of(user.id) == "Было Имя"
                    assert not await AuditEvent.exists().where(
                        (AuditEvent.entity == "user") & (AuditEvent.entity_id == user.id)
                    )
                # Sent again once the row is free, it goes through.
                accepted = await c.form("/profile", form, headers=back)
            assert accepted.status_code == 303
            assert await _name_of(user.id) == "Стало Имя"

            held = holder.transaction()
            await held.start()
            await holder.fetch("SELECT id FROM portal_user WHERE id = $1 FOR UPDATE", user.id)
            try:
                # A page's write outside a transaction (an attempt counted) is bounded as well.
                with waiting_at_most(WAIT), pytest.raises(asyncpg.LockNotAvailableError):
                    await asyncio.wait_for(User.update({User.full_name: "Мимо"}).where(User.id == user.id), 10)

                # A job a page started (``jobs.kick``) waits on for the row, as long as it takes.
                async def rename() -> None:
                    async with atomic():
                        await User.update({User.full_name: "Задание"}).where(User.id == user.id)

                with waiting_at_most(WAIT):
                    task = asyncio.create_task(jobs.run_job(_job("test-lock-wait", rename)))
                await _still_waiting_after_the_web_wait(task)
            finally:
                await held.rollback()
            await asyncio.wait_for(task, 10)
            assert await _name_of(user.id) == "Задание"
            # The pool's connections kept no setting: outside a page they wait as long as the server does.
            async with engine.pool.acquire() as connection:
                assert await connection.fetchval("SHOW lock_timeout") == "0"
        finally:
            await holder.close()
            await AuditEvent.delete().where((AuditEvent.entity == "user") & (AuditEvent.entity_id == user.id))
            await ConsentRecord.delete().where(ConsentRecord.user == user.id)
            await User.delete().where(User.id == user.id)


async def test_a_form_sent_while_sqlite_is_locked_waits_the_web_wait_not_the_busy_timeout(
    engines: dict[str, Any], quick_app: Any
) -> None:
    """The engine waits 30 s for another process's lock (a long import from the command line, a migration); a page
    waits ``web_lock_wait``, whether the lock is another process's or a long write of this one (a job, an import)."""
    from portal.core import db
    from portal.core import jobs
    from portal.core.sqlite_engine import PortalSQLiteEngine
    from portal.core.tables import AttemptCounter

    path = engines["sqlite"].path
    engine = PortalSQLiteEngine(path=path, timeout=30)
    form = {"login": "busy-wait@example.ru"}
    back = {"Referer": "http://testserver/password/forgot"}
    bucket = f"test-lock-wait-{secrets.token_hex(4)}"
    async with committed({"sqlite": engine}, "sqlite"), client_of(quick_app) as c:
        other_process = sqlite3.connect(path, isolation_level=None)
        try:
            other_process.execute("BEGIN IMMEDIATE")
            refused, took = await _timed(c.form("/password/forgot", form, headers=back))
            assert refused.status_code == 503 and TRY_AGAIN in refused.text
            assert WAIT - 0.2 < took < WAIT + 2

            # A job a page started waits on for the other process, as long as the engine does.
            async def count() -> None:
                await AttemptCounter.insert(AttemptCounter(bucket=bucket, hits=1, window_ends=0))

            with db.waiting_at_most(WAIT):
                task = asyncio.create_task(jobs.run_job(_job("test-lock-wait", count)))
            await _still_waiting_after_the_web_wait(task)
            other_process.execute("ROLLBACK")
            await asyncio.wait_for(task, 10)
            assert await AttemptCounter.exists().where(AttemptCounter.bucket == bucket)

            # This process's own long write (a job holding the writer) keeps a page waiting no longer.
            async def long_job() -> None:
                async with db.atomic():
                    await AttemptCounter.update({AttemptCounter.hits: 2}).where(AttemptCounter.bucket == bucket)
                    await asyncio.sleep(WAIT + 2)

            holding = asyncio.create_task(jobs.run_job(_job("test-lock-wait-long", long_job)))
            await asyncio.sleep(0.1)
            refused, took = await _timed(c.form("/password/forgot", form, headers=back))
            assert refused.status_code == 503 and TRY_AGAIN in refused.text
            assert WAIT - 0.2 < took < WAIT + 1
            await holding
            accepted = await c.form("/password/forgot", form, headers=back)
            assert accepted.status_code == 200
        finally:
            other_process.close()
            await AttemptCounter.delete().where(
                AttemptCounter.bucket.like("reset%") | (AttemptCounter.bucket == bucket)
            )
            await db.stop(engine)


async def test_a_checked_import_applied_from_a_page_waits_for_the_database_as_a_job_does(
    engines: dict[str, Any],
) -> None:
    """An import is written whole however long another write holds the database (core.imports.apply), even though
    the page that applies it waits at most the web wait for its own writes."""
    from portal.core import db
    from portal.core import imports
    from portal.core.sqlite_engine import PortalSQLiteEngine
    from portal.core.tables import AttemptCounter

    bucket = f"test-lock-wait-import-{secrets.token_hex(4)}"

    async def check(rows: list[str], who: Any, step: Any) -> imports.Checked:
        return imports.Checked(rows=len(rows))

    async def apply(rows: list[str], who: Any, ip: str) -> imports.Checked:
        async with db.atomic():
            for row in rows:
                await AttemptCounter.insert(AttemptCounter(bucket=f"{bucket}-{row}", hits=1, window_ends=0))
        return imports.Checked(rows=len(rows), applied=True)

    importer = imports.Importer(
        name="test-lock-wait",
        parse=lambda name, content, read: imports.ParseResult(rows=content.decode().split(",")),
        check=check,
        apply=apply,
        dump=lambda row: {"row": row},
        load=lambda kept: kept["row"],
    )
    path = engines["sqlite"].path
    engine = PortalSQLiteEngine(path=path, timeout=30)
    async with committed({"sqlite": engine}, "sqlite"):
        other_process = sqlite3.connect(path, isolation_level=None)
        try:
            with db.waiting_at_most(WAIT):  # as the import's page calls it
                token = await imports.start(importer, "rows.csv", b"a,b", None)
                other_process.execute("BEGIN IMMEDIATE")
                task = asyncio.create_task(imports.apply(importer, token, None))
            await _still_waiting_after_the_web_wait(task)
            other_process.execute("ROLLBACK")
            assert (await asyncio.wait_for(task, 10)).applied
            assert await AttemptCounter.count().where(AttemptCounter.bucket.like(f"{bucket}-%")) == 2
        finally:
            other_process.close()
            await AttemptCounter.delete().where(AttemptCounter.bucket.like(f"{bucket}-%"))
            await db.stop(engine)
