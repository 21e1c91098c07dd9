"""The analytics rules without a server: NPS, CSI and CSAT (DOMAIN.md §7.4), the KPI efficiency and bonus (the
company's motivation scheme, its own worked example), periods and trends."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from portal.analytics import rules
from portal.analytics.rules import Answer
from portal.analytics.rules import Kpi

# --- NPS (DOMAIN.md §7.4) ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("scores", "expected"),
    [
        ([6] * 10, -100),  # all detractors
        ([0, 3, 6], -100),
        ([10, 9, 10], 100),  # all promoters
        ([9, 0], 0),  # one of each
        ([7, 8, 8], 0),  # passives only
        ([10, 10, 9, 9, 9, 8, 7, 6, 3, 0], 20),  # DOMAIN.md: promoters 5, detractors 3
        ([10, 9, 6], 33),  # 33.33… → 33
        ([10, 10, 7], 67),  # 66.67… → 67
        ([10, 7, 7, 7, 7, 7, 7, 7], 13),  # 12.5 → 13 (half up)
        ([0, 7, 7, 7, 7, 7, 7, 7], -13),  # −12.5 → −13 (half away from zero)
    ],
)
def test_nps(scores: list[int], expected: int) -> None:
    assert rules.nps(scores).nps == expected


def test_nps_counts_each_group_and_has_no_value_without_answers() -> None:
    result = rules.nps([10, 10, 9, 9, 9, 8, 7, 6, 3, 0])
    assert (result.responses, result.promoters, result.passives, result.detractors) == (10, 5, 2, 3)
    assert rules.nps([]).nps is None


def test_a_person_answering_twice_in_a_wave_counts_once_with_the_later_answer() -> None:
    answers = [
        Answer(person=1, wave=1, score=0, order=1),
        Answer(person=1, wave=1, score=10, order=2),  # changed their mind: this one counts
        Answer(person=2, wave=1, score=10, order=3),
        Answer(person=1, wave=2, score=3, order=4),  # another wave is another answer
    ]
    first_wave = [a.score for a in rules.one_per_person(answers) if a.wave == 1]
    assert sorted(first_wave) == [10, 10]
    assert rules.nps(first_wave).nps == 100
    assert len(rules.one_per_person(answers)) == 3


@pytest.mark.parametrize("value", [-1, 11, 5.0, "7", None, True])
def test_an_nps_answer_is_a_whole_number_from_0_to_10(value: object) -> None:
    assert rules.valid_nps_score(value) is None


def test_csi_and_csat() -> None:
    assert rules.csi([5, 4, 4, 3, 1]) == Decimal("3.40")  # DOMAIN.md §7.4
    assert rules.csat([5, 4, 4, 3, 1]) == Decimal("60")
    assert rules.csi([]) is None and rules.csat([]) is None
    assert rules.csi_of(17, 5) == Decimal("3.40")
    assert rules.csi_of(0, 0) is None
    # To a tenth, as the page shows every share: 10 ratings 4–5 of 13 are 76,9 %, not a whole 77 shown «77,0 %».
    assert rules.csat([5] * 10 + [1] * 3) == Decimal("76.9")
    assert rules.csi([5, 4]) == Decimal("4.50")
    assert rules.csi([5, 5, 4]) == Decimal("4.67")


# --- KPI and bonus: the company's worked example -----------------------------------------------------------

EXAMPLE = {Kpi.NPS: Decimal(100), Kpi.PLAN: Decimal(95), Kpi.RECEIVABLES: Decimal(85), Kpi.DISPATCH: Decimal(90)}


def test_the_company_example_gives_92_per_cent() -> None:
    parts = [rules.contribution(k, v) for k, v in EXAMPLE.items()]
    assert parts == [Decimal("20.0"), Decimal("28.5"), Decimal("25.5"), Decimal("18.0")]
    assert rules.efficiency(EXAMPLE) == Decimal("92.0")


@pytest.mark.parametrize(
    ("role", "maximum", "own", "paid"),
    [
        ("administrator", "7200.00", "90", "6480.00"),
        ("manager", "3900.00", "95", "3705.00"),
        ("head of the call centre", "13560.00", "85", "11526.00"),
    ],
)
def test_the_company_example_bonuses(role: str, maximum: str, own: str, paid: str) -> None:
    assert rules.bonus(Decimal(maximum), Decimal(own)) == Decimal(paid), role


@pytest.mark.parametrize(
    ("own", "paid"),
    [("79.9", "0.00"), ("0", "0.00"), ("80", "5760.00"), ("80.0", "5760.00"), ("100", "7200.00"), ("120", "7200.00")],
)
def test_below_80_per_cent_nothing_is_paid_and_never_more_than_the_maximum(own: str, paid: str) -> None:
    assert rules.bonus(Decimal("7200.00"), Decimal(own)) == Decimal(paid)


def test_efficiency_holds_each_achievement_to_0_100_and_counts_a_missing_one_as_zero() -> None:
    assert rules.efficiency({Kpi.NPS: Decimal(150), Kpi.PLAN: Decimal(-10)}) == Decimal("20.0")
    assert rules.efficiency({k: Decimal(100) for k in Kpi}) == Decimal("100.0")
    assert sum(rules.WEIGHTS.values()) == 100


def test_an_efficiency_just_below_the_threshold_pays_nothing() -> None:
    achievements = {
        Kpi.NPS: Decimal(100),
        Kpi.PLAN: Decimal("99.667"),
        Kpi.RECEIVABLES: Decimal(100),
        Kpi.DISPATCH: Decimal(0),
    }
    assert rules.efficiency(achievements) == Decimal("79.9")
    assert rules.bonus(Decimal("7200.00"), rules.efficiency(achievements)) == Decimal("0.00")


@pytest.mark.parametrize(
    ("current", "previous", "expected"),
    [("100.00", "120.00", "100"), ("120.00", "120.00", "100"), ("120.00", "100.00", "83.3"), ("0", "0", "100")],
)
def test_receivables_per_m2_should_fall(current: str, previous: str, expected: str) -> None:
    assert rules.receivables_achievement(Decimal(current), Decimal(previous)) == Decimal(expected)


def test_nps_should_rise_or_hold() -> None:
    assert rules.nps_achievement(20, 10) == 100
    assert rules.nps_achievement(10, 10) == 100
    assert rules.nps_achievement(5, 10) == 95
    assert rules.nps_achievement(-100, 100) == 0
    assert rules.nps_achievement(None, 10) is None


# --- periods and trends ------------------------------------------------------------------------------------


def test_the_default_period_is_the_twelve_months_up_to_the_latest() -> None:
    period = rules.choose_period(None, None, date(2026, 11, 1))
    assert (period.start, period.end) == (date(2025, 12, 1), date(2026, 11, 1))
    assert len(period.months) == 12
    assert period.previous == rules.Period(date(2024, 12, 1), date(2025, 11, 1))


def test_a_chosen_period_is_turned_round_and_held_to_24_months() -> None:
    period = rules.choose_period(date(2026, 5, 1), date(2026, 2, 1), date(2026, 11, 1))
    assert (period.start, period.end) == (date(2026, 2, 1), date(2026, 5, 1))
    long = rules.choose_period(date(2000, 1, 1), date(2026, 11, 1), date(2026, 11, 1))
    assert len(long.months) == rules.MAX_MONTHS and long.end == date(2026, 11, 1)
    one = rules.choose_period(date(2026, 3, 15), date(2026, 3, 1), date(2026, 11, 1))
    assert one.months == [date(2026, 3, 1)]


def test_trend_and_share() -> None:
    assert rules.trend(Decimal("95"), Decimal("100")) == Decimal("95.0")
    assert rules.trend(Decimal("104"), Decimal("100")) == Decimal("104.0")
    assert rules.trend(Decimal("1"), Decimal("0")) is None
    assert rules.share(1, 3) == Decimal("33.3")
    assert rules.per_unit(Decimal("1000.00"), Decimal("0")) == Decimal("0.00")
    assert rules.per_unit(Decimal("1000.00"), Decimal("3.00")) == Decimal("333.33")
    assert rules.month_last(date(2026, 2, 1)) == date(2026, 2, 28)


def test_the_default_end_is_the_newest_complete_month() -> None:
    assert rules.last_complete(date(2026, 12, 1), date(2026, 12, 1)) == date(2026, 11, 1)
    assert rules.last_complete(date(2026, 10, 1), date(2026, 12, 1)) == date(2026, 10, 1)
