"""A company's database made by an older release upgrades with the operator's command and keeps its rows (both
engines).

The database is migrated as the release before ``OLDER`` left it (each app up to its last migration before that
moment, in the order ``portal migrate`` runs the apps), filled by plain SQL with a resident's account, charge,
correction, payment, refund, month's balance, meter reading and requests, an outage notice, a bank registry's line
and a month of the dashboard (with the company's total), then migrated forward with ``portal migrate``. Every
migration after ``OLDER`` runs on rows here, so one written for an empty table fails: a data migration reading
through the app's code a column that a later migration adds, a NOT NULL column added without a default, a table
rebuilt without its rows (SQLite). Two migrations from scratch a run: a few seconds on each engine."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import POSTGRES_URL
from tests.conftest import ROOT
from tests.conftest import _drop_postgres_database
from tests.conftest import _postgres_database
from tests.conftest import missing

# The first migration the older release did not have (requests and history in English, 3 December 2026).
OLDER = "2026-12-03T13:00"

_TO_OLDER = """
import sys
from piccolo.apps.migrations.commands.base import BaseMigrationManager
from piccolo.apps.migrations.commands.forwards import run_forwards
from portal.cli import run_async

async def older():
    manager = BaseMigrationManager()
    for app in manager.get_sorted_app_names():
        folder = manager.get_app_config(app).resolved_migrations_folder_path
        ids = [i for i in sorted(manager.get_migration_modules(folder)) if i < sys.argv[1]]
        if ids:
            result = await run_forwards(app_name=app, migration_id=ids[-1])
            assert result.success, (app, result.message)

run_async(older)
"""

# What a resident and the dispatch service left behind before the upgrade. The requests are those the data
# migrations since then rework: one the resident closed on their word, an open emergency stored as planned works
# (no deadline), a done one stored as paid works (no deadline either).
ROWS = """
INSERT INTO complex (id, name, city) VALUES (1, 'ЖК Садовый', 'Симферополь');
INSERT INTO house (id, complex, address, floors) VALUES (1, 1, 'ул. Садовая, 1', 9);
INSERT INTO premise (id, house, kind, number, floor, area) VALUES (1, 1, 'flat', '12', 3, 54.3);
INSERT INTO personal_account (id, number, premise, payer_name, opened_on) VALUES
    (1, '7700000001', 1, 'Иванов Иван Иванович', '2025-01-01');
INSERT INTO portal_user (id, email, phone, password_hash, full_name) VALUES
    (1, 'ivanov@example.ru', '+79780000001', 'x', 'Иванов Иван Иванович');
INSERT INTO ledger_entry (id, account, occurred_at, period, kind, amount_kopecks, reference) VALUES
    (1, 1, '2026-11-01 00:00:00+00:00', '2026-11-01', 'charge', 354012, 'charge:1'),
    (2, 1, '2026-11-20 10:00:00+00:00', '2026-11-01', 'payment', -200000, 'payment:1'),
    (3, 1, '2026-11-02 10:00:00+00:00', '2026-11-01', 'correction', -50000, 'correction:1');
INSERT INTO balance (id, account, period, opening_kopecks, charged_kopecks, paid_kopecks, penalties_kopecks,
                     other_kopecks, closing_kopecks) VALUES (1, 1, '2026-11-01', 0, 354012, 200000, 0, -50000, 104012);
INSERT INTO payment (id, uid, batch, account, amount_kopecks, status, created_by, created_at, paid_at, method) VALUES
    (1, 'a0000000-0000-0000-0000-000000000001', 'b1', 1, 200000, 'succeeded', 1, '2026-11-20 10:00:00+00:00',
     '2026-11-20 10:00:00+00:00', 'card');
INSERT INTO meter (id, account, service, serial) VALUES (1, 1, 'cold_water', 'ХВ-0001');
INSERT INTO meter_reading (id, meter, zone, value, consumption, period, submitted_at, submitted_by) VALUES
    (1, 1, 1, 123.456, 4.5, '2026-11-01', '2026-11-20 10:00:00+00:00', 1);
INSERT INTO ticket (id, number, house, account, premise, author, category, type, status, description, planned, paid,
                    deadline, created_at, updated_at) VALUES
    (1, 1, 1, 1, 1, 1, 'leaking_taps', 'ordinary', 'closed', 'Течёт кран на кухне', FALSE, FALSE,
     '2026-11-25 10:00:00+00:00', '2026-11-20 10:00:00+00:00', '2026-11-22 10:00:00+00:00'),
    (2, 2, 1, 1, 1, 1, 'lift_trapped', 'planned', 'in_work', 'Застряли в лифте', TRUE, FALSE,
     NULL, '2026-11-21 10:00:00+00:00', '2026-11-21 10:00:00+00:00'),
    (3, 3, 1, 1, 1, 1, 'sewer_blockage', 'paid', 'done', 'Засор канализации', FALSE, TRUE,
     NULL, '2026-11-21 11:00:00+00:00', '2026-11-22 11:00:00+00:00');
INSERT INTO ticket_event (id, ticket, kind, from_value, to_value, comment, author, by_staff, created_at) VALUES
    (1, 1, 'status', 'done', 'closed', 'Спасибо, кран больше не течёт', 1, FALSE, '2026-11-22 10:00:00+00:00'),
    (2, 3, 'status', 'in_work', 'done', '', NULL, TRUE, '2026-11-22 11:00:00+00:00');
INSERT INTO entrance (id, house, number, floors) VALUES (1, 1, 1, 9);
INSERT INTO outage (id, house, entrance, service, description, starts_at) VALUES
    (1, 1, 1, 'hot_water', 'Ремонт теплотрассы', '2026-11-24 06:00:00+00:00');
INSERT INTO post (id, kind, status, title, outage, own_words, published_at, created_at, updated_at) VALUES
    (1, 'emergency', 'published', 'Нет горячей воды', 1, FALSE, '2026-11-24 06:00:00+00:00',
     '2026-11-24 06:00:00+00:00', '2026-11-24 06:00:00+00:00');
INSERT INTO post_target (id, post, kind, ref) VALUES (1, 1, 'entrance', 1);
INSERT INTO payment_registry (id, kind, file_name, rows, credited, total_kopecks, created_at) VALUES
    (1, 'bank', 'reestr-20261105.txt', 1, 1, 150000, '2026-11-06 06:00:00+00:00');
INSERT INTO registry_payment (id, registry, line, payment_id, account_number, account, amount_kopecks, paid_on,
                              status, reference) VALUES
    (1, 1, 1, '1', '7700000001', 1, 150000, '2026-11-05', 'credited', 'registry:1');
INSERT INTO refund (id, uid, payment, amount_kopecks, reason, status, created_by, created_at) VALUES
    (1, 'r0000000-0000-0000-0000-000000000001', 1, 50000, 'Ошибочный платёж', 'pending', 1,
     '2026-11-21 10:00:00+00:00');
INSERT INTO analytics_house_month (id, period, house, accounts, area, charged_kopecks) VALUES
    (1, '2026-11-01', 1, 1, 99.9, 304012), (2, '2026-11-01', NULL, 1, 99.9, 304012);
"""
TABLES = ("complex", "house", "premise", "personal_account", "portal_user", "ledger_entry", "payment", "meter")
TABLES += ("meter_reading", "ticket", "ticket_event", "entrance", "outage", "post", "post_target", "payment_registry")
TABLES += ("registry_payment", "refund", "balance", "analytics_house_month")
# What the data migrations since then change on these rows: the requests' search text, the type, deadline and flags
# of emergencies stored as works by agreement, the outage notice's search text, the house of a post's audience, the
# floor area of a month counted and its charges (the services alone, the corrections apart).
REWORKED = {
    "ticket": {"search_text", "type", "deadline", "planned", "paid", "updated_at"},
    "post": {"search_text"},
    "post_target": {"house"},
    "analytics_house_month": {"area", "charged_kopecks"},
}


def _run(url: str, *args: str) -> None:
    result = subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": url},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, f"{' '.join(args[:2])} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"


async def _execute(url: str, sql: str) -> None:
    if url.startswith("sqlite"):
        with sqlite3.connect(url.removeprefix("sqlite:///")) as conn:
            conn.executescript(sql)
        return
    import asyncpg

    conn = await asyncpg.connect(url)
    try:
        await conn.execute(sql)
        for table in TABLES:  # the rows were given their ids: the next ones follow them, as the app's rows would
            sql = f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"  # noqa: S608
            await conn.execute(sql)
    finally:
        await conn.close()


async def _rows(url: str) -> dict[str, dict[Any, dict[str, Any]]]:
    """Every row of ``TABLES`` by id, as the engine's driver reads it."""
    found: dict[str, dict[Any, dict[str, Any]]] = {}
    if url.startswith("sqlite"):
        with sqlite3.connect(url.removeprefix("sqlite:///")) as conn:
            conn.row_factory = sqlite3.Row
            for table in TABLES:
                found[table] = {r["id"]: dict(r) for r in conn.execute(f'SELECT * FROM "{table}"')}  # noqa: S608
        return found
    import asyncpg

    conn = await asyncpg.connect(url)
    try:
        for table in TABLES:
            found[table] = {r["id"]: dict(r) for r in await conn.fetch(f'SELECT * FROM "{table}"')}  # noqa: S608
    finally:
        await conn.close()
    return found


@pytest.fixture(params=["sqlite", "postgres"])
def empty_database(request: pytest.FixtureRequest, tmp_path: Path) -> Any:
    """The URL of a database of its own, with no table yet."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'older.sqlite'}"
        return
    url = _postgres_database(POSTGRES_URL, kind="upgrade")
    if url is None:
        missing("PostgreSQL", "set TEST_POSTGRES_URL=postgresql://postgres@127.0.0.1:5432/portal_test")
    yield url
    _drop_postgres_database(POSTGRES_URL, url)


async def test_a_database_of_an_older_release_with_rows_upgrades_and_keeps_them(empty_database):
    url = empty_database
    _run(url, "-c", _TO_OLDER, OLDER)
    await _execute(url, ROWS)
    before = await _rows(url)

    _run(url, "-m", "portal", "migrate")  # what the operator runs, and `make run` before serving

    after = await _rows(url)
    for table, rows in before.items():
        assert set(rows) <= set(after[table]), f"rows of {table} lost"
        for row_id, row in rows.items():
            kept = {c: v for c, v in row.items() if c not in REWORKED.get(table, ())}
            assert {c: after[table][row_id][c] for c in kept} == kept, f"{table} {row_id} changed"
    closed, trapped, blocked = (after["ticket"][i] for i in (1, 2, 3))
    assert closed["confirmed_by_resident"] in (True, 1)
    assert "кран" in closed["search_text"] and "садовая" in closed["search_text"].lower()
    assert (trapped["type"], trapped["planned"] in (False, 0)) == ("emergency", True)
    assert trapped["deadline"] is not None
    assert (blocked["type"], blocked["paid"] in (True, 1)) == ("paid", True)  # finished so: only its deadline is due
    assert blocked["deadline"] is not None
    assert "теплотрассы" in after["post"][1]["search_text"] and "hot water" in after["post"][1]["search_text"]
    assert after["post_target"][1]["house"] == 1
    assert after["refund"][1]["asked_at"] == after["refund"][1]["created_at"]
    assert str(after["analytics_house_month"][1]["area"]) in ("54.3", "54.30")
    # November was counted with its correction among the charges: now the services alone, the correction apart, in the
    # house's row and the company's total.
    for counted in (after["analytics_house_month"][1], after["analytics_house_month"][2]):
        assert (counted["charged_kopecks"], counted["corrections_kopecks"]) == (354012, -50000)
