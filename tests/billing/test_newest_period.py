"""The newest month of the staff reports: from the period index for the company, then checked for a scope; a
house whose newest month is older (taken on later, or billed late) gets its own. Both engines."""

from __future__ import annotations

from datetime import date
from typing import Any

from portal.analytics import queries as analytics
from portal.billing import queries
from portal.billing.tables import Balance
from portal.core.db import is_sqlite
from portal.core.security import Principal
from tests.querylog import captured
from tests.querylog import plan_of

OCTOBER, NOVEMBER, DECEMBER = date(2026, 10, 1), date(2026, 11, 1), date(2026, 12, 1)


async def snapshots(account: int, months: dict[date, int]) -> None:
    await Balance.insert(*(Balance(account=account, period=m, charged_kopecks=c) for m, c in months.items()))


async def test_the_newest_month_of_the_company_and_of_a_scope_that_lags(db: Any, make_account: Any) -> None:
    ahead, behind, empty = await make_account(), await make_account(), await make_account()
    # December is running: paid in, nothing charged yet. The second house was last billed for October.
    await snapshots(ahead.account, {OCTOBER: 500_00, NOVEMBER: 500_00, DECEMBER: 0})
    await snapshots(behind.account, {OCTOBER: 300_00, NOVEMBER: 0})

    assert await queries.newest_period(None, billed=True) == NOVEMBER
    assert await queries.newest_period(None, billed=False) == DECEMBER
    assert await queries.newest_period([ahead.house], billed=True) == NOVEMBER
    assert await queries.newest_period([behind.house], billed=True) == OCTOBER
    assert await queries.newest_period([behind.house], billed=False) == NOVEMBER
    assert await queries.newest_period([ahead.house, behind.house], billed=True) == NOVEMBER
    assert await queries.newest_period([empty.house], billed=True) is None
    assert await queries.newest_period([], billed=True) is None

    manager = Principal(user_id=1, name="Управляющий", staff_roles=frozenset({"manager"}), house_ids={behind.house})
    assert await queries.latest_period(manager) == OCTOBER
    assert await queries.recent_periods(manager, limit=2) == [OCTOBER, date(2026, 9, 1)]
    assert await analytics.latest_period([behind.house]) == NOVEMBER


async def test_the_company_s_newest_billed_month_is_read_from_the_partial_index(db: Any, make_account: Any) -> None:
    place = await make_account()
    await snapshots(place.account, {NOVEMBER: 100_00, DECEMBER: 0})
    with captured(db) as seen:
        assert await queries.newest_period(None, billed=True) == NOVEMBER
    assert len(seen) == 1
    plan = await plan_of(db, seen[0], forbid_seqscan=True)
    assert "balance_billed_period" in plan, plan
    if is_sqlite(db):
        assert "SCAN balance " not in plan + " ", plan
