"""The staff money figures read at the cost of the accounts, not of their months nor three times over (both engines,
plans explained as ``test_debtor_reads`` does): the billing overview looks each snapshot's charges not yet due up
once; the dashboard's receivables read a snapshot per account; the refunds of a range are found month by month
through their index; the floor areas come summed by the database."""

from __future__ import annotations

import json
import re
from datetime import date
from decimal import Decimal as D
from typing import Any

from piccolo.querystring import QueryString

from portal.analytics import aggregates
from portal.analytics import queries as analytics
from portal.billing import queries
from portal.billing.history import build_history
from portal.core import clock
from portal.core.db import is_sqlite
from portal.core.security import Principal
from tests.querylog import captured
from tests.querylog import plan_of

SEPTEMBER, OCTOBER, NOVEMBER = date(2026, 9, 1), date(2026, 10, 1), date(2026, 11, 1)
ACCOUNTS, MONTHS = 3, 12
ADMIN = Principal(user_id=1, name="Админ", staff_roles=frozenset({"admin"}), house_ids=None)


async def owing_house(make_account: Any) -> tuple[int, list[int]]:
    """A house of ``ACCOUNTS`` accounts, a year of charges to November and nothing paid."""
    first = await make_account()
    accounts = [first.account] + [(await make_account(house=first.house)).account for _ in range(ACCOUNTS - 1)]
    await build_history(accounts, NOVEMBER, MONTHS, pay=False)
    return first.house, accounts


async def analyzed(db: Any, querystring: QueryString) -> dict[str, Any]:
    rows = await db.run_querystring(QueryString("EXPLAIN (ANALYZE, FORMAT JSON) {}", querystring))
    plan = rows[0]["QUERY PLAN"]
    return (json.loads(plan) if isinstance(plan, str) else plan)[0]["Plan"]


def nodes(node: dict[str, Any]) -> list[dict[str, Any]]:
    return [node, *(n for child in node.get("Plans", []) for n in nodes(child))]


async def test_the_overview_looks_up_each_snapshot_s_charges_not_yet_due_once(db, make_account, catalog, monkeypatch):
    # On 10 November October's charges (due 15 November) are not yet due: the overdue part needs a lookup of each
    # account's October and November, and the overview's debtors and overdue figures compare with it three times.
    monkeypatch.setattr(clock, "today_local", lambda: date(2026, 11, 10))
    house, _ = await owing_house(make_account)
    with captured(db) as seen:
        (totals,) = await queries.house_totals(NOVEMBER, ADMIN, houses=[house])
    assert totals.debtors == ACCOUNTS  # nobody paid: each owes September and before
    owed = [q for q in seen if "not_due" in str(q)]
    assert len(owed) == 1, [str(q)[:120] for q in seen]
    if is_sqlite(db):
        plan = await plan_of(db, owed[0])
        assert len(re.findall(r"SEARCH not_due\b", plan)) == 1, plan
    else:
        await db.run_ddl("SET LOCAL enable_seqscan = off")
        loops = sum(
            n.get("Actual Loops", 0)
            for n in nodes(await analyzed(db, owed[0]))
            if n.get("Alias", "").startswith("not_due")
        )
        assert loops <= ACCOUNTS, f"{loops} lookups of the charges not yet due for {ACCOUNTS} snapshots"


# A step reading every snapshot of an account before the month (or of every account), not the newest one alone
# (``older``, the lookup ``_as_of`` makes, reads one: newest first, LIMIT 1).
EVERY_OLDER = r"SEARCH (?!older\b)\w+ USING (COVERING )?INDEX \w+ \((account=\? AND )?period<\?"


async def test_the_dashboard_s_receivables_read_a_snapshot_per_account_not_per_month(db, make_account, catalog):
    house, _ = await owing_house(make_account)
    with captured(db) as seen:
        months = await analytics.money_by_month([house], [OCTOBER, NOVEMBER])  # the KPI's, of a complex's houses
        await aggregates.refresh(NOVEMBER)  # the dashboard's hourly count, of every house
    assert [m.debt > 0 for m in months] == [True, True]
    debts = [q for q in seen if "closing_kopecks" in str(q)]
    assert len(debts) == 3, [str(q)[:120] for q in seen]
    for query in debts:
        if is_sqlite(db):
            plan = await plan_of(db, query)
            assert not re.search(EVERY_OLDER, plan), plan
            assert not re.search(r"SCAN (balance|b)\b(?! USING)", plan), plan
    if not is_sqlite(db):  # PostgreSQL's plan on a few test rows is its statistics' (it may read them all, as
        # cheapest): the query's own shape is what holds — each account's newest snapshot before the month, one row
        # each; its cost at 20,000 accounts is measured in bench/RESULTS.md
        sql = str(debts[-1])
        assert "ORDER BY older.period DESC LIMIT 1" in sql and "older.period <" in sql, sql


async def test_a_range_s_refunds_are_found_month_by_month_through_their_index(db, make_account, catalog):
    house, _ = await owing_house(make_account)
    with captured(db) as seen:
        await queries.refunds_by_house([house], SEPTEMBER, NOVEMBER)
    (query,) = seen
    plan = await plan_of(db, query, forbid_seqscan=True)
    if is_sqlite(db):
        assert re.search(r"SEARCH ledger_entry USING INDEX \w+ \(period=\? AND kind=\?\)", plan), plan
    else:  # the months as equalities with the kind, not a range of periods whose every entry is read for the kind
        # (through the (period, kind) index, or per account where the planner's statistics see few entries)
        assert re.search(r"\(period = ANY \(", plan) and not re.search(r"period >=", plan), plan


async def test_the_floor_areas_come_summed_a_row_a_house(db, make_account):
    first = await make_account(area="50.25")
    for area in ("30.10", "19.65"):
        await make_account(house=first.house, area=area)
    other = (await make_account(area="40.00")).house
    with captured(db) as seen:
        areas = await queries.house_areas([first.house, other])
    assert areas == {first.house: D("100.00"), other: D("40.00")}
    (query,) = seen
    assert len(await db.run_querystring(query)) == 2, "one row a house, not one a premise"
