"""A resident who installed or replaced a water meter applies for its commissioning (ПП № 354 п. 81: the resident
applies to the company, which seals and registers the meter) on a form of its own, instead of phoning: the meter's
place, its passport (checked as meters check a card and a reading), a photo or PDF of it, two visit days. When the
request is done, staff make the meter's card from it in the meters' own form, prefilled."""

from __future__ import annotations

import dataclasses
from datetime import UTC
from datetime import date
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from portal.core import clock
from portal.core.calendar import is_working_day
from portal.core.tables import AuditEvent
from portal.meters.tables import Meter
from portal.settings import get_settings
from portal.settings import use_settings
from portal.tickets import rules
from portal.tickets.deadlines import deadline_for
from portal.tickets.tables import MeterApplication
from portal.tickets.tables import Ticket
from portal.tickets.tables import TicketAttachment
from tests.tickets.test_audit_trail import CLIENT_IP

TODAY = date(2026, 9, 10)  # a Thursday
TZ = "Europe/Simferopol"
V = rules.VisitProblem
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.mark.parametrize(
    ("day", "problem"),
    [
        (date(2026, 9, 11), None),  # Friday, tomorrow
        (TODAY, V.EARLY),  # the visit is arranged from tomorrow
        (date(2026, 9, 9), V.EARLY),
        (date(2026, 9, 12), V.DAY_OFF),  # Saturday
        (date(2026, 9, 13), V.DAY_OFF),  # Sunday
        (date(2026, 10, 9), None),  # 29 days ahead
        (date(2026, 10, 12), V.FAR),  # 32 days ahead: a month typed wrong
    ],
)
def test_a_visit_is_proposed_on_a_working_day_from_tomorrow(day, problem):
    assert rules.visit_day_problem(day, TODAY, is_working_day) == problem


def test_a_holiday_is_no_visit_day():
    """The production calendar's holidays: 04.11.2026, Day of National Unity, is a Wednesday."""
    assert rules.visit_day_problem(date(2026, 11, 4), date(2026, 10, 20), is_working_day) == V.DAY_OFF
    assert rules.visit_day_problem(date(2026, 11, 5), date(2026, 10, 20), is_working_day) is None


def test_the_second_visit_day_is_another_day():
    assert rules.visit_day_problem(date(2026, 9, 11), TODAY, is_working_day, date(2026, 9, 11)) == V.SAME
    assert rules.visit_day_problem(date(2026, 9, 14), TODAY, is_working_day, date(2026, 9, 11)) is None


def test_the_commissioning_term_is_the_companys_setting():
    """The law's days are not in DOMAIN.md: the term is METER_COMMISSIONING_DAYS working days (15 by default)."""
    filed = datetime(2026, 2, 6, 11, 0, tzinfo=ZoneInfo(TZ))  # a Friday; 23.02, a Monday, is a holiday
    before = get_settings()
    try:
        assert deadline_for("meter_commissioning", filed, TZ) == datetime(2026, 3, 2, 23, 59, 59, tzinfo=ZoneInfo(TZ))
        use_settings(dataclasses.replace(before, meter_commissioning_days=5))
        assert deadline_for("meter_commissioning", filed, TZ) == datetime(2026, 2, 13, 23, 59, 59, tzinfo=ZoneInfo(TZ))
    finally:
        use_settings(before)


@pytest.fixture
def today_is(monkeypatch):
    monkeypatch.setattr(clock, "today_local", lambda: TODAY)


async def _resident(make_user, make_account):
    place = await make_account()
    user = await make_user(name="Петрова Анна", accounts={place.account: "owner"}, rights=("view", "tickets"))
    return user, place


async def _meter(place, serial="Х-100", service="cold_water", place_name="санузел"):
    meter = Meter(account=place.account, service=service, serial=serial, place=place_name)
    await meter.save()
    return meter.id


def _application(place, **changes):
    data = {
        "account": str(place.account),
        "meter": "new",
        "service": "hot_water",
        "place": "кухня",
        "serial": "ГВ-2026-77",
        "model": "СГВ-15",
        "reading": "00001,250",
        "verified_on": "2026-06-01",
        "next_verification": "2032-06-01",
        "visit_first": "2026-09-14",
        "visit_second": "2026-09-15",
    }
    return {**data, **changes}


async def test_a_resident_applies_for_a_new_meters_commissioning_and_staff_read_it(
    client, login, make_user, make_account, photo, today_is
):
    user, place = await _resident(make_user, make_account)
    await login(client, user)
    form = await client.get("/tickets/meter-commissioning")
    assert form.status_code == 200 and "Ввод счётчика в эксплуатацию" in form.text
    assert 'accept="image/*,application/pdf"' in form.text
    passport = [("passport", ("passport.jpg", photo, "image/jpeg"))]
    response = await client.form("/tickets/meter-commissioning", _application(place), files=passport)
    assert response.status_code == 303, response.text
    ticket = await Ticket.select().where(Ticket.account == place.account).first()
    assert ticket["category"] == "meter_commissioning" and ticket["author"] == user and ticket["deadline"]
    text = ticket["description"]
    assert "Заявка на ввод прибора учёта в эксплуатацию" in text and "Горячая вода, №\u00a0ГВ-2026-77, СГВ-15." in text
    assert "Новое место: кухня." in text and "Показание при вводе: 1,250." in text
    assert "Предложенные дни визита: 14.09.2026 или 15.09.2026." in text
    assert "Hot water, No. ГВ-2026-77" in ticket["description_en"]
    assert await TicketAttachment.count().where(TicketAttachment.ticket == ticket["id"]) == 1
    kept = await MeterApplication.select().where(MeterApplication.ticket == ticket["id"]).first()
    assert (kept["meter"], kept["service"], kept["serial"], kept["reading"]) == (
        None,
        "hot_water",
        "ГВ-2026-77",
        Decimal("1.25"),
    )
    assert (kept["visit_first"], kept["visit_second"]) == (date(2026, 9, 14), date(2026, 9, 15))
    filed = await AuditEvent.select().where(AuditEvent.action == "ticket.file")
    assert [(e["actor_id"], e["entity_id"], e["ip"]) for e in filed] == [(user, ticket["id"], CLIENT_IP)]
    # Staff find it in the request list by its category.
    await login(client, await make_user(roles=("dispatcher",), houses=(place.house,)))
    listed = await client.get("/staff/tickets?category=meter_commissioning")
    assert f"/staff/tickets/{ticket['id']}" in listed.text
    other = await client.get("/staff/tickets?category=roof_leak")
    assert f"/staff/tickets/{ticket['id']}" not in other.text


async def test_the_passport_may_be_a_pdf_and_opens_as_a_document(client, login, make_user, make_account, today_is):
    user, place = await _resident(make_user, make_account)
    meter_id = await _meter(place)
    await login(client, user)
    form = await client.get("/tickets/meter-commissioning")
    assert f'<option value="{meter_id}">Холодная вода №\xa0Х-100, санузел</option>' in form.text
    passport = [("passport", ("passport.pdf", PDF, "application/pdf"))]
    response = await client.form(
        "/tickets/meter-commissioning", _application(place, meter=str(meter_id)), files=passport
    )
    assert response.status_code == 303, response.text
    ticket = await Ticket.select(Ticket.id, Ticket.description).where(Ticket.account == place.account).first()
    assert "Вместо счётчика на месте: санузел." in ticket["description"]
    page = await client.get(f"/tickets/{ticket['id']}")
    assert "Документ 1 (PDF)" in page.text
    attachment = await TicketAttachment.select().where(TicketAttachment.ticket == ticket["id"]).first()
    document = await client.get(f"/tickets/photos/{attachment['id']}")
    assert document.headers["content-type"] == "application/pdf" and document.content == PDF
    assert "photo.pdf" in document.headers["content-disposition"]


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"serial": ""}, "serial", "Введите заводской номер"),
        ({"model": ""}, "model", "тип или модель"),
        ({"meter": ""}, "meter", "Выберите счётчик"),
        ({"service": "gas"}, "service", "холодную или горячую воду"),
        ({"reading": "12,3456"}, "reading", "после запятой"),  # the meter shows 3 decimals
        ({"reading": "123456"}, "reading", "не больше 5"),  # 5 digits before the comma
        ({"reading": "сто"}, "reading", "Введите цифры"),
        ({"verified_on": ""}, "verified_on", "последней поверки (или выпуска)"),
        ({"verified_on": "2026-12-01"}, "verified_on", "позже сегодняшнего"),
        ({"next_verification": "2026-09-09"}, "next_verification", "уже прошла"),
        ({"visit_first": "2026-09-10"}, "visit_first", "не раньше завтрашнего"),
        ({"visit_second": "2026-09-13"}, "visit_second", "выходной день"),
        ({"visit_second": "2026-09-14"}, "visit_second", "отличный от первого"),
    ],
)
async def test_a_mistake_is_refused_at_its_field_and_what_was_typed_is_kept(
    client, login, make_user, make_account, photo, today_is, changes, field, message
):
    user, place = await _resident(make_user, make_account)
    await login(client, user)
    passport = [("passport", ("passport.jpg", photo, "image/jpeg"))]
    response = await client.form("/tickets/meter-commissioning", _application(place, **changes), files=passport)
    assert response.status_code == 422
    assert f'id="e-{field}"' in response.text and message in response.text.replace("\xa0", " ")
    assert 'value="СГВ-15"' in response.text or field == "model"  # what was typed is kept
    assert not await Ticket.exists().where(Ticket.account == place.account)


async def test_no_application_without_a_passport_or_with_a_file_that_is_neither(
    client, login, make_user, make_account, today_is
):
    user, place = await _resident(make_user, make_account)
    await login(client, user)
    response = await client.form("/tickets/meter-commissioning", _application(place), files=[("x", ("", b"", ""))])
    assert response.status_code == 422 and 'id="e-passport"' in response.text and "паспорта счётчика" in response.text
    page = [("passport", ("passport.pdf", b"<html>not a pdf</html>", "application/pdf"))]
    response = await client.form("/tickets/meter-commissioning", _application(place), files=page)
    assert response.status_code == 422
    field = response.text.split('id="e-passport"', 1)[1].split("</p>", 1)[0]
    assert "Файл «passport.pdf» — не фотография и не PDF. Приложите фотографию или скан в PDF." in field
    assert not await Ticket.exists().where(Ticket.account == place.account)


async def test_nobody_applies_for_an_account_or_a_meter_not_theirs(
    client, login, make_user, make_account, photo, today_is
):
    user, place = await _resident(make_user, make_account)
    other = await make_account()
    theirs = await _meter(other, serial="Чужой")
    await login(client, user)
    passport = [("passport", ("passport.jpg", photo, "image/jpeg"))]
    response = await client.form("/tickets/meter-commissioning", _application(other), files=passport)
    assert response.status_code == 422
    form = await client.get("/tickets/meter-commissioning")
    assert "Чужой" not in form.text
    response = await client.form("/tickets/meter-commissioning", _application(place, meter=str(theirs)), files=passport)
    assert response.status_code == 422 and 'id="e-meter"' in response.text
    assert not await Ticket.exists()


async def test_a_meter_is_replaced_on_its_own_account(client, login, make_user, make_account, photo, today_is):
    """A resident of two flats names the meter of one with the address of the other: refused, nothing filed."""
    first, second = await make_account(), await make_account()
    user = await make_user(accounts={first.account: "owner", second.account: "owner"}, rights=("view", "tickets"))
    of_second = await _meter(second, serial="Второй")
    await login(client, user)
    form = await client.get("/tickets/meter-commissioning")
    assert f"{second.number}: Холодная вода" in form.text  # two accounts: each meter says whose it is
    passport = [("passport", ("passport.jpg", photo, "image/jpeg"))]
    data = _application(first, meter=str(of_second))
    response = await client.form("/tickets/meter-commissioning", data, files=passport)
    assert response.status_code == 422 and 'id="e-meter"' in response.text
    assert not await Ticket.exists()


async def _filed(client, login, user, place, photo, **changes):
    await login(client, user)
    passport = [("passport", ("passport.jpg", photo, "image/jpeg"))]
    response = await client.form("/tickets/meter-commissioning", _application(place, **changes), files=passport)
    assert response.status_code == 303, response.text
    return await Ticket.select(Ticket.id).where(Ticket.account == place.account).first()


async def _done(ticket_id):
    done_at = datetime(2026, 9, 14, 9, 30, tzinfo=UTC)
    await Ticket.update({Ticket.status: "done", Ticket.completed_at: done_at}).where(Ticket.id == ticket_id)


async def test_once_done_the_new_meters_card_is_made_from_the_application(
    client, login, make_user, make_account, photo, today_is
):
    user, place = await _resident(make_user, make_account)
    ticket = await _filed(client, login, user, place, photo)
    manager = await make_user(roles=("manager",), houses=(place.house,))
    await login(client, manager)
    link = f"/staff/meters/premises/{place.premise}?application={ticket['id']}"
    page = await client.get(f"/staff/tickets/{ticket['id']}")
    assert link not in page.text  # not sealed yet
    await _done(ticket["id"])
    page = await client.get(f"/staff/tickets/{ticket['id']}")
    assert f'href="{link}#add-h"' in page.text and "Создать карточку счётчика по заявке" in page.text
    card = await client.get(link)
    assert card.status_code == 200
    for value in ('value="ГВ-2026-77"', 'value="кухня"', 'value="2032-06-01"', 'value="2026-09-14"'):
        assert value in card.text, value
    assert '<option value="hot_water" selected' in card.text
    # The form is the meters' own: one press makes the card.
    fields = {"service": "hot_water", "zones": "1", "serial": "ГВ-2026-77", "place": "кухня", "digits": "5",
              "decimals": "3", "installed_on": "2026-09-14", "next_verification": "2032-06-01"}  # fmt: skip
    made = await client.form(f"/staff/meters/premises/{place.premise}", fields)
    assert made.status_code == 303
    assert await Meter.count().where((Meter.account == place.account) & (Meter.serial == "ГВ-2026-77")) == 1
    # A dispatcher does not keep the register of meters: no link.
    await login(client, await make_user(roles=("dispatcher",), houses=(place.house,)))
    assert link not in (await client.get(f"/staff/tickets/{ticket['id']}")).text


async def test_a_replaced_meters_card_is_made_in_its_replacement_form(
    client, login, make_user, make_account, photo, today_is
):
    user, place = await _resident(make_user, make_account)
    old = await _meter(place)
    ticket = await _filed(client, login, user, place, photo, meter=str(old))
    await _done(ticket["id"])
    await login(client, await make_user(roles=("manager",), houses=(place.house,)))
    page = await client.get(f"/staff/tickets/{ticket['id']}")
    link = f"/staff/meters/meter/{old}?application={ticket['id']}"
    assert f'href="{link}#replace-h"' in page.text
    card = await client.get(link)
    replace = card.text.split('id="replace-h"')[1]
    assert 'value="ГВ-2026-77"' in replace and 'value="санузел"' in replace
    assert '<option value="cold_water" selected' in replace  # the place's resource, the meter replaced's
    # Another meter's page is not prefilled from this application.
    another = await _meter(place, serial="Х-200")
    other = await client.get(f"/staff/meters/meter/{another}?application={ticket['id']}")
    assert "ГВ-2026-77" not in other.text


async def test_the_call_centre_files_a_commissioning_for_a_caller(client, login, make_user, make_account):
    place = await make_account()
    await login(client, await make_user(roles=("operator",), houses=(place.house,)))
    form = await client.get("/staff/tickets/new")
    assert '<option value="meter_commissioning">Ввод счётчика в эксплуатацию (опломбировка)</option>' in form.text
    data = {"account_id": str(place.account), "account_number": place.number, "place": "premise",
            "category": "meter_commissioning", "description": "Поставил новый счётчик ХВС, просит опломбировать",
            "contact_phone": "+7 978 111-22-33"}  # fmt: skip
    response = await client.form("/staff/tickets/new", data)
    assert response.status_code == 303, response.text
    ticket = await Ticket.select().where(Ticket.account == place.account).first()
    assert ticket["category"] == "meter_commissioning" and ticket["deadline"] is not None
