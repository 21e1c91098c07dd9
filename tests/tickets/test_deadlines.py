"""Deadlines of the dispatch service, DOMAIN.md §5: every category, the worked cases, weekends and holidays."""

from datetime import UTC
from datetime import date
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from portal.tickets import deadlines
from portal.tickets.deadlines import deadline_for

TZ = "Europe/Simferopol"
ZONE = ZoneInfo(TZ)


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=ZONE)


def due(category: str, at: datetime, ticket_type: str = "ordinary") -> datetime | None:
    result = deadline_for(category, at, TZ, ticket_type=ticket_type)
    return result.astimezone(ZONE) if result else None


@pytest.mark.parametrize(
    ("category", "registered", "expected"),
    [
        ("emergency_localisation", local(2026, 3, 10, 14, 0), local(2026, 3, 10, 14, 30)),
        ("sewer_blockage", local(2026, 3, 10, 10, 0), local(2026, 3, 10, 12, 0)),
        ("garbage_chute", local(2026, 3, 10, 22, 30), local(2026, 3, 11, 9, 30)),
        ("garbage_chute", local(2026, 3, 10, 3, 0), local(2026, 3, 10, 10, 0)),
        ("garbage_chute", local(2026, 3, 10, 23, 40), local(2026, 3, 11, 10, 0)),
        ("garbage_chute", local(2026, 3, 10, 12, 0), local(2026, 3, 10, 14, 0)),
        ("emergency_repair", local(2026, 3, 10, 9, 15), local(2026, 3, 13, 9, 15)),
        ("lift_trapped", local(2026, 3, 10, 18, 5), local(2026, 3, 10, 18, 35)),
        ("lift_fault", local(2026, 3, 10, 18, 5), local(2026, 3, 11, 18, 5)),
        ("roof_leak", local(2026, 3, 10, 8, 0), local(2026, 3, 11, 8, 0)),
        ("downpipes", local(2026, 3, 10, 8, 0), local(2026, 3, 15, 8, 0)),
        ("broken_windows", local(2026, 1, 20, 11, 0), local(2026, 1, 21, 11, 0)),
        ("broken_windows", local(2026, 7, 20, 11, 0), local(2026, 7, 23, 11, 0)),
        ("entrance_doors", local(2026, 3, 10, 8, 0), local(2026, 3, 11, 8, 0)),
        ("leaking_taps", local(2026, 3, 10, 8, 0), local(2026, 3, 11, 8, 0)),
        ("common_lighting", local(2026, 3, 10, 8, 0), local(2026, 3, 17, 8, 0)),
        ("electrical_emergency", local(2026, 3, 10, 8, 0), local(2026, 3, 10, 8, 0)),
        ("electrical_fuses", local(2026, 3, 10, 8, 0), local(2026, 3, 10, 11, 0)),
        ("written_appeal", local(2026, 2, 6, 11, 0), local(2026, 2, 20, 23, 59, 59)),
        ("info_request", local(2026, 2, 6, 11, 0), local(2026, 2, 9, 23, 59, 59)),
        ("works_report", local(2026, 2, 6, 11, 0), local(2026, 2, 13, 23, 59, 59)),
        ("meter_check", local(2026, 2, 6, 11, 0), local(2026, 2, 16, 11, 0)),
        ("absence_recalculation", local(2026, 2, 6, 11, 0), local(2026, 2, 13, 23, 59, 59)),
        ("other", local(2026, 2, 6, 11, 0), local(2026, 2, 20, 23, 59, 59)),
    ],
    ids=[
        "an emergency is localised within 30 minutes",
        "a blocked sewer registered at 10:00 is due at 12:00",
        "a garbage chute at 22:30 runs 30 min until 23:00, then from 08:00: due 09:30 next day",
        "a garbage chute at night waits for 08:00: due 10:00",
        "a garbage chute after 23:00 waits for 08:00 next day",
        "a garbage chute at noon is due in 2 hours",
        "emergency damage is repaired within 3 days",
        "trapped passengers are freed within 30 minutes",
        "a lift fault is fixed within a day",
        "a roof leak is fixed within a day",
        "downpipes are fixed within 5 days",
        "broken windows in winter: 1 day",
        "broken windows in summer: 3 days",
        "entrance doors: 1 day",
        "leaking taps: 1 day",
        "common-area lighting: 7 days",
        "an electrical emergency is due immediately",
        "fuses and breakers: 3 hours",
        "a written appeal on Friday 06.02.2026 is answered by 20.02.2026",
        "basic information by the next working day (over the weekend)",
        "works performed within 5 working days",
        "a meter check within 10 calendar days",
        "a temporary absence is recalculated within 5 working days",
        "anything else is an appeal: 10 working days",
    ],
)
def test_deadline_of_each_category(category, registered, expected):
    assert due(category, registered) == expected


def test_a_written_appeal_skips_the_public_holiday_of_23_february():
    # 16–20 Feb are 5 working days, 21–22 the weekend, 23 Feb a holiday, 24–27 Feb and 2 Mar the other 5.
    assert due("written_appeal", local(2026, 2, 13, 9, 0)) == local(2026, 3, 2, 23, 59, 59)


def test_working_days_skip_the_new_year_holidays_and_the_moved_day_off():
    # 31 December 2025 and 1–11 January 2026 are days off (9 January is the day off moved from 3 January).
    assert due("info_request", local(2025, 12, 30, 11, 0)) == local(2026, 1, 12, 23, 59, 59)


def test_a_saturday_made_a_working_day_counts():
    # Saturday 1 November 2025 was worked instead of Monday 3 November; 4 November is a holiday.
    assert due("info_request", local(2025, 10, 31, 11, 0)) == local(2025, 11, 1, 23, 59, 59)
    assert due("info_request", local(2025, 11, 1, 11, 0)) == local(2025, 11, 5, 23, 59, 59)


def test_next_working_day_over_a_weekend():
    assert due("info_request", local(2026, 3, 13, 17, 0)) == local(2026, 3, 16, 23, 59, 59)


def test_a_clock_in_days_runs_over_a_weekend_in_calendar_days():
    assert due("lift_fault", local(2026, 3, 13, 17, 0)) == local(2026, 3, 14, 17, 0)


def test_planned_and_paid_requests_have_no_legal_deadline():
    assert due("leaking_taps", local(2026, 3, 10, 8, 0), "planned") is None
    assert due("leaking_taps", local(2026, 3, 10, 8, 0), "paid") is None


@pytest.mark.parametrize(
    ("category", "ticket_type", "registered", "expected"),
    [
        ("sewer_blockage", "planned", local(2026, 3, 10, 10, 0), local(2026, 3, 10, 12, 0)),
        ("garbage_chute", "paid", local(2026, 3, 10, 22, 30), local(2026, 3, 11, 9, 30)),
        ("lift_trapped", "planned", local(2026, 3, 10, 18, 5), local(2026, 3, 10, 18, 35)),
        ("emergency_localisation", "paid", local(2026, 3, 10, 14, 0), local(2026, 3, 10, 14, 30)),
        ("electrical_emergency", "planned", local(2026, 3, 10, 8, 0), local(2026, 3, 10, 8, 0)),
        ("lift_trapped", "complaint", local(2026, 2, 6, 11, 0), local(2026, 2, 6, 11, 30)),
        ("sewer_blockage", "consultation", local(2026, 3, 10, 10, 0), local(2026, 3, 10, 12, 0)),
        ("emergency_repair", "paid", local(2026, 3, 10, 9, 15), local(2026, 3, 13, 9, 15)),
        ("emergency_repair", "planned", local(2026, 3, 10, 9, 15), local(2026, 3, 13, 9, 15)),
        ("emergency_repair", "complaint", local(2026, 3, 10, 9, 15), local(2026, 3, 13, 9, 15)),
    ],
    ids=[
        "a blocked sewer typed planned at 10:00 is still due at 12:00",
        "a garbage chute typed paid at 22:30 is still due at 09:30 next day",
        "people trapped in a lift typed planned are still evacuated within 30 minutes",
        "an accident typed paid is still localised within 30 minutes",
        "a short circuit typed planned is still due immediately",
        "people trapped in a lift filed as a complaint are not a 10-working-day appeal",
        "a blocked sewer filed as a consultation is not due the next working day",
        "the repair of an accident's damage typed paid is still due in 3 days",
        "the repair of an accident's damage typed planned is still due in 3 days",
        "the repair of an accident's damage filed as a complaint is not a 10-working-day appeal",
    ],
)
def test_an_emergency_category_keeps_its_clock_whatever_the_type(category, ticket_type, registered, expected):
    assert due(category, registered, ticket_type) == expected


@pytest.mark.parametrize(
    ("category", "ticket_type"),
    [("lift_fault", "planned"), ("roof_leak", "paid"), ("entrance_doors", "planned")],
    ids=[
        "a lift fault mended with the planned works: the date agreed",
        "a roof leak mended for a fee: the date agreed",
        "entrance doors replaced with the planned works: the date agreed",
    ],
)
def test_an_ordinary_category_with_a_legal_term_may_be_works_by_agreement(category, ticket_type):
    assert due(category, local(2026, 3, 10, 8, 0), ticket_type) is None


@pytest.mark.parametrize(
    ("category", "ticket_type", "refused"),
    [
        ("lift_trapped", "planned", True),
        ("sewer_blockage", "paid", True),
        ("garbage_chute", "planned", True),
        ("emergency_repair", "paid", True),
        ("emergency_repair", "planned", True),
        ("emergency_repair", "ordinary", False),
        ("lift_trapped", "emergency", False),
        ("sewer_blockage", "ordinary", False),
        ("electrical_emergency", "warranty", False),
        ("lift_fault", "planned", False),
        ("leaking_taps", "paid", False),
    ],
)
def test_staff_may_not_type_an_emergency_as_works_by_agreement(category, ticket_type, refused):
    assert deadlines.agreed_type_refused(category, ticket_type) is refused


def test_the_repair_of_an_accident_s_damage_typed_emergency_is_localised_first():
    """An emergency typed «Аварийная» in a category without an emergency clock is localised within 30 minutes
    (ПП № 416 п. 13); the repair's own 3 days do not loosen that."""
    assert due("emergency_repair", local(2026, 3, 10, 9, 15), "emergency") == local(2026, 3, 10, 9, 45)


def test_a_complaint_is_an_appeal_and_a_consultation_an_information_request():
    assert due("leaking_taps", local(2026, 2, 6, 11, 0), "complaint") == local(2026, 2, 20, 23, 59, 59)
    assert due("leaking_taps", local(2026, 2, 6, 11, 0), "consultation") == local(2026, 2, 9, 23, 59, 59)


def test_deadlines_are_computed_in_the_company_zone_whatever_the_zone_of_the_input():
    registered_utc = datetime(2026, 3, 10, 7, 0, tzinfo=UTC)  # 10:00 in Simferopol (UTC+3)
    assert due("sewer_blockage", registered_utc) == local(2026, 3, 10, 12, 0)
    late_utc = datetime(2026, 3, 10, 19, 30, tzinfo=UTC)  # 22:30 local
    assert due("garbage_chute", late_utc) == local(2026, 3, 11, 9, 30)


def test_a_naive_time_is_refused():
    with pytest.raises(ValueError):
        deadline_for("sewer_blockage", datetime(2026, 3, 10, 10, 0), TZ)


def test_every_category_of_the_table_has_a_rule_and_every_resident_category_a_deadline():
    from portal.tickets.rules import CATEGORIES

    for category in CATEGORIES:
        assert deadlines.rule_for(category.code, datetime(2026, 3, 1).date()) is not None, category.code


def test_a_region_row_wins_over_the_default_and_rows_are_looked_up_by_date(monkeypatch):
    from portal.tickets.deadlines import DEADLINE_TABLE
    from portal.tickets.deadlines import DeadlineRule

    moscow = DeadlineRule("roof_leak", "days", 7, region="moscow", valid_from=date(2026, 1, 1))
    monkeypatch.setattr(deadlines, "DEADLINE_TABLE", (*DEADLINE_TABLE, moscow))
    assert deadlines.rule_for("roof_leak", date(2026, 5, 1), "moscow").amount == 7
    assert deadlines.rule_for("roof_leak", date(2025, 5, 1), "moscow").amount == 1
    assert deadlines.rule_for("roof_leak", date(2026, 5, 1)).amount == 1


def test_terms_are_described_in_words():
    from portal.core.i18n import set_locale

    set_locale("en")
    try:
        on = date(2026, 3, 10)
        assert deadlines.describe("sewer_blockage", "ordinary", on) == "2\u00a0hours"
        assert deadlines.describe("written_appeal", "ordinary", on) == "10\u00a0working days"
        assert deadlines.describe("electrical_emergency", "emergency", on) == "immediately"
        assert deadlines.describe("leaking_taps", "paid", on) == "by agreement"
        assert deadlines.describe("lift_trapped", "planned", on) == "30\u00a0minutes"
    finally:
        set_locale("ru")


@pytest.mark.parametrize(
    ("category", "ticket_type", "registered", "expected", "why"),
    [
        # DOMAIN §5, ПП № 491 п. 40 «а»: a report on works is 5 working days, whatever type the form gives it.
        (
            "works_report",
            "consultation",
            local(2026, 2, 6, 10, 0),
            local(2026, 2, 13, 23, 59, 59),
            "5\u00a0working days",
        ),
        ("works_report", "ordinary", local(2026, 2, 6, 10, 0), local(2026, 2, 13, 23, 59, 59), "5\u00a0working days"),
        # A consultation about anything else is basic data: by the next working day (ПП № 416 разд. VIII).
        ("other", "consultation", local(2026, 2, 6, 10, 0), local(2026, 2, 9, 23, 59, 59), "next working day"),
        # ПП № 416 п. 13: an emergency request is localised within 30 minutes whatever its category.
        ("other", "emergency", local(2026, 2, 6, 10, 0), local(2026, 2, 6, 10, 30), "30\u00a0minutes"),
        ("roof_leak", "emergency", local(2026, 2, 6, 10, 0), local(2026, 2, 6, 10, 30), "30\u00a0minutes"),
        # …and an emergency category keeps its own emergency clock.
        ("sewer_blockage", "emergency", local(2026, 2, 6, 10, 0), local(2026, 2, 6, 12, 0), "2\u00a0hours"),
        ("electrical_emergency", "emergency", local(2026, 2, 6, 10, 0), local(2026, 2, 6, 10, 0), "immediately"),
        # Planned and paid works have no legal term, appeal or not.
        ("works_report", "paid", local(2026, 2, 6, 10, 0), None, "by agreement"),
    ],
)
def test_the_type_and_the_category_together_give_the_term(category, ticket_type, registered, expected, why):
    assert due(category, registered, ticket_type) == expected, why


def test_a_term_within_daily_hours_reads_without_brackets_in_brackets():
    """The request page writes the term in brackets after the deadline: «15:00 (2 часа, с 08:00 до 23:00)», not
    «15:00 (2 часа (с 08:00 до 23:00))»."""
    on = date(2026, 3, 10)
    assert deadlines.describe("garbage_chute", "ordinary", on) == "2\u00a0часа, с 08:00 до 23:00"


@pytest.mark.parametrize(
    ("damage", "registered", "expected"),
    [
        (local(2026, 3, 9, 20, 0), local(2026, 3, 10, 9, 15), local(2026, 3, 12, 20, 0)),
        (local(2026, 3, 6, 8, 0), local(2026, 3, 10, 9, 15), local(2026, 3, 9, 8, 0)),
        (None, local(2026, 3, 10, 9, 15), local(2026, 3, 13, 9, 15)),
        (local(2026, 3, 10, 11, 0), local(2026, 3, 10, 9, 15), local(2026, 3, 13, 9, 15)),
    ],
    ids=[
        "a pipe burst at 20:00, the repair filed next morning: 3 days from the burst",
        "filed four days after the damage: due before it was filed, overdue at once",
        "no damage moment known: 3 days from the registration",
        "a moment after the registration is not the damage's: the registration stands",
    ],
)
def test_the_repair_of_emergency_damage_runs_three_days_from_the_damage(damage, registered, expected):
    """ПП № 416 п. 13: emergency damage is repaired within 3 days (суток) from the damage, not from the request."""
    result = deadline_for("emergency_repair", registered, TZ, damage_at=damage)
    assert result is not None and result.astimezone(ZONE) == expected


@pytest.mark.parametrize(
    ("category", "ticket_type", "expected"),
    [
        ("leaking_taps", "ordinary", local(2026, 3, 11, 9, 15)),
        ("emergency_repair", "emergency", local(2026, 3, 10, 9, 45)),
    ],
    ids=["another term runs from the registration", "an emergency is localised within 30 minutes of the call"],
)
def test_a_damage_moment_moves_only_the_clock_that_runs_from_the_damage(category, ticket_type, expected):
    result = deadline_for(category, local(2026, 3, 10, 9, 15), TZ, ticket_type=ticket_type, damage_at=local(2026, 3, 9))
    assert result is not None and result.astimezone(ZONE) == expected
