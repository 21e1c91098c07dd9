"""The staff request list on 1,000,000 requests (``BENCH_TICKETS``), on SQLite and on PostgreSQL.

Each engine gets its own database (SQLite in a temporary folder; PostgreSQL as a new database on the server of
``TEST_POSTGRES_URL``, dropped afterwards), migrated as the app migrates, then bulk-loaded through the raw driver
(sqlite3 ``executemany`` in one transaction; asyncpg ``COPY``) with the ticket indexes built after the load.
The data spans two years: 400 houses of 100 flats, 60 executors, every status, type, category and source, about
3 % of the requests overdue and a few per cent active.

Each common combination of the list (the page and its count, exactly as ``/staff/tickets`` runs them) is timed,
and the plans of both queries are printed (``EXPLAIN QUERY PLAN`` / ``EXPLAIN``) and kept in
``var/bench/tickets_plans_<engine>.txt``. On SQLite the benchmark fails if a step reads ``ticket`` without an
index; on PostgreSQL the planner's own choice at this size is printed as it is.

    make bench                                   # both engines when TEST_POSTGRES_URL is reachable
    BENCH_TICKETS=200000 .venv/bin/python -m pytest -q -s bench/test_tickets_list.py --benchmark-only
"""

from __future__ import annotations

import asyncio
import os
import random
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from collections.abc import Iterator
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest

from bench.conftest import ROOT
from portal.core.pagination import PageRequest
from portal.core.search import normalise
from portal.core.search import search_ddl
from portal.core.security import Principal
from portal.tickets import queries
from portal.tickets import rules
from portal.tickets.filters import TicketFilters
from portal.tickets.filters import default_sort
from tests import querylog
from tests.querylog import captured
from tests.querylog import plan_of

SIZE = int(os.environ.get("BENCH_TICKETS", "1000000"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "10"))
POSTGRES_URL = os.environ.get("BENCH_POSTGRES_URL") or os.environ.get("TEST_POSTGRES_URL", "")
HOUSES = 400
FLATS = 100
EXECUTORS = 60
CHUNK = 50_000
NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
SPAN = timedelta(days=730)
PLANS = ROOT / "var" / "bench"

TYPE_DAYS = {"emergency": 1, "ordinary": 3, "planned": 30, "paid": 7, "complaint": 30, "warranty": 10,
             "consultation": 5}  # fmt: skip
DESCRIPTIONS = (
    "Течёт кран на кухне",
    "Не горит свет в подъезде",
    "Протекает потолок после дождя",
    "Застрял лифт между этажами",
    "Засор канализации в ванной",
    "Не закрывается входная дверь",
    "Слабый напор горячей воды",
    "Прошу проверить счётчик",
)
SOURCES = ("portal",) * 5 + ("phone",) * 3 + ("call_centre", "email", "walk_in")
INTERNAL = tuple(k for k in rules.INTERNAL_STATUS_LABELS if k)


# --- the combinations ------------------------------------------------------------------------------------------

ADMIN = Principal(user_id=1, name="Админ", staff_roles=frozenset({"admin"}), house_ids=None)

# name -> (who asks, the filters), given the loaded world (house, executor and a ticket number to search for).
COMBINATIONS: dict[str, Callable[[dict[str, Any]], tuple[Principal, TicketFilters]]] = {
    "all_default": lambda w: (ADMIN, TicketFilters()),
    # The queues open sorted by deadline (filters.default_sort), as /staff/tickets?tab=… reads them.
    "active": lambda w: (ADMIN, TicketFilters(tab="active", sort=default_sort("active"))),
    "active_newest_first": lambda w: (ADMIN, TicketFilters(tab="active", sort="-created")),
    "active_dispatcher_20_houses": lambda w: (
        w["dispatcher"],
        TicketFilters(tab="active", sort=default_sort("active")),
    ),
    "without_executor": lambda w: (ADMIN, TicketFilters(tab="unassigned", sort=default_sort("unassigned"))),
    "overdue": lambda w: (ADMIN, TicketFilters(tab="overdue", sort=default_sort("overdue"))),
    "house_and_status": lambda w: (ADMIN, TicketFilters(houses=[w["house"]], statuses=["in_work", "done"])),
    "executor": lambda w: (ADMIN, TicketFilters(executor=w["executor"])),
    "created_one_month": lambda w: (
        ADMIN,
        TicketFilters(created_from=NOW - timedelta(days=60), created_to=NOW - timedelta(days=30)),
    ),
    "search_by_number": lambda w: (ADMIN, TicketFilters(q=str(w["number"]))),
    "executor_own_page": lambda w: (
        w["executor_principal"],
        TicketFilters(tab="mine", statuses=["new", "accepted", "in_work", "reopened", "done"], sort="deadline"),
    ),
}


# --- loading ---------------------------------------------------------------------------------------------------


def _migrate(url: str) -> None:
    env = {**os.environ, "DATABASE_URL": url}
    result = subprocess.run(
        [sys.executable, "-m", "portal", "migrate"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600
    )
    if result.returncode != 0:
        raise RuntimeError(f"migrations failed:\n{result.stdout}\n{result.stderr}")


def _template(table: Any) -> tuple[list[str], list[Any]]:
    """Column names of ``table`` and the default of each (what a raw insert gives a column it does not set)."""
    names, defaults = [], []
    for column in table._meta.columns:
        value = column.get_default_value()
        if hasattr(value, "python"):  # TimestamptzNow and friends
            value = value.python()
        names.append(column._meta.db_column_name)
        defaults.append(value)
    return names, defaults


class Rows:
    """Full rows of a table from the few fields a generator sets (the rest keep the column defaults)."""

    def __init__(self, table: Any, fields: tuple[str, ...]) -> None:
        self.table = table._meta.tablename
        self.columns, self.defaults = _template(table)
        missing = set(fields) - set(self.columns)
        assert not missing, f"{self.table} has no {missing}"
        self.positions = [self.columns.index(f) for f in fields]

    def row(self, values: tuple[Any, ...]) -> tuple[Any, ...]:
        full = list(self.defaults)
        for position, value in zip(self.positions, values, strict=True):
            full[position] = value
        return tuple(full)


TICKET_FIELDS = ("id", "number", "account", "premise", "house", "entrance", "place", "type", "category",
                 "description", "status", "internal_status", "source", "important", "repeated", "justified", "paid",
                 "paid_for", "emergency", "complaint", "planned", "created_at", "updated_at", "control_date",
                 "deadline", "completed_at", "closed_at", "executor", "rating", "owner_name", "has_new_for_staff",
                 "search_text")  # fmt: skip


def generate_tickets(world: dict[str, Any], first_id: int) -> Iterator[tuple[Any, ...]]:
    """``SIZE`` requests in order of creation over two years (ids and numbers grow with time), deterministic."""
    rng = random.Random(6)
    categories = list(rules.CATEGORIES)
    weights = [8 if c.type == "ordinary" else 3 if c.type == "emergency" else 1 for c in categories]
    flats, executors = world["flats"], world["executors"]
    start = NOW - SPAN
    step = SPAN.total_seconds() / SIZE
    for n in range(SIZE):
        ident = first_id + n
        created = start + timedelta(seconds=int(n * step + rng.random() * step))
        category = rng.choices(categories, weights)[0]
        kind = category.type if rng.random() < 0.9 else rng.choice(tuple(TYPE_DAYS))
        deadline = created + timedelta(days=TYPE_DAYS[kind])
        if deadline > NOW:  # still within its deadline: mostly being worked on
            status = rng.choices(("new", "accepted", "in_work", "done"), (25, 25, 40, 10))[0]
        elif rng.random() < 0.03:  # overdue
            status = rng.choices(("new", "accepted", "in_work", "reopened"), (10, 20, 60, 10))[0]
        else:
            status = rng.choices(("done", "closed", "cancelled"), (3, 88, 9))[0]
        executor = None if status == "new" or (status == "cancelled" and rng.random() < 0.5) else rng.choice(executors)
        finished = status in ("done", "closed")
        completed = created + timedelta(hours=rng.randint(1, 24 * TYPE_DAYS[kind])) if finished else None
        flat = rng.choice(flats)  # (house, premise, account, address, flat number, account number, owner)
        common = rng.random() < 0.15
        number = 100_000 + ident
        executor_name = world["executor_names"][executor] if executor else ""
        description = rng.choice(DESCRIPTIONS)
        search = normalise(
            " | ".join(
                p
                for p in (str(number), flat[3], "" if common else f"кв. {flat[4]}", flat[5], flat[6], executor_name)
                if p
            )
            + " | "
            + description
        )
        yield (
            ident,
            number,
            None if common else flat[2],
            None if common else flat[1],
            flat[0],
            None,
            rng.choice(rules.COMMON_PLACES) if common else "premise",
            kind,
            category.code,
            description,
            status,
            rng.choice(INTERNAL) if status == "in_work" and rng.random() < 0.3 else "",
            rng.choice(SOURCES),
            rng.random() < 0.03,
            rng.random() < 0.04,
            kind == "complaint" and rng.random() < 0.5,
            kind == "paid",
            kind == "paid" and finished,
            kind == "emergency",
            kind == "complaint",
            kind == "planned",
            created,
            completed or created,
            (created + timedelta(days=10)).date() if rng.random() < 0.05 else None,
            deadline,
            completed,
            completed + timedelta(days=3) if status == "closed" and completed else None,
            executor,
            rng.randint(1, 5) if status == "closed" and rng.random() < 0.4 else None,
            flat[6] if not common else "",
            status in rules.ACTIVE and rng.random() < 0.2,
            search[:8000],
        )


async def make_world() -> dict[str, Any]:
    """Houses, flats with accounts, executors and a dispatcher (through the ORM: a few hundred rows) ."""
    from portal.accounts.tables import StaffHouse
    from portal.accounts.tables import User
    from portal.accounts.tables import UserRole
    from portal.housing.tables import Complex
    from portal.housing.tables import House

    complex_ = Complex(name="ЖК Миллион", city="Симферополь")
    await complex_.save()
    houses = [House(complex=complex_.id, address=f"г. Симферополь, ул. Бенчмарк, д. {n + 1}") for n in range(HOUSES)]
    await House.insert(*houses)
    house_rows = await House.select(House.id, House.address).where(House.complex == complex_.id).order_by(House.id)
    users = [User(email=f"executor{n}@example.ru", full_name=f"Исполнитель {n:02d}") for n in range(EXECUTORS)]
    users.append(User(email="dispatcher@example.ru", full_name="Диспетчер Бенчмарков"))
    await User.insert(*users)
    user_rows = await User.select(User.id, User.full_name).where(User.email.like("%@example.ru")).order_by(User.id)
    executors = [r["id"] for r in user_rows[:EXECUTORS]]
    dispatcher = user_rows[-1]["id"]
    await UserRole.insert(*[UserRole(user=u, role="executor") for u in executors])
    await UserRole.insert(UserRole(user=dispatcher, role="dispatcher"))
    scope = [r["id"] for r in house_rows[:20]]
    await StaffHouse.insert(*[StaffHouse(user=dispatcher, house=h) for h in scope])
    await StaffHouse.insert(*[StaffHouse(user=executors[0], house=r["id"]) for r in house_rows[:40]])
    return {
        "houses": house_rows,
        "executors": executors,
        "executor_names": {r["id"]: r["full_name"] for r in user_rows},
        "dispatcher": Principal(
            user_id=dispatcher, name="Диспетчер", staff_roles=frozenset({"dispatcher"}), house_ids=frozenset(scope)
        ),
        "executor_principal": Principal(
            user_id=executors[0],
            name="Исполнитель 00",
            staff_roles=frozenset({"executor"}),
            house_ids=frozenset(r["id"] for r in house_rows[:40]),
        ),
        "house": house_rows[7]["id"],
        "executor": executors[3],
        "number": 100_000 + SIZE // 2,
    }


async def choose_targets(world: dict[str, Any]) -> None:
    """Point the combinations at what the loaded data hold, so that each one finds requests at any size: a house
    with work in progress or done, an executor with requests, the dispatcher's houses and the executor's own page
    around active requests, a number that exists."""
    from portal.tickets.tables import Ticket

    working = sorted(rules.ACTIVE | {rules.Status.DONE})
    busy = await Ticket.select(Ticket.house).where(Ticket.status.is_in(["in_work", "done"])).first()
    assigned = (
        await Ticket.select(Ticket.executor, Ticket.house)
        .where(Ticket.status.is_in(working) & Ticket.executor.is_not_null())
        .first()
    )
    active_houses = (
        await Ticket.select(Ticket.house).where(Ticket.status.is_in(sorted(rules.ACTIVE))).distinct().limit(20)
    )
    number = await Ticket.select(Ticket.number).order_by(Ticket.id).offset(SIZE // 2).first()
    assert busy and assigned and active_houses and number, "the generated data miss a status or an executor"
    executor = assigned["executor"]
    scope = frozenset(r["house"] for r in active_houses)
    world["house"] = busy["house"]
    world["executor"] = executor
    world["number"] = number["number"]
    world["dispatcher"] = Principal(
        user_id=world["dispatcher"].user_id, name="Диспетчер", staff_roles=frozenset({"dispatcher"}), house_ids=scope
    )
    world["executor_principal"] = Principal(
        user_id=executor,
        name="Исполнитель",
        staff_roles=frozenset({"executor"}),
        house_ids=frozenset({assigned["house"]}),
    )


def flat_rows(world: dict[str, Any], first_premise: int, first_account: int) -> tuple[list, list, list]:
    """Premise and account rows of every flat, and the flats as the ticket generator needs them."""
    from portal.housing.tables import PersonalAccount
    from portal.housing.tables import Premise

    premises = Rows(Premise, ("id", "house", "kind", "number", "floor", "area"))
    accounts = Rows(PersonalAccount, ("id", "number", "premise", "payer_name"))
    premise_rows, account_rows, flats = [], [], []
    n = 0
    for house in world["houses"]:
        for flat in range(1, FLATS + 1):
            premise_id, account_id = first_premise + n, first_account + n
            number = f"77{n:010d}"
            owner = f"Жильцов {n} Петрович"
            premise_rows.append(
                premises.row((premise_id, house["id"], "flat", str(flat), 1 + flat // 4, Decimal("54.30")))
            )
            account_rows.append(accounts.row((account_id, number, premise_id, owner)))
            flats.append((house["id"], premise_id, account_id, house["address"], str(flat), number, owner))
            n += 1
    return premise_rows, account_rows, flats


def load_sqlite(path: str, world: dict[str, Any], premises: list, accounts: list) -> None:
    from portal.housing.tables import PersonalAccount
    from portal.housing.tables import Premise
    from portal.tickets.tables import Ticket

    tickets = Rows(Ticket, TICKET_FIELDS)
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("PRAGMA synchronous = OFF")
        conn.execute("PRAGMA cache_size = -262144")
        indexes = conn.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'ticket' AND sql IS NOT NULL"
        ).fetchall()
        conn.execute("BEGIN")
        for name, _ in indexes:
            conn.execute(f'DROP INDEX "{name}"')
        conn.execute("DROP TRIGGER IF EXISTS ticket_fts_ai")  # the search index is rebuilt once, after the load
        for rows, table in ((premises, Premise), (accounts, PersonalAccount)):
            _sqlite_insert(conn, table._meta.tablename, Rows(table, ()).columns, rows)
        batch: list[tuple[Any, ...]] = []
        for values in generate_tickets(world, 1):
            batch.append(tickets.row(values))
            if len(batch) == CHUNK:
                _sqlite_insert(conn, "ticket", tickets.columns, batch)
                batch = []
        _sqlite_insert(conn, "ticket", tickets.columns, batch)
        for _, sql in indexes:
            conn.execute(sql)
        for statement in search_ddl("ticket", "search_text", sqlite=True):
            conn.execute(statement)
        conn.execute("COMMIT")
        conn.execute("ANALYZE")
    finally:
        conn.close()


def _sqlite_insert(conn: sqlite3.Connection, table: str, columns: list[str], rows: list[tuple[Any, ...]]) -> None:
    if rows:
        names = ", ".join(f'"{c}"' for c in columns)
        marks = ", ".join("?" for _ in columns)
        conn.executemany(f'INSERT INTO "{table}" ({names}) VALUES ({marks})', rows)  # noqa: S608 (names from code)


async def load_postgres(url: str, world: dict[str, Any], premises: list, accounts: list) -> None:
    import asyncpg

    from portal.housing.tables import PersonalAccount
    from portal.housing.tables import Premise
    from portal.tickets.tables import Ticket

    tickets = Rows(Ticket, TICKET_FIELDS)
    conn = await asyncpg.connect(url)
    try:
        await conn.execute("SET maintenance_work_mem = '512MB'")
        await conn.execute("SET session_replication_role = replica")  # generated rows are consistent: no FK checks
        indexes = await conn.fetch(
            "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.tablename = 'ticket' AND NOT EXISTS "
            "(SELECT 1 FROM pg_constraint c WHERE c.conindid = (quote_ident(i.indexname))::regclass)"
        )
        async with conn.transaction():
            for row in indexes:
                await conn.execute(f'DROP INDEX "{row["indexname"]}"')
            for rows, table in ((premises, Premise), (accounts, PersonalAccount)):
                name = table._meta.tablename
                await conn.copy_records_to_table(name, records=rows, columns=Rows(table, ()).columns)
            batch: list[tuple[Any, ...]] = []
            for values in generate_tickets(world, 1):
                batch.append(tickets.row(values))
                if len(batch) == CHUNK:
                    await conn.copy_records_to_table("ticket", records=batch, columns=tickets.columns)
                    batch = []
            if batch:
                await conn.copy_records_to_table("ticket", records=batch, columns=tickets.columns)
            for row in indexes:
                await conn.execute(row["indexdef"])
            for table in ("premise", "personal_account", "ticket"):
                await conn.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"  # noqa: S608
                )
        await conn.execute("VACUUM ANALYZE ticket")
        await conn.execute("VACUUM ANALYZE premise")
        await conn.execute("VACUUM ANALYZE personal_account")
    finally:
        await conn.close()


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


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def tickets_db(
    request: pytest.FixtureRequest, loop: asyncio.AbstractEventLoop, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, Any]]:
    """A migrated database of ``SIZE`` requests on each engine; the tables point at it while the module runs."""
    from portal.core import db

    kind = request.param
    pg_name = f"portal_bench_tickets_{os.getpid()}"
    if kind == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('tickets') / 'tickets.sqlite'}"
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
        world = loop.run_until_complete(make_world())
        premises, accounts, world["flats"] = flat_rows(world, 1, 1)
        if kind == "sqlite":
            load_sqlite(url.removeprefix("sqlite:///"), world, premises, accounts)
        else:
            loop.run_until_complete(load_postgres(url, world, premises, accounts))
        loop.run_until_complete(choose_targets(world))
        world.update(engine=engine, kind=kind, load_seconds=time.perf_counter() - began, plans=[])
        print(f"\n[{kind}] {SIZE:,} requests migrated and loaded in {world['load_seconds']:.0f} s")
        yield world
        PLANS.mkdir(parents=True, exist_ok=True)
        (PLANS / f"tickets_plans_{kind}.txt").write_text("\n\n".join(world["plans"]) + "\n", encoding="utf-8")
    finally:
        loop.run_until_complete(db.stop(engine))
        db.use_engine(previous)
        if kind == "postgres":
            loop.run_until_complete(_postgres_database(pg_name, drop_only=True))


# --- plans -----------------------------------------------------------------------------------------------------


def unindexed_steps(plan: str, kind: str) -> list[str]:
    """Steps reading the ticket table without an index."""
    return querylog.unindexed_steps(plan, "ticket", kind == "sqlite")


# --- the benchmarks --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("combination", list(COMBINATIONS))
def test_staff_list(
    benchmark: Any, loop: asyncio.AbstractEventLoop, tickets_db: dict[str, Any], combination: str, capsys: Any
) -> None:
    kind, engine = tickets_db["kind"], tickets_db["engine"]
    principal, filters = COMBINATIONS[combination](tickets_db)
    page = PageRequest(1, 30)
    benchmark.group = f"staff list, {SIZE:,} requests, {kind}"
    benchmark.extra_info.update(engine=kind, tickets=SIZE, load_seconds=round(tickets_db["load_seconds"]))

    def run() -> Any:
        return loop.run_until_complete(queries.staff_list(principal, filters, page, now=NOW))

    result = benchmark.pedantic(run, rounds=ROUNDS, iterations=1, warmup_rounds=1)
    assert result.items and result.total > 0, combination  # the targets are chosen from the loaded data
    benchmark.extra_info["total"] = result.total

    with captured(engine) as seen:
        run()
    report, unindexed = [], []
    for label, querystring in zip(("count", "page"), seen, strict=True):
        plan = loop.run_until_complete(plan_of(engine, querystring))
        unindexed += unindexed_steps(plan, kind)
        report.append(f"-- {kind} / {combination} / {label} (total {result.total:,})\n{querystring}\n{plan}")
    tickets_db["plans"].extend(report)
    with capsys.disabled():
        print("\n" + "\n\n".join(report))
        print(f"-- {kind} / {combination}: {unindexed or 'every step uses an index'}")
    if kind == "sqlite":
        assert unindexed == [], "\n".join(report)


def test_tab_badges(benchmark: Any, loop: asyncio.AbstractEventLoop, tickets_db: dict[str, Any]) -> None:
    benchmark.group = f"staff list, {SIZE:,} requests, {tickets_db['kind']}"

    def run() -> Any:
        return loop.run_until_complete(queries.tab_counts(ADMIN, now=NOW))

    counts = benchmark.pedantic(run, rounds=ROUNDS, iterations=1, warmup_rounds=1)
    benchmark.extra_info.update(counts)
    assert counts["overdue"] > 0 and counts["unassigned"] > 0


def test_request_mix(benchmark: Any, loop: asyncio.AbstractEventLoop, tickets_db: dict[str, Any]) -> None:
    """About 3 % overdue and a few per cent active, as in a real two-year history (timed: one count)."""
    from portal.tickets.tables import Ticket

    def run() -> int:
        return loop.run_until_complete(Ticket.count().where(Ticket.status.is_in(sorted(rules.ACTIVE))))

    active = benchmark.pedantic(run, rounds=1, iterations=1)
    overdue = loop.run_until_complete(queries.tab_counts(ADMIN, now=NOW))["overdue"]
    total = loop.run_until_complete(Ticket.count())
    print(f"\n[{tickets_db['kind']}] {total:,} requests, {active:,} active, {overdue:,} overdue")
    assert total == SIZE
    assert 0.02 < overdue / total < 0.04
    assert active / total < 0.1
