"""Demo meters and 12 months of readings: water in every flat, gas and electricity (two and three zones) in some,
a replaced meter, one past its verification date (the first demo resident's second account), one close to going
through zero (the hot water of his first account), this month's readings (passed from the window's first day;
before it only a few passed early) missing for a third of the accounts, implausible jumps waiting for review (with
photos of the meter), and the house (ОДПУ) meters of every house with their monthly readings."""

from __future__ import annotations

import io
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta
from decimal import Decimal
from typing import Any

from portal.core import bulk
from portal.core import clock
from portal.core import storage
from portal.demo import DemoContext
from portal.housing.tables import House
from portal.housing.tables import PersonalAccount
from portal.housing.tables import PremiseKind
from portal.meters import reminders
from portal.meters import rules
from portal.meters.tables import HouseMeter
from portal.meters.tables import HouseReading
from portal.meters.tables import Meter
from portal.meters.tables import MeterReading
from portal.meters.tables import MeterStatus
from portal.meters.tables import Review
from portal.meters.tables import Service
from portal.meters.tables import Source

MONTHS = 12
PER_MONTH = {Service.COLD_WATER: 4.0, Service.HOT_WATER: 2.5, Service.ELECTRICITY: 150.0, Service.GAS: 12.0,
             Service.HEATING: 0.8}  # fmt: skip


def meter_photo(value: Decimal, serial: str, decimals: int) -> bytes:
    """A picture of a meter's counter showing ``value`` (the demo's stand-in for a resident's photo)."""
    from PIL import Image
    from PIL import ImageDraw

    whole, _, fraction = f"{value:.{decimals}f}".partition(".")
    image = Image.new("RGB", (640, 480), (214, 219, 226))
    draw = ImageDraw.Draw(image)
    draw.ellipse((40, 20, 600, 460), fill=(245, 245, 240), outline=(60, 60, 60), width=6)
    draw.rectangle((110, 170, 530, 270), fill=(30, 30, 30))
    font, small = _font(64), _font(24)
    draw.text((130, 182), whole.rjust(5, "0"), font=font, fill=(250, 250, 250))
    if fraction:
        draw.rectangle((400, 170, 530, 270), fill=(170, 20, 20))
        draw.text((410, 182), fraction, font=font, fill=(250, 250, 250))
    draw.text((230, 300), f"№ {serial}", font=small, fill=(40, 40, 40))
    draw.text((270, 110), "m³" if decimals == 3 else "kWh", font=small, fill=(40, 40, 40))
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=80)
    return out.getvalue()


def _font(size: int) -> Any:
    """DejaVu Sans where the system has it (Cyrillic serials, «³»), else Pillow's own font."""
    from PIL import ImageFont

    try:
        return ImageFont.truetype("DejaVuSans.ttf", size)
    except OSError:
        return ImageFont.load_default(size=size)


def _current(today: date) -> date:
    """The period residents pass readings for today."""
    return rules.period_of_reading(today)


def _months(today: date) -> list[date]:
    """The 12 periods before the current one, oldest first (its own readings are added separately)."""
    return [rules.months_back(_current(today), n) for n in range(MONTHS, 0, -1)]


def _meters_of(account: int, index: int, installed: date, today: date) -> list[dict[str, Any]]:
    made = [
        dict(account=account, service=Service.COLD_WATER, serial=f"ХВ{account:06d}", place="санузел", digits=5,
             decimals=3, zones=1, installed_on=installed, next_verification=installed.replace(year=installed.year + 6)),
        dict(account=account, service=Service.HOT_WATER, serial=f"ГВ{account:06d}", place="санузел", digits=5,
             decimals=3, zones=1, installed_on=installed, next_verification=installed.replace(year=installed.year + 4)),
    ]  # fmt: skip
    if index % 3 == 0:
        zones = 3 if index % 7 == 0 else 2
        made.append(dict(account=account, service=Service.ELECTRICITY, serial=f"Э{account:07d}",
                         place="щит на площадке", digits=6, decimals=1, zones=zones, installed_on=installed,
                         next_verification=installed.replace(year=installed.year + 16)))  # fmt: skip
    if index % 5 == 0:
        made.append(dict(account=account, service=Service.GAS, serial=f"Г{account:07d}", place="кухня", digits=5,
                         decimals=3, zones=1, installed_on=installed,
                         next_verification=installed.replace(year=installed.year + 10)))  # fmt: skip
    return made


async def seed(ctx: DemoContext) -> None:
    rng = ctx.rng
    today = ctx.today
    accounts = [
        r["id"]
        for r in await PersonalAccount.select(PersonalAccount.id)
        .where(PersonalAccount.premise.kind == PremiseKind.FLAT)
        .order_by(PersonalAccount.id)
    ]
    resident = list(ctx.shared.get("resident_accounts", []))
    expired_account = resident[1] if len(resident) > 1 else None
    meters: list[dict[str, Any]] = []
    for index, account in enumerate(accounts):
        installed = date(2023 + index % 3, rng.randint(1, 12), 1)
        meters.extend(_meters_of(account, index, installed, today))
    for m in meters:
        if m["account"] == expired_account and m["service"] == Service.HOT_WATER:
            m["next_verification"] = today - timedelta(days=20)  # past its verification date: the page explains
    await bulk.insert_records(Meter, meters)
    saved = await Meter.select(Meter.id, Meter.account, Meter.service, Meter.zones, Meter.serial).order_by(Meter.id)
    readings, photos = await _readings(ctx, saved, accounts, resident)
    await bulk.insert_records(MeterReading, readings)
    await _replace_one(ctx, accounts, resident)
    await _house_meters(ctx)
    ctx.shared["meters"] = len(saved)
    ctx.say(f"meters: {len(saved)} meters, {len(readings)} readings, {photos} photos")


async def _readings(
    ctx: DemoContext, meters: list[dict[str, Any]], accounts: list[int], resident: list[int]
) -> tuple[list[dict[str, Any]], int]:
    rng = ctx.rng
    current = _current(ctx.today)
    window = reminders.window()
    # This month's readings are passed from the window's first day: before it, the last ones are last month's.
    in_window = current == rules.first_of_month(ctx.today) and ctx.today.day >= window.start_day
    # the first day this month a reading went to ``current``: after the window's end they count for the next month
    first = window.start_day if in_window else 1 if current == rules.first_of_month(ctx.today) else window.end_day + 1
    expired = resident[1] if len(resident) > 1 else None
    first_house = set(ctx.shared.get("accounts_by_house", {}).get((ctx.shared.get("houses") or [0])[0], []))
    passed_now = {a for i, a in enumerate(accounts) if i % 3 != 1 and a not in resident[:1]}  # a third missing
    jumpy = [a for a in sorted(first_house) if a in passed_now and a not in resident][2:6]  # to review, with photos
    with_photo = {a for a in sorted(passed_now) if a in first_house and a not in jumpy}
    with_photo = set(sorted(with_photo)[:2]) | set(jumpy[:3])
    early = set(jumpy) | with_photo  # the few who passed this month's readings before the window, if it isn't open
    readings: list[dict[str, Any]] = []
    photos = 0
    charged = await _charged_water()
    for m in meters:
        service, account = m["service"], m["account"]
        per_month = PER_MONTH[service]
        decimals = 1 if service == Service.ELECTRICITY else 3
        quantum = Decimal(1).scaleb(-decimals)
        for zone in range(1, m["zones"] + 1):
            value = Decimal(str(round(rng.uniform(10, 400), decimals)))
            if resident and account == resident[0] and service == Service.HOT_WATER:
                value = Decimal("99480.000")  # close to going through zero: the form asks about a lower value
            share = {1: 1.0, 2: 0.45, 3: 0.3}[zone] if m["zones"] > 1 else 1.0
            passed = account in passed_now and (in_window or account in early)
            periods = _months(ctx.today) + ([current] if passed else [])
            for period in periods:
                if period == current and account == expired and service == Service.HOT_WATER:
                    continue  # past its verification date: no reading this month
                used = Decimal(str(round(per_month * share * rng.uniform(0.6, 1.4), decimals))).quantize(quantum)
                flagged = period == current and account in jumpy and service == Service.COLD_WATER
                if flagged:
                    used = Decimal("64.000")  # far above 3 × usual and above the cold-water cap
                # A billed month's reading is what its charge was counted by; a month charged by the average had none.
                volume = charged.get((account, str(service), period), used)
                if volume is not None:
                    used = volume.quantize(quantum)
                    value += used
                photo = ""
                if period == current and account in with_photo and service == Service.COLD_WATER:
                    photo = (await storage.save_image(meter_photo(value, m["serial"], decimals))).key
                    photos += 1
                if period == current:
                    moment = _this_month(ctx, rng.randint(min(first, ctx.today.day), ctx.today.day))
                else:
                    moment = datetime.combine(period.replace(day=rng.randint(15, 25)), time(9 + zone), UTC)
                source = Source.PHONE if rng.random() < 0.08 else Source.PORTAL
                if volume is None:
                    continue
                readings.append(
                    {
                        "meter": m["id"],
                        "zone": zone,
                        "value": value,
                        "consumption": used,
                        "period": period,
                        "submitted_at": moment,
                        "source": source,
                        "flagged": flagged,
                        "review": Review.PENDING if flagged else Review.NONE,
                        "photo": photo,
                    }
                )
    return readings, photos


def _this_month(ctx: DemoContext, day: int) -> datetime:
    """A moment of this month's ``day`` in the company's hours, not after the demo's load."""
    rng = ctx.rng
    start = datetime.combine(ctx.today.replace(day=day), time(0), clock.zone())
    moment = start + timedelta(hours=rng.randint(8, 21), minutes=rng.randint(0, 59))
    if moment <= ctx.now:
        return moment.astimezone(UTC)
    return (start + (ctx.now - start) * rng.random()).astimezone(UTC)  # earlier today: between midnight and the load


async def _charged_water() -> dict[tuple[int, str, date], Decimal | None]:
    """The water each flat was charged for each billed month by its meter's reading (its volume), or by the average
    (None): the billing demo bills the months, this demo passes the readings they were counted by."""
    from portal.billing.tables import Basis
    from portal.billing.tables import Charge

    codes = [str(Service.COLD_WATER), str(Service.HOT_WATER)]
    rows = await Charge.select(
        Charge.account, Charge.period, Charge.service.code.as_alias("code"), Charge.volume, Charge.basis
    ).where(Charge.service.code.is_in(codes))
    return {
        (r["account"], r["code"], _day(r["period"])): None if r["basis"] == Basis.AVERAGE else Decimal(str(r["volume"]))
        for r in rows
    }


def _day(value: Any) -> date:
    return date.fromisoformat(value) if isinstance(value, str) else value


async def _replace_one(ctx: DemoContext, accounts: list[int], resident: list[int]) -> None:
    """A cold-water meter replaced four months ago: the old one keeps its readings, the new one took over."""
    photographed = {
        r["account"]
        for r in await MeterReading.select(MeterReading.meter.account.as_alias("account")).where(
            MeterReading.photo != ""
        )
    }  # a photo keeps the digits of the meter it was taken of: those accounts keep their meters
    candidates = [a for a in accounts[5:] if a not in resident and a not in photographed]
    if not candidates:
        return
    account = candidates[0]
    old = await Meter.objects().where((Meter.account == account) & (Meter.service == Service.COLD_WATER)).first()
    if old is None:
        return
    swap = rules.months_back(_current(ctx.today), 4)
    new = Meter(account=account, service=Service.COLD_WATER, serial=f"ХВН{account:06d}", place="санузел", digits=5,
                decimals=3, installed_on=swap, next_verification=swap.replace(year=swap.year + 6))  # fmt: skip
    await new.save()
    moved = (
        await MeterReading.select(MeterReading.id, MeterReading.consumption, MeterReading.period)
        .where((MeterReading.meter == old.id) & (MeterReading.period >= swap))
        .order_by(MeterReading.period)
    )
    value = Decimal("0.000")
    for r in moved:
        value += Decimal(r["consumption"] or 0)
        await MeterReading.update({MeterReading.meter: new.id, MeterReading.value: value}).where(
            MeterReading.id == r["id"]
        )
    await Meter.update({Meter.status: MeterStatus.REPLACED, Meter.replaced_by: new.id, Meter.removed_on: swap}).where(
        Meter.id == old.id
    )


async def _house_meters(ctx: DemoContext) -> None:
    """Cold water, heating and electricity house meters in every house, read every month by staff."""
    rng = ctx.rng
    houses = await House.select(House.id).order_by(House.id)
    meters = []
    for h in houses:
        for service, serial, digits, decimals, zones in (
            (Service.COLD_WATER, "ОХВ", 8, 3, 1),
            (Service.HEATING, "ОТ", 7, 3, 1),
            (Service.ELECTRICITY, "ОЭ", 8, 1, 2),
        ):
            meters.append(dict(house=h["id"], service=service, serial=f"{serial}{h['id']:05d}", digits=digits,
                               decimals=decimals, zones=zones, place="ИТП, подвал",
                               installed_on=date(2021, 9, 1), next_verification=date(2027, 9, 1)))  # fmt: skip
    await bulk.insert_records(HouseMeter, meters)
    saved = await HouseMeter.select(HouseMeter.id, HouseMeter.service, HouseMeter.zones).order_by(HouseMeter.id)
    readings = []
    per_month = {Service.COLD_WATER: 900.0, Service.HEATING: 120.0, Service.ELECTRICITY: 9000.0}
    for m in saved:
        decimals = 1 if m["service"] == Service.ELECTRICITY else 3
        for zone in range(1, m["zones"] + 1):
            value = Decimal(str(round(rng.uniform(1000, 90000), decimals)))
            for period in _months(ctx.today):
                season = 1.0 if m["service"] != Service.HEATING or period.month in rules.HEATING_SEASON else 0.05
                used = Decimal(str(round(per_month[m["service"]] * season * rng.uniform(0.8, 1.2) / zone, decimals)))
                value += used
                entered = datetime.combine(period.replace(day=24), time(10), UTC)
                readings.append(
                    {"meter": m["id"], "zone": zone, "value": value, "consumption": used, "period": period,
                     "entered_at": entered}
                )  # fmt: skip
    await bulk.insert_records(HouseReading, readings)
