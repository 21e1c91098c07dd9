"""The rules of the mystery resident: the month a check is for (the company's zone), who owes one, a low grade's
comment and request, the seats of a house, a house's scorecard."""

from datetime import UTC
from datetime import date
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from portal.mystery import rules

ZONE = ZoneInfo("Europe/Simferopol")


def test_a_months_window_is_midnight_to_midnight_in_the_companys_zone():
    start, end = rules.month_window(date(2026, 12, 15), ZONE)
    assert (start, end) == (datetime(2026, 12, 1, tzinfo=ZONE), datetime(2027, 1, 1, tzinfo=ZONE))
    # 22:30 UTC on 31 December is 01:30 on 1 January in Simferopol (UTC+3): the next month's check
    late = datetime(2026, 12, 31, 22, 30, tzinfo=UTC)
    assert not start <= late < end
    assert rules.month_of(late.astimezone(ZONE).date()) == date(2027, 1, 1)


def test_months_are_counted_across_years():
    assert rules.add_months(date(2026, 2, 1), -3) == date(2025, 11, 1)
    assert rules.next_month(date(2026, 12, 1)) == date(2027, 1, 1)
    assert rules.last_months(date(2026, 3, 9), 6) == [
        date(2025, 10, 1), date(2025, 11, 1), date(2025, 12, 1), date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1),
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("status", "last", "due"),
    [
        ("active", None, True),  # never sent one
        ("active", date(2026, 11, 1), True),  # sent last month's only
        ("active", date(2026, 12, 1), False),  # sent this month's
        ("invited", None, False),  # has not agreed yet
        ("declined", None, False),
        ("stopped", date(2026, 10, 1), False),
    ],
)
def test_only_an_active_checker_who_has_not_sent_the_months_check_owes_it(status, last, due):
    assert rules.is_due(status, last, date(2026, 12, 20)) is due


def test_the_reminder_goes_from_the_twentieth():
    assert not rules.remind_today(date(2026, 12, 19))
    assert rules.remind_today(date(2026, 12, 20)) and rules.remind_today(date(2026, 12, 31))


def test_a_grade_of_two_or_lower_needs_a_comment_and_files_a_request():
    assert [g for g in range(1, 6) if rules.needs_comment(g)] == [1, 2]
    grades = {"lift": 1, "garbage": 3, "entrance_clean": 2, "politeness": 5}
    assert rules.to_file(grades) == ["entrance_clean", "lift"]  # in the form's order


def test_a_house_has_five_seats_and_a_freed_one_is_taken_again():
    assert rules.free_seat([]) == 1
    assert rules.free_seat([1, 2, 4]) == 3
    assert rules.free_seat([1, 2, 3, 4, 5]) is None


def test_the_scorecard_averages_each_point_and_every_grade_to_a_tenth():
    card = rules.scorecard([(1, "lift", 5), (1, "garbage", 2), (2, "lift", 4), (2, "garbage", 2), (3, "lift", 4)])
    assert card.checks == 3
    assert card.points["lift"] == Decimal("4.3")  # 13 / 3 = 4.33
    assert card.points["garbage"] == Decimal("2.0")
    assert card.points["playground"] is None  # nobody graded it
    assert card.overall == Decimal("3.4")  # 17 / 5
    assert rules.average([4, 5]) == Decimal("4.5")  # half up
    assert rules.scorecard([]).overall is None and rules.scorecard([]).checks == 0
