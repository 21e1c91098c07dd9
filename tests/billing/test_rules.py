"""Penalties (пени), due dates and allocation of payments: DOMAIN.md §2, every worked case as a test."""

from datetime import date
from decimal import Decimal as D

import pytest

from portal.billing import rules
from portal.billing.rules import CapMode
from portal.billing.rules import DebtItem
from portal.billing.rules import PaymentItem
from portal.billing.rules import PenaltySettings
from portal.billing.rules import allocate
from portal.billing.rules import due_date
from portal.billing.rules import penalty


@pytest.mark.parametrize(
    ("billing_month", "expected"),
    [
        (date(2025, 12, 1), date(2026, 1, 12)),
        (date(2026, 2, 1), date(2026, 3, 16)),
        (date(2026, 1, 1), date(2026, 2, 10)),
        (date(2026, 3, 1), date(2026, 4, 15)),
        (date(2025, 1, 1), date(2025, 2, 10)),
    ],
    ids=[
        "December 2025 is due 10.01.2026, a Saturday, so the last day is Monday 12.01.2026",
        "February 2026 is the first month due on the 15th: 15.03.2026 is a Sunday, so 16.03.2026",
        "January 2026 is still due on the 10th",
        "March 2026 is due on 15.04.2026, a Wednesday",
        "January 2025 is due on 10.02.2025",
    ],
)
def test_due_date(billing_month, expected):
    assert due_date(billing_month) == expected


def test_the_weekend_shift_is_a_flag():
    assert due_date(date(2025, 12, 1), shift_weekend=False) == date(2026, 1, 10)


def test_due_day_changes_with_february_2026():
    assert rules.due_day(date(2026, 1, 1)) == 10
    assert rules.due_day(date(2026, 2, 1)) == 15


def test_example_1_sixty_days_at_1_300_and_nine_at_1_130_with_the_9_5_cap():
    result = penalty(D("5000.00"), date(2025, 2, 10), date(2025, 5, 20), billing_month=date(2025, 1, 1))
    assert result.amount == D("127.88")
    assert [(line.days, line.divisor, line.rate) for line in result.lines] == [(60, 300, D("9.5")), (9, 130, D("9.5"))]
    assert result.lines[0].first == date(2025, 3, 13)
    assert result.lines[1].first == date(2025, 5, 12)


@pytest.mark.parametrize(
    ("paid_on", "expected"),
    [(date(2025, 3, 12), D("0.00")), (date(2025, 3, 13), D("1.58"))],
    ids=["paid on day 30: nothing", "paid on day 31: one day at 1/300"],
)
def test_example_2_the_30_day_grace(paid_on, expected):
    assert penalty(D("5000.00"), date(2025, 2, 10), paid_on).amount == expected


def test_example_3_the_2020_moratorium_counts_days_but_accrues_nothing():
    result = penalty(D("3000.00"), date(2020, 3, 10), date(2021, 1, 15), billing_month=date(2020, 2, 1))
    assert result.amount == D("14.71")
    assert [(line.first, line.days, line.divisor, line.rate) for line in result.lines] == [
        (date(2021, 1, 1), 15, 130, D("4.25"))
    ]


def test_example_4_the_rate_of_the_payment_day():
    result = penalty(D("2000.00"), date(2019, 1, 10), date(2019, 6, 10), billing_month=date(2018, 12, 1))
    assert result.amount == D("103.73")
    assert [(line.days, line.divisor) for line in result.lines] == [(60, 300), (61, 130)]


def test_example_5_capital_repair_from_day_one_without_the_1_130_step():
    assert penalty(D("1000.00"), date(2025, 2, 10), date(2025, 3, 12), capital_repair=True).amount == D("9.50")
    long = penalty(D("1000.00"), date(2025, 2, 10), date(2025, 6, 10), capital_repair=True)
    assert {line.divisor for line in long.lines} == {300}


def test_example_6_march_2026_under_177_fz():
    due = due_date(date(2026, 3, 1))
    assert due == date(2026, 4, 15)
    assert penalty(D("5000.00"), due, date(2026, 5, 15)).amount == D("0.00")
    assert penalty(D("5000.00"), due, date(2026, 5, 16)).amount > 0


def test_worked_examples_through_the_due_date_function():
    assert due_date(date(2025, 1, 1)) == date(2025, 2, 10)
    assert due_date(date(2020, 2, 1)) == date(2020, 3, 10)
    assert due_date(date(2018, 12, 1)) == date(2019, 1, 10)


def test_fixed_rate_from_28_february_2022():
    # Due 10.01.2022, unpaid on 31.05.2022 (key rate 11 %): days from 28.02 use 9.5 %.
    result = penalty(D("1000"), date(2022, 1, 10), date(2022, 3, 31), billing_month=date(2021, 12, 1))
    rates = {(line.first, line.rate) for line in result.lines}
    assert (date(2022, 2, 10), D("9.50")) not in rates
    assert any(line.rate == D("9.5") and line.first >= date(2022, 2, 28) for line in result.lines)


def test_bankruptcy_moratorium_of_2022_covers_only_debts_before_april_and_is_a_flag():
    old = penalty(D("1000"), date(2022, 3, 10), date(2022, 6, 30), billing_month=date(2022, 2, 1))
    assert all(line.last < date(2022, 4, 1) for line in old.lines)
    switched_off = PenaltySettings(flags=frozenset())
    again = penalty(
        D("1000"), date(2022, 3, 10), date(2022, 6, 30), billing_month=date(2022, 2, 1), settings=switched_off
    )
    assert again.amount > old.amount
    new = penalty(D("1000"), date(2022, 5, 10), date(2022, 8, 30), billing_month=date(2022, 4, 1))
    assert new.amount > 0


def test_a_partial_payment_reduces_the_base_from_its_day():
    whole = penalty(D("5000"), date(2025, 2, 10), date(2025, 5, 20))
    half = penalty(D("5000"), date(2025, 2, 10), date(2025, 5, 20), payments=[(date(2025, 3, 12), D("2500"))])
    assert half.amount == rules.money(whole.exact / 2)


def test_penalty_in_a_window_only_counts_its_days():
    full = penalty(D("5000"), date(2025, 2, 10), date(2025, 5, 20))
    march = penalty(D("5000"), date(2025, 2, 10), date(2025, 3, 31), accrue_from=date(2025, 3, 1))
    assert sum(line.days for line in march.lines) == 19
    assert march.amount < full.amount


def test_cap_mode_payment_day_applies_the_cap_of_the_payment_day_to_every_day():
    # Due 10.06.2022 in the fixed-rate period, paid 30.09.2022 (key 7.5 %): by day the fixed 9.5 % applies in July.
    by_day = penalty(D("1000"), date(2022, 6, 10), date(2022, 9, 30))
    by_payment = penalty(
        D("1000"), date(2022, 6, 10), date(2022, 9, 30), settings=PenaltySettings(cap_mode=CapMode.PAYMENT_DAY)
    )
    assert by_day.amount > by_payment.amount


def test_key_rate_table_is_looked_up_by_date():
    assert rules.key_rate_on(date(2025, 5, 20)) == D("21.00")
    assert rules.key_rate_on(date(2019, 6, 10)) == D("7.75")
    assert rules.key_rate_on(date(2015, 6, 1)) == D("8.25")
    assert rules.key_rate_on(date(2026, 2, 16)) == D("15.50")


def test_a_payment_pays_the_oldest_debt_first():
    debts = [
        DebtItem(date(2025, 1, 1), D("100")),
        DebtItem(date(2025, 2, 1), D("100")),
        DebtItem(date(2025, 3, 1), D("100")),
    ]
    result = allocate(debts, [PaymentItem(date(2025, 4, 1), D("150"))])
    assert result.unpaid == {(date(2025, 2, 1), False): D("50"), (date(2025, 3, 1), False): D("100")}
    assert result.paid[(date(2025, 1, 1), False)] == [(date(2025, 4, 1), D("100"))]


def test_a_payment_naming_a_period_pays_that_period_and_the_rest_goes_to_the_oldest():
    debts = [DebtItem(date(2025, 1, 1), D("100")), DebtItem(date(2025, 2, 1), D("100"))]
    result = allocate(debts, [PaymentItem(date(2025, 4, 1), D("150"), period=date(2025, 2, 1))])
    assert result.unpaid == {(date(2025, 1, 1), False): D("50")}


def test_an_overpayment_is_kept():
    result = allocate([DebtItem(date(2025, 1, 1), D("100"))], [PaymentItem(date(2025, 2, 1), D("130"))])
    assert result.unpaid == {}
    assert result.overpayment == D("30")


def test_account_penalties_use_the_allocation():
    debts = [DebtItem(date(2025, 1, 1), D("5000")), DebtItem(date(2025, 1, 1), D("1000"), capital_repair=True)]
    found = rules.account_penalties(debts, [PaymentItem(date(2025, 5, 20), D("5000"))], date(2025, 5, 20))
    amounts = {(p.period, p.capital_repair): p.amount for p in found}
    assert amounts[(date(2025, 1, 1), False)] == D("127.88")
    assert amounts[(date(2025, 1, 1), True)] > 0


@pytest.mark.parametrize(
    ("today", "months"),
    [(date(2025, 2, 10), 0), (date(2025, 2, 11), 1), (date(2025, 3, 10), 1), (date(2025, 3, 11), 2)],
)
def test_months_overdue(today, months):
    assert rules.months_overdue(date(2025, 1, 1), today) == months


def test_period_helpers():
    assert rules.period_key(date(2026, 11, 1)) == "2026-11"
    assert rules.add_months(date(2026, 11, 1), 2) == date(2027, 1, 1)
    assert rules.month_end(date(2026, 2, 1)) == date(2026, 2, 28)
    assert rules.months_from(date(2026, 11, 1), date(2027, 1, 1)) == [
        date(2026, 11, 1),
        date(2026, 12, 1),
        date(2027, 1, 1),
    ]
    assert rules.months_from(date(2026, 11, 1), date(2026, 11, 1)) == [date(2026, 11, 1)]
    assert rules.months_from(date(2026, 11, 1), date(2026, 10, 1)) == []


DEC25, FEB26, OCT26, NOV26, DEC26 = (
    date(y, m, 1) for y, m in ((2025, 12), (2026, 2), (2026, 10), (2026, 11), (2026, 12))
)


@pytest.mark.parametrize(
    ("debt", "charges", "today", "overdue"),
    [
        # DOMAIN.md §2.1: December 2025 is due 10.01.2026, a Saturday → the last day is 12.01.2026 (paid on it: on time)
        (D("1000.00"), [(DEC25, D("1000.00"))], date(2026, 1, 12), D("0")),
        (D("1000.00"), [(DEC25, D("1000.00"))], date(2026, 1, 13), D("1000.00")),
        # February 2026 (177-ФЗ): due 15.03.2026, a Sunday → the last day is 16.03.2026
        (D("1000.00"), [(FEB26, D("1000.00"))], date(2026, 3, 16), D("0")),
        (D("1000.00"), [(FEB26, D("1000.00"))], date(2026, 3, 17), D("1000.00")),
        # 2 December 2026: November (due 15.12) and December (due 15.01) are both not yet due: nothing overdue
        (
            D("5306.24"),
            [(OCT26, D("2653.12")), (NOV26, D("2653.12")), (DEC26, D("2653.12"))],
            date(2026, 12, 2),
            D("0"),
        ),
        # … but October (last day 16.11.2026, 15.11 a Sunday) unpaid is: the oldest charges are paid first
        (
            D("7959.36"),
            [(OCT26, D("2653.12")), (NOV26, D("2653.12")), (DEC26, D("2653.12"))],
            date(2026, 12, 2),
            D("2653.12"),
        ),
        # November billed at its end, December not yet: on 15 December nothing is overdue, from 16 December November is
        (D("2653.12"), [(OCT26, D("2653.12")), (NOV26, D("2653.12"))], date(2026, 12, 15), D("0")),
        (D("2653.12"), [(OCT26, D("2653.12")), (NOV26, D("2653.12"))], date(2026, 12, 16), D("2653.12")),
        (D("2653.12"), [(OCT26, D("2653.12")), (NOV26, D("2653.12"))], date(2026, 12, 20), D("2653.12")),
        (D("100.00"), [(NOV26, D("2591.29"))], date(2026, 12, 2), D("0")),  # part of November paid already
        (D("-120.00"), [(NOV26, D("2591.29"))], date(2026, 12, 20), D("0")),  # an overpayment
        (D("500.00"), [], date(2026, 12, 2), D("500.00")),  # no recent charges: all of it is old
    ],
)
def test_overdue_is_the_debt_beyond_the_charges_not_yet_due(debt, charges, today, overdue):
    assert rules.overdue(debt, charges, today) == overdue


@pytest.mark.parametrize(
    ("overdue", "monthly", "months"),
    [
        (D("2591.29"), D("2591.29"), 1),
        (D("7773.87"), D("2591.29"), 3),
        (D("100.00"), D("2591.29"), 0),
        (D("0"), D("2591.29"), 0),  # nothing overdue
        (D("500.00"), D("0"), None),  # no charges in the month: months cannot be counted (not «0 months»)
    ],
)
def test_months_of_charges(overdue, monthly, months):
    assert rules.months_of_charges(overdue, monthly) == months


@pytest.mark.parametrize(
    ("period", "today", "day", "first"),
    [
        (NOV26, date(2026, 12, 2), date(2026, 11, 30), NOV26),  # a month past: counted at its end
        (DEC26, date(2026, 12, 2), date(2026, 12, 2), NOV26),  # the month running: counted today
        (DEC26, date(2026, 12, 16), date(2026, 12, 16), DEC26),
        (DEC25, date(2026, 1, 12), date(2025, 12, 31), DEC25),
    ],
)
def test_a_months_report_counts_on_its_last_day_and_leaves_out_the_months_not_yet_due(period, today, day, first):
    assert rules.report_day(period, today) == day
    assert rules.first_not_due(period, day) == first
    assert rules.first_not_due(OCT26, date(2026, 12, 2)) is None


@pytest.mark.parametrize(
    ("today", "month"),
    [
        (date(2026, 11, 30), date(2026, 10, 1)),
        (date(2026, 12, 1), date(2026, 11, 1)),
        (date(2026, 12, 31), date(2026, 11, 1)),
        (date(2027, 1, 1), date(2026, 12, 1)),
    ],
    ids=[
        "on the last day of November, November is not over: October's file",
        "on 1 December, November's file",
        "all December long, still November's",
        "on 1 January, December's file of the year before",
    ],
)
def test_a_charges_file_is_for_the_last_finished_month(today, month):
    assert rules.import_month(today) == month
