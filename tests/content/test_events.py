"""Events on both engines: published like any post, answered «Пойду» / «Не пойду» once per person (refused when
full or started), listed on the home page while to come, reminded of a day before, once; over HTTP the answer works
as a plain form and with HTMX, the calendar file downloads, staff see who is going."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from icalendar import Calendar

from portal.content import actions
from portal.content import queries
from portal.content.forms import EventFields
from portal.content.rules import Move
from portal.content.tables import EventAnswer
from portal.content.tables import Post
from portal.content.tables import PostKind
from portal.core import clock
from portal.core import outbox
from portal.core.security import Principal
from portal.core.tables import OutboxMessage
from portal.core.web import Refused
from portal.notifications.rules import Audience


def _resident(user_id: int, account: int) -> Principal:
    return Principal(user_id=user_id, name="Житель", account_rights={account: frozenset({"view"})})


async def _event(t: dict[str, Any], moderator: Principal, *, days: float = 3, capacity: int | None = None,
                 title: str = "Субботник во дворе", publish: bool = True) -> int:  # fmt: skip
    starts_at = clock.now() + timedelta(days=days)
    data = actions.PostInput(
        kind=PostKind.EVENT, title=title, body="Грабли выдаём.", audience=Audience.of(houses=[t["house"]]),
        by_push=True, title_en="Courtyard clean-up",
        event=EventFields(starts_at, starts_at + timedelta(hours=3), "Двор дома", capacity),
    )  # fmt: skip
    post_id = await actions.save_post(moderator, data)
    if publish:
        await actions.move(moderator, post_id, Move.SUBMIT)
        await actions.move(moderator, post_id, Move.APPROVE)
    return post_id


async def _due_now(key: str) -> None:
    """The outbox row of ``key`` due at once, as though its time had come."""
    await OutboxMessage.update({OutboxMessage.next_attempt_at: clock.now() - timedelta(seconds=1),
                                OutboxMessage.status: "pending"}).where(OutboxMessage.dedupe_key == key)  # fmt: skip


async def _start_at(post_id: int, moment: Any) -> None:
    await Post.update({Post.event_starts_at: moment, Post.event_ends_at: moment + timedelta(hours=3)}).where(
        Post.id == post_id
    )


@pytest.fixture
def event_town(town: Any, staff_principal: Any) -> Any:
    async def make(**extra: Any) -> tuple[dict[str, Any], Principal, list[Principal], int]:
        t = await town()
        moderator = await staff_principal(t["moderator"], "moderator")
        people = [_resident(u, p.account) for u, p in zip(t["residents"], t["places"], strict=True)]
        return t, moderator, people, await _event(t, moderator, **extra)

    return make


async def test_one_answer_per_person_counted_and_changed(db, event_town):
    _t, _moderator, (anna, boris, _vera), post_id = await event_town()
    await actions.answer(anna, post_id, True)
    await actions.answer(anna, post_id, True)  # again: still one answer
    await actions.answer(boris, post_id, True)
    assert await queries.going_count(post_id) == 2
    await actions.answer(boris, post_id, False)  # changed his mind: the same row
    assert await queries.going_count(post_id) == 1
    assert await EventAnswer.count().where(EventAnswer.post == post_id) == 2
    assert (await queries.my_answer(post_id, anna.user_id), await queries.my_answer(post_id, boris.user_id)) == (
        True, False,
    )  # fmt: skip


async def test_a_full_event_refuses_going_and_says_so_but_takes_not_going(db, event_town):
    _t, _moderator, (anna, boris, _vera), post_id = await event_town(capacity=1)
    await actions.answer(anna, post_id, True)
    with pytest.raises(Refused, match="Все места заняты"):
        await actions.answer(boris, post_id, True)
    await actions.answer(anna, post_id, True)  # the one going says it again: no place taken twice
    await actions.answer(boris, post_id, False)
    assert await queries.going_count(post_id) == 1
    await actions.answer(anna, post_id, False)  # her place is free again
    await actions.answer(boris, post_id, True)
    assert await queries.going_count(post_id) == 1


async def test_no_answer_once_the_event_has_started(db, event_town):
    _t, _moderator, (anna, _boris, _vera), post_id = await event_town()
    await actions.answer(anna, post_id, True)
    await _start_at(post_id, clock.now() - timedelta(minutes=1))
    with pytest.raises(Refused, match="уже началось"):
        await actions.answer(anna, post_id, False)
    assert await queries.my_answer(post_id, anna.user_id) is True


async def test_a_copied_event_goes_to_review_only_once_its_time_is_given(db, event_town):
    _t, moderator, _people, post_id = await event_town()
    copy = await actions.duplicate(moderator, post_id)
    with pytest.raises(Refused, match="Укажите дату и время мероприятия"):
        await actions.move(moderator, copy, Move.SUBMIT)
    assert (await Post.select(Post.status).where(Post.id == copy).first())["status"] == "draft"


async def test_the_home_page_lists_the_next_three_events_to_come_for_the_resident(db, event_town):
    t, moderator, (anna, _boris, vera), later = await event_town(days=5, title="Праздник")
    sooner = await _event(t, moderator, days=1, title="Субботник")
    past = await _event(t, moderator, days=2, title="Вечер игр")
    await _start_at(past, clock.now() - timedelta(days=2))  # ended: off the home page
    on_now = await _event(t, moderator, days=2, title="Идёт сейчас")
    await _start_at(on_now, clock.now() - timedelta(hours=1))  # started, not over: still listed
    fourth = await _event(t, moderator, days=9, title="Четвёртое")
    unpublished = await _event(t, moderator, days=1, publish=False)
    ids = [item.id for item in await queries.upcoming_events(anna)]
    assert ids == [on_now, sooner, later]  # the next first, at most three
    assert fourth not in ids and past not in ids and unpublished not in ids
    assert await queries.upcoming_events(vera) == []  # another house's resident
    # The feed's filter «Мероприятия» shows events only, the past one too (its page says «Прошло»).
    events = {item.id for item in await queries.feed(anna, kind=PostKind.EVENT)}
    assert events == {later, sooner, past, on_now, fourth}


async def test_the_reminder_is_queued_once_and_reaches_those_going_a_day_before_in_their_language(db, event_town):
    from portal.content import delivery  # noqa: F401  (registers the reminder's sender)
    from portal.notifications import channels  # noqa: F401

    _t, moderator, (anna, boris, vera), post_id = await event_town(days=3)
    key = actions.reminder_key(post_id)
    row = await OutboxMessage.select(OutboxMessage.next_attempt_at).where(OutboxMessage.dedupe_key == key).first()
    starts_at = (await Post.select(Post.event_starts_at).where(Post.id == post_id).first())["event_starts_at"]
    assert row["next_attempt_at"] == starts_at - timedelta(days=1)
    await actions.move(moderator, post_id, Move.UNPUBLISH)
    await actions.move(moderator, post_id, Move.REPUBLISH)  # published again: still one reminder
    assert await OutboxMessage.count().where(OutboxMessage.dedupe_key == key) == 1
    await actions.answer(anna, post_id, True)
    await actions.answer(boris, post_id, True)
    await actions.answer(vera, post_id, False)
    await _due_now(key)  # woken early (a start moved later, a clock): it waits for its day again
    await outbox.deliver_all(seconds=10)
    assert not await OutboxMessage.exists().where(OutboxMessage.dedupe_key.like(f"%:event:{post_id}:reminder:%"))
    row = await OutboxMessage.select(OutboxMessage.next_attempt_at).where(OutboxMessage.dedupe_key == key).first()
    assert row["next_attempt_at"] == starts_at - timedelta(days=1)
    await _start_at(post_id, clock.now() + timedelta(hours=20))  # its day has come
    await _due_now(key)
    await outbox.deliver_all(seconds=10)
    await _due_now(key)  # run once more: nobody is told twice
    await outbox.deliver_all(seconds=10)
    told = await OutboxMessage.select(OutboxMessage.user_id, OutboxMessage.subject).where(
        OutboxMessage.dedupe_key.like(f"%:event:{post_id}:reminder:%") & (OutboxMessage.channel == "inapp")
    )
    assert sorted((m["user_id"], m["subject"]) for m in told) == sorted(
        [(anna.user_id, "Завтра: Субботник во дворе"), (boris.user_id, "Tomorrow: Courtyard clean-up")]
    )


async def test_a_moved_start_moves_the_waiting_reminder(db, event_town):
    _t, moderator, _people, post_id = await event_town(days=5)
    new_start = clock.now() + timedelta(days=2)
    data = actions.PostInput(
        kind=PostKind.EVENT, title="Субботник во дворе", body="Грабли выдаём.", audience=None, by_push=True,
        title_en="Courtyard clean-up", event=EventFields(new_start, new_start + timedelta(hours=3), "Двор дома", None),
    )  # fmt: skip
    await actions.save_post(moderator, data, post_id)
    row = (
        await OutboxMessage.select(OutboxMessage.next_attempt_at)
        .where(OutboxMessage.dedupe_key == actions.reminder_key(post_id))
        .first()
    )
    assert row["next_attempt_at"] == new_start - timedelta(days=1)


async def _reminder_due(post_id: int) -> Any:
    """When the event's reminder waits to go (None: no reminder waits)."""
    row = await OutboxMessage.select(OutboxMessage.next_attempt_at).where(
        (OutboxMessage.dedupe_key == actions.reminder_key(post_id)) & (OutboxMessage.status == "pending")
    ).first()  # fmt: skip
    return row["next_attempt_at"] if row else None


async def _starts_at(post_id: int) -> Any:
    return (await Post.select(Post.event_starts_at).where(Post.id == post_id).first())["event_starts_at"]


async def test_an_event_published_less_than_a_day_ahead_reminds_three_hours_before_or_not_at_all(db, event_town):
    """Not at once after the publication's notice: three hours before the start where that is two hours after the
    notice at least, else no reminder (the notice is the reminder)."""
    t, moderator, _people, tonight = await event_town(days=20 / 24)
    assert await _reminder_due(tonight) == await _starts_at(tonight) - timedelta(hours=3)
    soon = await _event(t, moderator, days=4 / 24)
    assert await _reminder_due(soon) is None
    assert not await OutboxMessage.exists().where(OutboxMessage.dedupe_key == actions.reminder_key(soon))


async def test_a_start_moved_within_hours_drops_the_reminder_and_moved_away_again_queues_it(db, event_town):
    _t, moderator, _people, post_id = await event_town(days=5)

    async def move_to(hours: float) -> Any:
        start = clock.now() + timedelta(hours=hours)
        data = actions.PostInput(
            kind=PostKind.EVENT, title="Субботник во дворе", body="Грабли выдаём.", audience=None, by_push=True,
            title_en="Courtyard clean-up", event=EventFields(start, start + timedelta(hours=3), "Двор дома", None),
        )  # fmt: skip
        await actions.save_post(moderator, data, post_id)
        return start

    start = await move_to(20)  # its day before has passed: three hours before the new start
    assert await _reminder_due(post_id) == start - timedelta(hours=3)
    await move_to(2)  # within three hours: none (a reminder at once would say what the post says)
    assert await _reminder_due(post_id) is None
    start = await move_to(72)  # moved away again: a day before
    assert await _reminder_due(post_id) == start - timedelta(days=1)


async def test_staff_see_who_is_going_with_their_flats_in_their_houses(db, event_town, staff_principal):
    t, _moderator, (anna, boris, _vera), post_id = await event_town()
    await actions.answer(anna, post_id, True)
    await actions.answer(boris, post_id, True)
    goers = await queries.goers(post_id)
    assert [(g.name, g.flats) for g in goers] == [("Анна Первая", "кв. 7"), ("Борис Второй", "кв. 40")]
    assert await queries.goers(post_id, frozenset({t["other_house"]})) == []  # not in a staff member's houses


# --- over HTTP ---------------------------------------------------------------------------------------------------


async def test_a_resident_answers_with_a_plain_form_and_with_htmx(db, client, login, event_town):
    t, _moderator, _people, post_id = await event_town(capacity=2)
    await login(client, t["residents"][0])
    page = await client.get(f"/news/{post_id}")
    assert page.status_code == 200
    assert "Пойду" in page.text and "Добавить в календарь" in page.text and "Идут 0 человек" in page.text
    home = await client.get("/")
    assert "Ближайшие мероприятия" in home.text and "Субботник во дворе" in home.text
    posted = await client.form(f"/news/{post_id}/answer", {"going": "1"})
    assert posted.status_code == 303 and posted.headers["location"] == f"/news/{post_id}#rsvp"
    page = await client.get(f"/news/{post_id}")
    assert "Идёт 1 человек" in page.text and "Вы идёте." in page.text and "Осталось 1 место" in page.text
    swapped = await client.form(f"/news/{post_id}/answer", {"going": "0"}, headers={"HX-Request": "true"})
    assert swapped.status_code == 200
    assert swapped.text.lstrip().startswith('<section id="rsvp"') and "Идут 0 человек" in swapped.text
    assert "<html" not in swapped.text


async def test_a_refused_answer_is_said_on_the_page(db, client, login, event_town):
    t, _moderator, (_anna, boris, _vera), post_id = await event_town(capacity=1)
    await actions.answer(boris, post_id, True)
    await login(client, t["residents"][0])  # Anna reads Russian
    page = await client.get(f"/news/{post_id}")
    assert "Все места заняты" in page.text and 'value="1">Пойду' not in page.text  # «Пойду» is not offered
    refused = await client.form(
        f"/news/{post_id}/answer", {"going": "1"}, headers={"referer": f"http://testserver/news/{post_id}"}
    )
    assert refused.status_code == 303
    assert "Все места заняты" in (await client.get(f"/news/{post_id}")).text  # the flash
    assert await queries.going_count(post_id) == 1


async def test_a_past_event_says_so_and_leaves_the_home_page(db, client, login, event_town):
    t, _moderator, _people, post_id = await event_town()
    await _start_at(post_id, clock.now() - timedelta(days=1))
    await login(client, t["residents"][0])
    page = await client.get(f"/news/{post_id}")
    assert page.status_code == 200 and "Прошло" in page.text and "Пойду" not in page.text
    assert "Ближайшие мероприятия" not in (await client.get("/")).text


async def test_the_home_pages_news_leave_out_events_the_feed_keeps_them_at_no_extra_query(
    db, client, login, event_town
):
    from portal.content.routes import _home_section
    from portal.core.routes import QUERY_BUDGETS
    from tests.querylog import captured

    t, moderator, (anna, _boris, _vera), _event_id = await event_town()
    news = await actions.save_post(moderator, actions.PostInput(
        kind=PostKind.NEWS, title="Новый график вывоза мусора", body="С понедельника.",
        audience=Audience.of(houses=[t["house"]]), by_email=False, by_sms=False, by_push=False,
    ))  # fmt: skip
    for move in (Move.SUBMIT, Move.APPROVE):
        await actions.move(moderator, news, move)
    section = await _home_section(anna)
    assert section is not None and [item.id for item in section["items"]] == [news]  # the event is not news
    await login(client, t["residents"][0])
    await client.get("/")
    with captured(db) as seen:
        home = (await client.get("/")).text
    assert len(seen) <= QUERY_BUDGETS["/"], [str(q) for q in seen]
    events_part, news_part = home.split('id="events-h"')[1].split('id="news-h"')
    assert "Субботник во дворе" in events_part and "Субботник во дворе" not in news_part
    assert "Новый график вывоза мусора" in news_part
    feed = (await client.get("/news")).text
    assert "Субботник во дворе" in feed and "Новый график вывоза мусора" in feed
    only_events = (await client.get("/news?kind=event")).text
    assert "Субботник во дворе" in only_events and "Новый график вывоза мусора" not in only_events


async def test_the_calendar_file_downloads_for_the_event_only(db, client, login, event_town):
    t, _moderator, _people, post_id = await event_town()
    await login(client, t["residents"][0])
    got = await client.get(f"/news/{post_id}/event.ics")
    assert got.status_code == 200 and got.headers["content-type"].startswith("text/calendar")
    assert 'filename="event-' in got.headers["content-disposition"]
    (event,) = Calendar.from_ical(got.content).walk("VEVENT")
    assert str(event["SUMMARY"]) == "Субботник во дворе" and str(event["LOCATION"]) == "Двор дома"
    assert event["DTSTART"].params["TZID"] == "Europe/Simferopol"
    assert str(event["UID"]) == str(Calendar.from_ical((await client.get(f"/news/{post_id}/event.ics")).content)
                                    .walk("VEVENT")[0]["UID"])  # fmt: skip
    stranger = t["residents"][2]  # another house's: the event is not theirs to see
    await login(client, stranger)
    assert (await client.get(f"/news/{post_id}/event.ics")).status_code == 404
    assert (await client.form(f"/news/{post_id}/answer", {"going": "1"})).status_code == 404


async def test_the_staff_list_says_how_many_are_going_to_each_event(db, client, login, event_town):
    t, moderator, (anna, boris, _vera), post_id = await event_town()
    quiet = await _event(t, moderator, title="Вечер настольных игр")
    await actions.answer(anna, post_id, True)
    await actions.answer(boris, post_id, True)
    await actions.answer(anna, quiet, False)  # «Не пойду» is not counted
    assert await queries.going_counts([post_id, quiet]) == {post_id: 2}
    await login(client, t["moderator"])
    rows = (await client.get("/staff/posts")).text.split("<tr>")
    [row] = [r for r in rows if "Субботник во дворе" in r]
    assert "Идут 2 человека" in row
    [row] = [r for r in rows if "Вечер настольных игр" in r]
    assert "Идут 0 человек" in row
    await Post.update({Post.kind: PostKind.NEWS}).where(Post.id == quiet)  # another kind: no count of answers
    rows = (await client.get("/staff/posts")).text.split("<tr>")
    [row] = [r for r in rows if "Вечер настольных игр" in r]
    assert "человек" not in row


async def test_staff_write_an_event_through_the_form_and_see_who_is_going(db, client, login, event_town):
    t, _moderator, (anna, _boris, _vera), post_id = await event_town()
    await actions.answer(anna, post_id, True)
    await login(client, t["moderator"])
    page = await client.get(f"/staff/posts/{post_id}")
    assert "Кто пойдёт" in page.text and "Анна Первая" in page.text and "кв. 7" in page.text
    bad = await client.form(
        "/staff/posts/new",
        {"kind": "event", "title": "Праздник", "body": "Приходите", "houses": str(t["house"]),
         "event_starts_at": "2020-01-01T10:00", "event_ends_at": ""},
        files={"image": ("", b"", "application/octet-stream")},
    )  # fmt: skip
    assert bad.status_code == 422 and 'id="e-event_starts_at"' in bad.text and 'id="e-event_ends_at"' in bad.text
    start = clock.local(clock.now() + timedelta(days=4)).strftime("%Y-%m-%dT10:00")
    made = await client.form(
        "/staff/posts/new",
        {"kind": "event", "title": "Праздник", "body": "Приходите", "houses": str(t["house"]),
         "event_starts_at": start, "event_ends_at": start.replace("T10:00", "T12:00"), "event_place": "Холл",
         "event_capacity": "25"},
        files={"image": ("", b"", "application/octet-stream")},
    )  # fmt: skip
    assert made.status_code == 303, made.text[-800:]
    new_id = int(made.headers["location"].rsplit("/", 1)[1])
    row = (
        await Post.select(Post.kind, Post.event_place, Post.event_capacity, Post.event_starts_at)
        .where(Post.id == new_id)
        .first()
    )
    assert (row["kind"], row["event_place"], row["event_capacity"]) == ("event", "Холл", 25)
    assert clock.local(row["event_starts_at"]).strftime("%Y-%m-%dT%H:%M") == start
    edit = await client.get(f"/staff/posts/{new_id}/edit")
    assert f'value="{start}"' in edit.text and 'value="25"' in edit.text
