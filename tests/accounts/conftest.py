"""Fixtures of the identity tests: houses of a few accounts (built by the shared ``make_account``), owners in the
register of owners."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture
def make_house(make_account: Any) -> Any:
    """``await make_house(accounts=2)`` → {"house": id, "accounts": [ids], "numbers": [numbers], "premises": [ids]}:
    a house with that many accounts (at least one), each on its own premise."""

    async def make(accounts: int = 2) -> dict[str, Any]:
        places = [await make_account()]
        for _ in range(accounts - 1):
            places.append(await make_account(house=places[0].house))
        return {
            "house": places[0].house,
            "accounts": [p.account for p in places],
            "numbers": [p.number for p in places],
            "premises": [p.premise for p in places],
        }

    return make


@pytest.fixture
def registry_owner(db: Any) -> Any:
    """``await registry_owner(premise_id, email=..., phone=...)``: the register of owners names this person as an
    owner of the premise (a whole share, valid from 2020)."""
    from datetime import date

    from portal.housing.tables import Owner
    from portal.housing.tables import Ownership

    async def make(premise: int, *, email: str = "", phone: str = "", name: str = "Собственник Реестровый") -> int:
        owner = Owner(name=name, email=email, phone=phone)
        await owner.save()
        await Ownership(premise=premise, owner=owner.id, valid_from=date(2020, 1, 1)).save()
        return owner.id

    return make
