"""Rules of requests: the status table, the resident's actions and their window, repeats, ratings, overdue."""

from dataclasses import dataclass
from datetime import UTC
from datetime import datetime
from datetime import timedelta

import pytest

from portal.core.rating import valid_rating
from portal.tickets import rules
from portal.tickets.rules import Earlier
from portal.tickets.rules import Status
from portal.tickets.rules import Subject

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
    assert rules.resident_may_reopen("done", done_at, NOW)
    assert rules.resident_may_reopen("closed", done_at, NOW)  # closed by staff, without the resident's word
    assert not rules.resident_may_reopen("closed", done_at, NOW, confirmed=True)  # the resident's own word stands
    assert rules.confirm_until(done_at) == done_at + timedelta(days=rules.CONFIRM_DAYS)
    late = NOW + timedelta(days=rules.CONFIRM_DAYS + 1)
    assert not rules.resident_may_confirm("done", done_at, late)
    assert not rules.resident_may_reopen("done", done_at, late)
    assert not rules.resident_may_confirm("in_work", None, NOW)


def test_only_a_request_reported_done_within_the_window_awaits_the_residents_word():
    done_at = NOW - timedelta(days=3)
    assert rules.awaits_confirmation("done", done_at, NOW)
    # Confirmed (or closed by staff): the resident is not asked again, though a return is still within the window.
    assert not rules.awaits_confirmation("closed", done_at, NOW)
    assert not rules.awaits_confirmation("done", done_at, NOW + timedelta(days=rules.CONFIRM_DAYS + 1))
    assert not any(rules.awaits_confirmation(s, None, NOW) for s in ("new", "accepted", "in_work", "reopened"))
    assert not rules.awaits_confirmation("cancelled", done_at, NOW)


def test_ratings_are_whole_numbers_from_one_to_five():
    assert [valid_rating(x) for x in ("1", "5", 3)] == [1, 5, 3]
    assert [valid_rating(x) for x in ("0", "6", "", "x", None, "4.5")] == [None] * 6
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


def test_an_emergency_category_flags_the_request():
    assert rules.flags_for_new("lift_trapped", "emergency")["emergency"]
    assert not rules.flags_for_new("leaking_taps", "ordinary")["emergency"]
    assert rules.flags_for_new("written_appeal", "complaint")["complaint"]


def test_countdown():
    assert rules.countdown(NOW + timedelta(minutes=90), NOW) == ("left", 90)
    assert rules.countdown(NOW - timedelta(minutes=30), NOW) == ("overdue", 30)
    assert rules.countdown(None, NOW) == ("none", 0)


def test_countdown_counts_whole_minutes_as_a_person_does():
    """20 seconds left is «1 min left», not «0 min»; the minute of the deadline (the first of a request due
    «immediately») is «due now», not «overdue by 1 min»; then the minutes passed."""
    assert rules.countdown(NOW + timedelta(seconds=20), NOW) == ("left", 1)
    assert rules.countdown(NOW, NOW) == ("due", 0)
    assert rules.countdown(NOW - timedelta(seconds=5), NOW) == ("due", 0)
    assert rules.countdown(NOW - timedelta(seconds=90), NOW) == ("overdue", 1)


@dataclass(frozen=True)
class Req:
    status: str
    completed_at: datetime | None = None
    confirmed_by_resident: bool = False
    category: str = "leaking_taps"
    type: str = "ordinary"
    deadline: datetime | None = None


R, ST, EX = rules.Actor.RESIDENT, rules.Actor.STAFF, rules.Actor.EXECUTOR
DONE_AGO = NOW - timedelta(days=2)
LATE = NOW - timedelta(days=rules.CONFIRM_DAYS + 1)


@pytest.mark.parametrize(
    ("ticket", "target", "actor", "refusal"),
    [
        (Req("new"), "accepted", ST, None),
        (Req("in_work"), "cancelled", ST, rules.Refusal.NOT_NOW),
        (Req("new"), "accepted", EX, None),
        (Req("done", DONE_AGO), "closed", EX, rules.Refusal.NOT_YOURS),
        (Req("new"), "cancelled", EX, rules.Refusal.NOT_YOURS),
        (Req("new"), "cancelled", R, None),
        (Req("reopened"), "cancelled", R, None),
        (Req("in_work"), "cancelled", R, rules.Refusal.IN_WORK),
        (Req("cancelled"), "cancelled", R, rules.Refusal.ALREADY),
        (Req("closed", DONE_AGO), "closed", R, rules.Refusal.ALREADY),
        (Req("closed", DONE_AGO), "cancelled", R, rules.Refusal.NOT_NOW),
        (Req("done", DONE_AGO), "closed", R, None),
        (Req("done", LATE), "closed", R, rules.Refusal.WINDOW_PASSED),
        (Req("in_work"), "closed", R, rules.Refusal.NOT_NOW),
        (Req("closed", DONE_AGO), "reopened", R, None),
        (Req("closed", LATE), "reopened", R, rules.Refusal.WINDOW_PASSED),
        (Req("closed", DONE_AGO, confirmed_by_resident=True), "reopened", R, rules.Refusal.CONFIRMED),
        (Req("done", DONE_AGO), "reopened", R, None),
        (Req("in_work"), "reopened", R, rules.Refusal.NOT_DONE),
        (Req("new"), "in_work", R, rules.Refusal.NOT_YOURS),
    ],
    ids=[
        "staff accept a new request",
        "staff cannot cancel work in progress",
        "an executor accepts their request",
        "an executor does not close: the resident confirms",
        "an executor does not cancel",
        "a resident cancels a new request",
        "a resident cancels a returned request",
        "a resident cannot cancel work in progress",
        "a cancelled request is not cancelled twice, and the resident is told it is",
        "a confirmed request is not confirmed twice, and the resident is told it is",
        "a closed request is not cancelled",
        "a resident confirms done work within the window",
        "a resident cannot confirm after the window",
        "a resident cannot confirm work not done",
        "a resident returns closed work within the window",
        "a resident cannot return work after the window",
        "a resident does not return work they confirmed themselves",
        "a resident returns work awaiting their word",
        "a resident cannot return work not reported done",
        "a resident does not start work",
    ],
)
def test_who_may_move_a_request_where(ticket, target, actor, refusal):
    change = rules.transition(ticket, target, actor, NOW)
    assert change.refusal == refusal
    assert change.allowed is (refusal is None)
    assert (change.values == {}) is (refusal is not None)


@pytest.mark.parametrize(
    ("current", "target", "actor", "written"),
    [
        ("in_work", "done", ST, {"status": "done", "updated_at": NOW, "completed_at": NOW}),
        (
            "done",
            "closed",
            R,
            {"status": "closed", "updated_at": NOW, "closed_at": NOW, "confirmed_by_resident": True},
        ),
        (
            "done",
            "closed",
            ST,
            {"status": "closed", "updated_at": NOW, "closed_at": NOW, "confirmed_by_resident": False},
        ),
        (
            "done",
            "in_work",
            ST,
            {
                "status": "in_work",
                "updated_at": NOW,
                "completed_at": None,
                "closed_at": None,
                "rating": None,
                "feedback": "",
                "returned_at": NOW,
            },
        ),
        (
            "closed",
            "reopened",
            ST,
            {
                "status": "reopened",
                "updated_at": NOW,
                "completed_at": None,
                "closed_at": None,
                "confirmed_by_resident": False,
                "rating": None,
                "feedback": "",
                "returned_at": NOW,
            },
        ),
        (
            "closed",
            "reopened",
            R,
            {
                "status": "reopened",
                "updated_at": NOW,
                "completed_at": None,
                "closed_at": None,
                "confirmed_by_resident": False,
                "repeated": True,
                "rating": None,
                "feedback": "",
                "returned_at": NOW,
            },
        ),
        ("new", "accepted", ST, {"status": "accepted", "updated_at": NOW}),
    ],
    ids=[
        "done work is stamped with its completion",
        "a confirmed request is stamped closed on the resident's word",
        "a request staff close is stamped closed without it",
        "work sent back clears the completion and the rating, stamped returned",
        "staff's reopening clears the rating too, and is no repeat",
        "a resident's return clears it and the rating, and marks the request repeated",
        "accepting stamps nothing else",
    ],
)
def test_what_a_move_writes(current, target, actor, written):
    assert dict(rules.transition(Req(current, DONE_AGO), target, actor, NOW).values) == written


MOSCOW = "Europe/Moscow"
FIRST_DEADLINE = NOW - timedelta(days=3)


@pytest.mark.parametrize(
    ("ticket", "target", "actor", "due"),
    [
        (Req("done", DONE_AGO, deadline=FIRST_DEADLINE), "reopened", R, NOW + timedelta(days=1)),
        (Req("closed", DONE_AGO, deadline=FIRST_DEADLINE), "reopened", ST, NOW + timedelta(days=1)),
        (Req("done", DONE_AGO, deadline=FIRST_DEADLINE), "in_work", ST, NOW + timedelta(days=1)),
        (
            Req("done", DONE_AGO, category="sewer_blockage", type="emergency", deadline=FIRST_DEADLINE),
            "reopened",
            R,
            NOW + timedelta(hours=2),
        ),
        (
            Req("closed", DONE_AGO, category="other", type="planned", deadline=FIRST_DEADLINE),
            "reopened",
            ST,
            FIRST_DEADLINE,
        ),
    ],
    ids=[
        "a resident's return counts the category's day again from now",
        "staff reopening a closed request count it again",
        "work sent back to work from done counts it again",
        "a returned blocked sewer is due in two hours from now",
        "planned works keep the date agreed: no legal term to count",
    ],
)
def test_work_that_goes_back_gets_a_new_deadline_from_that_moment(ticket, target, actor, due):
    """The clock starts again when the work goes back: by the same rule as at registration, from the return."""
    change = rules.transition(ticket, target, actor, NOW, MOSCOW)
    assert change.values["deadline"] == due


@pytest.mark.parametrize(
    ("ticket", "target", "actor"),
    [
        (Req("in_work", deadline=FIRST_DEADLINE), "done", ST),
        (Req("new", deadline=FIRST_DEADLINE), "accepted", ST),
        (Req("reopened", deadline=FIRST_DEADLINE), "in_work", ST),
        (Req("in_work", deadline=FIRST_DEADLINE), "accepted", ST),
    ],
    ids=["finishing work", "accepting a new request", "starting a returned request", "pausing work"],
)
def test_other_moves_keep_the_deadline(ticket, target, actor):
    assert "deadline" not in rules.transition(ticket, target, actor, NOW, MOSCOW).values


def test_a_new_category_counts_its_deadline_from_the_last_return_to_work_if_any():
    """A category changed after the work came back counts from the return, as the return's own deadline did: from
    the filing, the request would read overdue again at once."""
    filed = NOW - timedelta(days=10)
    ticket = {"category": "leaking_taps", "type": "ordinary", "created_at": filed, "deadline": NOW + timedelta(days=1)}
    change = {"category": ("leaking_taps", "downpipes")}
    assert rules.retimed(ticket, change, MOSCOW)["deadline"][1] == filed + timedelta(days=5)
    returned = {**ticket, "clock_from": NOW}
    assert rules.retimed(returned, change, MOSCOW)["deadline"][1] == NOW + timedelta(days=5)
    assert "deadline" not in rules.retimed({**returned, "category": "downpipes"}, {}, MOSCOW)


def test_the_term_is_named_beside_a_deadline_only_while_the_term_gave_it():
    """«23:01 (30 минут)» beside a deadline moved by hand to another day read as 30 minutes left: the term is named
    only while the deadline is the one it gives, counted from the filing or from the last return to work."""
    filed = NOW - timedelta(days=10)
    ticket = {
        "category": "leaking_taps",
        "type": "ordinary",
        "created_at": filed,
        "deadline": filed + timedelta(days=1),
    }
    assert rules.keeps_term(ticket, MOSCOW)
    assert rules.keeps_term({**ticket, "deadline": filed + timedelta(days=1, seconds=59)}, MOSCOW)  # to the minute
    moved = {**ticket, "deadline": filed + timedelta(days=3)}
    assert not rules.keeps_term(moved, MOSCOW)
    returned = {**ticket, "deadline": NOW + timedelta(days=1)}
    assert not rules.keeps_term(returned, MOSCOW)
    assert rules.keeps_term(returned, MOSCOW, NOW)  # counted anew from the return: the term again
    assert rules.keeps_term({**ticket, "type": "planned", "deadline": filed + timedelta(days=40)}, MOSCOW)  # agreed


@pytest.mark.parametrize(
    ("current", "actor", "step"),
    [
        ("new", "staff", "accepted"),
        ("new", "executor", "accepted"),
        ("accepted", "executor", "in_work"),
        ("in_work", "executor", "done"),
        ("reopened", "staff", "accepted"),
        ("done", "staff", "closed"),
        ("done", "executor", None),  # «Вернуть в работу» is a step back
        ("closed", "staff", None),  # reopening a closed request is never one tap from the top
        ("cancelled", "staff", None),
    ],
)
def test_the_next_step_under_a_requests_heading_takes_it_on(current, actor, step):
    """A phone shows the request's next step alone under its heading: a move forward, never back or cancelling."""
    assert rules.next_step(current, EX if actor == "executor" else ST) == step


def test_an_executor_is_offered_only_their_own_moves():
    assert rules.moves_for("new", EX) == ["accepted", "in_work", "done"]
    assert rules.moves_for("new", ST) == ["accepted", "in_work", "done", "cancelled"]
    assert rules.moves_for("closed", EX) == []
    # The first button of a row is the next step, never a step back.
    assert rules.moves_for("in_work", ST) == ["done", "accepted"]
    assert rules.moves_for("done", ST) == ["closed", "reopened", "in_work"]
    assert rules.moves_for("reopened", ST) == ["accepted", "in_work", "done", "cancelled"]


def test_only_editable_fields_that_really_change_count():
    before = {"type": "ordinary", "category": "roof_leak", "important": False}
    changes = {"type": "ordinary", "category": "leaking_taps", "important": True, "status": "done"}
    assert rules.changed_fields(before, changes) == {
        "category": ("roof_leak", "leaking_taps"),
        "important": (False, True),
    }


@pytest.mark.parametrize(
    ("typed", "kept", "error"),
    [
        ("8 (978) 000-00-01", "+79780000001", None),
        ("", "", None),
        ("12", None, "Введите телефон в виде +7\u00a0978\u00a0123\u201145\u201167."),
    ],
    ids=["a phone as people write it", "none: the account's holder", "not a phone"],
)
def test_the_call_centre_form_takes_the_callers_phone_only_as_a_phone(typed, kept, error):
    """A dispatcher calls back on the caller's phone: «12» is refused with the form's words, not kept."""
    from portal.core import i18n
    from portal.tickets.forms import read_staff_new

    i18n.set_locale("ru")
    data = {"account_number": "9101000001", "category": "other", "description": "Течёт кран", "contact_phone": typed}
    form, errors = read_staff_new(data)
    assert errors.get("contact_phone") == error
    assert (form.contact_phone if form else None) == kept


@pytest.mark.parametrize(
    ("current", "target", "said"),
    [
        ("new", "accepted", "Принять"),
        ("in_work", "accepted", "Приостановить работу"),
        ("accepted", "in_work", "Взять в работу"),
        ("done", "in_work", "Вернуть в работу"),
    ],
    ids=["accepting a new request", "a step back from work", "starting work", "sending done work back"],
)
def test_a_step_back_is_named_as_one(current, target, said):
    """«Принять» on a request already in work, «Взять в работу» on one reported done, read as steps forward."""
    assert rules.move_label(target, current) == said


def test_a_deadline_before_the_filing_is_refused_to_the_minute():
    filed = datetime(2026, 3, 10, 9, 0, 40, tzinfo=UTC)
    assert rules.deadline_before_filing(filed - timedelta(days=365), filed)
    assert rules.deadline_before_filing(datetime(2026, 3, 10, 8, 59, tzinfo=UTC), filed)
    assert not rules.deadline_before_filing(datetime(2026, 3, 10, 9, 0, tzinfo=UTC), filed)  # the minute shown
    assert not rules.deadline_before_filing(None, filed)  # by agreement


def test_a_deadline_more_than_a_year_after_the_filing_is_a_year_typed_wrong():
    filed = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
    assert rules.deadline_long_after_filing(datetime(2027, 3, 10, 9, 1, tzinfo=UTC), filed)
    assert not rules.deadline_long_after_filing(datetime(2027, 3, 10, 9, 0, tzinfo=UTC), filed)  # 365 days stand
    assert not rules.deadline_long_after_filing(None, filed)  # by agreement


def test_an_outage_until_more_than_31_days_after_its_start_is_a_date_typed_wrong():
    starts = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
    assert rules.outage_ends_long_after_start(starts, datetime(2026, 4, 10, 9, 1, tzinfo=UTC))
    assert not rules.outage_ends_long_after_start(starts, datetime(2026, 4, 10, 9, 0, tzinfo=UTC))  # 31 days stand
    assert not rules.outage_ends_long_after_start(starts, None)  # until not known yet


def test_a_bulk_assignment_offers_who_may_take_one_shown_request_and_refuses_the_rest_by_request():
    takers = {1: {10, 30}, 2: {20, 30}}  # house -> executors who would see its requests
    assert rules.bulk_takers(takers) == (frozenset({10, 20, 30}), frozenset({30}))
    assert rules.bulk_takers({}) == (frozenset(), frozenset())
    tickets = [("a", 1), ("b", 2), ("c", 1)]
    assert rules.split_by_taker(tickets, lambda t: t[1], 10, takers) == ([("a", 1), ("c", 1)], [("b", 2)])
    assert rules.split_by_taker(tickets, lambda t: t[1], 30, takers) == (tickets, [])
    assert rules.split_by_taker(tickets, lambda t: t[1], 99, takers) == ([], tickets)


def test_a_common_place_address_marks_only_the_house_russian_on_an_english_page():
    """«…, entrance 2, lift»: the house as recorded is marked ``lang="ru"``, the place reads in the page's words."""
    from types import SimpleNamespace

    from portal.core.address import address_markup
    from portal.core.i18n import set_locale
    from portal.tickets.view import TicketView

    house = "г. Симферополь, ул. Киевская, д. 189"
    row = SimpleNamespace(house_address=house, place="lift", entrance_number=2, premise_kind=None, premise_number=None)
    set_locale("en")
    try:
        assert address_markup(TicketView.address(row)) == f'<span lang="ru">{house}</span>, entrance 2, lift'
    finally:
        set_locale("ru")


@pytest.mark.parametrize(
    ("completed", "late"),
    [
        (None, None),  # not done
        (datetime(2026, 12, 6, 2, 1, tzinfo=UTC), None),  # at the deadline: on time, as the dashboard counts it
        (datetime(2026, 12, 6, 2, 1, 20, tzinfo=UTC), 1),  # 20 seconds late: the minute begun
        (datetime(2026, 12, 6, 3, 34, tzinfo=UTC), 93),
    ],
)
def test_a_request_done_after_its_deadline_is_late_by_the_minutes_begun(completed, late):
    from portal.tickets.rules import lateness

    assert lateness(datetime(2026, 12, 6, 2, 1, tzinfo=UTC), completed) == late
    assert lateness(None, completed) is None  # no deadline: never late


@pytest.mark.parametrize(
    ("owner", "applicant", "is_owner"),
    [
        ("Новикова Анна Сергеевна", "Новикова Анна Сергеевна", True),
        ("Фёдорова  Алёна Юрьевна", "федорова алена юрьевна", True),  # as the register compares: spaces, case, ё
        ("Новикова Анна Сергеевна", "Новиков Илья Андреевич", False),  # her son applying for her
        ("Новикова Анна Сергеевна", "", False),  # an applicant without a name on their account
    ],
)
def test_the_applicant_is_the_new_owner_only_under_the_owners_name(owner, applicant, is_owner):
    assert rules.applicant_is_owner(owner, applicant) is is_owner


def test_a_notice_of_a_listed_outage_is_not_listed_again_beside_it() -> None:
    from types import SimpleNamespace

    written, of_listed, of_other = (SimpleNamespace(id=n, outage=o) for n, o in ((1, None), (2, 7), (3, 8)))
    assert rules.notices_beside([written, of_listed, of_other], {7}) == [written, of_other]
