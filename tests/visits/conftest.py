"""Fixtures of the visits' tests: a complex's client centre (weekdays 9–18, lunch 13–14, one desk) with a resident
of one of its flats and a manager of its house, and another complex with its own centre, resident and manager."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from typing import Any

import pytest

NOW = datetime(2026, 12, 8, 6, tzinfo=UTC)  # Tuesday 8 December, 09:00 in Simferopol
SLOT = datetime(2026, 12, 9, 7, tzinfo=UTC)  # Wednesday 9 December, 10:00 in Simferopol


@dataclass(frozen=True)
class Centres:
    centre: int
    house: int
    account: int
    resident: int
    manager: int
    other_centre: int
    other_house: int
    other_account: int
    stranger: int  # a resident of the other complex
    other_manager: int


async def make_centre(house_id: int, **hours: Any) -> int:
    from portal.housing.tables import House
    from portal.visits.tables import VisitCentre

    complex_id = (await House.select(House.complex).where(House.id == house_id).first())["complex"]
    row = VisitCentre(
        complex=complex_id, name="Клиентский центр ЖК «Тестовый»", address="г. Симферополь, ул. Тестовая, д. 1, офис 1",
        weekday_from="09:00", weekday_to="18:00", lunch_from="13:00", lunch_to="14:00", **hours,
    )  # fmt: skip
    await row.save()
    return int(row.id)


@pytest.fixture
async def centres(db: Any, make_account: Any, make_user: Any) -> Centres:
    flat = await make_account()
    other = await make_account()
    resident = await make_user(name="Анна Посетительница", accounts={flat.account: "owner"})
    stranger = await make_user(name="Чужой Житель", accounts={other.account: "owner"})
    manager = await make_user(name="Управляющий Домом", roles=("manager",), houses=(flat.house,))
    other_manager = await make_user(name="Управляющий Другим", roles=("manager",), houses=(other.house,))
    return Centres(
        await make_centre(flat.house), flat.house, flat.account, resident, manager,
        await make_centre(other.house), other.house, other.account, stranger, other_manager,
    )  # fmt: skip


def at(hours_after_now: float) -> datetime:
    return NOW + timedelta(hours=hours_after_now)
