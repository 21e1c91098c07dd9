"""Fixtures of the identity tests: a small house with two accounts, clean rate limits."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest


@pytest.fixture(autouse=True)
async def _fresh_rate_limits(app: Any) -> None:
    """Rate limits live in the app's store across tests of one run; each test starts with none."""
    import contextlib

    with contextlib.suppress(FileNotFoundError):
        await app.stores.get("sessions").with_namespace("ratelimit").delete_all()


@pytest.fixture
def make_house(db: Any) -> Any:
    """``await make_house(accounts=2)`` → {"house": id, "accounts": [ids], "numbers": [numbers]}."""
    from portal.housing.tables import Complex, House, PersonalAccount, Premise

    counter = {"n": 0}

    async def make(accounts: int = 2, address: str | None = None) -> dict[str, Any]:
        counter["n"] += 1
        n = counter["n"]
        complex_ = Complex(name=f"ЖК Тест {n}-{id(counter)}", city="Симферополь")
        await complex_.save()
        house = House(complex=complex_.id, address=address or f"ул. Тестовая, д. {n}, {id(counter)}", floors=5)
        await house.save()
        ids, numbers = [], []
        for i in range(accounts):
            premise = Premise(house=house.id, number=str(i + 1), area=Decimal("50.00"), floor=1)
            await premise.save()
            number = f"9{n:03d}{i:02d}{id(counter) % 100000:05d}"
            account = PersonalAccount(number=number, premise=premise.id, payer_name="Тест", opened_on=date(2024, 1, 1))
            await account.save()
            ids.append(account.id)
            numbers.append(number)
        return {"house": house.id, "accounts": ids, "numbers": numbers}

    return make
