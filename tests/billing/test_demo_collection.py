"""Every month of the demo's year reads a plausible collection (paid against charged, as the analytics count it):
the year's first month is paid from the balances the ledger begins with, not 0 %, and no month reads above what a
management company collects; on both engines."""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import date
from decimal import Decimal

from portal.billing import demo
from portal.billing.tables import Balance
from portal.demo import DemoContext
from portal.housing import demo as housing_demo


def _day(value):
    return date.fromisoformat(value) if isinstance(value, str) else value


async def test_each_month_of_the_demo_collects_between_85_and_98_percent(db):
    ctx = DemoContext(rng=random.Random(20261125), today=date(2026, 12, 2))
    await housing_demo.seed(ctx)
    await demo.seed(ctx)

    charged: dict[date, int] = defaultdict(int)
    paid: dict[date, int] = defaultdict(int)
    for r in await Balance.select(Balance.period, Balance.charged_kopecks, Balance.other_kopecks, Balance.paid_kopecks):
        charged[_day(r["period"])] += r["charged_kopecks"] + r["other_kopecks"]
        paid[_day(r["period"])] += r["paid_kopecks"]
    year = [date(2025, 12, 1), *(date(2026, m, 1) for m in range(1, 12))]
    collection = {month: Decimal(paid[month] * 100) / charged[month] for month in year}
    assert all(Decimal(85) <= share <= Decimal(98) for share in collection.values()), {
        f"{m:%m.%Y}": f"{s:.1f}" for m, s in collection.items()
    }
