"""The demo's water charges follow the demo's meter readings: a month with a reading is charged by it (its
consumption is the charge's volume), a month without one by the average — not «Показания не переданы: среднее»
beside a reading passed that month; on both engines."""

from __future__ import annotations

import random
from datetime import date
from decimal import Decimal

from portal.billing import demo as billing_demo
from portal.billing.tables import Charge
from portal.demo import DemoContext
from portal.housing import demo as housing_demo
from portal.meters import demo as meters_demo
from portal.meters.tables import MeterReading


def _day(value):
    return date.fromisoformat(value) if isinstance(value, str) else value


async def test_each_water_charge_of_the_demo_is_counted_by_that_months_reading_or_by_the_average(db):
    ctx = DemoContext(rng=random.Random(20261125), today=date(2026, 12, 2))
    await housing_demo.seed(ctx)
    await billing_demo.seed(ctx)
    await meters_demo.seed(ctx)

    readings = {
        (r["account"], r["service"], _day(r["period"])): Decimal(str(r["consumption"]))
        for r in await MeterReading.select(
            MeterReading.meter.account.as_alias("account"),
            MeterReading.meter.service.as_alias("service"),
            MeterReading.period,
            MeterReading.consumption,
        ).where(MeterReading.meter.service.is_in(["cold_water", "hot_water"]))
    }
    charges = await Charge.select(
        Charge.account, Charge.period, Charge.service.code.as_alias("code"), Charge.volume, Charge.basis
    ).where(Charge.service.code.is_in(["cold_water", "hot_water"]))
    assert charges
    bases = set()
    for c in charges:
        key = (c["account"], c["code"], _day(c["period"]))
        bases.add(c["basis"])
        if c["basis"] == "average":
            assert key not in readings, f"charged by the average beside a reading: {key}"
        else:
            assert c["basis"] == "metered", key
            assert readings.get(key) == Decimal(str(c["volume"])).quantize(Decimal("0.001")), key
    assert bases == {"average", "metered"}
