"""The debtors list reads each account's balance at the month's end at the cost of the accounts, not of their months:
a year of snapshots must not make it read twelve times as many (both engines)."""

from __future__ import annotations

import re
from datetime import date

import pytest

from portal.billing import queries
from portal.billing.history import build_history
from portal.core.db import is_sqlite
from portal.core.pagination import PageRequest
from portal.core.security import Principal
from tests.querylog import captured
from tests.querylog import plan_of

NOVEMBER, DECEMBER = date(2026, 11, 1), date(2026, 12, 1)
ACCOUNTS, MONTHS = 3, 12


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
        else:  # PostgreSQL's plan on a few test rows follows its statistics, which the tests before this one
            # change (under load it may read them all, as cheapest): the query's own shape is what holds — the
            # month's snapshots, and each account's newest older one, one row each; its cost at 20,000 accounts is
            # measured in bench/RESULTS.md
            sql = str(query)
            assert "ORDER BY older.period DESC LIMIT 1" in sql and "older.period <" in sql, sql
