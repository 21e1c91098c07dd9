"""Fixtures of the billing tests: houses with accounts, payees and services (on both engines)."""

from __future__ import annotations

import itertools
from decimal import Decimal
from typing import Any

import pytest

_numbers = itertools.count(1)


@pytest.fixture
def make_account(db: Any) -> Any:
    """``await make_account(house=None, payer="Иванов Иван Иванович", area="54.30")`` → account id."""
    from portal.housing.tables import Complex, Entrance, House, PersonalAccount, Premise

    made: dict[str, Any] = {}

    async def make(
        *, house: int | None = None, payer: str = "Иванов Иван Иванович", area: str = "54.30", number: str | None = None
    ) -> int:
        n = next(_numbers)
        if house is None:
            if "complex" not in made:
                complex_ = Complex(name=f"ЖК Тестовый {n}", city="Симферополь")
                await complex_.save()
                made["complex"] = complex_.id
            h = House(complex=made["complex"], address=f"г. Симферополь, ул. Тестовая, д. {n}", floors=9)
            await h.save()
            house = h.id
        entrance = await Entrance.select(Entrance.id).where(Entrance.house == house).first()
        if entrance is None:
            e = Entrance(house=house, number=1, floors=9)
            await e.save()
            entrance_id = e.id
        else:
            entrance_id = entrance["id"]
        premise = Premise(house=house, entrance=entrance_id, kind="flat", number=str(n), floor=1, area=Decimal(area))
        await premise.save()
        account = PersonalAccount(number=number or f"9{n:09d}", premise=premise.id, payer_name=payer)
        await account.save()
        return account.id

    return make


@pytest.fixture
async def catalog(db: Any) -> dict[str, Any]:
    """The payees and services of the demo (the УК and the capital-repair fund), ids by code."""
    from portal.billing.queries import ensure_catalog

    return await ensure_catalog()
