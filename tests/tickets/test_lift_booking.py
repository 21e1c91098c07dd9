"""A resident books the freight lift of their entrance for a move or repairs, instead of phoning: a slot of the
company's rules (2 hours, 08:00–20:00 on working days, 10:00–18:00 on Saturdays, none on Sundays and holidays), one
booking per entrance and slot, the dispatcher's confirmation or refusal with a reason, cancelled by the resident
until the slot begins."""

from __future__ import annotations

import dataclasses
from datetime import date
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from portal.accounts.tables import User
from portal.core import clock
from portal.core.calendar import is_holiday
from portal.core.calendar import is_working_day
from portal.core.tables import OutboxMessage
from portal.housing.tables import Entrance
from portal.settings import get_settings
from portal.settings import use_settings
from portal.tickets import rules
from portal.tickets.tables import LiftBooking
from portal.tickets.tables import Ticket

TZ = ZoneInfo("Europe/Simferopol")
TODAY = date(2026, 9, 10)  # a Thursday
NOW = datetime(2026, 9, 10, 9, 30, tzinfo=TZ)
HOURS = rules.LiftHours()
P = rules.LiftProblem


@pytest.mark.parametrize(
    ("day", "slots"),
    [
        (date(2026, 9, 10), [8, 10, 12, 14, 16, 18]),  # a working Thursday: 08:00–20:00
        (date(2026, 9, 12), [10, 12, 14, 16]),  # a Saturday: 10:00–18:00
        (date(2026, 9, 13), []),  # a Sunday
        (date(2026, 11, 4), []),  # Day of National Unity, a Wednesday
        (date(2026, 1, 3), []),  # a Saturday of the New Year holidays
    ],
)
def test_the_lifts_slots_follow_the_companys_rules_and_the_calendar(day, slots):
    assert rules.lift_slots(day, HOURS, is_working_day, is_holiday) == slots


def test_the_slots_are_the_companys_settings():
    hours = rules.LiftHours(slot=3, weekday=(9, 18), saturday=(11, 14))
    assert rules.lift_slots(date(2026, 9, 10), hours, is_working_day, is_holiday) == [9, 12, 15]
    assert rules.lift_slots(date(2026, 9, 12), hours, is_working_day, is_holiday) == [11]


@pytest.mark.parametrize(
    ("hour", "taken", "problem"),
    [
        (10, set(), None),
        (8, set(), P.BEGUN),  # 08:00–10:00 began at 08:00; it is 09:30
        (9, set(), P.NOT_A_SLOT),
        (12, {12}, P.TAKEN),
    ],
)
def test_a_slot_is_booked_before_it_begins_and_while_free(hour, taken, problem):
    assert rules.lift_slot_problem(hour, TODAY, NOW, [8, 10, 12, 14, 16, 18], taken) == problem
    assert rules.free_lift_slots(TODAY, NOW, [8, 10, 12, 14, 16, 18], {12}) == [10, 14, 16, 18]


@pytest.fixture
def now_is(monkeypatch):
    monkeypatch.setattr(clock, "today_local", lambda: TODAY)
    monkeypatch.setattr(clock, "now", lambda: NOW)


async def _resident(make_user, make_account, **where):
    place = await make_account(**where)
    user = await make_user(accounts={place.account: "owner"}, rights=("view", "tickets"))
    return user, place


def _booking(place, **changes):
    data = {"account": str(place.account), "day": "2026-09-11", "hour": "10", "carried": "moving_in",
            "phone": "+7 978 111-22-33"}  # fmt: skip
    return {**data, **changes}


async def test_a_resident_books_the_lift_and_the_slot_is_held(client, login, make_user, make_account, now_is):
    user, place = await _resident(make_user, make_account)
    await login(client, user)
    page = await client.get("/tickets/lift?day=2026-09-10")
    assert page.status_code == 200 and "Бронирование грузового лифта" in page.text
    assert 'value="8" disabled' in page.text and 'value="10">' in page.text  # 08:00 has begun
    response = await client.form("/tickets/lift", _booking(place))
    assert response.status_code == 303, response.text
    ticket = await Ticket.select().where(Ticket.account == place.account).first()
    assert (ticket["category"], ticket["place"], ticket["entrance"]) == ("lift_booking", "lift", place.entrance)
    assert ticket["control_date"] == date(2026, 9, 11)
    assert ticket["deadline"] == datetime(2026, 9, 11, 10, 0, tzinfo=TZ)  # confirmed before the slot begins
    assert "Бронирование грузового лифта: 11.09.2026, 10:00–12:00." in ticket["description"]
    assert "Въезд" in ticket["description"] and "Booking of the freight lift" in ticket["description_en"]
    booking = await LiftBooking.select().where(LiftBooking.ticket == ticket["id"]).first()
    assert booking["held"] == f"{place.entrance}:2026-09-11:10" and booking["phone"] == "+79781112233"
    again = await client.get("/tickets/lift?day=2026-09-11")
    assert 'value="10" disabled' in again.text and "занято" in again.text


async def test_a_taken_slot_is_refused_with_the_free_ones_kept_what_was_typed(
    client, login, make_user, make_account, now_is
):
    first, place = await _resident(make_user, make_account)
    await login(client, first)
    assert (await client.form("/tickets/lift", _booking(place))).status_code == 303
    neighbour, next_door = await _resident(make_user, make_account, house=place.house, entrance=place.entrance)
    await login(client, neighbour)
    response = await client.form("/tickets/lift", _booking(next_door, phone="+7 978 555-00-01"))
    assert response.status_code == 422
    assert 'id="e-hour"' in response.text
    assert "Это время занято. Свободно в этот день: 08:00–10:00, 12:00–14:00" in response.text
    assert 'value="+7 978 555-00-01"' in response.text
    assert await LiftBooking.count() == 1
    # Another slot of the same entrance, or the same slot of another entrance, is free.
    assert (await client.form("/tickets/lift", _booking(next_door, hour="12"))).status_code == 303
    second = Entrance(house=place.house, number=2, floors=9)
    await second.save()
    elsewhere, other = await _resident(make_user, make_account, house=place.house, entrance=second.id)
    await login(client, elsewhere)
    assert (await client.form("/tickets/lift", _booking(other))).status_code == 303


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"day": "2026-09-13"}, "day", "По воскресеньям и праздникам"),
        ({"day": "2026-09-09"}, "day", "сегодняшний или более поздний"),
        ({"day": "2026-10-20"}, "day", "не более чем на 30\u00a0дней"),
        ({"day": "2026-09-10", "hour": "8"}, "hour", "уже началось"),
        ({"hour": "9"}, "hour", "Выберите время"),
        ({"carried": "piano"}, "carried", "что перевозится"),
        ({"phone": "позвоните"}, "phone", "Введите телефон в виде"),
    ],
)
async def test_a_booking_that_cannot_be_is_refused_at_its_field(
    client, login, make_user, make_account, now_is, changes, field, message
):
    user, place = await _resident(make_user, make_account)
    await login(client, user)
    response = await client.form("/tickets/lift", _booking(place, **changes))
    assert response.status_code == 422
    assert f'id="e-{field}"' in response.text and message in response.text
    assert not await LiftBooking.exists()


async def test_nobody_books_for_an_account_not_theirs(client, login, make_user, make_account, now_is):
    user, _ = await _resident(make_user, make_account)
    other = await make_account()
    await login(client, user)
    response = await client.form("/tickets/lift", _booking(other))
    assert response.status_code == 422 and not await LiftBooking.exists()


async def _booked(client, login, make_user, make_account):
    user, place = await _resident(make_user, make_account)
    await login(client, user)
    assert (await client.form("/tickets/lift", _booking(place))).status_code == 303
    ticket = await Ticket.select(Ticket.id).where(Ticket.account == place.account).first()
    return user, place, ticket["id"]


async def test_the_dispatcher_confirms_and_the_resident_is_told_in_their_language(
    client, login, make_user, make_account, now_is
):
    user, place, ticket = await _booked(client, login, make_user, make_account)
    await OutboxMessage.delete(force=True)
    await User.update({User.locale: "en"}).where(User.id == user)
    await login(client, await make_user(roles=("dispatcher",), houses=(place.house,)))
    page = await client.get(f"/staff/tickets/{ticket}")
    day_list = f"category=lift_booking&amp;house={place.house}&amp;control_from=2026-09-11&amp;control_to=2026-09-11"
    assert "Подтвердить бронь" in page.text and day_list in page.text
    response = await client.form(f"/staff/tickets/{ticket}/lift", {"decision": "confirm"})
    assert response.status_code == 303
    assert (await Ticket.select(Ticket.status).where(Ticket.id == ticket).first())["status"] == "accepted"
    told = await OutboxMessage.select(OutboxMessage.body).where(OutboxMessage.user_id == user)
    assert told and all("The booking is confirmed: 11.09.2026, 10:00–12:00." in m["body"] for m in told), told
    # The day's bookings of the house: this one, not another day's.
    listed = await client.get(f"/staff/tickets?tab=all&{day_list.replace('&amp;', '&')}")
    assert f"/staff/tickets/{ticket}" in listed.text
    other_day = await client.get(
        f"/staff/tickets?tab=all&category=lift_booking&house={place.house}&control_from=2026-09-12&control_to=2026-09-12"
    )
    assert f"/staff/tickets/{ticket}" not in other_day.text


async def test_a_refusal_needs_a_reason_and_frees_the_slot(client, login, make_user, make_account, now_is):
    user, place, ticket = await _booked(client, login, make_user, make_account)
    await login(client, await make_user(roles=("dispatcher",), houses=(place.house,)))
    response = await client.form(f"/staff/tickets/{ticket}/lift", {"decision": "refuse", "reason": ""})
    assert response.status_code == 422 and 'id="e-reason"' in response.text
    response = await client.form(f"/staff/tickets/{ticket}/lift", {"decision": "refuse", "reason": "Лифт на ремонте"})
    assert response.status_code == 303
    assert (await Ticket.select(Ticket.status).where(Ticket.id == ticket).first())["status"] == "cancelled"
    assert (await LiftBooking.select(LiftBooking.held).first())["held"] is None
    told = await OutboxMessage.select(OutboxMessage.body).where(OutboxMessage.user_id == user)
    assert any("Лифт на ремонте" in m["body"] for m in told)
    await login(client, user)
    assert (await client.form("/tickets/lift", _booking(place))).status_code == 303  # free again


async def test_the_resident_cancels_until_the_slot_begins(client, login, make_user, make_account, now_is, monkeypatch):
    _user, _place, ticket = await _booked(client, login, make_user, make_account)
    monkeypatch.setattr(clock, "now", lambda: datetime(2026, 9, 11, 10, 0, tzinfo=TZ))  # the slot begins
    response = await client.form(f"/tickets/{ticket}/cancel", {"confirm": "1"})
    assert response.status_code == 303
    assert (await Ticket.select(Ticket.status).where(Ticket.id == ticket).first())["status"] == "new"
    monkeypatch.setattr(clock, "now", lambda: datetime(2026, 9, 11, 9, 59, tzinfo=TZ))
    response = await client.form(f"/tickets/{ticket}/cancel", {"confirm": "1"})
    assert (await Ticket.select(Ticket.status).where(Ticket.id == ticket).first())["status"] == "cancelled"
    assert (await LiftBooking.select(LiftBooking.held).first())["held"] is None


async def test_the_slots_offered_follow_the_settings(client, login, make_user, make_account, now_is):
    user, _place = await _resident(make_user, make_account)
    await login(client, user)
    before = get_settings()
    try:
        use_settings(dataclasses.replace(before, lift_slot_hours=3, lift_weekday_hours=(9, 18)))
        page = await client.get("/tickets/lift?day=2026-09-11")
        assert "09:00–12:00" in page.text and "15:00–18:00" in page.text and "08:00–10:00" not in page.text
    finally:
        use_settings(before)


async def test_the_call_centre_books_the_lift_for_a_caller(client, login, make_user, make_account, now_is):
    place = await make_account()
    operator = await make_user(name="Оператор", roles=("operator",), houses=(place.house,))
    await login(client, operator)
    found = await client.get("/staff/tickets/new", params={"account_number": place.number})
    assert f'href="/staff/tickets/lift/{place.account}"' in found.text
    page = await client.get(f"/staff/tickets/lift/{place.account}?day=2026-09-11")
    assert page.status_code == 200 and f'action="/staff/tickets/lift/{place.account}"' in page.text
    response = await client.form(f"/staff/tickets/lift/{place.account}", _booking(place))
    assert response.status_code == 303
    ticket = await Ticket.select().where(Ticket.account == place.account).first()
    assert response.headers["location"] == f"/staff/tickets/{ticket['id']}"
    assert (ticket["source"], ticket["created_by"], ticket["author"]) == ("phone", operator, None)
    assert ticket["contact_phone"] == "+79781112233"
    assert (await LiftBooking.select(LiftBooking.held).first())["held"] == f"{place.entrance}:2026-09-11:10"
    # The call-centre form does not file a booking that holds no slot.
    data = {"account_id": str(place.account), "account_number": place.number, "place": "premise",
            "category": "lift_booking", "description": "Переезд в субботу", "source": "phone"}  # fmt: skip
    refused = await client.form("/staff/tickets/new", data)
    assert refused.status_code == 422 and 'id="e-category"' in refused.text
    # An account of a house the operator does not work in is not found.
    other = await make_account()
    assert (await client.get(f"/staff/tickets/lift/{other.account}")).status_code == 404
    assert (await client.form(f"/staff/tickets/lift/{other.account}", _booking(other))).status_code == 404
    assert await LiftBooking.count() == 1


def test_the_lifts_hours_are_read_from_the_environment():
    from portal.settings import Settings

    env = {"SECRET_KEY": "x", "LIFT_SLOT_HOURS": "3", "LIFT_WEEKDAY_HOURS": "9-18", "LIFT_SATURDAY_HOURS": "11-14"}
    settings = Settings.from_env(env)
    read = settings.lift_slot_hours, settings.lift_weekday_hours, settings.lift_saturday_hours
    assert read == (3, (9, 18), (11, 14))
    assert Settings.from_env({"SECRET_KEY": "x"}).lift_weekday_hours == (8, 20)
    with pytest.raises(ValueError, match="start < end"):
        Settings.from_env({"SECRET_KEY": "x", "LIFT_WEEKDAY_HOURS": "20-8"})
