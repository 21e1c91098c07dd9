"""The range filters of every staff list (``core.clauses.within``, ``on_days``): each end optional, the days
counted in the company's zone (Europe/Simferopol in the tests, UTC+3)."""

from __future__ import annotations

from datetime import UTC
from datetime import date
from datetime import datetime
from typing import Any

import pytest
from piccolo.columns.combination import And

from portal.core import clock
from portal.core.clauses import either
from portal.core.clauses import every
from portal.core.clauses import on_days
from portal.core.clauses import within
from portal.core.tables import AuditEvent


def _conditions(clause: Any) -> list[tuple[str, str, Any]]:
    """A clause as (column, operator, value) triples, in order."""
    if clause is None:
        return []
    if isinstance(clause, And):
        return _conditions(clause.first) + _conditions(clause.second)
    symbol = clause.operator.template.split()[1]
    return [(clause.column._meta.name, symbol, clause.value)]


@pytest.mark.parametrize(
    ("low", "high", "expected"),
    [
        (None, None, []),
        (3, None, [("id", ">=", 3)]),
        (None, 5, [("id", "<=", 5)]),
        (3, 5, [("id", ">=", 3), ("id", "<=", 5)]),
        (0, 0, [("id", ">=", 0), ("id", "<=", 0)]),  # a zero end is an end, not an open one
    ],
)
def test_within_gives_a_condition_for_each_end_given(low, high, expected):
    assert _conditions(within(AuditEvent.id, low, high)) == expected


def test_a_day_starts_at_local_midnight_which_is_the_previous_utc_day():
    start = clock.day_start(date(2026, 3, 1))
    assert start.astimezone(UTC) == datetime(2026, 2, 28, 21, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("day_from", "day_to", "expected"),
    [
        (None, None, []),
        (date(2026, 3, 1), None, [(">=", datetime(2026, 2, 28, 21, 0, tzinfo=UTC))]),
        (None, date(2026, 3, 1), [("<", datetime(2026, 3, 1, 21, 0, tzinfo=UTC))]),
        (
            date(2026, 2, 28),
            date(2026, 3, 1),
            [(">=", datetime(2026, 2, 27, 21, 0, tzinfo=UTC)), ("<", datetime(2026, 3, 1, 21, 0, tzinfo=UTC))],
        ),
        # The last day of a year: its end is the next year's first local midnight.
        (None, date(2026, 12, 31), [("<", datetime(2026, 12, 31, 21, 0, tzinfo=UTC))]),
    ],
)
def test_on_days_runs_from_the_first_local_midnight_to_the_one_after_the_last_day(day_from, day_to, expected):
    found = _conditions(on_days(AuditEvent.created_at, day_from, day_to))
    assert [(column, op) for column, op, _ in found] == [("created_at", op) for op, _ in expected]
    assert [value for _, _, value in found] == [moment for _, moment in expected]


async def test_on_days_finds_exactly_the_moments_of_those_local_days(db):
    """1 March in Simferopol is 28 Feb 21:00 UTC up to 1 March 21:00 UTC, on both engines."""
    moments = {
        "before": datetime(2026, 2, 28, 20, 59, 59, tzinfo=UTC),
        "first": datetime(2026, 2, 28, 21, 0, tzinfo=UTC),
        "last": datetime(2026, 3, 1, 20, 59, 59, tzinfo=UTC),
        "after": datetime(2026, 3, 1, 21, 0, tzinfo=UTC),
    }
    for name, moment in moments.items():
        await AuditEvent(action="range-test", entity=name, created_at=moment).save()

    async def found(day_from: date | None, day_to: date | None) -> set[str]:
        where = AuditEvent.action == "range-test"
        days = on_days(AuditEvent.created_at, day_from, day_to)
        rows = await AuditEvent.select(AuditEvent.entity).where(where & days if days is not None else where)
        return {r["entity"] for r in rows}

    march_first = date(2026, 3, 1)
    assert await found(march_first, march_first) == {"first", "last"}
    assert await found(march_first, None) == {"first", "last", "after"}
    assert await found(None, march_first) == {"before", "first", "last"}
    assert await found(None, None) == set(moments)


async def test_five_hundred_clauses_either_way_run_on_the_engine(db):
    """``either`` and ``every`` of five hundred clauses (a post form's houses, each with its floors) nest them a few
    brackets deep, not five hundred: SQLite's parser refuses a chain that deep, PostgreSQL reads either."""
    ids = range(1, 501)
    anyone = either(every([AuditEvent.id == i, AuditEvent.id >= i]) for i in ids)
    every_id = {r["id"] for r in await AuditEvent.select(AuditEvent.id)}
    assert {r["id"] for r in await AuditEvent.select(AuditEvent.id).where(anyone)} == every_id & set(ids)
    none_of = every(AuditEvent.id != i for i in ids)
    assert {r["id"] for r in await AuditEvent.select(AuditEvent.id).where(none_of)} == every_id - set(ids)
