"""Rules of requests: the status table, the resident's actions and their window, repeats, ratings, overdue."""

from datetime import UTC, datetime, timedelta

import pytest

from portal.tickets import rules
from portal.tickets.rules import Earlier, Status, Subject

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("current", "target", "allowed"),
    [
        ("new", "accepted", True),
        ("accepted", "in_work", True),
        ("in_work", "done", True),
        ("done", "closed", True),
        ("done", "reopened", True),
        ("closed", "reopened", True),
        ("reopened", "in_work", True),
        ("new", "cancelled", True),
        ("in_work", "cancelled", False),
        ("closed", "new", False),
        ("cancelled", "new", False),
        ("done", "new", False),
    ],
    ids=[
        "a new request is accepted",
        "an accepted request goes to work",
        "work in progress is done",
        "a done request is closed",
        "a done request is reopened",
        "a closed request is reopened by a rejection",
        "a reopened request goes back to work",
        "a new request is cancelled",
        "a request in work cannot be cancelled",
        "a closed request never silently becomes new",
        "a cancelled request stays cancelled",
        "done never goes back to new",
    ],
)
def test_status_moves(current, target, allowed):
    assert rules.can_move(current, target) is allowed


def test_allowed_moves_follow_the_life_cycle_order():
    assert rules.allowed_moves("new") == ["accepted", "in_work", "done", "cancelled"]
    assert rules.allowed_moves("cancelled") == []


def test_a_resident_cancels_only_before_work_starts():
    assert rules.resident_may_cancel("new")
    assert rules.resident_may_cancel("accepted")
    assert not rules.resident_may_cancel("in_work")
    assert not rules.resident_may_cancel("done")


def test_confirm_and_reopen_only_within_the_window():
    done_at = NOW - timedelta(days=3)
    assert rules.resident_may_confirm("done", done_at, NOW)
    assert rules.resident_may_reopen("closed", done_at, NOW)
    late = NOW + timedelta(days=rules.CONFIRM_DAYS + 1)
    assert not rules.resident_may_confirm("done", done_at, late)
    assert not rules.resident_may_reopen("done", done_at, late)
    assert not rules.resident_may_confirm("in_work", None, NOW)


def test_ratings_are_whole_numbers_from_one_to_five():
    assert [rules.valid_rating(x) for x in ("1", "5", 3)] == [1, 5, 3]
    assert [rules.valid_rating(x) for x in ("0", "6", "", "x", None, "4.5")] == [None] * 6
    assert rules.resident_may_rate("done", None)
    assert not rules.resident_may_rate("done", 4)
    assert not rules.resident_may_rate("in_work", None)


FLAT = Subject(premise_id=7, house_id=1)


@pytest.mark.parametrize(
    ("earlier", "repeated"),
    [
        ([Earlier(FLAT, "leaking_taps", NOW - timedelta(days=29))], True),
        ([Earlier(FLAT, "leaking_taps", NOW - timedelta(days=31))], False),
        ([Earlier(FLAT, "roof_leak", NOW - timedelta(days=2))], False),
        ([Earlier(Subject(premise_id=8, house_id=1), "leaking_taps", NOW - timedelta(days=2))], False),
        ([Earlier(FLAT, "leaking_taps", NOW - timedelta(days=2), status=Status.CANCELLED)], False),
    ],
    ids=[
        "same premise and category 29 days ago is a repeat",
        "31 days ago is not",
        "another category is not",
        "another premise is not",
        "a cancelled request does not count",
    ],
)
def test_repeated_requests(earlier, repeated):
    assert rules.is_repeated(FLAT, "leaking_taps", NOW, earlier) is repeated


def test_a_common_place_repeats_by_house_place_and_entrance():
    lift = Subject(premise_id=None, house_id=1, place="lift", entrance_id=3)
    same = Earlier(
        Subject(premise_id=9, house_id=1, place="lift", entrance_id=3), "lift_fault", NOW - timedelta(days=1)
    )
    other = Earlier(Subject(premise_id=None, house_id=1, place="lift", entrance_id=4), "lift_fault", NOW)
    assert rules.is_repeated(lift, "lift_fault", NOW, [same])
    assert not rules.is_repeated(lift, "lift_fault", NOW, [other])


def test_overdue_is_past_the_deadline_and_not_done_in_time():
    deadline = NOW - timedelta(minutes=1)
    assert rules.is_overdue("in_work", deadline, None, NOW)
    assert not rules.is_overdue("in_work", NOW + timedelta(hours=1), None, NOW)
    assert rules.is_overdue("done", deadline, NOW, NOW)
    assert not rules.is_overdue("done", NOW, deadline, NOW)
    assert not rules.is_overdue("cancelled", deadline, None, NOW)
    assert not rules.is_overdue("new", None, None, NOW)


def test_an_emergency_category_flags_the_request():
    assert rules.flags_for_new("lift_trapped", "emergency")["emergency"]
    assert not rules.flags_for_new("leaking_taps", "ordinary")["emergency"]
    assert rules.flags_for_new("written_appeal", "complaint")["complaint"]


def test_countdown():
    assert rules.countdown(NOW + timedelta(minutes=90), NOW) == ("left", 90)
    assert rules.countdown(NOW - timedelta(minutes=30), NOW) == ("overdue", 30)
    assert rules.countdown(None, NOW) == ("none", 0)
