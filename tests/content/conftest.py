"""Fixtures of content tests: a house with two entrances and a riser, residents, and staff of each role."""

from __future__ import annotations

from typing import Any

import pytest

from portal.core.security import Principal


@pytest.fixture
def staff_principal() -> Any:
    async def make(user_id: int, *roles: str, houses: tuple[int, ...] | None = None) -> Principal:
        return Principal(
            user_id=user_id,
            name="Сотрудник",
            staff_roles=frozenset(roles),
            house_ids=None if houses is None else frozenset(houses),
        )

    return make


@pytest.fixture
def town(db: Any, make_account: Any, make_user: Any) -> Any:
    async def build() -> dict[str, Any]:
        from portal.accounts.tables import User
        from portal.housing.tables import Entrance
        from portal.housing.tables import PremiseRiser
        from portal.housing.tables import Riser

        a1 = await make_account(floor=3, premise_number="7", address="г. Симферополь, ул. Ручьевая, д. 1")
        entrance2 = Entrance(house=a1.house, number=2, floors=9)
        await entrance2.save()
        a2 = await make_account(house=a1.house, entrance=entrance2.id, floor=6, premise_number="40")
        other = await make_account(floor=3, address="г. Симферополь, ул. Другая, д. 9")
        riser = Riser(house=a1.house, code="ХВС-1", kind="cold_water", entrance=a1.entrance)
        await riser.save()
        await PremiseRiser(premise=a1.premise, riser=riser.id).save()
        first = await make_user(name="Анна Первая", email="anna@example.ru", accounts={a1.account: "owner"})
        second = await make_user(name="Борис Второй", email="boris@example.ru", accounts={a2.account: "owner"})
        third = await make_user(name="Вера Другая", email="vera@example.ru", accounts={other.account: "owner"})
        await User.update({User.phone: "+79780000001"}).where(User.id == first)
        await User.update({User.phone: "+79780000002", User.locale: "en"}).where(User.id == second)
        manager = await make_user(name="Мария Менеджер", roles=("manager",), houses=(a1.house,))
        moderator = await make_user(name="Олег Модератор", roles=("moderator",), houses=(a1.house, other.house))
        dispatcher = await make_user(name="Дина Диспетчер", roles=("dispatcher",), houses=(a1.house,))
        return {
            "house": a1.house,
            "other_house": other.house,
            "entrance2": entrance2.id,
            "riser": riser.id,
            "places": (a1, a2, other),
            "residents": (first, second, third),
            "manager": manager,
            "moderator": moderator,
            "dispatcher": dispatcher,
        }

    return build
