"""Meter readings at the size of a month's billing: 100,000 readings in one period (``BENCH_READINGS``), on SQLite
and on PostgreSQL — the export to the billing system and the list of accounts without readings.

Each engine gets its own database (SQLite in a temporary folder; PostgreSQL a new database on the server of
``TEST_POSTGRES_URL`` or ``BENCH_POSTGRES_URL``, dropped afterwards), migrated as the app migrates, then loaded in
chunks: flats in houses of 500 with one account each, three meters an account (cold and hot water, electricity),
a reading of every meter for the previous period and, for the period measured, readings of all but 2 meters in 27
(exactly ``BENCH_READINGS``; one reading in 100 waits for review and stays out of the export).

Timed: ``queries.export_rows`` read to the end (every row, in chunks, as the CSV download reads it, the lines of
registers without a reading and their basis too; the readings counted) and
``queries.missing_accounts_page`` (the first page and its count, as ``/staff/meters/missing`` runs them). The plans
of their queries are printed (``-s``) and kept in ``var/bench/meters_plans_<engine>.txt``; the benchmark fails if
a step reads ``meter_reading`` without an index (on PostgreSQL from 50,000 readings up: on a few thousand its
planner rightly reads the table whole).

    TEST_POSTGRES_URL=postgresql://postgres@127.0.0.1:5432/portal_test \\
        .venv/bin/python -m pytest -q -s bench/test_bench_meters.py --benchmark-only
"""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC
from datetime import date
from datetime import datetime
from typing import Any

import pytest

from bench.conftest import ROOT
from bench.conftest import make_accounts
from portal.core.pagination import PageRequest
from portal.core.security import Principal
from portal.meters import queries
from portal.meters.forms import ListFilter
from portal.meters.tables import Meter
from portal.meters.tables import MeterReading
from portal.meters.tables import Review
from portal.meters.tables import Service
from tests import querylog
from tests.querylog import captured
from tests.querylog import plan_of

READINGS = int(os.environ.get("BENCH_READINGS", "100000"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
POSTGRES_URL = os.environ.get("BENCH_POSTGRES_URL") or os.environ.get("TEST_POSTGRES_URL", "")
PERIOD = date(2026, 11, 1)
PREVIOUS = date(2026, 10, 1)
SERVICES = (Service.COLD_WATER, Service.HOT_WATER, Service.ELECTRICITY)
# Of every 27 meters 2 have no reading for the period: 27 × n meters give exactly 25 × n readings.
ACCOUNTS = -(-READINGS * 27 // 25 // len(SERVICES))
PLANS = ROOT / "var" / "bench"
MOMENT = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
ADMIN = Principal(user_id=1, name="Админ", staff_roles=frozenset({"admin"}), house_ids=None)


def _migrate(url: str) -> None:
    env = {**os.environ, "DATABASE_URL": url}
    result = subprocess.run(
        [sys.executable, "-m", "portal", "migrate"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600
    )
    if result.returncode != 0:
        raise RuntimeError(f"migrations failed:\n{result.stdout}\n{result.stderr}")


async def _postgres_database(name: str, *, drop_only: bool = False) -> str | None:
    import asyncpg

    try:
        conn = await asyncpg.connect(POSTGRES_URL, timeout=3)
    except Exception:
        return None
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if not drop_only:
            await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    return POSTGRES_URL.rsplit("/", 1)[0] + "/" + name


async def load() -> dict[str, int]:
    """The accounts (through Piccolo, in houses of 500), then their meters and two periods of readings built by
    the database itself (``INSERT … SELECT``, no row crosses the wire); returns what the period holds."""
    await make_accounts(ACCOUNTS, "77")
    meter_columns = (
        "account, service, serial, place, digits, decimals, zones, installed_on, next_verification, failed_on, "
        "status, removed_on, replaced_by, verification_ticket, created_at, updated_at"
    )
    for n, service in enumerate(SERVICES):
        await Meter.raw(
            f"INSERT INTO meter ({meter_columns}) SELECT a.id, {{}}, 'B' || a.number || '{n}', '', 5, 3, 1, NULL, "  # noqa: S608
            "NULL, NULL, 'active', NULL, NULL, NULL, {}, {} FROM personal_account a",
            service.value,
            MOMENT,
            MOMENT,
        )
    reading_columns = (
        "meter, zone, value, consumption, period, submitted_at, source, submitted_by, rollover, flagged, photo, "
        "review, reviewed_by, reviewed_at, review_note, original_value"
    )
    # Every meter in the previous period; in the period all but 2 in 27 (by the order of the meters' ids), one in
    # 100 of those an implausible jump waiting for review.
    await MeterReading.raw(
        f"INSERT INTO meter_reading ({reading_columns}) SELECT m.id, 1, 100 + m.id % 50, 10, {{}}, {{}}, 'portal', "  # noqa: S608
        "NULL, FALSE, FALSE, '', '', NULL, NULL, '', NULL FROM meter m",
        PREVIOUS,
        MOMENT,
    )
    await MeterReading.raw(
        f"INSERT INTO meter_reading ({reading_columns}) SELECT m.id, 1, "  # noqa: S608
        "CASE WHEN m.id % 100 = 5 THEN 200 + m.id % 50 ELSE 110 + m.id % 50 END, "
        "CASE WHEN m.id % 100 = 5 THEN 100 ELSE 10 END, {}, {}, "
        "CASE WHEN m.id % 9 = 0 THEN 'phone' ELSE 'portal' END, NULL, FALSE, m.id % 100 = 5, '', "
        "CASE WHEN m.id % 100 = 5 THEN 'pending' ELSE '' END, NULL, NULL, '', NULL "
        "FROM meter m WHERE m.id % 27 NOT IN (0, 13)",
        PERIOD,
        MOMENT,
    )
    in_period = MeterReading.period == PERIOD
    counted = {
        "readings": await MeterReading.count().where(in_period),
        "pending": await MeterReading.count().where(in_period & (MeterReading.review == Review.PENDING)),
    }
    missing = await Meter.raw(
        "SELECT COUNT(DISTINCT m.account) AS n FROM meter m WHERE NOT EXISTS "
        "(SELECT 1 FROM meter_reading r WHERE r.meter = m.id AND r.period = {})",
        PERIOD,
    )
    counted["missing_accounts"] = int(missing[0]["n"])
    return counted


async def _analyze() -> None:
    from portal.core.db import get_engine
    from portal.core.db import is_sqlite

    engine = get_engine()
    await engine.run_ddl("ANALYZE" if is_sqlite(engine) else "VACUUM ANALYZE")


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def meters_db(
    request: pytest.FixtureRequest, loop: asyncio.AbstractEventLoop, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, Any]]:
    """A migrated database holding ``READINGS`` readings in one period, on each engine."""
    from portal.core import db

    kind = request.param
    pg_name = f"portal_bench_meters_{os.getpid()}"
    if kind == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('meters') / 'meters.sqlite'}"
    else:
        found = loop.run_until_complete(_postgres_database(pg_name)) if POSTGRES_URL else None
        if found is None:
            pytest.skip("PostgreSQL is not reachable: set TEST_POSTGRES_URL (or BENCH_POSTGRES_URL)")
        url = found
    previous = db.get_engine()
    engine = db.make_engine(url)
    try:
        began = time.perf_counter()
        _migrate(url)
        db.use_engine(engine)
        loop.run_until_complete(db.start(engine))
        world: dict[str, Any] = loop.run_until_complete(load())
        loop.run_until_complete(_analyze())
        world.update(engine=engine, kind=kind, load_seconds=time.perf_counter() - began, plans=[])
        print(f"\n[{kind}] {world['readings']:,} readings of {PERIOD:%Y-%m} loaded in {world['load_seconds']:.0f} s")
        yield world
        PLANS.mkdir(parents=True, exist_ok=True)
        (PLANS / f"meters_plans_{kind}.txt").write_text("\n\n".join(world["plans"]) + "\n", encoding="utf-8")
    finally:
        loop.run_until_complete(db.stop(engine))
        db.use_engine(previous)
        if kind == "postgres":
            loop.run_until_complete(_postgres_database(pg_name, drop_only=True))


def _plans(world: dict[str, Any], name: str, run: Any, loop: asyncio.AbstractEventLoop, capsys: Any) -> None:
    """Print and keep the plans of the distinct queries ``run`` sends; fail on a step reading ``meter_reading``
    without an index."""
    kind, engine = world["kind"], world["engine"]
    with captured(engine) as seen:
        run()
    report, unindexed, done = [], [], set()
    for querystring in seen:
        text = querystring.__str__()
        shape = re.sub(r"\d+", "N", text)  # the export's chunks differ only in where they start
        if shape in done:
            continue
        done.add(shape)
        plan = loop.run_until_complete(plan_of(engine, querystring))
        unindexed += querylog.unindexed_steps(plan, "meter_reading", kind == "sqlite")
        report.append(f"-- {kind} / {name}\n{text}\n{plan}")
    world["plans"].extend(report)
    with capsys.disabled():
        print("\n" + "\n\n".join(report))
        print(f"-- {kind} / {name}: {unindexed or 'every step on meter_reading uses an index'}")
    if kind == "sqlite" or READINGS >= 50_000:  # a few thousand rows PostgreSQL rightly reads whole
        assert unindexed == [], "\n".join(report)


def test_export_of_the_periods_readings(
    benchmark: Any, loop: asyncio.AbstractEventLoop, meters_db: dict[str, Any], capsys: Any
) -> None:
    benchmark.group = f"meters, {READINGS:,} readings in a period, {meters_db['kind']}"
    benchmark.extra_info.update(engine=meters_db["kind"], readings=READINGS)

    def run() -> int:
        async def read() -> int:
            return sum([1 async for row in queries.export_rows(ADMIN, PERIOD) if row.reading_id])

        return loop.run_until_complete(read())

    exported = benchmark.pedantic(run, rounds=ROUNDS, iterations=1, warmup_rounds=1)
    assert exported == meters_db["readings"] - meters_db["pending"]
    _plans(meters_db, "export", run, loop, capsys)


def test_accounts_without_readings(
    benchmark: Any, loop: asyncio.AbstractEventLoop, meters_db: dict[str, Any], capsys: Any
) -> None:
    benchmark.group = f"meters, {READINGS:,} readings in a period, {meters_db['kind']}"
    benchmark.extra_info.update(engine=meters_db["kind"], readings=READINGS)
    page = PageRequest(1, 30)

    def run() -> Any:
        return loop.run_until_complete(queries.missing_accounts_page(ADMIN, ListFilter(period=PERIOD), page))

    result = benchmark.pedantic(run, rounds=ROUNDS, iterations=1, warmup_rounds=1)
    assert result.total == meters_db["missing_accounts"] and len(result.items) == 30
    assert sum(a.missing for a in result.items) >= 30
    _plans(meters_db, "missing accounts", run, loop, capsys)
