"""Meter reading rules, with the cases of DOMAIN.md §4 as tables."""

from datetime import date
from decimal import Decimal as D

import pytest

from portal.meters.rules import CAPS
from portal.meters.rules import Basis
from portal.meters.rules import Due
from portal.meters.rules import MeterFacts
from portal.meters.rules import ReadingError
from portal.meters.rules import Reminder
from portal.meters.rules import Used
from portal.meters.rules import VerifiedOn
from portal.meters.rules import Window
from portal.meters.rules import cap_of
from portal.meters.rules import charge_basis
from portal.meters.rules import check_meter
from portal.meters.rules import check_reading
from portal.meters.rules import check_submission
from portal.meters.rules import check_zones
from portal.meters.rules import confirm_rollover
from portal.meters.rules import jump_threshold
from portal.meters.rules import may_correct
from portal.meters.rules import monthly_history
from portal.meters.rules import parse_value
from portal.meters.rules import period_of_reading
from portal.meters.rules import recount_following
from portal.meters.rules import reminders_due
from portal.meters.rules import usual_consumption
from portal.meters.rules import verification_expired
from portal.meters.rules import verified_on_problem

ON = date(2026, 11, 20)
NOV = date(2026, 11, 1)


# --- §4.3 rollover and monotonic registers ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("new", "previous", "digits", "error", "rollover", "consumption"),
    [
        # §4.3 test: 5-digit water meter, previous 99 987.000, new 00 012.000 → rollover, consumption 25.000 m³
        (D("12.000"), D("99987.000"), 5, None, True, D("25.000")),
        # §4.3 test: previous 123.456, new 120.000 → reject
        (D("120.000"), D("123.456"), 5, ReadingError.LESS_THAN_PREVIOUS, False, None),
        # lower, previous above 0.9·10^N but new not below 0.1·10^N: not a rollover
        (D("10000"), D("99987"), 5, ReadingError.LESS_THAN_PREVIOUS, False, None),
        # lower, new below 0.1·10^N but previous not above 0.9·10^N: not a rollover
        (D("12"), D("90000"), 5, ReadingError.LESS_THAN_PREVIOUS, False, None),
        # a six-digit electricity counter rolls over at 10^6
        (D("5"), D("999990"), 6, None, True, D("15")),
        (D("130.5"), D("123.456"), 5, None, False, D("7.044")),
        (D("123.456"), D("123.456"), 5, None, False, D("0")),
        (D("5"), None, 5, None, False, None),  # the first reading has nothing to compare with
    ],
    ids=["rollover", "below previous", "not low enough", "previous not high enough", "6 digits", "up", "same", "first"],
)
def test_monotonic_registers_and_rollover(new, previous, digits, error, rollover, consumption):
    check = check_reading(new, previous, digits=digits, decimals=3, on=ON)
    assert (check.error, check.rollover, check.consumption) == (error, rollover, consumption)


@pytest.mark.parametrize(
    ("new", "digits", "decimals", "error"),
    [
        (D("100000"), 5, 3, ReadingError.TOO_MANY_DIGITS),
        (D("1.2345"), 5, 3, ReadingError.TOO_PRECISE),
        (D("1200.5"), 6, 0, ReadingError.TOO_PRECISE),  # §4.3 precision: electricity kWh integer per the passport
        (D("1200.5"), 6, 1, None),  # …or one decimal
        (D("12.345"), 5, 3, None),  # water m³ with 3 decimals
        (D("-1"), 5, 3, ReadingError.NEGATIVE),
    ],
)
def test_the_value_must_fit_the_counter(new, digits, decimals, error):
    assert check_reading(new, None, digits=digits, decimals=decimals, on=ON).error is error


# --- §4.1 the window ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("received", "window", "period"),
    [
        (date(2026, 11, 25), Window(), date(2026, 11, 1)),
        (date(2026, 11, 26), Window(), date(2026, 12, 1)),  # §4.1 test: reading dated 26th → next period
        (date(2026, 12, 26), Window(), date(2027, 1, 1)),
        (date(2026, 11, 3), Window(), date(2026, 11, 1)),  # before the window opens: still this month
        (date(2026, 11, 26), Window(23, 26), date(2026, 11, 1)),  # ОДПУ: 23rd–26th
        (date(2026, 11, 27), Window(23, 26), date(2026, 12, 1)),
    ],
    ids=["25th", "26th", "late December", "early", "house 26th", "house 27th"],
)
def test_a_late_reading_goes_to_the_next_period(received, window, period):
    assert period_of_reading(received, window) == period


@pytest.mark.parametrize(
    ("window", "day", "open_"),
    [
        (Window(), 14, False),
        (Window(), 15, True),
        (Window(), 25, True),
        (Window(), 26, False),
        (Window(20, 23), 23, True),
    ],
)
def test_the_window_is_configurable(window, day, open_):
    assert window.is_open(date(2026, 11, day)) is open_


@pytest.mark.parametrize(
    ("period", "today", "allowed"),
    [(NOV, date(2026, 11, 25), True), (NOV, date(2026, 11, 26), False), (date(2026, 12, 1), date(2026, 11, 28), True)],
    ids=["until the window closes", "not after", "a late reading, in its own period"],
)
def test_a_reading_can_be_corrected_until_its_window_closes(period, today, allowed):
    assert may_correct(period, today) is allowed


# --- §4.2 verification, failure, suspension --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("next_verification", "on", "expired"),
    [
        (date(2025, 3, 1), date(2025, 3, 5), True),  # §4.2/§4.3 test: verification 01.03.2025, reading 05.03.2025
        (date(2025, 3, 1), date(2025, 3, 1), False),  # the date itself is still within the interval
        (None, date(2025, 3, 5), False),
        (date(2020, 3, 1), date(2020, 4, 5), True),  # the day before ПП № 424's suspension
        (date(2020, 3, 1), date(2020, 4, 6), False),  # suspended from 06.04.2020 …
        (date(2020, 3, 1), date(2020, 12, 31), False),  # … to 31.12.2020 inclusive
        (date(2020, 3, 1), date(2021, 1, 1), True),  # and in force again from 01.01.2021
        (date(2020, 8, 1), date(2020, 9, 10), False),  # expired during the suspension: accepted then
    ],
    ids=["expired", "on the date", "no date", "before suspension", "suspension starts", "suspension ends",
         "after suspension", "expired inside"],
)  # fmt: skip
def test_an_expired_verification_fails_the_meter_except_in_2020(next_verification, on, expired):
    assert verification_expired(next_verification, on) is expired
    check = check_reading(D("10"), D("5"), digits=5, on=on, next_verification=next_verification)
    assert (check.error is ReadingError.VERIFICATION_EXPIRED) is expired


def test_a_meter_past_its_verification_date_is_refused_and_the_month_is_charged_by_average():
    # §4.2 test: next_verification = 01.03.2025, reading on 05.03.2025 → rejected, month charged by average (1 of 3)
    check = check_reading(D("10"), D("5"), digits=5, on=date(2025, 3, 5), next_verification=date(2025, 3, 1))
    assert check.error is ReadingError.VERIFICATION_EXPIRED
    basis = charge_basis(1, meter_failed=True)
    assert (basis.basis, basis.month_of_average) == (Basis.AVERAGE, 1)


def test_a_meter_is_judged_as_it_stood_on_the_day_not_as_it_stands_now():
    """§4.2 for a past month: verified again on 03.12 after its date of 10.11 passed, marked failed on 20.11 and in
    use again since 03.12 — on 31.10 in use, on 30.11 failed, on 31.12 in use."""
    from portal.meters.rules import Standing
    from portal.meters.rules import standing_on

    now = Standing(date(2032, 12, 3))
    changes = [
        (date(2026, 11, 20), Standing(date(2026, 11, 10))),
        (date(2026, 12, 3), Standing(date(2026, 11, 10), date(2026, 11, 20), marked_failed=True)),
    ]
    stood = {
        day: standing_on(day, now, changes) for day in (date(2026, 10, 31), date(2026, 11, 30), date(2026, 12, 31))
    }
    assert stood == {date(2026, 10, 31): changes[0][1], date(2026, 11, 30): changes[1][1], date(2026, 12, 31): now}
    assert [s.failed_by(day) for day, s in stood.items()] == [False, True, False]
    assert Standing(None, date(2026, 11, 20)).failed_by(date(2026, 11, 19)) is False  # failed only from that day
    assert Standing(None, None, marked_failed=True).failed_by(date(2026, 1, 1)) is True  # marked, with no date
    assert Standing(date(2026, 11, 10)).failed_by(date(2026, 11, 11)) is True  # past its verification date


# §4.2 the verification counts from the day it was done (the technician's paper arrives days later): DOMAIN's
# meter due 01.03.2025, verified on 04.03.2025, the paper recorded on 12.03.2025.
PAPER = date(2025, 3, 12)


@pytest.mark.parametrize(
    ("verified_on", "bounds", "problem"),
    [
        (date(2025, 3, 4), {"installed_on": date(2019, 3, 1), "previous": None, "last_change": None}, None),
        (PAPER, {}, None),  # recorded the day it was done (the form's default)
        (date(2025, 3, 13), {}, (VerifiedOn.FUTURE, PAPER)),
        (date(2019, 2, 28), {"installed_on": date(2019, 3, 1)}, (VerifiedOn.BEFORE_INSTALLATION, date(2019, 3, 1))),
        (date(2019, 3, 1), {"installed_on": date(2019, 3, 1)}, None),  # verified the day it was installed
        (date(2025, 3, 4), {"previous": date(2025, 3, 5)}, (VerifiedOn.BEFORE_PREVIOUS, date(2025, 3, 5))),
        (date(2025, 3, 5), {"previous": date(2025, 3, 5)}, None),
        # marked failed on 06.03 since: what stood between the 4th and the 6th would be lost
        (date(2025, 3, 4), {"last_change": date(2025, 3, 6)}, (VerifiedOn.BEFORE_LAST_CHANGE, date(2025, 3, 6))),
        (date(2025, 3, 6), {"last_change": date(2025, 3, 6)}, None),
    ],
)
def test_a_verification_is_dated_not_after_today_nor_before_the_meters_installation_or_history(
    verified_on, bounds, problem
):
    assert verified_on_problem(verified_on, today=PAPER, **bounds) == problem


def test_a_failed_meter_gives_no_reading():
    assert check_reading(D("10"), D("5"), digits=5, on=ON, failed=True).error is ReadingError.METER_FAILED


@pytest.mark.parametrize(
    ("months", "kwargs", "basis", "coefficient"),
    [
        (0, {}, Basis.METERED, D(1)),
        (1, {}, Basis.AVERAGE, D(1)),
        (3, {}, Basis.AVERAGE, D(1)),
        (4, {}, Basis.NORMATIVE, D(1)),  # §4.2 test: 4th consecutive month without reading → normative
        (4, {"meter_failed": True}, Basis.NORMATIVE, D("1.5")),  # failed meter, residential: × 1.5
        (4, {"meter_failed": True, "residential": False}, Basis.NORMATIVE, D(1)),
        (4, {"meter_failed": True, "electricity": True}, Basis.NORMATIVE, D(1)),  # 522-ФЗ [VERIFY]
        (2, {"residential": False}, Basis.AVERAGE, D(1)),
        (3, {"residential": False}, Basis.NORMATIVE, D(1)),  # non-residential: 2 months [VERIFY 2]
    ],
)
def test_missing_months_are_charged_by_average_then_by_normative(months, kwargs, basis, coefficient):
    found = charge_basis(months, **kwargs)
    assert (found.basis, found.coefficient) == (basis, coefficient)


def test_the_months_without_a_reading_count_from_the_last_one_else_from_the_installation():
    from portal.meters.rules import basis_without_reading
    from portal.meters.rules import months_without_reading

    nov = date(2026, 11, 1)
    assert months_without_reading(date(2026, 10, 1), nov, date(2020, 1, 1)) == 1
    assert months_without_reading(None, nov, date(2026, 9, 10)) == 2  # October and November
    assert months_without_reading(None, nov, date(2026, 11, 3)) == 1
    assert months_without_reading(None, nov, None) is None
    unknown = basis_without_reading(None, residential=False, meter_failed=False, electricity=False)
    assert unknown.basis is Basis.NORMATIVE


def test_a_month_without_a_reading_is_charged_by_the_normative_from_the_first_when_there_is_no_average():
    """§4.2: the average needs readings over at least 3 months (п. 59(1)); with fewer there is none, and the
    normative applies from the first month — a meter past its verification date (1 of 3) as much as a missed one."""
    from portal.meters.rules import basis_without_reading
    from portal.meters.rules import usual_consumption

    nov = date(2026, 11, 1)
    short = usual_consumption([Used(date(2026, 9, 1), D("4")), Used(date(2026, 10, 1), D("5"))], nov)
    assert short is None  # two months of history: no average
    enough = usual_consumption([Used(date(2026, m, 1), D(c)) for m, c in ((8, "4"), (9, "5"), (10, "4"))], nov)
    assert enough == D(13) / 3
    for months, failed in ((1, False), (3, False), (1, True)):
        found = basis_without_reading(months, residential=True, meter_failed=failed, electricity=False, averaged=False)
        assert (found.basis, found.coefficient) == (Basis.NORMATIVE, D(1))
        averaged = basis_without_reading(months, residential=True, meter_failed=failed, electricity=False)
        assert averaged.basis is Basis.AVERAGE
    fourth = basis_without_reading(4, residential=True, meter_failed=True, electricity=False, averaged=False)
    assert (fourth.basis, fourth.coefficient) == (Basis.NORMATIVE, D("1.5"))  # past the average: as before


@pytest.mark.parametrize(
    ("history", "expected"),
    [
        ([Used(date(2026, m, 1), D("4")) for m in range(1, 11)], D("4")),  # ten months of 4 m³
        ([Used(date(2026, 8, 1), D("4")), Used(date(2026, 10, 1), D("8"), months=2)], D("4")),  # 12 over 3 months
        ([Used(date(2026, 9, 1), D("4")), Used(date(2026, 10, 1), D("4"))], None),  # < 3 months: the normative
        ([Used(date(2025, 10, 1), D("100")), *[Used(date(2026, m, 1), D("4")) for m in range(1, 4)]], D("4")),
    ],
    ids=["a year", "a reading covering two months", "under three months", "older than 12 months left out"],
)
def test_the_usual_consumption_is_the_accounts_own_monthly_average(history, expected):
    assert usual_consumption(history, NOV) == expected


def test_heating_is_averaged_over_the_heating_season():
    history = [Used(date(2026, m, 1), D("2") if m in (1, 2, 3, 4, 10) else D("0")) for m in range(1, 11)]
    assert usual_consumption(history, NOV, season=frozenset({10, 11, 12, 1, 2, 3, 4})) == D("2")
    assert usual_consumption(history, NOV) == D("1")


# --- §4.3 implausible jumps, per service ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("service", "cap"),
    [("cold_water", D("30")), ("hot_water", D("20")), ("electricity", D("1000")), ("heating", D("5")),
     ("gas", D("300"))],
)  # fmt: skip
def test_every_service_has_its_own_absolute_cap(service, cap):
    assert cap_of(service) == cap == CAPS[service]


@pytest.mark.parametrize(
    ("service", "used", "usual", "flagged"),
    [
        ("cold_water", D("29"), None, False),  # no history: the cap alone
        ("cold_water", D("31"), None, True),
        ("hot_water", D("21"), None, True),  # the same 21 m³ is fine for cold water, not for hot
        ("cold_water", D("21"), None, False),
        ("electricity", D("999"), None, False),
        ("electricity", D("1001"), None, True),
        ("gas", D("250"), D("10"), False),  # 3 × usual = 30, but the gas cap is 300
        ("electricity", D("1400"), D("500"), False),  # 3 × usual = 1500 beats the cap
        ("electricity", D("1600"), D("500"), True),
        ("heating", D("6"), D("1"), True),
    ],
)
def test_an_implausible_jump_is_above_three_times_the_usual_or_the_service_cap(service, used, usual, flagged):
    average = {1: usual} if usual else {}
    facts = MeterFacts(service=service, digits=6, decimals=3, next_verification=None, failed=False,
                       last={1: D("1000")}, last_period=date(2026, 10, 1), average=average)  # fmt: skip
    checks = check_meter(facts, {1: D("1000") + used}, today=ON, period=NOV)
    assert checks[1].error is None
    assert checks[1].flagged is flagged


def test_a_reading_after_missed_months_is_compared_with_as_many_months():
    assert jump_threshold(D("30"), D("4"), months=3) == D("90")
    facts = MeterFacts(service="cold_water", digits=5, decimals=3, next_verification=None, failed=False,
                       last={1: D("100")}, last_period=date(2026, 8, 1), average={1: D("4")})  # fmt: skip
    assert not check_meter(facts, {1: D("180")}, today=ON, period=NOV)[1].flagged  # 80 m³ over three months
    assert check_meter(facts, {1: D("200")}, today=ON, period=NOV)[1].flagged


# --- §4.3 zones --------------------------------------------------------------------------------------------------


def test_zones_of_a_two_tariff_meter_are_checked_each_on_its_own():
    # §4.3 test: T1 new 1200 / prev 1150, T2 new 800 / prev 820 → reject T2
    checks = check_zones({1: D("1200"), 2: D("800")}, {1: D("1150"), 2: D("820")}, digits=6, decimals=1, on=ON)
    assert checks[1].error is None and checks[1].consumption == D("50")
    assert checks[2].error is ReadingError.LESS_THAN_PREVIOUS


def _electricity(zones: int, last: dict, average: dict | None = None) -> MeterFacts:
    return MeterFacts(service="electricity", digits=6, decimals=1, zones=zones, next_verification=None, failed=False,
                      last=last, last_period=date(2026, 10, 1), average=average or {})  # fmt: skip


def test_a_three_zone_meter_is_read_in_every_zone_and_judged_on_its_total():
    facts = _electricity(3, {1: D("100"), 2: D("100"), 3: D("100")}, {1: D("100"), 2: D("50"), 3: D("50")})
    partial = check_meter(facts, {1: D("150"), 2: D("120")}, today=ON, period=NOV)
    assert {zone: c.error for zone, c in partial.items()} == {1: None, 2: None, 3: ReadingError.ZONES_INCOMPLETE}
    calm = check_meter(facts, {1: D("400"), 2: D("300"), 3: D("300")}, today=ON, period=NOV)  # 700 ≤ max(600, 1000)
    assert not any(c.flagged for c in calm.values())
    jump = check_meter(facts, {1: D("800"), 2: D("300"), 3: D("300")}, today=ON, period=NOV)  # 1100 > 1000
    assert all(c.flagged for c in jump.values()) and sum(c.consumption for c in jump.values()) == D("1100")
    wrong = check_meter(facts, {1: D("150"), 2: D("90"), 3: D("120")}, today=ON, period=NOV)
    assert wrong[2].error is ReadingError.LESS_THAN_PREVIOUS and wrong[1].error is None


# --- the question «has the meter gone through zero?» -----------------------------------------------------------


@pytest.mark.parametrize(
    ("new", "confirmed", "error", "rollover"),
    [
        (D("12"), False, ReadingError.ROLLOVER_UNCONFIRMED, True),  # may be a rollover: asked first
        (D("12"), True, None, True),
        (D("120"), False, ReadingError.LESS_THAN_PREVIOUS, False),
        (D("99000"), True, ReadingError.NOT_A_ROLLOVER, False),  # confirmed, but it cannot be one
    ],
)
def test_a_lower_value_asks_whether_the_meter_went_through_zero(new, confirmed, error, rollover):
    previous = D("99987") if new != D("120") else D("123.456")
    check = confirm_rollover(check_reading(new, previous, digits=5, on=ON), confirmed)
    assert (check.error, check.rollover) == (error, rollover)


def test_a_submission_leaves_out_meters_of_other_accounts_and_confirms_per_meter():
    facts = MeterFacts(service="cold_water", digits=5, decimals=3, next_verification=None, failed=False,
                       last={1: D("99987")}, last_period=date(2026, 10, 1))  # fmt: skip
    asked = check_submission({1: facts}, {1: {1: D("12")}, 2: {1: D("5")}}, today=ON)
    assert list(asked) == [1] and asked[1][1].error is ReadingError.ROLLOVER_UNCONFIRMED
    taken = check_submission({1: facts}, {1: {1: D("12")}}, today=ON, confirmed=[1])
    assert taken[1][1].error is None and taken[1][1].consumption == D("25")


def test_a_retired_meter_takes_no_readings():
    facts = MeterFacts(digits=5, decimals=3, next_verification=None, failed=False, retired=True)
    assert check_meter(facts, {1: D("5")}, today=ON, period=NOV)[1].error is ReadingError.METER_RETIRED


# --- reminders ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "passed", "dates", "expected"),
    [
        (14, False, [], []),
        (15, False, [], [Due(Reminder.WINDOW_OPEN, NOV)]),
        (15, True, [], []),
        (22, False, [], [Due(Reminder.WINDOW_OPEN, NOV)]),
        (23, False, [], [Due(Reminder.WINDOW_CLOSING, NOV)]),  # two days before the 25th
        (23, True, [], []),
        (26, False, [], []),
        (10, True, [date(2026, 12, 10)], [Due(Reminder.VERIFICATION, date(2026, 12, 10))]),  # 30 days ahead
        (10, True, [date(2026, 12, 11)], []),
        (10, True, [date(2026, 11, 10)], []),  # the day itself: past reminding, the page explains
    ],
)
def test_reminders_due(day, passed, dates, expected):
    assert reminders_due(date(2026, 11, day), Window(), passed=passed, verification_dates=dates) == expected


# --- input and history -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("00 012,5", D("12.5")),
        ("123.456", D("123.456")),
        ("12a", None),
        ("", None),
        ("1 721,3", D("1721.3")),
        ("1,721.3", D("1721.3")),  # as the English page writes «Previous: 1,721.3»
        ("99,508.007", D("99508.007")),
        ("1,234,567", D("1234567")),
        ("307,214", D("307.214")),  # one group without a point: the decimal comma meters are read with
        ("1,72.3", None),
        ("1.721,3", None),
    ],
)
def test_readings_are_read_as_typed_on_a_phone(text, value):
    assert parse_value(text) == value


def test_the_history_keeps_months_without_a_reading():
    points = monthly_history([(date(2026, 9, 1), D("10"), D("2")), (NOV, D("14"), D("4"))], NOV, months=3)
    assert [(p.period.month, p.value, p.consumption) for p in points] == [
        (9, D("10"), D("2")),
        (10, None, None),
        (11, D("14"), D("4")),
    ]


def test_a_correction_recounts_the_next_reading_or_is_refused_above_it():
    recount = recount_following
    assert recount({1: D("98.5")}, {1: D("104")}, digits=5, decimals=3)[1].consumption == D("5.5")
    assert recount({1: D("104.5")}, {1: D("104")}, digits=5, decimals=3)[1].error is ReadingError.ABOVE_NEXT
    through_zero = recount({1: D("99990")}, {1: D("12")}, digits=5, decimals=3)[1]
    assert (through_zero.consumption, through_zero.rollover) == (D("22"), True)
    assert recount({1: D("1")}, {}, digits=5, decimals=3) == {}


# --- the XLSX export for billing, made by a job -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("houses", "scope", "may"),
    [
        (None, None, True),  # every house, to whoever has every house
        (None, frozenset({1, 2}), False),  # every house, not to the staff of some
        ([1, 2], None, True),
        ([1, 2], frozenset({1, 2, 3}), True),
        ([1, 2], frozenset({1}), False),  # a house taken from them since: not any more
        ([1], frozenset(), False),
    ],
)
def test_an_export_file_is_for_who_may_export_every_house_of_it_now(houses, scope, may):
    from portal.meters.rules import may_take_export

    assert may_take_export(houses, scope) is may


def test_an_export_file_is_kept_a_day():
    from datetime import UTC
    from datetime import datetime
    from datetime import timedelta

    from portal.meters.rules import export_kept

    finished = datetime(2026, 11, 30, 18, tzinfo=UTC)
    assert export_kept(finished, finished + timedelta(hours=23, minutes=59))
    assert not export_kept(finished, finished + timedelta(days=1))


def test_an_export_run_is_one_per_month_house_and_scope():
    from portal.meters.rules import export_houses
    from portal.meters.rules import export_key

    nov = date(2026, 11, 1)
    assert export_houses(frozenset({3, 1}), None) == [1, 3] and export_houses(None, None) is None
    assert export_houses(frozenset({1}), 2) == [] and export_houses(None, 2) == [2]
    assert export_key(nov, None, None) == "2026-11:all:all"
    mine, theirs = export_key(nov, None, [1, 3]), export_key(nov, None, [1, 2])
    assert mine != theirs and mine == export_key(nov, None, [1, 3]) and len(export_key(nov, 10**9, [1] * 500)) <= 64
