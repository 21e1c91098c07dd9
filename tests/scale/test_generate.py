"""``bench/generate.py`` on a small scale: the generated database has exactly the schema of a migrated one.

The generator drops indexes, unique constraints and primary keys for the load and builds them again after;
this compares every index, constraint, table and trigger of a generated database with those of a database that
only ran the migrations, and checks the rows it promises. PostgreSQL only (``TEST_POSTGRES_URL`` or
``BENCH_POSTGRES_URL``); each run makes two databases of its own and drops them.

    TEST_POSTGRES_URL=postgresql://postgres@127.0.0.1:5432/portal_test \\
        .venv/bin/python -m pytest -q tests/scale/test_generate.py
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from bench import generate
from portal.core.search import normalise

ROOT = Path(__file__).resolve().parents[2]
SERVER = os.environ.get("BENCH_POSTGRES_URL") or os.environ.get("TEST_POSTGRES_URL") or ""
ACCOUNTS = 450  # three houses, the last one not full

pytestmark = pytest.mark.skipif(not SERVER.startswith("postgres"), reason="needs TEST_POSTGRES_URL (PostgreSQL)")


def migrated(url: str) -> None:
    generate.recreate(url)
    env = {**os.environ, "DATABASE_URL": url, "PICCOLO_CONF": "piccolo_conf"}
    command = [sys.executable, "-m", "portal", "migrate"]
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-3000:]


@pytest.fixture(scope="module")
def databases() -> Iterator[tuple[str, str]]:
    base = SERVER.rsplit("/", 1)[0]
    suffix = uuid.uuid4().hex[:8]
    reference, generated = f"{base}/portal_genref_{suffix}", f"{base}/portal_gen_{suffix}"
    migrated(reference)
    migrated(generated)
    previous = os.environ.get("DATABASE_URL")
    os.environ["DATABASE_URL"] = generated
    try:
        asyncio.run(generate.generate(generated, ACCOUNTS, date(2026, 12, 1)))
        yield reference, generated
    finally:
        if previous is None:
            os.environ.pop("DATABASE_URL", None)
        else:
            os.environ["DATABASE_URL"] = previous

        async def drop() -> None:
            import asyncpg

            conn = await asyncpg.connect(base + "/postgres")
            try:
                for url in (reference, generated):
                    await conn.execute(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)')
            finally:
                await conn.close()

        asyncio.run(drop())


async def _schema(url: str) -> list[tuple[str, str, str]]:
    import asyncpg

    conn = await asyncpg.connect(url)
    try:
        return await generate.schema(conn)
    finally:
        await conn.close()


def test_the_generated_schema_is_the_migrated_one(databases: tuple[str, str]) -> None:
    reference, generated = databases
    expected, actual = asyncio.run(_schema(reference)), asyncio.run(_schema(generated))
    assert any(kind == "index" and name == "charge.charge_account_period_service" for kind, name, _ in actual)
    assert any(kind == "constraint" and name == "charge.charge_pkey" for kind, name, _ in actual)
    assert generate.schema_difference(expected, actual) == []


def test_a_dropped_index_is_a_difference() -> None:
    expected = [("index", "charge.charge_period", "CREATE INDEX charge_period ON public.charge USING btree (period)")]
    assert generate.schema_difference(expected, []) == [
        "- index charge.charge_period CREATE INDEX charge_period ON public.charge USING btree (period)"
    ]
    assert generate.schema_difference([], [("table", "charge", "ru")]) == ["+ table charge ru"]


def test_the_rows_promised(databases: tuple[str, str]) -> None:
    _, generated = databases

    async def counts() -> dict[str, int]:
        import asyncpg

        conn = await asyncpg.connect(generated)
        try:
            row = await conn.fetchrow(
                "SELECT (SELECT count(*) FROM personal_account) AS accounts, (SELECT count(*) FROM charge) AS charges,"
                " (SELECT count(DISTINCT period) FROM charge) AS months, (SELECT count(*) FROM receipt) AS receipts,"
                " (SELECT count(*) FROM receipt_section) AS sections, (SELECT count(*) FROM ticket) AS tickets,"
                " (SELECT count(*) FROM service) AS services,"
                " (SELECT count(*) FROM balance WHERE closing_kopecks > charged_kopecks) AS debtors,"
                " (SELECT count(*) FROM ledger_entry l LEFT JOIN personal_account a ON a.id = l.account"
                "  WHERE a.id IS NULL) AS orphans,"
                " (SELECT last_value FROM charge_id_seq) > (SELECT max(id) FROM charge) AS sequence_ahead,"
                " (SELECT count(*) FROM portal_user WHERE email = 'dispatcher@demo.ru') AS dispatcher"
            )
            return dict(row)
        finally:
            await conn.close()

    got = asyncio.run(counts())
    assert got["accounts"] == ACCOUNTS
    assert got["months"] == generate.MONTHS
    assert got["charges"] == ACCOUNTS * got["services"] * generate.MONTHS
    assert got["receipts"] == ACCOUNTS * generate.MONTHS
    assert got["sections"] == 2 * got["receipts"]
    assert got["tickets"] == ACCOUNTS
    assert got["debtors"] > 0
    assert got["orphans"] == 0
    assert got["sequence_ahead"] is True
    assert got["dispatcher"] == 1


def test_the_search_texts_are_the_portals(databases: tuple[str, str]) -> None:
    """Each request's search text is the one the portal writes (``rules.search_text``): rebuilt again by the
    portal, nothing changes, and it holds the house's address and the account's number, as in production."""
    _, generated = databases

    async def texts() -> tuple[dict[int, str], dict[int, str], list[tuple[str, str, str]]]:
        from portal.core import db
        from portal.tickets.actions import refresh_search_text
        from portal.tickets.tables import Ticket

        previous = db.get_engine()  # given back after: the generated database is not the tests' own
        engine = db.make_engine(generated)
        db.use_engine(engine)
        await db.start(engine)
        try:
            rows = await Ticket.select(Ticket.id, Ticket.search_text).order_by(Ticket.id).limit(20)
            before = {r["id"]: r["search_text"] for r in rows}
            await refresh_search_text(list(before))
            rows = await Ticket.select(Ticket.id, Ticket.search_text).where(Ticket.id.is_in(list(before)))
            after = {r["id"]: r["search_text"] for r in rows}
            parts = await Ticket.select(Ticket.search_text, Ticket.house._.address, Ticket.account._.number).where(
                Ticket.id.is_in(list(before))
            )
            named = [(r["search_text"], r["house.address"], r["account.number"]) for r in parts]
            return before, after, named
        finally:
            await db.stop(engine)
            db.use_engine(previous)

    before, after, named = asyncio.run(texts())
    assert len(before) == 20
    assert before == after
    for text, address, number in named:
        assert normalise(address) in text and normalise(number) in text
