"""Fixtures of the meter tests: a flat with meters and a year of readings, its resident, staff of its house.

Houses, premises and accounts come from the one ``make_account`` factory of ``tests/conftest.py``.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import UTC
from datetime import date
from datetime import datetime
from decimal import Decimal
from typing import Any

import pytest

from portal.accounts.principal import load_principal_for
from portal.core.security import Principal
from portal.meters import rules
from portal.meters.tables import Meter
from portal.meters.tables import MeterReading
from portal.meters.tables import Review

TODAY = date(2026, 11, 20)  # inside the window: readings go to November
NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
NOV = date(2026, 11, 1)
WINDOW = rules.Window()


@dataclass
class Flat:
    """A flat's account with cold water (last 100.000, usual 4 m³), a two-zone electricity meter and a gas meter
    past its verification date; its resident (with the "meters" right) and their principal."""

    house: int
    premise: int
    account: int
    number: str
    cold: int
    power: int
    gas: int
    resident: int
    principal: Principal


async def add_meter(account: int, service: str, serial: str, **values: Any) -> int:
    meter = Meter(account=account, service=service, serial=serial, **values)
    await meter.save()
    return meter.id


async def add_history(meter: int, start: Decimal, used: Decimal, months: int = 12, zone: int = 1) -> Decimal:
    """``months`` monthly readings before November 2026, ``used`` apart; the last value."""
    value = start
    for back in range(months, 0, -1):
        value += used
        period = rules.months_back(NOV, back)
        await MeterReading(
            meter=meter, zone=zone, value=value, consumption=used, period=period,
            submitted_at=datetime(period.year, period.month, 20, tzinfo=UTC),
        ).save()  # fmt: skip
    return value


@pytest.fixture
async def flat(db: Any, make_account: Any, make_user: Any) -> Flat:
    place = await make_account()
    cold = await add_meter(place.account, "cold_water", "ХВ-1", digits=5, decimals=3)
    await add_history(cold, Decimal("52"), Decimal("4"))  # last 100.000
    power = await add_meter(place.account, "electricity", "Э-1", digits=6, decimals=1, zones=2)
    await add_history(power, Decimal("1000"), Decimal("100"), zone=1)  # last 2200.0
    await add_history(power, Decimal("500"), Decimal("50"), zone=2)  # last 1100.0
    gas = await add_meter(place.account, "gas", "Г-1", digits=5, decimals=3, next_verification=date(2026, 10, 1))
    user = await make_user(accounts={place.account: "owner"}, rights=("view", "meters"))
    principal = await load_principal_for(user)
    return Flat(place.house, place.premise, place.account, place.number, cold, power, gas, user, principal)


def staff_principal(user_id: int, house: int, *roles: str) -> Principal:
    return Principal(
        user_id=user_id, name="Оператор Тестов", staff_roles=frozenset(roles), house_ids=frozenset({house})
    )


def png_bytes() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (32, 24), (200, 30, 30)).save(out, format="PNG")
    return out.getvalue()


async def readings_of(meter: int, period: date = NOV) -> list[dict[str, Any]]:
    return (
        await MeterReading.select()
        .where((MeterReading.meter == meter) & (MeterReading.period == period))
        .order_by(MeterReading.zone)
    )


async def made_xlsx(client: Any, query: str) -> Any:
    """The XLSX for billing as staff get it: pressed (``query``: the list's month and house), made by the job, and
    downloaded from the export's page; the download's answer."""
    from portal.core import clock
    from portal.meters import exporting

    pressed = await client.form(f"/staff/meters/export.xlsx?{query}", {})
    assert pressed.status_code == 303, pressed.text
    await exporting.work(clock.now())
    page = pressed.headers["location"]
    return await client.get(f"{page}/file")


@pytest.fixture
async def period(db: Any, make_account: Any) -> dict[str, Any]:
    """Two houses: in the first, flats 1–4 with cold water; in November flats 1–3 passed (2 with a photo,
    3 implausible and pending), flat 4 did not; flat 1 also has a rejected hot-water reading. The second house's
    flat passed too (outside a manager of the first house)."""
    first = [await make_account(premise_number=str(n)) for n in range(1, 2)]
    for n in range(2, 5):
        first.append(await make_account(house=first[0].house, premise_number=str(n)))
    other = await make_account(premise_number="1")
    meters = {}
    for place in [*first, other]:
        meters[place.account] = await add_meter(place.account, "cold_water", f"ХВ{place.account}")
    hot = await add_meter(first[0].account, "hot_water", "ГВ-1")
    at = datetime(2026, 11, 18, 10, tzinfo=UTC)

    async def reading(meter: int, value: str, **extra: Any) -> None:
        used = Decimal("4")
        await MeterReading(meter=meter, zone=1, value=Decimal(value), consumption=used, period=NOV, submitted_at=at,
                           **extra).save()  # fmt: skip

    await reading(meters[first[0].account], "104.5", photo="2026/11/abcdefghijklmnopqrstuvwxyz.jpg")
    await reading(meters[first[1].account], "55.25", source="phone")
    await reading(meters[first[2].account], "990", flagged=True, review=Review.PENDING, photo="2026/11/zz.jpg")
    await reading(hot, "70", review=Review.REJECTED)
    await reading(meters[other.account], "12")
    return {"first": first, "other": other, "meters": meters, "hot": hot}
