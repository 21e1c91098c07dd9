"""No query of a resident page or of the staff lists reads a growing table without an index (both engines).

The pages of ``test_query_budgets`` run as a resident (and a staff member) opens them; every query they send
is captured at the engine and explained. A table that grows with accounts, charges or requests must be
reached through an index: SQLite never shows a bare ``SCAN <table>``; PostgreSQL, with sequential scans
switched off (small test data would otherwise make them the cheapest), never needs a ``Seq Scan on <table>``.
"""

from __future__ import annotations

from typing import Any

from portal.core.db import is_sqlite
from tests.billing.test_query_budgets import STAFF_PAGES
from tests.billing.test_query_budgets import _history
from tests.billing.test_query_budgets import _pages
from tests.billing.test_query_budgets import _posts
from tests.querylog import captured
from tests.querylog import plan_of
from tests.querylog import unindexed_steps

GROWING = [
    "personal_account", "premise", "ownership", "owner", "residency", "portal_user", "charge", "ledger_entry",
    "balance", "receipt", "receipt_section", "penalty_accrual", "payment", "meter", "meter_reading", "ticket",
    "ticket_event", "ticket_attachment", "outbox_message", "consent_record",
]  # fmt: skip


async def _scans(db: Any, client: Any, urls: list[str]) -> list[tuple[str, str, str]]:
    found: list[tuple[str, str, str]] = []
    sqlite = is_sqlite(db)
    for url in urls:
        await client.get(url)
        with captured(db) as seen:
            assert (await client.get(url)).status_code == 200, url
        assert any(str(q).lstrip().upper().startswith("SELECT") for q in seen), f"{url} ran no query to explain"
        for query in seen:
            text = str(query)
            if not text.lstrip().upper().startswith(("SELECT", "WITH")):
                continue
            plan = await plan_of(db, query, forbid_seqscan=True)
            for table in GROWING:
                for step in unindexed_steps(plan, table, sqlite):
                    found.append((url, step, text[:300]))
    return found


async def test_resident_pages_reach_growing_tables_through_indexes(
    db: Any, client: Any, login: Any, make_user: Any, make_account: Any, catalog: Any
) -> None:
    from portal.tickets.tables import Ticket

    data = await _history(make_account, 3)
    await login(client, await make_user(accounts={a: "owner" for a in data["accounts"]}))
    ticket = (await Ticket.select(Ticket.id).where(Ticket.account == data["accounts"][0]).first())["id"]
    scans = await _scans(db, client, list(_pages(data, ticket).values()))
    assert not scans, "\n".join(" | ".join(s) for s in scans)


async def test_a_scan_of_a_growing_table_is_seen(db: Any) -> None:
    """The check itself: a query that can only scan ``charge`` is reported."""
    from piccolo.querystring import QueryString

    plan = await plan_of(db, QueryString("SELECT id FROM charge WHERE basis_note = {}", "x"), forbid_seqscan=True)
    assert unindexed_steps(plan, "charge", is_sqlite(db)), plan


async def test_staff_lists_reach_growing_tables_through_indexes(
    db: Any, client: Any, login: Any, make_user: Any, make_account: Any, catalog: Any
) -> None:
    data = await _history(make_account, 3)
    staff = await make_user(roles=("dispatcher", "accountant"), houses=(data["house"],))
    await _posts(staff, data["house"])
    await login(client, staff)
    urls = [url.format(house=data["house"]) for url in STAFF_PAGES.values()]
    scans = await _scans(db, client, urls)
    assert not scans, "\n".join(" | ".join(s) for s in scans)
