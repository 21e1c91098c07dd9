"""Demo meters: cold and hot water in every flat, a two-zone electricity meter in some, six months of readings."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from portal.demo import DemoContext
from portal.housing.tables import PersonalAccount, PremiseKind
from portal.meters.rules import first_of_month
from portal.meters.tables import Meter, MeterReading, Service, Source

MONTHS = 6


def _months_back(today: date, n: int) -> date:
    period = first_of_month(today)
    for _ in range(n):
        period = first_of_month(period - timedelta(days=1))
    return period


async def seed(ctx: DemoContext) -> None:
    rng = ctx.rng
    accounts = (
        await PersonalAccount.select(PersonalAccount.id)
        .where(PersonalAccount.premise.kind == PremiseKind.FLAT)
        .order_by(PersonalAccount.id)
    )
    meters: list[Meter] = []
    for row in accounts:
        account = row["id"]
        installed = date(2023, rng.randint(1, 12), 1)
        for service, serial, years in ((Service.COLD_WATER, "ХВ", 6), (Service.HOT_WATER, "ГВ", 4)):
            meters.append(
                Meter(
                    account=account,
                    service=service,
                    serial=f"{serial}{account:06d}",
                    digits=5,
                    decimals=3,
                    installed_on=installed,
                    next_verification=installed.replace(year=installed.year + years),
                )
            )
        if account % 3 == 0:
            meters.append(
                Meter(
                    account=account,
                    service=Service.ELECTRICITY,
                    serial=f"Э{account:07d}",
                    digits=6,
                    decimals=1,
                    zones=2,
                    installed_on=installed,
                )
            )
    for i in range(0, len(meters), 500):
        await Meter.insert(*meters[i : i + 500])
    saved = await Meter.select(Meter.id, Meter.service, Meter.zones).order_by(Meter.id)
    readings: list[MeterReading] = []
    for m in saved:
        per_month = {Service.COLD_WATER: 4.0, Service.HOT_WATER: 2.5, Service.ELECTRICITY: 120.0}[m["service"]]
        for zone in range(1, m["zones"] + 1):
            value = Decimal(str(round(rng.uniform(10, 400), 3 if m["service"] != Service.ELECTRICITY else 1)))
            for back in range(MONTHS, 0, -1):
                period = _months_back(ctx.today, back)
                used = Decimal(
                    str(
                        round(per_month * rng.uniform(0.6, 1.4) / zone, 3 if m["service"] != Service.ELECTRICITY else 1)
                    )
                )
                value += used
                readings.append(
                    MeterReading(
                        meter=m["id"],
                        zone=zone,
                        value=value,
                        consumption=used,
                        period=period,
                        submitted_at=datetime.combine(period.replace(day=rng.randint(15, 25)), time(12), UTC),
                        source=Source.PORTAL,
                    )
                )
    for i in range(0, len(readings), 1000):
        await MeterReading.insert(*readings[i : i + 1000])
    ctx.shared["meters"] = len(saved)
