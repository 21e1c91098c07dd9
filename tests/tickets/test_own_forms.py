"""What a resident used to phone the call centre for, now a form of its own that files a request: people who moved
in or out of the flat (ПП № 354 п. 34 «з», with their consent to pass their names, 152-ФЗ) and a debt paid in
parts (рассрочка), each answered within 10 working days (ПП № 416 разд. VIII)."""

from __future__ import annotations

from datetime import date
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from portal.billing import rules as billing_rules
from portal.billing.tables import Balance
from portal.core import clock
from portal.core.tables import AuditEvent
from portal.tickets import rules
from portal.tickets.deadlines import deadline_for
from portal.tickets.tables import Ticket
from portal.tickets.tables import TicketAttachment
from tests.tickets.test_audit_trail import CLIENT_IP

TODAY = date(2026, 8, 10)
TZ = "Europe/Simferopol"
IP = rules.InstalmentProblem


@pytest.mark.parametrize(
    ("day", "too_far"),
    [
        (date(2026, 7, 1), False),  # told of late: still taken, the charges follow the day
        (TODAY, False),
        (date(2026, 9, 9), False),  # 30 days ahead
        (date(2026, 9, 10), True),  # 31 days ahead: plans change, tell us nearer the day
    ],
)
def test_a_move_is_taken_up_to_30_days_ahead(day, too_far):
    assert rules.residents_day_too_far(day, TODAY) is too_far


@pytest.mark.parametrize(
    ("debt", "months", "problem"),
    [
        (Decimal("2673.06"), 6, None),
        (Decimal("2673.06"), 2, None),
        (Decimal("2673.06"), 12, None),
        (Decimal("2673.06"), 1, IP.MONTHS),  # one month is paying it at once
        (Decimal("2673.06"), 13, IP.MONTHS),
        (Decimal("0.00"), 6, IP.NO_DEBT),
        (Decimal("-150.00"), 6, IP.NO_DEBT),  # an overpayment is no debt
    ],
)
def test_which_instalment_plans_may_be_asked_for(debt, months, problem):
    assert rules.instalment_problem(debt, months) == problem


@pytest.mark.parametrize(
    ("debt", "months", "monthly"),
    [
        (Decimal("10000.00"), 3, Decimal("3333.34")),  # rounded up: three payments cover the whole debt
        (Decimal("2673.06"), 6, Decimal("445.51")),
        (Decimal("1200.00"), 12, Decimal("100.00")),
    ],
)
def test_the_monthly_part_pays_the_whole_debt(debt, months, monthly):
    assert rules.monthly_instalment(debt, months) == monthly
    assert monthly * months >= debt > monthly * (months - 1)


@pytest.mark.parametrize("category", ["residents_change", "instalment_plan"])
def test_both_are_answered_within_10_working_days(category):
    """Filed on Friday 06.02.2026: due at the end of 20.02.2026 (DOMAIN §5, written appeals)."""
    filed = datetime(2026, 2, 6, 11, 0, tzinfo=ZoneInfo(TZ))
    assert deadline_for(category, filed, TZ) == datetime(2026, 2, 20, 23, 59, 59, tzinfo=ZoneInfo(TZ))


@pytest.fixture
def today_is(monkeypatch):
    monkeypatch.setattr(clock, "today_local", lambda: TODAY)


async def _resident(make_user, make_account):
    place = await make_account()
    user = await make_user(name="Петрова Анна", accounts={place.account: "owner"}, rights=("view", "tickets"))
    return user, place


def _move(place, **changes):
    data = {
        "account": str(place.account),
        "movement": "in",
        "day": "2026-08-03",
        "people": "Петров Илья Сергеевич\nПетрова Мария Ильинична\n",
        "consent": "1",
        "comment": "Сын с семьёй",
    }
    return {**data, **changes}


async def test_a_resident_tells_of_people_moving_in_and_the_request_names_them(
    client, login, make_user, make_account, photo, today_is
):
    user, place = await _resident(make_user, make_account)
    await login(client, user)
    form = await client.get(f"/tickets/residents?account={place.account}")
    assert form.status_code == 200 and "Въезд и выезд проживающих" in form.text
    assert '<option value="in">Въехали</option>' in form.text and '<option value="out">Выехали</option>' in form.text
    assert 'name="consent"' in form.text and "checked" not in form.text.split('name="consent"')[1].split(">")[0]
    lease = [("photos", ("lease.jpg", photo, "image/jpeg"))]
    response = await client.form("/tickets/residents", _move(place), files=lease)
    assert response.status_code == 303, response.text
    ticket = await Ticket.select().where(Ticket.account == place.account).first()
    assert ticket["category"] == "residents_change" and ticket["author"] == user and ticket["has_new_for_staff"]
    assert response.headers["location"] == f"/tickets/{ticket['id']}"  # filed as every application is
    assert f"Заявление №\u00a0{ticket['number']} подано." in (await client.get(response.headers["location"])).text
    assert ticket["deadline"] is not None
    assert "Въехали 03.08.2026: Петров Илья Сергеевич; Петрова Мария Ильинична." in ticket["description"]
    assert "согласны на передачу их ФИО" in ticket["description"] and "Сын с семьёй" in ticket["description"]
    assert "Moved in on" in ticket["description_en"]
    assert await TicketAttachment.count().where(TicketAttachment.ticket == ticket["id"]) == 1
    filed = await AuditEvent.select().where(AuditEvent.action == "ticket.file")
    assert [(e["actor_id"], e["entity_id"], e["ip"]) for e in filed] == [(user, ticket["id"], CLIENT_IP)]
    assert "Илья" not in str(filed[0]["changes"])  # the names stay in the request, not the audit log


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"consent": ""}, "consent", "согласны на передачу их ФИО"),
        ({"movement": "sideways"}, "movement", "въехали люди или выехали"),
        ({"day": "2026-09-10"}, "day", "не раньше чем за 30\u00a0дней"),
        ({"day": "завтра"}, "day", "Укажите день въезда или выезда"),
        ({"people": " \n "}, "people", "ФИО каждого"),
    ],
)
async def test_a_move_without_consent_or_a_day_is_refused_at_its_field(
    client, login, make_user, make_account, today_is, changes, field, message
):
    user, place = await _resident(make_user, make_account)
    await login(client, user)
    data = _move(place, **changes)
    response = await client.form("/tickets/residents", {k: v for k, v in data.items() if v})
    assert response.status_code == 422
    assert f'id="e-{field}"' in response.text and message in response.text
    assert "Сын с семьёй" in response.text  # what was typed is kept
    assert not await Ticket.exists().where(Ticket.account == place.account)


async def test_nobody_tells_of_moves_for_an_account_not_theirs(client, login, make_user, make_account, today_is):
    user, _ = await _resident(make_user, make_account)
    other = await make_account()
    await login(client, user)
    response = await client.form("/tickets/residents", _move(other))
    assert response.status_code == 422
    assert not await Ticket.exists().where(Ticket.account == other.account)


def _plain(text: str) -> str:
    return text.replace("\xa0", " ").replace("\u202f", " ").replace("&nbsp;", " ")


async def _owes(place, kopecks):
    month = billing_rules.add_months(billing_rules.month_start(clock.today_local()), -2)
    await Balance.insert(Balance(account=place.account, period=month, charged_kopecks=kopecks, closing_kopecks=kopecks))


async def test_a_resident_in_debt_asks_to_pay_it_in_parts(client, login, make_user, make_account):
    user, place = await _resident(make_user, make_account)
    await _owes(place, 1_000_000)
    await login(client, user)
    account_page = await client.get(f"/accounts/{place.account}")
    assert f'href="/tickets/instalment?account={place.account}"' in account_page.text
    form = await client.get(f"/tickets/instalment?account={place.account}")
    assert form.status_code == 200 and "10 000,00" in _plain(form.text)
    data = {"account": str(place.account), "months": "3", "reason": "Потерял работу, выйду на новую в октябре"}
    response = await client.form("/tickets/instalment", data)
    assert response.status_code == 303, response.text
    ticket = await Ticket.select().where(Ticket.account == place.account).first()
    assert ticket["category"] == "instalment_plan" and ticket["author"] == user and ticket["deadline"] is not None
    text = _plain(ticket["description"])
    assert "Долг 10 000,00 ₽, погашение за 3 месяца: 3 333,34 ₽ в месяц." in text
    assert "Причина: Потерял работу" in text
    assert "over 3\u00a0months" in ticket["description_en"]
    filed = await AuditEvent.select().where(AuditEvent.action == "ticket.file")
    assert [(e["actor_id"], e["entity_id"], e["ip"]) for e in filed] == [(user, ticket["id"], CLIENT_IP)]


@pytest.mark.parametrize(
    ("kopecks", "changes", "field", "message"),
    [
        (0, {}, "account", "нет долга"),
        (-15_000, {}, "account", "нет долга"),  # an overpayment
        (267_306, {"months": "13"}, "months", "от 2 до 12\u00a0месяцев"),
        (267_306, {"months": "полгода"}, "months", "от 2 до 12\u00a0месяцев"),
        (267_306, {"reason": ""}, "reason", "почему не получается"),
    ],
)
async def test_no_instalment_plan_without_a_debt_or_for_too_long(
    client, login, make_user, make_account, kopecks, changes, field, message
):
    user, place = await _resident(make_user, make_account)
    await _owes(place, kopecks)
    await login(client, user)
    data = {"account": str(place.account), "months": "6", "reason": "Болезнь", **changes}
    response = await client.form("/tickets/instalment", data)
    assert response.status_code == 422 and message in response.text
    # A single account is no field of its own (the form names its address): its error is said above the form.
    assert field == "account" or f'id="e-{field}"' in response.text
    assert not await Ticket.exists().where(Ticket.account == place.account)


async def test_nobody_asks_for_an_instalment_plan_of_an_account_not_theirs(client, login, make_user, make_account):
    user, place = await _resident(make_user, make_account)
    other = await make_account()
    await _owes(place, 267_306)
    await _owes(other, 267_306)
    await login(client, user)
    response = await client.form("/tickets/instalment", {"account": str(other.account), "months": "6", "reason": "—"})
    assert response.status_code == 422
    assert not await Ticket.exists().where(Ticket.account == other.account)


async def test_the_account_page_offers_no_instalment_plan_without_a_debt(client, login, make_user, make_account):
    user, place = await _resident(make_user, make_account)
    await _owes(place, 0)
    await login(client, user)
    page = await client.get(f"/accounts/{place.account}")
    assert page.status_code == 200 and "/tickets/instalment" not in page.text
    assert f'href="/tickets/residents?account={place.account}"' in page.text
