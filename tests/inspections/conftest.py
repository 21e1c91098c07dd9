"""Fixtures of the rounds' tests: a small checklist, a house with two entrances and its comendant signed in."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest


@dataclass(frozen=True)
class Walk:
    house: int
    entrances: tuple[int, int]
    points: dict[str, int]  # by a short name: lights, door, lift, roof
    user: int


@pytest.fixture
async def walk(db: Any, make_account: Any, make_user: Any) -> Walk:
    from portal.housing.tables import Entrance
    from portal.inspections.tables import ChecklistPoint
    from portal.tickets.tables import TicketCounter

    await TicketCounter.insert(TicketCounter(id=1, value=700))  # the company's requests are numbered already
    place = await make_account()
    second = Entrance(house=place.house, number=2, floors=9)
    await second.save()
    points = {}
    for n, (name, where, title, category) in enumerate(
        (
            ("lights", "entrance", "Освещение работает", "common_lighting"),
            ("door", "entrance", "Входная дверь исправна", "entrance_doors"),
            ("lift", "lift", "Кабина чистая", "lift_fault"),
            ("roof", "roof", "Кровля без протечек", "roof_leak"),
        ),
        1,
    ):
        row = ChecklistPoint(place=where, title=title, category=category, position=n)
        await row.save()
        points[name] = row.id
    user = await make_user(name="Комендант Петров", roles=("executor",), houses=(place.house,))
    return Walk(place.house, (place.entrance, second.id), points, user)
