"""The debtors list reads each account's balance at the month's end at the cost of the accounts, not of their months:
a year of snapshots must not make it read twelve times as many (both engines)."""

from __future__ import annotations

import json
import re
from datetime import date
from typing import Any

import pytest
from piccolo.querystring import QueryString

from portal.billing import queries
from portal.billing.history import build_history
from portal.core.db import is_sqlite
from portal.core.pagination import PageRequest
from portal.core.security import Principal
from tests.querylog import captured
from tests.querylog import plan_of

NOVEMBER, DECEMBER = date(2026, 11, 1), date(2026, 12, 1)
ACCOUNTS, MONTHS = 3, 12


async def balance_rows_read(db: Any, querystring: QueryString) -> int:
    """The rows PostgreSQL reads from balance running ``querystring`` (EXPLAIN ANALYZE, sequential scans off so that
    small test data shows the indexed plan), those a filter dropped included."""
    await db.run_ddl("SET LOCAL enable_seqscan = off")
    rows = await db.run_querystring(QueryString("EXPLAIN (ANALYZE, FORMAT JSON) {}", querystring))
    plan = rows[0]["QUERY PLAN"]
    plan = json.loads(plan) if isinstance(plan, str) else plan

    def read(node: dict[str, Any]) -> int:
        own = 0
        if node.get("Relation Name") == "balance":
            own = node.get("Actual Rows", 0) * node.get("Actual Loops", 1) + node.get("Rows Removed by Filter", 0)
        return own + sum(read(child) for child in node.get("Plans", []))

    return read(plan[0]["Plan"])


@pytest.mark.parametrize("period", [NOVEMBER, DECEMBER], ids=["billed month", "month without snapshots"])
async def test_the_debtors_list_reads_a_snapshot_per_account_not_per_month(db, make_account, catalog, period):
    accounts = [(await make_account()).account for _ in range(ACCOUNTS)]
    await build_history(accounts, NOVEMBER, MONTHS, pay=False)
    filters = queries.DebtorFilter(every_owing=True)
    with captured(db) as seen:
        page, _ = await queries.debtors_page(period, filters, Principal(name="staff", house_ids=None), PageRequest())
    assert page.total == ACCOUNTS  # nobody paid: each owes, in December its November balance
    assert seen
    for query in seen:
        if is_sqlite(db):
            plan = await plan_of(db, query)
            # the snapshots up to the month by the period index alone: every month of every account
            assert not re.search(r"SEARCH balance USING (COVERING )?INDEX \w+ \(period<\?\)", plan), plan
        else:
            assert await balance_rows_read(db, query) <= 3 * ACCOUNTS, str(query)
