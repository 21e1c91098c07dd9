"""Fixtures of the mystery resident's tests: a house with two flats, its manager, a resident invited to check it
(and one who lives elsewhere), the requests of the company numbered already."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest


@dataclass(frozen=True)
class House:
    id: int
    account: int
    manager: int
    checker_user: int
    checker: int  # invited, not yet accepted
    other_house: int
    stranger: int  # a resident of the other house


@pytest.fixture
async def house(db: Any, make_account: Any, make_user: Any) -> House:
    from portal.core import clock
    from portal.mystery.tables import MysteryChecker
    from portal.tickets.tables import TicketCounter

    await TicketCounter.insert(TicketCounter(id=1, value=700))
    flat = await make_account()
    other = await make_account()
    manager = await make_user(name="Управляющий Домом", roles=("manager",), houses=(flat.house,))
    user = await make_user(name="Анна Проверяющая", accounts={flat.account: "owner"})
    stranger = await make_user(name="Чужой Житель", accounts={other.account: "owner"})
    row = MysteryChecker(
        house=flat.house, user=user, status="invited", seat=f"{flat.house}:1", live=f"{flat.house}:{user}",
        invited_by=manager, invited_at=clock.now(),
    )  # fmt: skip
    await row.save()
    return House(flat.house, flat.account, manager, user, row.id, other.house, stranger)


def graded(low: dict[str, tuple[int, str]] | None = None, mark: int = 4) -> dict[str, str]:
    """A filled report form: every point ``mark`` but the ``low`` ones (point → (grade, comment))."""
    from portal.mystery import rules

    form = {f"grade_{p.code}": str(mark) for p in rules.POINTS}
    for code, (grade, comment) in (low or {}).items():
        form[f"grade_{code}"] = str(grade)
        form[f"comment_{code}"] = comment
    return form
