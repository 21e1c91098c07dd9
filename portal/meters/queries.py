"""Reads and writes of meters and readings, always scoped to the accounts a user may pass readings for."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from portal.core.db import atomic
from portal.housing.tables import PersonalAccount
from portal.meters import rules
from portal.meters.tables import Meter, MeterReading


@dataclass
class MeterView:
    id: int
    account_id: int
    account_number: str
    address: str
    service: str
    serial: str
    digits: int
    decimals: int
    zones: int
    next_verification: date | None
    failed: bool
    last: dict[int, Decimal] = field(default_factory=dict)
    last_at: datetime | None = None
    this_period: bool = False


async def meters_of(account_ids: list[int], period: date) -> list[MeterView]:
    """The meters of the given accounts with their last readings: two queries whatever the count."""
    if not account_ids:
        return []
    rows = (
        await Meter.select(
            Meter.all_columns(),
            Meter.account.number.as_alias("account_number"),
            Meter.account.premise.house.address.as_alias("address"),
            Meter.account.premise.number.as_alias("premise_number"),
        )
        .where(Meter.account.is_in(account_ids))
        .order_by(Meter.account)
        .order_by(Meter.service)
        .limit(200)
    )
    meters = {
        r["id"]: MeterView(
            id=r["id"],
            account_id=r["account"],
            account_number=r["account_number"],
            address=f"{r['address']}, {r['premise_number']}",
            service=r["service"],
            serial=r["serial"],
            digits=r["digits"],
            decimals=r["decimals"],
            zones=r["zones"],
            next_verification=r["next_verification"],
            failed=r["failed_on"] is not None,
        )
        for r in rows
    }
    if not meters:
        return []
    readings = (
        await MeterReading.select(
            MeterReading.meter, MeterReading.zone, MeterReading.value, MeterReading.submitted_at, MeterReading.period
        )
        .where(MeterReading.meter.is_in(list(meters)))
        .order_by(MeterReading.submitted_at)
        .limit(200 * 36)
    )
    for r in readings:
        view = meters[r["meter"]]
        view.last[r["zone"]] = Decimal(r["value"]).quantize(Decimal(10) ** -view.decimals)
        view.last_at = r["submitted_at"]
        view.this_period = r["period"] == period
    return list(meters.values())


async def meter_for(meter_id: int, account_ids: list[int]) -> Meter | None:
    """A meter only if it belongs to one of ``account_ids`` (never loaded, then checked)."""
    if not account_ids:
        return None
    return await Meter.objects().where((Meter.id == meter_id) & Meter.account.is_in(account_ids)).first()


async def submit(
    meter: Meter, values: dict[int, Decimal], *, user_id: int | None, now: datetime, today: date, window: rules.Window
) -> dict[int, rules.Check]:
    """Check every zone and store the readings only if all zones pass (one transaction)."""
    previous: dict[int, Decimal] = {}
    history = (
        await MeterReading.select(MeterReading.zone, MeterReading.value, MeterReading.consumption)
        .where(MeterReading.meter == meter.id)
        .order_by(MeterReading.submitted_at, ascending=False)
        .limit(meter.zones * 12)
    )
    consumption: dict[int, list[Decimal]] = {}
    for r in history:
        previous.setdefault(r["zone"], Decimal(r["value"]))
        if r["consumption"] is not None:
            consumption.setdefault(r["zone"], []).append(Decimal(r["consumption"]))
    checks = {
        zone: rules.check_reading(
            value,
            previous.get(zone),
            digits=meter.digits,
            decimals=meter.decimals,
            on=today,
            next_verification=meter.next_verification,
            failed=meter.failed_on is not None,
            average=(sum(consumption[zone]) / len(consumption[zone])) if consumption.get(zone) else None,
        )
        for zone, value in values.items()
    }
    if any(c.error for c in checks.values()):
        return checks
    period = rules.period_of_reading(today, window)
    async with atomic():
        await MeterReading.insert(
            *[
                MeterReading(
                    meter=meter.id,
                    zone=zone,
                    value=value,
                    consumption=checks[zone].consumption,
                    period=period,
                    submitted_at=now,
                    submitted_by=user_id,
                    rollover=checks[zone].rollover,
                    flagged=checks[zone].flagged,
                )
                for zone, value in values.items()
            ]
        )
    return checks


async def account_numbers(account_ids: list[int]) -> dict[int, str]:
    rows = await PersonalAccount.select(PersonalAccount.id, PersonalAccount.number).where(
        PersonalAccount.id.is_in(account_ids or [0])
    )
    return {r["id"]: r["number"] for r in rows}
