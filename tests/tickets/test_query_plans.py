"""Every common combination of the staff request list is served by an index (both engines).

The list function runs as the page runs it (the page query and its count); the SQL it sends is captured at the
engine and explained. SQLite: every step on the ``ticket`` table searches or scans an index (never a bare
``SCAN ticket``). PostgreSQL: with sequential scans switched off, the plan reaches ``ticket`` through an index or a
bitmap of indexes (a plain ``Seq Scan on ticket`` there would mean no index can serve the query).
The same combinations are measured on 1,000,000 requests by ``bench/test_tickets_list.py``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from typing import Any

import pytest

from portal.core.db import is_sqlite
from portal.core.pagination import PageRequest
from portal.core.security import Principal
from portal.tickets import queries
from portal.tickets.filters import TicketFilters
from portal.tickets.tables import Ticket
from tests import querylog
from tests.querylog import captured
from tests.querylog import plan_of

NOW = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)

# name -> (who asks, the filters); "who" is admin (every house), dispatcher (one house) or executor.
COMBINATIONS: dict[str, Callable[[dict[str, int]], tuple[str, TicketFilters]]] = {
    "all, newest first": lambda w: ("admin", TicketFilters()),
    "active by deadline (the page as opened)": lambda w: ("admin", TicketFilters(tab="active", sort="deadline")),
    "active": lambda w: ("admin", TicketFilters(tab="active")),
    "active, dispatcher of one house": lambda w: ("dispatcher", TicketFilters(tab="active")),
    "without executor": lambda w: ("admin", TicketFilters(tab="unassigned")),
    "overdue": lambda w: ("admin", TicketFilters(tab="overdue")),
    "house and status": lambda w: ("admin", TicketFilters(houses=[w["house"]], statuses=["in_work"])),
    "executor": lambda w: ("admin", TicketFilters(executor=w["executor"])),
    "created date range": lambda w: (
        "admin",
        TicketFilters(created_from=NOW - timedelta(days=30), created_to=NOW - timedelta(days=1)),
    ),
    "search by number": lambda w: ("admin", TicketFilters(q="100003")),
    "search by words": lambda w: ("dispatcher", TicketFilters(q="течет кран")),
    "executor's own page (mine, by deadline)": lambda w: (
        "executor",
        TicketFilters(tab="mine", statuses=["new", "accepted", "in_work", "reopened", "done"], sort="deadline"),
    ),
    "sorted by deadline": lambda w: ("admin", TicketFilters(tab="active", sort="-deadline")),
}


def unindexed_steps(plan: str, sqlite: bool) -> list[str]:
    """The steps of a plan that read the ticket table without an index (empty: the query is indexed)."""
    if sqlite:
        assert re.search(r"\b(SCAN|SEARCH) ticket\b", plan), plan
    else:
        assert re.search(r"(Index Scan|Index Only Scan|Bitmap Heap Scan)\b.* on ticket\b", plan), plan
    return querylog.unindexed_steps(plan, "ticket", sqlite)


def searched(plan: str, sqlite: bool) -> bool:
    """The plan looks the ticket rows up by an index condition (not only a full pass over an index)."""
    if sqlite:
        return bool(re.search(r"SEARCH ticket\b.*(USING INDEX|USING COVERING INDEX|USING INTEGER PRIMARY KEY)", plan))
    # A partial index of the open requests answers a WHERE of the open statuses by its predicate alone: the whole
    # index is the answer, with no condition left to search by (PostgreSQL picks it when its statistics say so).
    open_rows = re.search(r"Index (Only )?Scan (Backward )?using ticket_open_\w+ on ticket", plan)
    return "Index Cond" in plan or "Bitmap Index Scan" in plan or bool(open_rows)


@pytest.fixture
async def world(db: Any, make_account: Any, make_user: Any) -> dict[str, Any]:
    """Two houses with a few dozen requests in every status, some with executors, some overdue."""
    first = await make_account()
    second = await make_account()
    executor = await make_user(name="Исполнитель", roles=("executor",), houses=(first.house,))
    statuses = ["new", "accepted", "in_work", "done", "closed", "cancelled", "reopened"]
    rows = []
    for n in range(40):
        place = first if n % 2 else second
        created = NOW - timedelta(days=n * 3)
        status = statuses[n % len(statuses)]
        rows.append(
            Ticket(
                number=100_000 + n,
                account=place.account,
                premise=place.premise,
                house=place.house,
                entrance=place.entrance,
                category="leaking_taps",
                status=status,
                executor=None if status == "new" else executor,
                created_at=created,
                updated_at=created,
                deadline=created + timedelta(days=2),
                search_text=f"{100_000 + n} | ул. тестовая | течет кран",
            )
        )
    await Ticket.insert(*rows)
    return {"house": first.house, "executor": executor}


@pytest.mark.parametrize("name", list(COMBINATIONS))
async def test_every_query_of_the_staff_list_uses_an_index(db: Any, world: dict[str, Any], name: str) -> None:
    who, filters = COMBINATIONS[name](world)
    if not is_sqlite(db):
        # Plan the counts against these rows' own statistics: an ANALYZE run by an earlier test while the table was
        # empty leaves the planner believing it holds none, and any index then looks as good as another. (The
        # queue-order test below plans as at scale, without them: on 40 rows a sort is rightly cheaper.)
        await db.run_ddl("ANALYZE ticket")
    principal = {
        "admin": Principal(user_id=1, name="Админ", staff_roles=frozenset({"admin"}), house_ids=None),
        "dispatcher": Principal(
            user_id=2, name="Диспетчер", staff_roles=frozenset({"dispatcher"}), house_ids=frozenset({world["house"]})
        ),
        "executor": Principal(
            user_id=world["executor"],
            name="Исполнитель",
            staff_roles=frozenset({"executor"}),
            house_ids=frozenset({world["house"]}),
        ),
    }[who]
    with captured(db) as seen:
        page = await queries.staff_list(principal, filters, PageRequest(1, 30), now=NOW)
    assert page.total > 0, name  # the combination selects something, so the plans are of real work
    assert len(seen) == 2  # the count and the page, nothing per row
    count = seen[0]
    for querystring in seen:
        plan = await plan_of(db, querystring, forbid_seqscan=True)
        assert unindexed_steps(plan, is_sqlite(db)) == [], f"{name}: {querystring}\n{plan}"
    if filters.tab != "all" or filters.any:
        # The count has no ORDER BY: an index answers its WHERE itself (not a walk of an index in sort order).
        plan = await plan_of(db, count, forbid_seqscan=True)
        assert searched(plan, is_sqlite(db)), f"{name}: {count}\n{plan}"


async def test_the_tab_badges_and_the_menu_counters_use_an_index(db: Any, world: dict[str, Any]) -> None:
    principal = Principal(user_id=1, name="Админ", staff_roles=frozenset({"admin"}), house_ids=None)
    with captured(db) as seen:
        counts = await queries.tab_counts(principal, now=NOW)
        menu = await queries.menu_counts(principal, now=NOW)
    assert counts["unassigned"] > 0 and counts["overdue"] > 0 and menu["new"] > 0
    for querystring in seen:
        plan = await plan_of(db, querystring, forbid_seqscan=True)
        assert unindexed_steps(plan, is_sqlite(db)) == [], f"{querystring}\n{plan}"


def sorted_in_full(plan: str) -> bool:
    """A PostgreSQL plan sorts the rows it found (no index delivers them in the list's order)."""
    return bool(re.search(r"(^|->)\s*(Incremental )?Sort\b", plan, re.M))


@pytest.mark.parametrize("sort", ["deadline", "-deadline"])
@pytest.mark.parametrize("tab", ["active", "unassigned", "overdue"])
async def test_a_dispatch_queue_is_read_in_deadline_order_from_an_index(
    db: Any, world: dict[str, Any], tab: str, sort: str
) -> None:
    """The queues sort by deadline (none last), nearest or furthest first: the open requests' partial indexes give
    either order, so the first page stops after its rows instead of sorting every open request (1.2–2.4 s at
    1,000,000 requests)."""
    admin = Principal(user_id=1, name="Админ", staff_roles=frozenset({"admin"}), house_ids=None)
    with captured(db) as seen:
        page = await queries.staff_list(admin, TicketFilters(tab=tab, sort=sort), PageRequest(1, 30), now=NOW)
    assert page.items, tab
    deadlines = [row.deadline for row in page.items]
    assert deadlines == sorted(deadlines, reverse=sort.startswith("-")), "the page is in deadline order"
    if is_sqlite(db):
        return  # SQLite plans a statement before its values are bound, so it cannot prove the partial index applies
    # A plan that can only sort keeps its Sort node regardless; the incremental sort (a sort by the deadline of rows
    # an index gives in another order) is switched off too, or small tables' statistics may prefer it.
    await db.run_ddl("SET LOCAL enable_sort = off")
    await db.run_ddl("SET LOCAL enable_incremental_sort = off")
    plan = await plan_of(db, seen[-1], forbid_seqscan=True)
    index = "ticket_open_deadline_desc" if sort.startswith("-") else "ticket_open_deadline"
    assert re.search(rf"Index Scan using {index} on ticket\b", plan), plan
    assert not sorted_in_full(plan), plan


@pytest.mark.parametrize("shown", [None, {"active": 7}])
async def test_the_tab_badges_are_counted_in_one_statement(
    db: Any, world: dict[str, Any], shown: dict[str, int] | None
) -> None:
    """The tabs still to count (all three, or the two beside the tab the page counted itself) are one statement,
    each tab's number as its own count would give it."""
    dispatcher = Principal(
        user_id=2, name="Диспетчер", staff_roles=frozenset({"dispatcher"}), house_ids=frozenset({world["house"]})
    )
    with captured(db) as seen:
        counts = await queries.tab_counts(dispatcher, now=NOW, shown=shown)
    assert len(seen) == 1, [str(q) for q in seen]
    expected = {}
    for tab in queries.COUNTED_TABS:
        clauses = queries.filter_clauses(dispatcher, TicketFilters(tab=tab), NOW)
        expected[tab] = await Ticket.count().where(*clauses)
    if shown:
        expected.update(shown)
    assert counts == expected
    assert counts["unassigned"] > 0 and counts["overdue"] > 0  # the numbers are of real rows


async def test_the_page_of_requests_looks_its_addresses_and_names_up_by_key_without_a_join(
    db: Any, world: dict[str, Any]
) -> None:
    """The page reads the house, premise, account, executor and entrance of each of its rows by primary key after
    its LIMIT: joined instead, PostgreSQL weighed every order of five joins against the ticket table's indexes on
    each request (about 4 ms of planning a page for 0.4 ms of work, most of the database's part of the page)."""
    dispatcher = Principal(
        user_id=2, name="Диспетчер", staff_roles=frozenset({"dispatcher"}), house_ids=frozenset({world["house"]})
    )
    with captured(db) as seen:
        page = await queries.staff_list(dispatcher, TicketFilters(tab="active"), PageRequest(1, 30), now=NOW)
    assert page.items and all(row.house_address and row.premise_number for row in page.items)
    assert any(row.executor_name == "Исполнитель" for row in page.items)
    listed = str(seen[-1])
    assert " JOIN " not in listed.upper(), listed
    if is_sqlite(db):
        return
    plan = await plan_of(db, seen[-1], forbid_seqscan=True)
    assert "Join" not in plan and "Nested Loop" not in plan, plan
    for table in ("house", "premise", "personal_account", "portal_user", "entrance"):
        assert re.search(rf"SubPlan[\s\S]*Index Scan using {table}_pkey on {table}\b", plan), plan
