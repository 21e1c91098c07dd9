"""Visits to the client centre through the pages, on both engines, at a fixed moment (Tuesday 8 December, 09:00 in
Simferopol): the booking form (its mistakes and a lost race said with what was typed kept, the times refreshed for a
day with HTMX), the visit's page with what to bring and its calendar file, «Мои записи»; another's visit is missing;
the staff's day of a centre, its cancellation with a required reason, and another house's manager sees none of it."""

from __future__ import annotations

import re

import pytest

from portal.visits.tables import Visit
from tests.visits.conftest import NOW

FORM = {"purpose": "keys", "day": "2026-12-09", "time": "10:00", "comment": "Нужен второй брелок"}


@pytest.fixture(autouse=True)
def _fixed_clock(monkeypatch):
    from portal.core import clock

    monkeypatch.setattr(clock, "now", lambda: NOW)
    monkeypatch.setattr(clock, "today_local", lambda: NOW.astimezone(clock.zone()).date())


async def test_a_resident_books_a_visit_and_sees_it_in_my_visits(client, login, centres):
    await login(client, centres.resident)
    page = await client.get("/visits/new")
    assert page.status_code == 200
    assert 'value="2026-12-08" selected' in page.text  # today first: 11:00 is two hours ahead
    assert 'name="time" value="11:00"' in page.text and 'name="time" value="10:30"' not in page.text
    assert 'value="2026-12-13"' not in page.text  # a Sunday

    answer = await client.form("/visits/new", FORM)
    assert answer.status_code == 303, answer.text[-800:]
    visit_id = int(answer.headers["location"].rsplit("/", 1)[1])
    shown = (await client.get(f"/visits/{visit_id}")).text
    assert "Вы записаны" in shown and "10:00" in shown and "9 декабря" in shown
    assert "офис 1" in shown and "Что взять с собой" in shown and "акт приёма-передачи" in shown
    assert f"/visits/{visit_id}/visit.ics" in shown and f'action="/visits/{visit_id}/cancel"' in shown
    ics = await client.get(f"/visits/{visit_id}/visit.ics")
    assert ics.headers["content-type"].startswith("text/calendar")
    assert "DTSTART;TZID=Europe/Simferopol:20261209T100000" in ics.text and "UID:visit-" in ics.text
    mine = (await client.get("/visits")).text
    assert f'href="/visits/{visit_id}"' in mine and "Ключи и доступ" in mine


async def test_a_mistake_and_a_lost_race_keep_what_was_typed(client, new_client, login, make_user, centres):
    await login(client, centres.resident)
    wrong = await client.form("/visits/new", {**FORM, "purpose": ""})
    assert wrong.status_code == 422
    assert 'id="e-purpose"' in wrong.text and "Нужен второй брелок" in wrong.text

    neighbour = new_client()
    await login(neighbour, await make_user(accounts={centres.account: "tenant"}))
    assert (await neighbour.form("/visits/new", {**FORM, "comment": ""})).status_code == 303  # takes 10:00 first
    lost = await client.form("/visits/new", FORM)
    assert lost.status_code == 409
    assert "Это время уже заняли, выберите другое" in lost.text
    assert "Нужен второй брелок" in lost.text and re.search(r'name="purpose" value="keys"[^>]*checked', lost.text)
    assert 'name="time" value="10:00"' not in lost.text  # no longer offered
    assert await Visit.count() == 1


async def test_the_times_of_another_day_come_as_a_fragment(client, login, centres):
    await login(client, centres.resident)
    part = await client.form("/visits/new", {**FORM, "day": "2026-12-10", "show": "1"}, headers={"HX-Request": "true"})
    assert part.status_code == 200
    assert part.text.lstrip().startswith('<fieldset id="times"') and "<html" not in part.text
    assert 'value="09:00"' in part.text and 'value="13:00"' not in part.text  # lunch left out


async def test_another_persons_visit_is_missing(client, new_client, login, centres):
    await login(client, centres.resident)
    visit_id = int((await client.form("/visits/new", FORM)).headers["location"].rsplit("/", 1)[1])
    stranger = new_client()
    await login(stranger, centres.stranger)
    assert (await stranger.get(f"/visits/{visit_id}")).status_code == 404
    assert (await stranger.get(f"/visits/{visit_id}/visit.ics")).status_code == 404
    assert (await stranger.form(f"/visits/{visit_id}/cancel")).status_code == 404
    assert (await client.form(f"/visits/{visit_id}/cancel")).status_code == 303
    assert (await Visit.select(Visit.status).first())["status"] == "cancelled"


async def test_the_staff_day_and_a_cancellation_with_its_reason(client, new_client, login, centres):
    await login(client, centres.resident)
    visit_id = int((await client.form("/visits/new", FORM)).headers["location"].rsplit("/", 1)[1])
    manager = new_client()
    await login(manager, centres.manager)
    day = (await manager.get("/staff/visits?day=2026-12-09")).text
    assert "Анна Посетительница" in day and "Нужен второй брелок" in day and "Ключи и доступ" in day
    assert "10:00" in day and "2026-12-10" in day and "2026-12-08" in day  # the next and previous days' links
    other = new_client()
    await login(other, centres.other_manager)
    theirs = (await other.get(f"/staff/visits?centre={centres.centre}&day=2026-12-09")).text
    assert "Анна Посетительница" not in theirs  # another complex's centre: their own is shown
    assert (await other.form(f"/staff/visits/{visit_id}/cancel", {"reason": "Нет"})).status_code == 404

    empty = await manager.form(f"/staff/visits/{visit_id}/cancel", {"reason": "  "})
    assert empty.status_code == 422 and f'id="e-r{visit_id}-reason"' in empty.text
    done = await manager.form(f"/staff/visits/{visit_id}/cancel", {"reason": "Санитарный день"})
    assert done.status_code == 303
    row = await Visit.select(Visit.status, Visit.cancel_reason).first()
    assert row == {"status": "cancelled", "cancel_reason": "Санитарный день"}


async def test_the_call_centre_books_a_caller_from_the_account_card(client, new_client, login, make_user, centres):
    """The operator opens the account's card, books the caller (a person of the account) with a mistake first (what
    was typed kept); the visit is in the caller's «Мои записи» and the centre's day; a manager of other houses
    gets 404 for the account."""
    from portal.core.tables import AuditEvent
    from portal.core.tables import OutboxMessage

    english = await make_user(name="Jane Caller", accounts={centres.account: "tenant"}, locale="en")
    operator = await make_user(name="Оператор Колл-центра", roles=("operator",), houses=(centres.house,))
    await login(client, operator)
    card = (await client.get(f"/staff/accounts/{centres.account}")).text
    url = f"/staff/visits/accounts/{centres.account}/new"
    assert f'href="{url}"' in card
    page = await client.get(url)
    assert page.status_code == 200
    assert "Анна Посетительница" in page.text and "Jane Caller" in page.text
    assert 'name="time" value="11:00"' in page.text

    typed = {**FORM, "visitor": str(english), "comment": "Звонила в колл-центр"}
    wrong = await client.form(url, {**typed, "time": ""})
    assert wrong.status_code == 422 and 'id="e-time"' in wrong.text
    assert "Звонила в колл-центр" in wrong.text
    assert re.search(rf'name="visitor" value="{english}"[^>]*checked', wrong.text)
    unnamed = await client.form(url, {**typed, "visitor": ""})
    assert unnamed.status_code == 422 and 'id="e-visitor"' in unnamed.text

    part = await client.form(url, {**typed, "day": "2026-12-10", "show": "1"}, headers={"HX-Request": "true"})
    assert part.text.lstrip().startswith('<fieldset id="times"') and "<html" not in part.text

    done = await client.form(url, typed)
    assert done.status_code == 303, done.text[-800:]
    assert done.headers["location"].startswith(f"/staff/visits?centre={centres.centre}&day=2026-12-09")
    row = await Visit.select(Visit.id, Visit.user, Visit.comment).first()
    assert (row["user"], row["comment"]) == (english, "Звонила в колл-центр")
    assert "Jane Caller" in (await client.get("/staff/visits?day=2026-12-09")).text
    actor = await AuditEvent.select(AuditEvent.actor_id).where(AuditEvent.action == "visits.book_for").first()
    assert actor["actor_id"] == operator
    told = await OutboxMessage.select(OutboxMessage.subject).where(
        (OutboxMessage.template == "visits/booked") & (OutboxMessage.user_id == english)
    )
    assert told and all(t["subject"].startswith("You are booked at the client centre") for t in told)

    caller = new_client()
    await login(caller, english)
    assert f'href="/visits/{row["id"]}"' in (await caller.get("/visits")).text

    taken = await client.form(url, {**typed, "visitor": str(centres.resident)})
    assert taken.status_code == 409 and "Звонила в колл-центр" in taken.text  # the seat is the caller's now

    other = new_client()
    await login(other, centres.other_manager)
    assert (await other.get(url)).status_code == 404
    assert (await other.form(url, {**typed, "time": "11:00"})).status_code == 404
    assert await Visit.count() == 1

    nobody = await client.get(f"/staff/visits/accounts/{centres.other_account}/new")
    assert nobody.status_code == 404  # the operator's houses are not the other complex's


async def test_the_call_centre_books_a_caller_without_a_sign_in_told_by_sms(client, login, make_user, centres):
    """An account nobody of which signs in: the form offers the caller by name and phone alone; a missing name and a
    wrong phone are said at their fields with what was typed kept; booked, the visit has no user but the caller's
    name and phone, the SMS in Russian says when, where, what to bring and the office's phone (not the portal), the
    centre's day shows the caller; a third visit for the same phone is refused at the phone."""
    from portal.accounts.tables import Residency
    from portal.core.tables import OutboxMessage

    await Residency.delete().where(Residency.account == centres.account)
    await login(client, await make_user(name="Оператор Колл-центра", roles=("operator",), houses=(centres.house,)))
    url = f"/staff/visits/accounts/{centres.account}/new"
    page = await client.get(url)
    assert page.status_code == 200 and 'id="book"' in page.text and "Никто из этого лицевого счёта" in page.text
    assert re.search(r'name="visitor" value="caller"[^>]*checked', page.text)

    typed = {**FORM, "visitor": "caller", "caller_name": "", "caller_phone": "8 912 345-67"}
    wrong = await client.form(url, typed)
    assert wrong.status_code == 422 and 'id="e-caller_name"' in wrong.text and 'id="e-caller_phone"' in wrong.text
    assert 'value="8 912 345-67"' in wrong.text and "Нужен второй брелок" in wrong.text
    assert await Visit.count() == 0

    typed |= {"caller_name": "  Пётр   Звонящий ", "caller_phone": "8 (912) 345-67-89"}
    done = await client.form(url, typed)
    assert done.status_code == 303, done.text[-800:]
    row = await Visit.select(Visit.id, Visit.user, Visit.caller_name, Visit.caller_phone).first()
    assert (row["user"], row["caller_name"], row["caller_phone"]) == (None, "Пётр Звонящий", "+79123456789")
    sms = await OutboxMessage.select(OutboxMessage.recipient, OutboxMessage.body, OutboxMessage.ref).where(
        OutboxMessage.channel == "sms"
    )
    assert [(m["recipient"], m["ref"]) for m in sms] == [("+79123456789", f"visits:visit:{row['id']}")]
    body = sms[0]["body"]
    assert body.startswith("Вы записаны: Клиентский центр ЖК «Тестовый»") and "9 декабря, среда в 10:00" in body
    assert "Возьмите с собой" in body and "+7 (3652) 00-00-01" in body and "портал" not in body, body
    day = (await client.get("/staff/visits?day=2026-12-09")).text
    assert "Пётр Звонящий" in day and "без входа на портал, извещается по СМС" in day

    await client.form(url, {**typed, "time": "10:30"})
    third = await client.form(url, {**typed, "time": "11:00"})
    assert third.status_code == 409 and 'id="e-caller_phone"' in third.text and "У этого человека уже 2" in third.text
    assert await Visit.count() == 2


CENTRE_FORM = {
    "name": "Клиентский центр ЖК «Тестовый»", "address": "г. Симферополь, ул. Тестовая, д. 1, офис 2",
    "weekday_from": "09:00", "weekday_to": "17:00", "lunch_from": "13:00", "lunch_to": "14:00",
    "saturday_from": "", "saturday_to": "", "slot_minutes": "30", "desks": "2",
}  # fmt: skip


async def test_a_manager_sets_the_centres_hours_told_of_visits_outside_them(client, new_client, login, centres):
    """A mistake keeps what was typed with its message; saved: audited, the booked visit outside the new hours
    stays and is counted; a form read before another's save is refused (409) with who changed it; the operator and
    another complex's manager get no settings (403/404)."""
    from portal.core.tables import AuditEvent
    from portal.visits.tables import VisitCentre

    resident = new_client()
    await login(resident, centres.resident)
    late = {**FORM, "time": "17:30"}
    assert (await resident.form("/visits/new", late)).status_code == 303  # 17:30–18:00, outside 9–17 soon

    await login(client, centres.manager)
    url = f"/staff/visits/centres/{centres.centre}"
    page = await client.get(url)
    assert page.status_code == 200 and 'value="18:00"' in page.text
    version = re.search(r'name="version" value="([^"]+)"', page.text).group(1)

    wrong = await client.form(url, {**CENTRE_FORM, "lunch_from": "08:00", "slot_minutes": "5", "version": version})
    assert wrong.status_code == 422
    assert "Перерыв на обед должен быть внутри рабочего дня" in wrong.text and 'id="e-slot_minutes"' in wrong.text
    assert "офис 2" in wrong.text and 'value="08:00"' in wrong.text  # what was typed
    backwards = await client.form(url, {**CENTRE_FORM, "weekday_to": "08:00", "version": version})
    assert backwards.status_code == 422 and 'id="e-weekday_to"' in backwards.text

    saved = await client.form(url, {**CENTRE_FORM, "version": version})
    assert saved.status_code == 303
    day = (await client.get(saved.headers["location"])).text
    assert "1 запись не помещается в новые часы или окна" in day, day[:3000]
    row = await VisitCentre.select().where(VisitCentre.id == centres.centre).first()
    assert (row["weekday_to"], row["desks"], row["saturday_from"]) == ("17:00", 2, "")
    assert await Visit.count().where(Visit.status == "booked") == 1  # the visit stays
    assert await AuditEvent.count().where(AuditEvent.action == "visits.centre_edit") == 1

    stale = await client.form(url, {**CENTRE_FORM, "desks": "3", "version": version})  # read before the save
    assert stale.status_code == 409 and 'value="3"' in stale.text
    assert (await VisitCentre.select(VisitCentre.desks).where(VisitCentre.id == centres.centre).first())["desks"] == 2

    other = new_client()
    await login(other, centres.other_manager)
    assert (await other.get(url)).status_code == 404
    assert (await other.form(url, CENTRE_FORM)).status_code == 404


async def test_a_resident_rates_a_visit_they_came_to(client, new_client, login, centres, monkeypatch):
    """Once marked «Пришёл», the visit's page asks how it went: a rating without its mark is said with the comment
    kept; sent, the page and the centre's day show it, and the form is gone."""
    from datetime import timedelta

    from portal.core import clock

    await login(client, centres.resident)
    answer = await client.form("/visits/new", {**FORM, "day": "2026-12-08", "time": "11:00"})
    visit_id = int(answer.headers["location"].rsplit("/", 1)[1])
    assert f'action="/visits/{visit_id}/rate"' not in (await client.get(f"/visits/{visit_id}")).text
    monkeypatch.setattr(clock, "now", lambda: NOW + timedelta(hours=2, minutes=5))
    manager = new_client()
    await login(manager, centres.manager)
    assert (await manager.form(f"/staff/visits/{visit_id}/attended")).status_code == 303

    page = (await client.get(f"/visits/{visit_id}")).text
    assert f'action="/visits/{visit_id}/rate"' in page and "Как вас приняли?" in page
    assert f'href="/visits/{visit_id}#rate-h"' in (await client.get("/visits")).text  # asked in «Мои записи» too
    wrong = await client.form(f"/visits/{visit_id}/rate", {"feedback": "Долго ждали у окна"})
    assert wrong.status_code == 422
    assert 'id="e-rating"' in wrong.text and "Выберите оценку от 1 до 5" in wrong.text
    assert "Долго ждали у окна" in wrong.text  # what was typed is kept
    rated = await client.form(f"/visits/{visit_id}/rate", {"rating": "3", "feedback": "Долго ждали у окна"})
    assert rated.status_code == 303
    page = (await client.get(f"/visits/{visit_id}")).text
    assert re.search(r"Ваша оценка</dt>\s*<dd[^>]*>3 / 5 — Долго ждали у окна</dd>", page), page[-2500:]
    assert f'action="/visits/{visit_id}/rate"' not in page
    mine = (await client.get("/visits")).text
    assert f'href="/visits/{visit_id}#rate-h"' not in mine and "Ваша оценка: 3&nbsp;/&nbsp;5" in mine
    day = (await manager.get("/staff/visits?day=2026-12-08")).text
    assert "Оценка 3 из 5" in day and "Долго ждали у окна" in day
    assert "Оценка визитов жителями за 30\u00a0дней: 3,0 из 5 по 1 оценке." in day, day[-3000:]
    other = new_client()
    await login(other, centres.other_manager)  # another complex's centre: none of these marks
    assert "Оценка визитов жителями" not in (await other.get("/staff/visits")).text
