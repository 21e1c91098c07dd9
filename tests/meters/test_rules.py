"""Meter reading rules, with the cases of DOMAIN.md §4."""

from datetime import date
from decimal import Decimal as D

import pytest

from portal.meters.rules import (
    Basis,
    ReadingError,
    Window,
    charge_basis,
    check_reading,
    check_zones,
    parse_value,
    period_of_reading,
)


def test_a_five_digit_water_meter_rolls_over_through_zero():
    check = check_reading(D("12.000"), D("99987.000"), digits=5, on=date(2026, 11, 20))
    assert check.error is None
    assert check.rollover
    assert check.consumption == D("25.000")


def test_a_reading_below_the_previous_one_is_refused():
    check = check_reading(D("120.000"), D("123.456"), digits=5, on=date(2026, 11, 20))
    assert check.error is ReadingError.LESS_THAN_PREVIOUS


@pytest.mark.parametrize(
    ("received", "period"),
    [
        (date(2026, 11, 25), date(2026, 11, 1)),
        (date(2026, 11, 26), date(2026, 12, 1)),
        (date(2026, 12, 26), date(2027, 1, 1)),
    ],
    ids=["on the 25th: this month", "on the 26th: next month", "late in December: January"],
)
def test_a_late_reading_goes_to_the_next_period(received, period):
    assert period_of_reading(received) == period


def test_the_window_is_configurable():
    assert Window().is_open(date(2026, 11, 15))
    assert not Window().is_open(date(2026, 11, 14))
    assert Window(start_day=20, end_day=23).is_open(date(2026, 11, 23))


def test_a_meter_past_its_verification_date_is_refused_and_the_month_is_charged_by_average():
    check = check_reading(D("10"), D("5"), digits=5, on=date(2025, 3, 5), next_verification=date(2025, 3, 1))
    assert check.error is ReadingError.VERIFICATION_EXPIRED
    basis = charge_basis(1, meter_failed=True)
    assert (basis.basis, basis.month_of_average) == (Basis.AVERAGE, 1)


def test_the_fourth_month_without_a_reading_is_charged_by_the_normative():
    assert charge_basis(3).basis is Basis.AVERAGE
    assert charge_basis(4).basis is Basis.NORMATIVE
    assert charge_basis(4, meter_failed=True).coefficient == D("1.5")
    assert charge_basis(3, residential=False).basis is Basis.NORMATIVE


def test_zones_of_a_two_tariff_meter_are_checked_each_on_its_own():
    checks = check_zones(
        {1: D("1200"), 2: D("800")}, {1: D("1150"), 2: D("820")}, digits=6, decimals=1, on=date(2026, 11, 20)
    )
    assert checks[1].error is None and checks[1].consumption == D("50")
    assert checks[2].error is ReadingError.LESS_THAN_PREVIOUS


def test_an_implausible_jump_is_accepted_with_a_flag():
    check = check_reading(D("160"), D("100"), digits=5, on=date(2026, 11, 20), average=D("8"))
    assert check.error is None and check.flagged
    calm = check_reading(D("110"), D("100"), digits=5, on=date(2026, 11, 20), average=D("8"))
    assert not calm.flagged


def test_the_value_must_fit_the_counter():
    assert check_reading(D("100000"), None, digits=5, on=date(2026, 11, 20)).error is ReadingError.TOO_MANY_DIGITS
    assert check_reading(D("1.2345"), None, digits=5, on=date(2026, 11, 20)).error is ReadingError.TOO_PRECISE


@pytest.mark.parametrize(
    ("text", "value"), [("00 012,5", D("12.5")), ("123.456", D("123.456")), ("12a", None), ("", None)]
)
def test_readings_are_read_as_typed_on_a_phone(text, value):
    assert parse_value(text) == value
