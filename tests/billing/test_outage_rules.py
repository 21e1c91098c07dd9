"""Permitted interruptions of utilities and the reduction of the charge beyond them (DOMAIN.md §5: «Permitted
interruptions (ПП № 354, прил. 1)»; the test «heating off 17 h at +14 °C → limit 16 h breached»). Pure functions."""

from __future__ import annotations

from datetime import UTC
from datetime import datetime
from decimal import Decimal as D

import pytest

from portal.billing import rules as r
from portal.billing.rules import Interruption

# DOMAIN.md §5, the table of permitted interruptions: at once.
AT_ONCE = [
    ("cold_water", {}, D(4)),
    ("hot_water", {}, D(4)),
    ("sewerage", {}, D(4)),
    ("gas", {}, None),  # gas: 4 h a month in total, no at-once limit
    ("electricity", {}, D(24)),  # one source of supply
    ("electricity", {"independent_sources": 2}, D(2)),
    ("heating", {"room_temperature": D(14)}, D(16)),  # +12 °C … norm
    ("heating", {"room_temperature": D(12)}, D(16)),
    ("heating", {"room_temperature": D("11.9")}, D(8)),  # +10 … +12 °C
    ("heating", {"room_temperature": D(10)}, D(8)),
    ("heating", {"room_temperature": D("9.5")}, D(4)),  # +8 … +10 °C
    ("heating", {"room_temperature": D(8)}, D(4)),
    ("heating", {"room_temperature": D(7)}, D(0)),  # colder: no interruption is permitted (design choice)
    ("heating", {}, D(16)),  # not measured: the warmest band
    ("lift", {}, None),
]


@pytest.mark.parametrize(("service", "conditions", "hours"), AT_ONCE)
def test_the_permitted_interruption_at_once(service, conditions, hours):
    assert r.permitted_at_once(service, **conditions) == hours


def _i(hours: str, at_once: int | None) -> Interruption:
    return Interruption(D(hours), None if at_once is None else D(at_once))


# DOMAIN.md §5: hours beyond the permitted interruption in a month — at once, and the monthly total.
BEYOND = [
    ("heating", [_i("17", 16)], D(1)),  # DOMAIN.md §5's test: heating off 17 h at +14 °C
    ("heating", [_i("16", 16)], D(0)),
    ("heating", [_i("9", 8)], D(1)),  # +11 °C: 8 h at once
    ("heating", [_i("10", 16), _i("10", 16), _i("10", 16)], D(6)),  # 30 h in the month, 24 permitted
    ("cold_water", [_i("5", 4)], D(1)),
    ("cold_water", [_i("3", 4), _i("3", 4), _i("3", 4)], D(1)),  # 9 h in the month, 8 permitted
    ("cold_water", [_i("6", 4), _i("6", 4)], D(4)),  # at once: 2 + 2; the month: 12 − 8 = 4
    ("cold_water", [_i("7", 4), _i("2", 4)], D(3)),  # at once 3 > the month's 1
    ("gas", [_i("3", None), _i("2", None)], D(1)),  # 4 h a month
    ("electricity", [_i("30", 24)], D(6)),
    ("electricity", [_i("3", 2)], D(1)),
    ("lift", [_i("48", None)], D(0)),  # not a service of прил. 1
]


@pytest.mark.parametrize(("service", "interruptions", "hours"), BEYOND)
def test_hours_beyond_the_permitted_interruption_in_a_month(service, interruptions, hours):
    assert r.hours_beyond(service, interruptions) == hours


def test_each_hour_beyond_is_counted_once_by_the_interruption_that_crossed_the_limit():
    """The month's cold water: 3 h, 3 h (within 8 h), then 3 h: only the third adds an hour beyond."""
    earlier: list[Interruption] = []
    added = []
    for _ in range(3):
        new = _i("3", 4)
        added.append(r.added_hours_beyond("cold_water", earlier, new))
        earlier.append(new)
    assert added == [D(0), D(0), D(1)]
    assert sum(added) == r.hours_beyond("cold_water", earlier)


# прил. 1: 0.15 % of the month's charge for each hour beyond (DOMAIN.md §5).
REDUCTIONS = [
    (D(1), D("3600.00"), D("0.15"), D("5.40")),  # DOMAIN.md §5's example: one hour beyond
    (D(0), D("3600.00"), D("0"), D("0.00")),
    (D("2.5"), D("1234.56"), D("0.375"), D("4.63")),
    (D(1000), D("100.00"), D("100"), D("100.00")),  # never more than the charge
]


@pytest.mark.parametrize(("hours", "charge", "percent", "amount"), REDUCTIONS)
def test_the_reduction_of_the_months_charge(hours, charge, percent, amount):
    assert r.reduction_percent(hours) == percent
    assert r.reduction_amount(charge, r.reduction_percent(hours)) == amount


def test_hours_are_counted_to_the_hundredth():
    start = datetime(2026, 12, 1, 6, 0, tzinfo=UTC)
    assert r.hours_between(start, datetime(2026, 12, 1, 23, 0, tzinfo=UTC)) == D("17.00")
    assert r.hours_between(start, datetime(2026, 12, 1, 7, 20, tzinfo=UTC)) == D("1.33")
    assert r.hours_between(start, start) == D("0.00")
