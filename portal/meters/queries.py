"""Reads and writes of meters and readings, always scoped to the accounts a user may pass readings for."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from piccolo.query.functions.aggregate import Max

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
    average: dict[int, Decimal] = field(default_factory=dict)
    last_at: datetime | None = None
    this_period: bool = False


def _year_before(period: date) -> date:
    """The first period of the averaging window (12 months before ``period``, DOMAIN.md §4.2)."""
    return period.replace(year=period.year - 1)


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
            MeterReading.meter,
            MeterReading.zone,
            MeterReading.value,
            MeterReading.consumption,
            MeterReading.submitted_at,
            MeterReading.period,
        )
        .where(MeterReading.meter.is_in(list(meters)) & (MeterReading.period >= _year_before(period)))
        .order_by(MeterReading.submitted_at)
    )
    used: dict[tuple[int, int], list[Decimal]] = {}
    for r in readings:
        view = meters[r["meter"]]
        view.last[r["zone"]] = Decimal(r["value"]).quantize(Decimal(10) ** -view.decimals)
        view.last_at = r["submitted_at"]
        view.this_period = r["period"] == period
        if r["consumption"] is not None:
            used.setdefault((r["meter"], r["zone"]), []).append(Decimal(r["consumption"]))
    for (meter_id, zone), values in used.items():
        recent = values[-12:]
        meters[meter_id].average[zone] = sum(recent) / len(recent)
    await _add_older_last_readings(meters)
    return list(meters.values())


async def _add_older_last_readings(meters: dict[int, MeterView]) -> None:
    """A register with no reading in the last year still has a previous reading to compare with (two queries)."""
    stale = [m.id for m in meters.values() if len(m.last) < m.zones]
    if not stale:
        return
    # Readings are stored in the order they are passed, so the newest of a register has its highest id.
    newest = (
        await MeterReading.select(Max(MeterReading.id).as_alias("last_id"))
        .where(MeterReading.meter.is_in(stale))
        .group_by(MeterReading.meter, MeterReading.zone)
    )
    ids = [r["last_id"] for r in newest]
    if not ids:
        return
    rows = await MeterReading.select(MeterReading.meter, MeterReading.zone, MeterReading.value).where(
        MeterReading.id.is_in(ids)
    )
    for r in rows:
        view = meters[r["meter"]]
        if r["zone"] not in view.last:
            view.last[r["zone"]] = Decimal(r["value"]).quantize(Decimal(10) ** -view.decimals)


async def meters_by_id(meter_ids: list[int], account_ids: list[int]) -> list[Meter]:
    """Meters only if they belong to one of ``account_ids`` (never loaded, then checked)."""
    if not meter_ids or not account_ids:
        return []
    return await Meter.objects().where(Meter.id.is_in(meter_ids) & Meter.account.is_in(account_ids))


def check_all(
    meters: dict[int, Meter],
    wanted: dict[int, dict[int, Decimal]],
    previous: dict[int, dict[int, Decimal]],
    *,
    today: date,
    averages: dict[int, dict[int, Decimal]] | None = None,
) -> dict[int, dict[int, rules.Check]]:
    """Check every submitted register against the previous reading of the same register."""
    return {
        meter_id: {
            zone: rules.check_reading(
                value,
                previous.get(meter_id, {}).get(zone),
                digits=meters[meter_id].digits,
                decimals=meters[meter_id].decimals,
                on=today,
                next_verification=meters[meter_id].next_verification,
                failed=meters[meter_id].failed_on is not None,
                average=(averages or {}).get(meter_id, {}).get(zone),
            )
            for zone, value in zones.items()
        }
        for meter_id, zones in wanted.items()
        if meter_id in meters
    }


async def store_all(
    meters: dict[int, Meter],
    wanted: dict[int, dict[int, Decimal]],
    checks: dict[int, dict[int, rules.Check]],
    *,
    user_id: int | None,
    now: datetime,
    today: date,
    window: rules.Window,
) -> None:
    """Store the checked readings in one transaction, for the period they are used in."""
    period = rules.period_of_reading(today, window)
    rows = [
        MeterReading(
            meter=meter_id,
            zone=zone,
            value=value,
            consumption=checks[meter_id][zone].consumption,
            period=period,
            submitted_at=now,
            submitted_by=user_id,
            rollover=checks[meter_id][zone].rollover,
            flagged=checks[meter_id][zone].flagged,
        )
        for meter_id, zones in wanted.items()
        if meter_id in meters
        for zone, value in zones.items()
    ]
    async with atomic():
        await MeterReading.insert(*rows)


async def account_numbers(account_ids: list[int]) -> dict[int, str]:
    rows = await PersonalAccount.select(PersonalAccount.id, PersonalAccount.number).where(
        PersonalAccount.id.is_in(account_ids or [0])
    )
    return {r["id"]: r["number"] for r in rows}
