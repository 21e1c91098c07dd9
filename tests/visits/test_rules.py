"""The rules of visits to the client centre: the free slots of the next two weeks in the company's zone (holidays
of the production calendar closed, the pre-holiday day an hour shorter, lunch left out, two hours' lead, desks and
seats taken), the cancellation window, two upcoming visits a person, and the seat's key."""

from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest

from portal.visits import forms
from portal.visits import rules
from portal.visits.rules import Hours

ZONE = ZoneInfo("Europe/Simferopol")
WEEK = Hours(time(9), time(18), lunch_from=time(13), lunch_to=time(14), saturday_from=time(10), saturday_to=time(14))


def _clock(slots):
    return [s.starts_at.astimezone(ZONE).strftime("%H:%M") for s in slots]


def test_a_working_day_has_half_hour_slots_without_lunch():
    slots = rules.day_slots(WEEK, date(2026, 12, 8), ZONE)
    starts = [s.strftime("%H:%M") for s, _ in slots]
    assert starts[0] == "09:00" and starts[-1] == "17:30"
    assert "12:30" in starts and "13:00" not in starts and "13:30" not in starts and "14:00" in starts
    assert len(starts) == 16  # 9–13 and 14–18
    assert all(s.tzinfo is not None and s.utcoffset() == ZONE.utcoffset(s) for s, _ in slots)


def test_a_slot_that_would_run_into_lunch_or_past_closing_is_left_out():
    hours = Hours(time(9), time(12, 40), lunch_from=time(10, 15), lunch_to=time(11), slot_minutes=30)
    starts = [s.strftime("%H:%M") for s, _ in rules.day_slots(hours, date(2026, 12, 8), ZONE)]
    assert starts == ["09:00", "09:30", "11:00", "11:30", "12:00"]  # 9:30–10:00 fits, 10:00 runs into lunch


def test_holidays_and_sundays_are_closed_saturdays_have_their_own_hours():
    assert rules.day_slots(WEEK, date(2027, 1, 4), ZONE) == []  # a Monday of the New Year holidays
    assert rules.day_slots(WEEK, date(2026, 11, 4), ZONE) == []  # Unity Day, a Wednesday
    assert rules.day_slots(WEEK, date(2026, 12, 13), ZONE) == []  # a Sunday
    saturday = [s.strftime("%H:%M") for s, _ in rules.day_slots(WEEK, date(2026, 12, 12), ZONE)]
    assert saturday[0] == "10:00" and saturday[-1] == "13:30"
    assert rules.day_slots(Hours(time(9), time(18)), date(2026, 12, 12), ZONE) == []  # no Saturday hours
    assert rules.day_slots(WEEK, date(2027, 1, 2), ZONE) == []  # a Saturday holiday


def test_a_working_saturday_of_the_calendar_keeps_weekday_hours():
    starts = [s.strftime("%H:%M") for s, _ in rules.day_slots(WEEK, date(2027, 2, 20), ZONE)]
    assert starts[0] == "09:00" and starts[-1] == "17:30"


def test_a_pre_holiday_day_ends_an_hour_earlier():
    assert rules.is_shortened(date(2026, 12, 30)) and rules.is_shortened(date(2026, 11, 3))
    assert not rules.is_shortened(date(2026, 12, 11))  # before an ordinary weekend
    starts = [s.strftime("%H:%M") for s, _ in rules.day_slots(WEEK, date(2026, 12, 30), ZONE)]
    assert starts[-1] == "16:30"  # closes at 17:00


def test_free_slots_start_two_hours_ahead_and_end_after_fourteen_days():
    now = datetime(2026, 12, 8, 7, 10, tzinfo=UTC)  # 10:10 in Simferopol
    slots = rules.free_slots(WEEK, now, ZONE, {})
    assert _clock(slots)[0] == "12:30"  # 12:10 is two hours ahead: 12:00 is too early
    assert slots[0].starts_at.astimezone(ZONE).date() == date(2026, 12, 8)
    days = rules.days_of(slots, ZONE)
    assert days[-1] == date(2026, 12, 21)  # the 14th day counting today
    assert date(2026, 12, 13) not in days and date(2026, 12, 12) in days


def test_late_in_the_evening_utc_the_company_day_is_already_the_next():
    now = datetime(2026, 12, 8, 21, 30, tzinfo=UTC)  # 00:30 on 9 December in Simferopol
    assert rules.window(now, ZONE) == (date(2026, 12, 9), date(2026, 12, 22))
    assert rules.free_slots(WEEK, now, ZONE, {})[0].starts_at == datetime(2026, 12, 9, 9, tzinfo=ZONE)


def test_a_time_with_every_desk_taken_is_not_offered():
    now = datetime(2026, 12, 7, 6, tzinfo=UTC)
    nine = datetime(2026, 12, 8, 9, tzinfo=ZONE)
    one_desk = rules.free_slots(WEEK, now, ZONE, {nine.astimezone(UTC): 1}, day=date(2026, 12, 8))
    assert _clock(one_desk)[0] == "09:30"
    two = Hours(time(9), time(18), desks=2)
    half = rules.free_slots(two, now, ZONE, {nine: 1}, day=date(2026, 12, 8))
    assert (_clock(half)[0], half[0].free) == ("09:00", 1)
    full = rules.free_slots(two, now, ZONE, {nine: 2}, day=date(2026, 12, 8))
    assert _clock(full)[0] == "09:30"
    assert rules.desks_free(3, [2]) == [1, 3] and rules.desks_free(1, [1]) == []


def test_the_seat_key_is_the_same_moment_in_any_zone():
    nine = datetime(2026, 12, 8, 9, tzinfo=ZONE)
    assert rules.seat(4, nine, 1) == rules.seat(4, nine.astimezone(UTC), 1) == "4:20261208T0600:1"
    assert rules.seat(4, nine, 2) != rules.seat(4, nine, 1)


@pytest.mark.parametrize(
    ("status", "minutes_before", "allowed"),
    [("booked", 120, True), ("booked", 60, True), ("booked", 59, False), ("cancelled", 600, False),
     ("attended", 600, False)],
)  # fmt: skip
def test_a_visit_is_cancelled_until_an_hour_before(status, minutes_before, allowed):
    from datetime import timedelta

    start = datetime(2026, 12, 8, 10, tzinfo=ZONE)
    assert rules.may_cancel(status, start, start - timedelta(minutes=minutes_before)) is allowed


def test_a_person_holds_two_upcoming_visits_at_most():
    assert rules.may_book_more(0) and rules.may_book_more(1) and not rules.may_book_more(2)


def test_every_purpose_has_its_words_and_what_to_bring():
    assert set(rules.PURPOSE_LABELS) == set(rules.BRING) == set(rules.Purpose)


@pytest.mark.parametrize(
    ("booked_hours_before", "now_hours_before", "due"),
    [
        (48, 25, False),  # not yet: the day before starts at 24 h
        (48, 24, True),
        (48, 2, True),  # the job was down: still worth it while the visit may be cancelled
        (48, 1, False),  # an hour before: too late to free the time
        (20, 19, False),  # booked within the day: its confirmation has just come
    ],
)
def test_the_reminder_goes_from_a_day_before_to_an_hour_before_for_a_visit_booked_earlier(
    booked_hours_before: int, now_hours_before: int, due: bool
) -> None:
    start = datetime(2026, 12, 10, 7, tzinfo=UTC)
    booked, now = start - timedelta(hours=booked_hours_before), start - timedelta(hours=now_hours_before)
    assert rules.reminder_due(start, booked, now) is due


@pytest.mark.parametrize(
    ("hours", "problems"),
    [
        (WEEK, []),
        (Hours(time(18), time(9)), [("weekday_to", "order")]),
        (Hours(time(9), time(18), lunch_from=time(13)), [("lunch_to", "pair")]),
        (Hours(time(9), time(18), lunch_from=time(14), lunch_to=time(13)), [("lunch_to", "order")]),
        (Hours(time(9), time(18), lunch_from=time(8), lunch_to=time(10)), [("lunch_from", "inside")]),
        (Hours(time(9), time(18), lunch_from=time(17), lunch_to=time(19)), [("lunch_from", "inside")]),
        (Hours(time(9), time(18), saturday_to=time(14)), [("saturday_from", "pair")]),
        (Hours(time(9), time(18), saturday_from=time(14), saturday_to=time(10)), [("saturday_to", "order")]),
        (Hours(time(9), time(18), slot_minutes=9), [("slot_minutes", "bounds")]),
        (Hours(time(9), time(18), slot_minutes=61, desks=11), [("slot_minutes", "bounds"), ("desks", "bounds")]),
        (Hours(time(9), time(18), slot_minutes=60, desks=10), []),
        (Hours(time(9), time(18), slot_minutes=10, desks=0), [("desks", "bounds")]),
    ],
)
def test_a_centres_week_opens_before_it_closes_with_lunch_inside_and_bounds_kept(hours, problems):
    assert rules.hours_problems(hours) == problems


def test_a_visit_outside_new_hours_is_told():
    start = datetime(2026, 12, 8, 17, tzinfo=ZONE)
    end = start + timedelta(minutes=30)
    assert not rules.outside_hours(WEEK, start, end, ZONE)
    assert rules.outside_hours(Hours(time(9), time(17)), start, end, ZONE)  # closes earlier now
    assert rules.outside_hours(Hours(time(9), time(18), slot_minutes=20), start, end, ZONE)  # another slot
    assert not rules.outside_hours(WEEK, start.astimezone(UTC), end.astimezone(UTC), ZONE)  # any zone


def test_visits_beyond_the_new_desks_are_told_with_those_outside_the_hours():
    ten = datetime(2026, 12, 8, 10, tzinfo=ZONE)
    half = timedelta(minutes=30)
    three_at_ten = [(ten, ten + half)] * 3
    late = [(ten.replace(hour=17), ten.replace(hour=17) + half)]
    assert rules.not_fitting(Hours(time(9), time(18), desks=3), three_at_ten + late, ZONE) == 0
    assert rules.not_fitting(Hours(time(9), time(18), desks=1), three_at_ten + late, ZONE) == 2  # two over one desk
    assert rules.not_fitting(Hours(time(9), time(17), desks=2), three_at_ten + late, ZONE) == 2  # one over, one late
    assert rules.not_fitting(Hours(time(11), time(18), desks=1), three_at_ten, ZONE) == 3  # outside: not also "over"


def _centre_form(**changed: str) -> dict[str, str]:
    typed = {"name": "", "address": "", "weekday_from": "09:00", "weekday_to": "18:00", "lunch_from": "13:00"}
    typed |= {"lunch_to": "14:00", "saturday_from": "", "saturday_to": "", "slot_minutes": "30", "desks": "2"}
    return typed | changed


@pytest.mark.parametrize(
    ("changed", "fields"),
    [
        ({}, []),
        ({"slot_minutes": "5", "lunch_from": "08:00"}, ["lunch_from", "slot_minutes"]),  # the week and its numbers
        ({"weekday_from": "9 утра", "slot_minutes": "5", "desks": "11"}, ["weekday_from", "slot_minutes", "desks"]),
        ({"weekday_to": "", "desks": "0"}, ["weekday_to", "desks"]),  # a time missing: the numbers said at once
    ],
)
def test_a_centres_settings_form_says_every_fault_at_once(changed, fields):
    values, errors = forms.read_centre(_centre_form(**changed))
    assert list(errors.fields) == fields
    assert (values is None) == bool(fields)


def test_a_visit_is_rated_once_and_only_when_the_resident_came():
    assert rules.may_rate("attended", None)
    assert not rules.may_rate("attended", 5)
    assert not any(rules.may_rate(status, None) for status in ("booked", "no_show", "cancelled"))


def test_the_mean_mark_is_to_a_tenth_half_up():
    assert str(rules.mean_mark(17, 4)) == "4.3"  # 4.25
    assert str(rules.mean_mark(14, 3)) == "4.7"  # 4.666…
    assert str(rules.mean_mark(5, 1)) == "5.0"
