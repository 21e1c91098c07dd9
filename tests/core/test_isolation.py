"""One test's failure stays its own: a transaction a test left behind (its teardown's rollback raised, so
pytest-asyncio never carried the fixture's context back) must not become the next tests' transaction. Once it did on
PostgreSQL, and some two thousand tests after it failed on a closed event loop's connection."""

from __future__ import annotations

from typing import Any

import pytest

from portal.housing.tables import Complex

LEFT_BEHIND = "a transaction of a test that has finished"


def test_a_test_leaves_its_transaction_behind(engines: dict[str, Any]) -> None:
    """What a failed teardown leaves: the engine's current transaction, set in the process's own context."""
    for engine in engines.values():
        engine.current_transaction.set(LEFT_BEHIND)


async def test_the_next_test_has_a_transaction_of_its_own(db: Any) -> None:
    current = db.current_transaction.get()
    assert current is not None and current != LEFT_BEHIND
    await Complex(name="Изоляция", city="Симферополь").save()
    assert await Complex.count().where(Complex.name == "Изоляция") == 1


@pytest.fixture(autouse=True, scope="module")
def _nothing_left_behind(engines: dict[str, Any]) -> Any:
    yield
    for engine in engines.values():
        engine.current_transaction.set(None)
