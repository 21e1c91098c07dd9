"""Events' rules without a server: open, full, started and past; the staff form's event fields; the calendar file,
parsed back with icalendar (its UID the same on every download, its time in the company's zone)."""

from __future__ import annotations

from datetime import UTC
from datetime import datetime
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from portal.content import forms
from portal.content import rules
from portal.content.rules import AnswerRefusal
from portal.content.rules import EventState
from portal.core.web import FormErrors

NOW = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)
START = NOW + timedelta(days=2)
END = START + timedelta(hours=3)
ZONE = "Europe/Simferopol"


@pytest.mark.parametrize(
    ("now", "state"),
    [
        (START - timedelta(minutes=1), EventState.UPCOMING),
        (START, EventState.STARTED),  # from its first minute answers are closed
        (END - timedelta(minutes=1), EventState.STARTED),
        (END, EventState.PAST),  # «Прошло»: off the home page
    ],
)
def test_an_event_is_upcoming_then_on_then_past(now, state):
    assert rules.event_state(START, END, now) is state


@pytest.mark.parametrize(
    ("going", "now", "capacity", "taken", "mine", "refusal"),
    [
        (True, NOW, None, 500, False, None),  # no limit
        (True, NOW, 10, 9, False, None),  # the last place
        (True, NOW, 10, 10, False, AnswerRefusal.FULL),
        (True, NOW, 10, 10, True, None),  # already one of the ten: saying it again takes no place
        (False, NOW, 10, 10, False, None),  # «Не пойду» is taken when full
        (True, START, None, 0, False, AnswerRefusal.STARTED),
        (False, START + timedelta(hours=1), None, 0, True, AnswerRefusal.STARTED),  # nor a change of mind
    ],
)
def test_an_answer_is_refused_when_full_or_started(going, now, capacity, taken, mine, refusal):
    got = rules.answer_refusal(going, starts_at=START, now=now, capacity=capacity, taken=taken, mine=mine)
    assert got == refusal


def test_places_left():
    assert rules.places_left(None, 7) is None
    assert rules.places_left(10, 7) == 3
    assert rules.places_left(10, 12) == 0  # capacity lowered below those going: none left, never negative


H = timedelta(hours=1)


@pytest.mark.parametrize(
    ("published", "now", "due"),
    [
        # Published days ahead: a day before the start.
        (START - 48 * H, START - 48 * H, START - 24 * H),
        (START - 24 * H - timedelta(minutes=1), START - 25 * H, START - 24 * H),  # a minute after the notice
        # Published less than a day ahead: three hours before the start, two hours after the notice at least …
        (START - 24 * H, START - 24 * H, START - 3 * H),  # not after the notice: as passed
        (START - 10 * H, START - 10 * H, START - 3 * H),
        (START - 5 * H, START - 5 * H, START - 3 * H),  # exactly two hours after the notice
        # … otherwise none: the publication is the notice.
        (START - 5 * H + timedelta(minutes=1), START - 5 * H, None),
        (START - 2 * H, START - 2 * H, None),
        # Approved now, its notice going out later: judged from the notice.
        (START - 20 * H, START - 30 * H, START - 3 * H),
        (START - 4 * H, START - 30 * H, None),
        # Its start moved long after the publication: from the move; a moment passed is never «at once».
        (START - 72 * H, START - 30 * H, START - 24 * H),
        (START - 72 * H, START - 20 * H, START - 3 * H),
        (START - 72 * H, START - 3 * H, START - 3 * H),  # the very moment: due now, not passed
        (START - 72 * H, START - 2 * H, None),  # moved to start within three hours
        (START - 4 * H, START - 3 * H - timedelta(minutes=30), None),  # published just before: too close to it
    ],
)
def test_the_reminder_is_a_day_before_or_three_hours_before_or_none(published, now, due):
    assert rules.reminder_at(START, published, now) == due


def _typed(**values: str) -> dict[str, str]:
    return {"event_starts_at": "", "event_ends_at": "", "event_place": "", "event_capacity": "", **values}


def test_the_form_reads_an_event_in_the_company_zone():
    errors = FormErrors()
    typed = _typed(event_starts_at="2026-12-12T10:00", event_ends_at="2026-12-12T13:00", event_place="Двор",
                   event_capacity="30")  # fmt: skip
    event = forms.read_event(typed, errors, now=NOW)
    assert not errors and event is not None
    assert event.starts_at == datetime(2026, 12, 12, 10, 0, tzinfo=ZoneInfo(ZONE))  # 07:00 UTC
    assert (event.place, event.capacity) == ("Двор", 30)


@pytest.mark.parametrize(
    ("typed", "field"),
    [
        (_typed(event_ends_at="2026-12-12T13:00"), "event_starts_at"),  # no start
        (_typed(event_starts_at="2026-12-12T10:00"), "event_ends_at"),  # no end
        (_typed(event_starts_at="вчера", event_ends_at="2026-12-12T13:00"), "event_starts_at"),
        (_typed(event_starts_at="2026-12-12T10:00", event_ends_at="2026-12-12T09:00"), "event_ends_at"),
        (_typed(event_starts_at="2026-12-01T10:00", event_ends_at="2026-12-01T13:00"), "event_starts_at"),  # past
        (_typed(event_starts_at="2026-12-12T10:00", event_ends_at="2026-12-12T13:00", event_capacity="0"),
         "event_capacity"),
        (_typed(event_starts_at="2026-12-12T10:00", event_ends_at="2026-12-12T13:00", event_capacity="много"),
         "event_capacity"),
    ],
)  # fmt: skip
def test_the_form_says_what_is_wrong_at_its_field(typed, field):
    errors = FormErrors()
    assert forms.read_event(typed, errors, now=NOW) is None
    assert field in errors.fields


def test_an_event_being_edited_after_its_start_keeps_its_start():
    errors = FormErrors()
    stored = datetime(2026, 12, 6, 10, 0, tzinfo=ZoneInfo(ZONE))  # began at 07:00 UTC, five hours ago
    typed = _typed(event_starts_at="2026-12-06T10:00", event_ends_at="2026-12-06T18:00")
    assert forms.read_event(typed, errors, now=NOW, stored_start=stored) is not None and not errors


def _facts(**extra) -> rules.EventFacts:
    values = {"id": 42, "title": "Субботник во дворе", "text": "Грабли выдаём.", "starts_at": START, "ends_at": END,
              "place": "Двор дома, у детской площадки", "link": "https://portal.example/news/42", **extra}  # fmt: skip
    return rules.EventFacts(**values)


def _parsed(data: bytes):
    calendar = Calendar.from_ical(data)
    (event,) = calendar.walk("VEVENT")
    return calendar, event


def test_the_calendar_file_says_the_event_in_the_company_zone():
    data = rules.ics(_facts(), zone=ZONE, base_url="https://portal.example", stamp=NOW)
    calendar, event = _parsed(data)
    assert str(event["SUMMARY"]) == "Субботник во дворе"
    assert str(event["LOCATION"]) == "Двор дома, у детской площадки"
    assert str(event["DESCRIPTION"]) == "Грабли выдаём."
    assert str(event["URL"]) == "https://portal.example/news/42"
    start, end = event.decoded("DTSTART"), event.decoded("DTEND")
    assert start == START and end == END
    assert event["DTSTART"].params["TZID"] == ZONE  # the company's zone, not UTC: a calendar shows local time
    assert start.utcoffset() == timedelta(hours=3)
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == [ZONE]
    assert event.decoded("DTSTAMP") == NOW


def test_the_calendar_uid_is_the_same_for_every_download_and_differs_between_events():
    first = _parsed(rules.ics(_facts(), zone=ZONE, base_url="https://portal.example", stamp=NOW))[1]
    again = _parsed(rules.ics(_facts(title="Субботник (перенесён)"), zone=ZONE, base_url="https://portal.example",
                              stamp=NOW + timedelta(hours=5)))[1]  # fmt: skip
    other = _parsed(rules.ics(_facts(id=43), zone=ZONE, base_url="https://portal.example", stamp=NOW))[1]
    assert str(first["UID"]) == str(again["UID"]) == "event-42@portal.example"
    assert str(other["UID"]) != str(first["UID"])


def test_an_event_without_a_place_has_no_location():
    event = _parsed(rules.ics(_facts(place=""), zone=ZONE, base_url="https://portal.example", stamp=NOW))[1]
    assert "LOCATION" not in event


def test_an_events_reminder_keeps_the_titles_short_words_with_the_next_one_in_each_language() -> None:
    """The reminder's push («Завтра: Уборка на площадке») never ends a phone's line with «на»: its title is bound
    in the reader's language, the Russian standing in for a missing English twin bound as well."""
    from portal.content.messages import words
    from portal.core.i18n import in_locale

    stored = {"title": "Уборка на площадке", "title_en": "", "starts_at": START.isoformat(), "place": ""}
    for locale in ("ru", "en"):
        with in_locale(locale):
            assert words(stored)["title"] == "Уборка на\xa0площадке", locale
    with in_locale("en"):
        assert words({**stored, "title_en": "Clean-up on the playground"})["title"] == "Clean-up on the playground"
