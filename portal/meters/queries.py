"""Reads of meters and readings, always scoped to the accounts a user may pass readings for."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from piccolo.query.functions.aggregate import Max

from portal.core.address import full_address
from portal.core.security import Principal
from portal.meters import rules
from portal.meters.tables import Meter, MeterReading


@dataclass(kw_only=True)
class MeterView(rules.MeterFacts):
    """A meter of the resident's with its last reading per register and its average consumption."""

    id: int
    account_id: int
    account_number: str
    address: str
    service: str
    serial: str
    zones: int
    last_at: datetime | None = None
    this_period: bool = False


@dataclass(frozen=True)
class HomeReminder:
    """«Передайте показания до 25 ноября» while the window is open and a meter still waits for this month."""

    waiting: int
    until: date


def meter_accounts(principal: Principal) -> list[int]:
    """The accounts on which the user may pass readings."""
    return sorted(a for a in principal.account_ids if principal.may_on_account(a, "meters"))


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
            Meter.account.premise.kind.as_alias("premise_kind"),
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
            address=full_address(r["address"], r["premise_kind"], r["premise_number"]),
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
        average = rules.average_consumption(values)
        if average is not None:
            meters[meter_id].average[zone] = average
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


async def home_reminder(principal: Principal, today: date, window: rules.Window) -> HomeReminder | None:
    """The home page's reminder, or None outside the window or when every meter has its reading."""
    accounts = meter_accounts(principal)
    if not accounts or not window.is_open(today):
        return None
    meters = await meters_of(accounts, rules.period_of_reading(today, window))
    waiting = [m for m in meters if not m.this_period and not m.failed]
    if not waiting:
        return None
    return HomeReminder(waiting=len(waiting), until=today.replace(day=window.end_day))
