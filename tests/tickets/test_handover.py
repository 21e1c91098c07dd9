"""A new owner or payer of a flat, without a visit to the office: the new owner names the account by its number and
address and attaches the extract of the register (ЕГРН); staff of the house apply it — the register's shares, the
account's payer and who sees the account on the portal change in one step — or refuse it with a reason."""

from __future__ import annotations

import json
from datetime import date
from datetime import datetime
from datetime import time
from decimal import Decimal

import pytest

from portal.accounts.tables import Residency
from portal.core import clock
from portal.core import jobs
from portal.core.db import is_sqlite
from portal.core.security import Principal
from portal.core.tables import AuditEvent
from portal.core.tables import OutboxMessage
from portal.housing.actions import save_account
from portal.housing.tables import Owner
from portal.housing.tables import Ownership
from portal.housing.tables import PersonalAccount
from portal.housing.tables import Premise
from portal.meters.tables import Meter
from portal.meters.tables import MeterReading
from portal.meters.tables import MeterStatus
from portal.tickets import actions
from portal.tickets import queries
from portal.tickets import rules
from portal.tickets.tables import HandoverApplication
from portal.tickets.tables import Ticket
from portal.tickets.tables import TicketEvent
from tests.querylog import captured
from tests.querylog import plan_of
from tests.querylog import unindexed_steps

TODAY = date(2026, 8, 10)
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
H = rules.Handover
P = rules.HandoverProblem


@pytest.mark.parametrize(
    ("kind", "day", "problem"),
    [
        (H.OWNER, TODAY, None),
        (H.OWNER, date(2026, 8, 11), P.FUTURE),  # not registered yet: the extract cannot say so
        (H.OWNER, date(2023, 8, 10), None),
        (H.OWNER, date(2023, 8, 1), P.LONG_AGO),  # a year typed wrong
        (H.PAYER, date(2026, 9, 10), None),  # a month ahead
        (H.PAYER, date(2026, 9, 11), P.FAR_AHEAD),
        (H.PAYER, date(2026, 7, 9), P.LONG_AGO),
    ],
)
def test_which_days_a_handover_may_name(kind, day, problem):
    assert rules.handover_day_problem(kind, day, TODAY) == problem


@pytest.mark.parametrize(
    ("people", "applicant", "told"),
    [
        ([(1, True), (2, False), (3, False)], 9, [(1, True), (2, False), (3, False)]),
        ([(1, True), (2, False)], 2, [(1, True)]),  # a tenant who bought the flat: their request tells them
        ([(1, False), (1, True), (None, False)], None, [(1, True)]),  # linked twice: told once, as an owner
    ],
)
def test_everyone_on_the_closed_account_is_told_once_but_the_applicant(people, applicant, told):
    assert rules.told_of_closing(people, applicant) == told


def _person(id, name="Новикова Анна Сергеевна", email="", phone="", linked=False):
    return rules.RegistryPerson(id, name, email, phone, linked)


@pytest.mark.parametrize(
    ("candidates", "email", "phone", "known"),
    [
        ([_person(5, phone="8 (978) 111-22-33")], "", "+79781112233", 5),  # the same phone, written otherwise
        ([_person(5, email="Anna@Example.ru")], "anna@example.ru", "", 5),
        ([_person(5, name="новикова  анна сергеевна", email="a@b.ru")], "a@b.ru", "", 5),  # spelled otherwise
        ([_person(5, phone="+79781112233")], "", "", None),  # a namesake: the applicant confirmed no phone
        ([_person(5)], "a@b.ru", "+79781112233", None),  # a namesake with no contacts
        ([_person(5, name="Новиков Сергей", linked=True)], "", "", None),  # linked, but the application names another
        ([_person(7, email="a@b.ru"), _person(6, linked=True)], "a@b.ru", "", 6),  # the applicant's own link first
        ([_person(7, email="a@b.ru"), _person(3, email="a@b.ru")], "a@b.ru", "", 3),  # the oldest of duplicates
    ],
)
def test_the_new_owner_is_the_register_s_record_of_them_where_it_has_one(candidates, email, phone, known):
    assert rules.known_owner(candidates, "Новикова Анна Сергеевна", email=email, phone=phone) == known


def test_staff_apply_from_the_day_on_and_the_old_share_ends_the_day_before():
    assert rules.may_apply_handover(TODAY, TODAY) and not rules.may_apply_handover(date(2026, 8, 11), TODAY)
    assert rules.day_before(date(2026, 3, 1)) == date(2026, 2, 28)


@pytest.fixture
def today_is(monkeypatch):
    monkeypatch.setattr(clock, "today_local", lambda: TODAY)


async def _flat(make_user, make_account):
    """A flat owned whole by its previous owner, who sees it on the portal, and the premise's share in the register."""
    place = await make_account(payer="Старов Пётр Ильич")
    before = await make_user(name="Старов Пётр Ильич", accounts={place.account: "owner"}, rights=("view", "tickets"))
    owner = Owner(name="Старов Пётр Ильич")
    await owner.save()
    await Ownership.insert(Ownership(premise=place.premise, owner=owner.id, valid_from=date(2015, 1, 1)))
    premise = await PersonalAccount.select(PersonalAccount.premise.number).where(PersonalAccount.id == place.account)
    return place, before, premise[0]["premise.number"]


def _owner_form(place, flat, **changes):
    data = {
        "account_number": place.number,
        "house": str(place.house),
        "premise": flat,
        "day": "2026-08-03",
        "full_name": "Новикова Анна Сергеевна",
        "share": "1",
        "consent": "1",
    }
    return {k: v for k, v in {**data, **changes}.items() if v is not None}


def _extract():
    return [("documents", ("egrn.pdf", PDF, "application/pdf"))]


async def _filed(client, login, make_user, make_account, locale="ru"):
    place, before, flat = await _flat(make_user, make_account)
    buyer = await make_user(name="Новикова Анна Сергеевна")  # signed up, no account on the portal yet
    await login(client, buyer)
    response = await client.form("/tickets/owner", _owner_form(place, flat), files=_extract())
    assert response.status_code == 303, response.text
    ticket = await Ticket.select().where(Ticket.account == place.account).first()
    return place, before, buyer, ticket


async def test_a_new_owner_without_an_account_files_the_change_with_the_extract(
    client, login, make_user, make_account, today_is
):
    place, _, flat = await _flat(make_user, make_account)
    buyer = await make_user(name="Новикова Анна Сергеевна")
    await login(client, buyer)
    form = await client.get("/tickets/owner")
    assert form.status_code == 200 and "Смена собственника / плательщика" in form.text
    said = "Долг прежнего собственника за содержание и коммунальные услуги остаётся за ним и на ваш лицевой счёт не"
    assert (
        said in form.text and "только долг по взносам на капитальный ремонт (ЖК РФ ст.\u00a0158 ч.\u00a03)" in form.text
    )
    assert "остаётся за помещением" not in form.text
    assert "checked" not in form.text.split('name="consent"')[1].split(">")[0]  # never ticked for them
    response = await client.form("/tickets/owner", _owner_form(place, flat), files=_extract())
    assert response.status_code == 303, response.text
    ticket = await Ticket.select().where(Ticket.account == place.account).first()
    assert ticket["category"] == "owner_change" and ticket["author"] == buyer and ticket["deadline"] is not None
    assert "Право собственности перешло 03.08.2026 к Новикова Анна Сергеевна, доля 1." in ticket["description"]
    assert "Ownership passed on" in ticket["description_en"]
    handover = await HandoverApplication.select().where(HandoverApplication.ticket == ticket["id"]).first()
    assert handover["day"] == date(2026, 8, 3) and handover["documents"].endswith(".pdf")
    page = await client.get(f"/tickets/{ticket['id']}")
    assert page.status_code == 200 and f"/tickets/{ticket['id']}/documents/1" in page.text
    document = await client.get(f"/tickets/{ticket['id']}/documents/1")
    assert document.status_code == 200 and document.content == PDF
    filed = await AuditEvent.select().where(AuditEvent.action == "ticket.file")
    assert [(e["actor_id"], e["entity_id"]) for e in filed] == [(buyer, ticket["id"])]


async def test_a_wrong_pair_and_a_missing_account_get_the_same_answer_and_keep_what_was_typed(
    client, login, make_user, make_account, today_is
):
    place, _, flat = await _flat(make_user, make_account)
    other = await make_account()
    buyer = await make_user()
    await login(client, buyer)
    answers = []
    for changes in ({"house": str(other.house)}, {"account_number": "9999999999"}, {"premise": flat + "0"}):
        response = await client.form("/tickets/owner", _owner_form(place, flat, **changes), files=_extract())
        assert response.status_code == 422
        assert "Новикова Анна Сергеевна" in response.text  # typed input kept
        answers.append(response.text.split('id="e-account_number"')[1].split("</p>")[0])
    assert len(set(answers)) == 1 and "Лицевого счёта с таким номером по этому адресу нет" in answers[0]
    assert not await Ticket.exists().where(Ticket.category == "owner_change")


async def test_guessing_accounts_is_stopped_after_a_few_attempts(client, login, make_user, make_account, today_is):
    place, _, flat = await _flat(make_user, make_account)
    buyer = await make_user()
    await login(client, buyer)
    for _ in range(rules.HANDOVER_PER_ACCOUNT.limit):
        wrong = await client.form("/tickets/owner", _owner_form(place, flat, premise="999999"), files=_extract())
        assert "Лицевого счёта с таким номером" in wrong.text
    right = await client.form("/tickets/owner", _owner_form(place, flat), files=_extract())
    assert right.status_code == 422 and "Слишком много попыток" in right.text
    assert not await Ticket.exists().where(Ticket.category == "owner_change")


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"consent": None}, "consent", "согласие на обработку персональных данных"),
        ({"day": "2026-08-11"}, "day", "этот день ещё не наступил"),
        ({"share": "3/2"}, "share", "Укажите долю"),
        ({"full_name": " "}, "full_name", "Укажите ФИО"),
    ],
)
async def test_an_application_without_consent_or_with_a_wrong_day_is_refused_at_its_field(
    client, login, make_user, make_account, today_is, changes, field, message
):
    place, _, flat = await _flat(make_user, make_account)
    await login(client, await make_user())
    response = await client.form("/tickets/owner", _owner_form(place, flat, **changes), files=_extract())
    assert response.status_code == 422 and f'id="e-{field}"' in response.text and message in response.text
    assert place.number in response.text
    assert not await Ticket.exists().where(Ticket.category == "owner_change")


async def test_an_application_without_a_document_is_refused(client, login, make_user, make_account, today_is):
    place, _, flat = await _flat(make_user, make_account)
    await login(client, await make_user())
    response = await client.form("/tickets/owner", _owner_form(place, flat), files=[("other", ("x.txt", b"x"))])
    assert response.status_code == 422 and 'id="e-documents"' in response.text
    text = [("documents", ("note.txt", b"hello", "text/plain"))]
    response = await client.form("/tickets/owner", _owner_form(place, flat), files=text)
    assert response.status_code == 422
    # the refusal of a document reads as the meter passport's does (one way of storing a form's documents)
    field = response.text.split('id="e-documents"', 1)[1].split("</p>", 1)[0]
    assert "Файл «note.txt» — не фотография и не PDF. Приложите фотографию или скан в PDF." in field


async def test_only_the_applicant_and_the_house_s_deciders_see_the_application_and_its_document(
    client, new_client, login, make_user, make_account, today_is
):
    place, before, _, ticket = await _filed(client, login, make_user, make_account)
    operator = await make_user(roles=("operator",), houses=(place.house,))
    elsewhere = await make_user(roles=("manager",), houses=((await make_account()).house,))
    dispatcher = await make_user(roles=("dispatcher",), houses=(place.house,))
    stranger = await make_user(name="Чужой Человек", accounts={(await make_account()).account: "owner"})
    own = f"/tickets/{ticket['id']}"
    staff_document = f"/staff/tickets/{ticket['id']}/handover/documents/1"
    for user in (before, stranger):  # the previous owner sees the account, never the new owner's documents
        c = new_client()
        await login(c, user)
        assert (await c.get(own)).status_code == 404
        assert (await c.get(f"{own}/documents/1")).status_code == 404
        listed = await c.get("/tickets")
        assert f'/tickets/{ticket["id"]}"' not in listed.text and "Смена собственника" not in listed.text
    c = new_client()
    await login(c, operator)
    assert (await c.get(staff_document)).content == PDF
    assert (await c.get(f"/staff/tickets/{ticket['id']}/handover/documents/2")).status_code == 404
    c = new_client()
    await login(c, elsewhere)
    assert (await c.get(staff_document)).status_code == 404
    c = new_client()
    await login(c, dispatcher)
    assert (await c.get(staff_document)).status_code == 403


async def _decide(new_client, login, make_user, place, ticket_id):
    operator = await make_user(name="Оператор Ольга", roles=("operator",), houses=(place.house,))
    c = new_client()
    await login(c, operator)
    page = await c.get(f"/staff/tickets/{ticket_id}/handover")
    assert page.status_code == 200
    return c, operator, page


def _ticked(page, name):
    return [part.split('"')[0] for part in page.text.split(f'name="{name}" value="')[1:] if "checked" in part[:40]]


def _version(page, name="version"):
    return page.text.split(f'name="{name}" value="')[1].split('"')[0]


async def test_a_new_owner_is_billed_on_a_new_account_and_the_previous_owner_keeps_the_old_one(
    client, new_client, login, make_user, make_account, today_is
):
    place, before, buyer, ticket = await _filed(client, login, make_user, make_account)
    c, operator, page = await _decide(new_client, login, make_user, place, ticket["id"])
    assert "их долг за содержание и коммунальные услуги остаётся за ними" in page.text
    assert "перенесите его корректировкой в биллинге" in page.text and "Номер из биллинга" in page.text
    assert "Новикова Анна Сергеевна" in page.text and "Старов Пётр Ильич" in page.text
    shares = _ticked(page, "share")
    assert len(shares) == 1 and 'name="person"' not in page.text  # the whole flat passes; nobody loses access
    data = {"version": _version(page), "share": shares, "new_number": "7700123456"}
    data[f"version_{shares[0]}"] = _version(page, f"version_{shares[0]}")
    response = await c.form(f"/staff/tickets/{ticket['id']}/handover/", data)
    assert response.status_code == 303, response.text
    old = await Ownership.select().where(Ownership.id == int(shares[0])).first()
    assert old["valid_to"] == date(2026, 8, 2)
    new = await Ownership.select(Ownership.owner.name, Ownership.valid_from).where(
        (Ownership.premise == place.premise) & Ownership.valid_to.is_null()
    )
    assert new == [{"owner.name": "Новикова Анна Сергеевна", "valid_from": date(2026, 8, 3)}]
    accounts = (
        await PersonalAccount.select(
            PersonalAccount.id,
            PersonalAccount.number,
            PersonalAccount.payer_name,
            PersonalAccount.premise,
            PersonalAccount.opened_on,
            PersonalAccount.closed_on,
        )
        .where(PersonalAccount.premise == place.premise)
        .order_by(PersonalAccount.id)
    )
    assert [(a["number"], a["payer_name"], a["opened_on"], a["closed_on"]) for a in accounts] == [
        (
            place.number,
            "Старов Пётр Ильич",
            accounts[0]["opened_on"],
            date(2026, 8, 2),
        ),  # closed the day before, payer as it was
        ("7700123456", "Новикова Анна Сергеевна", date(2026, 8, 3), None),
    ]
    standing = (
        await Residency.select(Residency.account, Residency.user, Residency.role)
        .where(Residency.account.is_in([a["id"] for a in accounts]) & Residency.revoked_at.is_null())
        .order_by(Residency.account)
    )
    assert standing == [
        {"account": place.account, "user": before, "role": "owner"},  # their history and their debt
        {"account": accounts[1]["id"], "user": buyer, "role": "owner"},
    ]
    done = await Ticket.select(Ticket.status).where(Ticket.id == ticket["id"]).first()
    assert done["status"] == "done"
    actions = {e["action"] for e in await AuditEvent.select(AuditEvent.action).where(AuditEvent.actor_id == operator)}
    assert {"housing.ownership.update", "housing.ownership.create", "housing.account.update"} <= actions
    assert {"housing.account.create", "residency.link", "ticket.handover"} <= actions
    assert "residency.revoke" not in actions
    told = await OutboxMessage.select(OutboxMessage.user_id, OutboxMessage.template, OutboxMessage.subject).where(
        OutboxMessage.user_id.is_in([buyer, before])
    )
    assert {(m["user_id"], m["template"]) for m in told} >= {
        (buyer, "ticket_status"),
        (before, "ticket_handover_ended"),
    }
    ended = next(m for m in told if m["template"] == "ticket_handover_ended")
    assert ended["subject"] == f"У лицевого счёта {place.number} новый собственник"
    await login(client, before)
    assert place.number in (await client.get("/accounts/link")).text
    again = await c.form(f"/staff/tickets/{ticket['id']}/handover/", data)
    assert again.status_code in (303, 404)
    assert await Ownership.count().where(Ownership.premise == place.premise) == 2  # applied once
    assert await PersonalAccount.count().where(PersonalAccount.premise == place.premise) == 2


async def test_the_flat_s_meters_go_to_the_new_owner_s_account_and_the_next_reading_is_checked_against_the_last(
    client, new_client, login, make_user, make_account, today_is
):
    """The meters are on the wall of the flat: the new owner passes readings on them, checked against the previous
    owner's last one; a meter replaced before stays with the old account's history; the previous owner's account
    pages still open without meters."""
    place, before, buyer, ticket = await _filed(client, login, make_user, make_account)
    working = Meter(account=place.account, service="cold_water", serial="ХВ-1", digits=5, decimals=3)
    await working.save()
    await MeterReading(meter=working.id, zone=1, value=Decimal("123.456"), period=date(2026, 7, 1)).save()
    failed = Meter(account=place.account, service="hot_water", serial="ГВ-1", status=MeterStatus.FAILED)
    await failed.save()
    old = Meter(account=place.account, service="electricity", serial="Э-0", status=MeterStatus.REPLACED)
    await old.save()
    c, operator, page = await _decide(new_client, login, make_user, place, ticket["id"])
    shares = _ticked(page, "share")
    data = {"version": _version(page), "share": shares, "new_number": "7700123456"}
    data[f"version_{shares[0]}"] = _version(page, f"version_{shares[0]}")
    assert (await c.form(f"/staff/tickets/{ticket['id']}/handover/", data)).status_code == 303
    new = await PersonalAccount.select(PersonalAccount.id).where(PersonalAccount.number == "7700123456").first()
    on = {m["id"]: m["account"] for m in await Meter.select(Meter.id, Meter.account)}
    assert on == {working.id: new["id"], failed.id: new["id"], old.id: place.account}
    moved = await AuditEvent.select(AuditEvent.entity_id, AuditEvent.changes).where(
        (AuditEvent.action == "meters.meter.update") & (AuditEvent.actor_id == operator)
    )
    assert sorted(str(e["entity_id"]) for e in moved) == sorted([str(working.id), str(failed.id)])
    await login(client, buyer)
    lower = await client.form("/meters", {f"m{working.id}z1": "120,000"})
    assert lower.status_code == 422 and "123,456" in lower.text
    assert (await client.form("/meters", {f"m{working.id}z1": "130,5"})).status_code == 303
    assert await MeterReading.count().where(MeterReading.meter == working.id) == 2
    await login(client, before)
    for url in ("/", "/meters", f"/accounts/{place.account}"):
        shown = await client.get(url)
        assert shown.status_code == 200, (url, shown.text[:500])
        assert "ХВ-1" not in shown.text, url


@pytest.mark.parametrize(
    ("typed", "said"), [("", "заполните это поле"), ("77-00", "только из цифр"), (None, "уже занят")]
)
async def test_a_missing_or_taken_number_of_the_new_account_is_refused_with_what_was_typed(
    client, new_client, login, make_user, make_account, today_is, typed, said
):
    place, _, _, ticket = await _filed(client, login, make_user, make_account)
    c, _, page = await _decide(new_client, login, make_user, place, ticket["id"])
    taken = await make_account()
    number = taken.number if typed is None else typed
    shares = _ticked(page, "share")
    data = {"version": _version(page), "share": shares, "new_number": number}
    data[f"version_{shares[0]}"] = _version(page, f"version_{shares[0]}")
    response = await c.form(f"/staff/tickets/{ticket['id']}/handover/", data)
    assert response.status_code == 422 and 'id="e-new_number"' in response.text and said in response.text.lower()
    assert f'value="{number}"' in response.text
    assert await PersonalAccount.count().where(PersonalAccount.premise == place.premise) == 1  # nothing written
    assert (await PersonalAccount.select(PersonalAccount.closed_on).where(PersonalAccount.id == place.account))[0][
        "closed_on"
    ] is None
    assert await Ownership.count().where(Ownership.premise == place.premise) == 1
    assert (await Ticket.select(Ticket.status).where(Ticket.id == ticket["id"]).first())["status"] == "new"


async def test_a_payer_changed_meanwhile_refuses_the_whole_application(
    client, new_client, login, make_user, make_account, today_is
):
    place, before, _, ticket = await _filed(client, login, make_user, make_account)
    c, _, page = await _decide(new_client, login, make_user, place, ticket["id"])
    await PersonalAccount.update(
        {PersonalAccount.payer_name: "Кто-то Другой", PersonalAccount.updated_at: clock.now()}
    ).where(PersonalAccount.id == place.account)
    shares = _ticked(page, "share")
    data = {"version": _version(page), "share": shares, "new_number": "7700123456"}
    data[f"version_{shares[0]}"] = _version(page, f"version_{shares[0]}")  # the share itself is as it was read
    response = await c.form(f"/staff/tickets/{ticket['id']}/handover/", data)
    assert response.status_code == 303
    told = await c.get(response.headers["location"], follow_redirects=True)
    assert "Пока вы правили, запись изменили" in told.text
    assert await Ownership.count().where(Ownership.premise == place.premise) == 1  # nothing written
    assert await PersonalAccount.count().where(PersonalAccount.premise == place.premise) == 1
    assert await Residency.exists().where((Residency.user == before) & Residency.revoked_at.is_null())
    assert (await Ticket.select(Ticket.status).where(Ticket.id == ticket["id"]).first())["status"] == "new"


async def test_a_refusal_needs_a_reason_and_tells_the_applicant(
    client, new_client, login, make_user, make_account, today_is
):
    place, before, buyer, ticket = await _filed(client, login, make_user, make_account)
    c, _, _ = await _decide(new_client, login, make_user, place, ticket["id"])
    empty = await c.form(f"/staff/tickets/{ticket['id']}/handover/refuse", {"reason": ""})
    assert empty.status_code == 422 and 'id="e-reason"' in empty.text
    refused = await c.form(f"/staff/tickets/{ticket['id']}/handover/refuse", {"reason": "Выписка не читается"})
    assert refused.status_code == 303
    assert (await Ticket.select(Ticket.status).where(Ticket.id == ticket["id"]).first())["status"] == "cancelled"
    assert await OutboxMessage.exists().where(
        (OutboxMessage.user_id == buyer) & (OutboxMessage.template == "ticket_status")
    )
    assert await Residency.exists().where((Residency.user == before) & Residency.revoked_at.is_null())


async def test_an_owner_changes_the_payer_without_documents(
    client, new_client, login, make_user, make_account, today_is
):
    place, before, _ = await _flat(make_user, make_account)
    await login(client, before)
    form = await client.get("/tickets/payer")
    assert form.status_code == 200 and "Смена плательщика" in form.text
    data = {"account": str(place.account), "day": "2026-08-01", "full_name": "Старова Мария Петровна", "consent": "1"}
    kept = await client.form("/tickets/payer", {**data, "consent": ""})
    assert kept.status_code == 422 and "Старова Мария Петровна" in kept.text
    response = await client.form("/tickets/payer", data)
    assert response.status_code == 303, response.text
    ticket = await Ticket.select().where(Ticket.category == "payer_change").first()
    assert response.headers["location"] == f"/tickets/{ticket['id']}"  # filed as every application is
    assert f"Заявление №\u00a0{ticket['number']} подано." in (await client.get(response.headers["location"])).text
    c, _, page = await _decide(new_client, login, make_user, place, ticket["id"])
    assert 'name="share"' not in page.text
    assert (await c.form(f"/staff/tickets/{ticket['id']}/handover/", {"version": _version(page)})).status_code == 303
    account = await PersonalAccount.select(PersonalAccount.payer_name).where(PersonalAccount.id == place.account)
    assert account[0]["payer_name"] == "Старова Мария Петровна"
    assert await Residency.exists().where((Residency.user == before) & Residency.revoked_at.is_null())
    assert await Ownership.count().where(Ownership.premise == place.premise) == 1
    kept = await PersonalAccount.select(PersonalAccount.closed_on).where(PersonalAccount.premise == place.premise)
    assert kept == [{"closed_on": None}]  # a payer's change stays on the same account


async def test_nobody_changes_the_payer_of_an_account_they_do_not_pay(client, login, make_user, make_account, today_is):
    place, _, _ = await _flat(make_user, make_account)
    family = await make_user(accounts={place.account: "family"}, rights=("view", "tickets"))
    await login(client, family)
    data = {"account": str(place.account), "day": "2026-08-01", "full_name": "Старова Мария Петровна", "consent": "1"}
    assert (await client.form("/tickets/payer", data)).status_code == 422
    assert not await Ticket.exists().where(Ticket.category == "payer_change")


async def test_the_payer_form_names_each_account_by_its_number_and_address(client, login, make_user, make_account):
    first = await make_account(payer="Старов Пётр Ильич")
    second = await make_account(house=first.house, payer="Старов Пётр Ильич")
    payer = await make_user(accounts={first.account: "owner", second.account: "owner"}, rights=("view", "pay"))
    await login(client, payer)
    page = await client.get("/tickets/payer")
    options = page.text.split('name="account"')[1].split("</select>")[0]
    for place in (first, second):
        option = options.split(f'value="{place.account}"')[1].split("</option>")[0]
        assert f"Лицевой счёт {place.number} — " in option and f"кв. {await _premise_number(place)}" in option
    await login(client, await make_user(accounts={first.account: "owner"}, rights=("view", "pay")))
    alone = await client.get("/tickets/payer")
    assert f'<input type="hidden" name="account" value="{first.account}">' in alone.text
    assert f"Лицевой счёт {first.number} — " in alone.text


async def _premise_number(place):
    return (await Premise.select(Premise.number).where(Premise.id == place.premise).first())["number"]


# --- a payer's change decided ahead of its day, applied on the day by the job -------------------------------------


@pytest.fixture
def on_day(monkeypatch):
    """Set the portal's clock to a moment of a day in the company's zone (the forms' today and the actions' now)."""

    def set_to(day: date, hour: int = 10) -> datetime:
        moment = datetime.combine(day, time(hour), tzinfo=clock.zone())
        monkeypatch.setattr(clock, "today_local", lambda: day)
        monkeypatch.setattr(clock, "now", lambda: moment)
        return moment

    set_to(TODAY)
    return set_to


async def _payer_decided_ahead(client, new_client, login, make_user, make_account):
    """An owner applies for a new payer from 20 August; on 10 August staff press «Применить»."""
    place, before, _ = await _flat(make_user, make_account)
    await login(client, before)
    data = {"account": str(place.account), "day": "2026-08-20", "full_name": "Старова Мария Петровна", "consent": "1"}
    assert (await client.form("/tickets/payer", data)).status_code == 303
    ticket = await Ticket.select(Ticket.id).where(Ticket.category == "payer_change").first()
    c, operator, page = await _decide(new_client, login, make_user, place, ticket["id"])
    assert "плательщик сменится 20 августа 2026 сам" in page.text
    decided = await c.form(f"/staff/tickets/{ticket['id']}/handover/", {"version": _version(page)})
    assert decided.status_code == 303
    told = await c.get(decided.headers["location"], follow_redirects=True)
    assert "Решение принято: плательщик сменится 20.08.2026" in told.text
    return place, before, ticket["id"], c, operator


async def _payer(place):
    return (await PersonalAccount.select(PersonalAccount.payer_name).where(PersonalAccount.id == place.account))[0]


async def _status(ticket_id):
    return (await Ticket.select(Ticket.status).where(Ticket.id == ticket_id).first())["status"]


async def _told(user):
    """The request's status messages to ``user`` (each in the channels they chose)."""
    return await OutboxMessage.count().where(
        (OutboxMessage.user_id == user) & (OutboxMessage.template == "ticket_status")
    )


async def _run_job(moment):
    await jobs.run_job(jobs.registered()[actions.HANDOVER_JOB], moment)


async def test_a_payer_change_ahead_is_decided_now_and_written_on_its_day_by_the_job_once(
    client, new_client, login, make_user, make_account, on_day
):
    place, before, ticket_id, c, operator = await _payer_decided_ahead(
        client, new_client, login, make_user, make_account
    )
    assert (await _payer(place))["payer_name"] == "Старов Пётр Ильич"  # not before the day
    assert await _status(ticket_id) == "in_work"
    seen = await client.get(f"/tickets/{ticket_id}")
    assert "Плательщик сменится 20.08.2026: Старова Мария Петровна" in seen.text
    in_work = await _told(before)
    assert in_work
    page = await c.get(f"/staff/tickets/{ticket_id}/handover")
    assert "Решено" in page.text and f'action="/staff/tickets/{ticket_id}/handover/"' not in page.text

    await _run_job(on_day(date(2026, 8, 19), 23))  # the evening before, in the company's zone
    assert (await _payer(place))["payer_name"] == "Старов Пётр Ильич"

    due = await queries.handovers_due(date(2026, 8, 20))  # read by two runs before either writes
    moment = on_day(date(2026, 8, 20), 0)
    await _run_job(moment)
    assert (await _payer(place))["payer_name"] == "Старова Мария Петровна"
    assert await _status(ticket_id) == "done"
    written = await AuditEvent.select(AuditEvent.actor_id).where(
        (AuditEvent.action == "housing.account.update") & (AuditEvent.entity_id == place.account)
    )
    assert [e["actor_id"] for e in written] == [operator]  # signed by who decided, in the payer's transaction
    assert await _told(before) > in_work  # the applicant is told it is done

    events = await TicketEvent.count().where(TicketEvent.ticket == ticket_id)
    assert not await actions.apply_decided(due[0], moment)  # the second run of the two
    await _run_job(on_day(date(2026, 8, 20), 1))
    assert await TicketEvent.count().where(TicketEvent.ticket == ticket_id) == events
    assert (
        await AuditEvent.count().where(
            (AuditEvent.action == "housing.account.update") & (AuditEvent.entity_id == place.account)
        )
        == 1
    )


async def test_a_payer_edited_by_staff_after_the_decision_is_not_overwritten_by_the_job(
    client, new_client, login, make_user, make_account, on_day
):
    place, _, ticket_id, c, _ = await _payer_decided_ahead(client, new_client, login, make_user, make_account)
    clerk = await make_user(name="Бухгалтер Белла", roles=("manager",), houses=(place.house,))
    on_day(date(2026, 8, 15))
    by = Principal(user_id=clerk, name="Бухгалтер Белла", house_ids=None)
    await save_account(by, place.account, {"payer_name": "Новый Николай"})

    await _run_job(on_day(date(2026, 8, 20), 3))
    assert (await _payer(place))["payer_name"] == "Новый Николай"
    assert await _status(ticket_id) == "in_work"
    note = await TicketEvent.select(TicketEvent.comment, TicketEvent.visible_to_resident).where(
        (TicketEvent.ticket == ticket_id) & (TicketEvent.kind == "note")
    )
    assert len(note) == 1 and not note[0]["visible_to_resident"]
    assert (
        "Плательщик не сменён 20.08.2026: Бухгалтер Белла изменил(а) лицевой счёт после решения" in note[0]["comment"]
    )
    page = await c.get(f"/staff/tickets/{ticket_id}/handover")
    assert f'action="/staff/tickets/{ticket_id}/handover/"' in page.text  # staff decide anew
    await _run_job(on_day(date(2026, 8, 21), 3))
    assert await TicketEvent.count().where((TicketEvent.ticket == ticket_id) & (TicketEvent.kind == "note")) == 1


async def test_the_job_reads_the_decisions_due_through_their_index(db):
    with captured(db) as seen:
        await queries.handovers_due(TODAY)
    plan = await plan_of(db, seen[0], forbid_seqscan=True)
    assert unindexed_steps(plan, "handover_application", is_sqlite(db)) == [], plan


def _plain(text):
    return text.replace("\xa0", " ").replace("\u202f", " ")


async def test_the_old_account_s_balance_on_its_closing_day_is_shown_recorded_and_left_payable(
    client, new_client, login, make_user, make_account, today_is
):
    """Staff see what the old account owed at the end of the day before the transfer (the ledger's entries up to and
    including that day, not the monthly snapshot), the decision's audit keeps it, and its previous owners read it
    on the closed account's page with the button to pay what is still owed."""
    from portal.billing.ledger import post_entry
    from portal.billing.tables import EntryKind

    place, before, _, ticket = await _filed(client, login, make_user, make_account)
    zone = clock.zone()
    await post_entry(place.account, EntryKind.CHARGE, 150000, datetime(2026, 7, 31, 12, tzinfo=zone))
    await post_entry(place.account, EntryKind.PAYMENT, -50000, datetime(2026, 8, 2, 23, 30, tzinfo=zone))  # that day
    await post_entry(place.account, EntryKind.PAYMENT, -30000, datetime(2026, 8, 3, 0, 30, tzinfo=zone))  # the next
    c, operator, page = await _decide(new_client, login, make_user, place, ticket["id"])
    said = _plain(page.text)
    assert "Задолженность старого счёта на дату закрытия, 2 августа 2026: 1 000,00 ₽" in said
    assert "начисления за неполный месяц пересчитает расчётный отдел" in said
    shares = _ticked(page, "share")
    data = {"version": _version(page), "share": shares, "new_number": "7700123456"}
    data[f"version_{shares[0]}"] = _version(page, f"version_{shares[0]}")
    assert (await c.form(f"/staff/tickets/{ticket['id']}/handover/", data)).status_code == 303
    row = await AuditEvent.select(AuditEvent.changes).where(
        (AuditEvent.action == "ticket.handover") & (AuditEvent.actor_id == operator)
    )
    decided = row[0]["changes"]
    decided = json.loads(decided) if isinstance(decided, str) else decided
    assert decided["closing_debt"] == "1000.00" and decided["closed_on"] == "2026-08-02"
    await Residency.update({Residency.rights: ["view", "pay"]}).where(Residency.user == before)
    await login(client, before)
    closed = _plain((await client.get(f"/accounts/{place.account}")).text)
    assert "Счёт закрыт 2 августа 2026: задолженность на дату закрытия 1 000,00 ₽." in closed
    assert f'href="/pay?account={place.account}"' in closed and "Оплатить 700,00 ₽" in closed


async def test_the_closing_day_s_balance_is_summed_through_the_ledger_s_index(db):
    from portal.billing.ledger import balance_on

    with captured(db) as seen:
        await balance_on(1, TODAY)
    plan = await plan_of(db, seen[0], forbid_seqscan=True)
    assert unindexed_steps(plan, "ledger_entry", is_sqlite(db)) == [], plan


async def test_the_old_account_s_owners_family_and_the_applicant_are_each_told_once_in_their_language(
    client, new_client, login, make_user, make_account, today_is
):
    """The previous owner: their account is closed, its debt paid from its page; their family and tenants: the new
    owner invites them; the applicant, a tenant of the old account who bought the flat: their request says their new
    account, once, not also the old account's message."""
    place, before, flat = await _flat(make_user, make_account)
    family = await make_user(name="Старова Мария", accounts={place.account: "family"}, locale="en")
    buyer = await make_user(name="Новикова Анна Сергеевна", accounts={place.account: "tenant"})
    await login(client, buyer)
    filed = await client.form("/tickets/owner", _owner_form(place, flat), files=_extract())
    assert filed.status_code == 303, filed.text
    ticket = await Ticket.select().where(Ticket.account == place.account).first()
    c, _, page = await _decide(new_client, login, make_user, place, ticket["id"])
    shares = _ticked(page, "share")
    data = {"version": _version(page), "share": shares, "new_number": "7700123456"}
    data[f"version_{shares[0]}"] = _version(page, f"version_{shares[0]}")
    assert (await c.form(f"/staff/tickets/{ticket['id']}/handover/", data)).status_code == 303
    told = await OutboxMessage.select(
        OutboxMessage.user_id, OutboxMessage.template, OutboxMessage.subject, OutboxMessage.context, OutboxMessage.body
    ).where(OutboxMessage.user_id.is_in([before, family, buyer]) & (OutboxMessage.channel == "inapp"))
    by_user = {}
    for m in told:
        by_user.setdefault(m["user_id"], []).append(m)
    assert [m["template"] for m in by_user[before]] == ["ticket_handover_ended"]
    context = by_user[before][0]["context"]
    assert (json.loads(context) if isinstance(context, str) else context)["link"] == f"/accounts/{place.account}"
    assert "задолженность на дату закрытия можно оплатить с его страницы" in by_user[before][0]["body"]
    assert [m["template"] for m in by_user[family]] == ["ticket_handover_closed"]
    assert by_user[family][0]["subject"] == f"Personal account {place.number} is closed"
    assert "ask the new owner to invite you" in by_user[family][0]["body"]
    assert [m["template"] for m in by_user[buyer] if m["template"].startswith("ticket_handover")] == []
    done = [m for m in by_user[buyer] if m["template"] == "ticket_status"]
    assert len(done) == 1 and "7700123456" in done[0]["body"] and "«У кого есть доступ»" in done[0]["body"]


async def test_after_apply_the_new_owner_keeps_their_application_and_staff_find_it_from_both_accounts(
    client, new_client, login, make_user, make_account, today_is
):
    """The request stays filed on the old account: the applicant, now on the new account only, still has it in
    «Мои заявки», and staff reach it from the old account's page and from the new one it opened."""
    place, _, buyer, ticket = await _filed(client, login, make_user, make_account)
    c, _, page = await _decide(new_client, login, make_user, place, ticket["id"])
    shares = _ticked(page, "share")
    data = {"version": _version(page), "share": shares, "new_number": "7700123456"}
    data[f"version_{shares[0]}"] = _version(page, f"version_{shares[0]}")
    assert (await c.form(f"/staff/tickets/{ticket['id']}/handover/", data)).status_code == 303
    new = await PersonalAccount.select(PersonalAccount.id).where(PersonalAccount.number == "7700123456").first()
    await login(client, buyer)
    mine = await client.get("/tickets")
    assert f'/tickets/{ticket["id"]}"' in mine.text
    assert (await client.get(f"/tickets/{ticket['id']}")).status_code == 200
    for account in (place.account, new["id"]):
        card = await c.get(f"/staff/accounts/{account}")
        assert card.status_code == 200 and f'/staff/tickets/{ticket["id"]}"' in card.text, account


async def test_the_account_page_finds_the_application_that_opened_it_through_an_index(db, make_user):
    staff = Principal(user_id=1, house_ids=None, staff_roles=frozenset({"operator"}))
    with captured(db) as seen:
        await queries.recent_of_account(staff, 1)
    for statement in seen:
        plan = await plan_of(db, statement, forbid_seqscan=True)
        assert unindexed_steps(plan, "handover_application", is_sqlite(db)) == [], plan


@pytest.mark.parametrize("how", ["phone", "link", "namesake"])
async def test_a_new_owner_already_in_the_register_keeps_their_one_record(
    client, new_client, login, make_user, make_account, today_is, how
):
    """An owner of another flat buys this one: their share goes on the record the register has of them (found by
    their name and confirmed phone, or by the applicant's checked link to it), not on a copy; a namesake with
    nothing else in common gets a record of their own."""
    from portal.accounts.tables import User
    from portal.meetings.tables import OwnerLink

    place, _, buyer, ticket = await _filed(client, login, make_user, make_account)
    await User.update({User.phone: "+79781112233", User.phone_confirmed_at: clock.now()}).where(User.id == buyer)
    phone = "8 (978) 111-22-33" if how == "phone" else ""
    known = Owner(name="Новикова Анна Сергеевна", phone=phone)
    await known.save()
    if how == "link":
        await OwnerLink(user=buyer, owner=known.id).save()
    c, _, page = await _decide(new_client, login, make_user, place, ticket["id"])
    shares = _ticked(page, "share")
    data = {"version": _version(page), "share": shares, "new_number": "7700123456"}
    data[f"version_{shares[0]}"] = _version(page, f"version_{shares[0]}")
    assert (await c.form(f"/staff/tickets/{ticket['id']}/handover/", data)).status_code == 303
    new = await Ownership.select(Ownership.owner).where(
        (Ownership.premise == place.premise) & Ownership.valid_to.is_null()
    )
    records = await Owner.count().where(Owner.name == "Новикова Анна Сергеевна")
    if how == "namesake":
        assert new[0]["owner"] != known.id and records == 2
    else:
        assert new == [{"owner": known.id}] and records == 1


async def test_an_application_for_a_relative_leaves_the_applicant_s_contacts_off_the_new_owner_s_record(
    client, new_client, login, make_user, make_account, today_is
):
    """A son files the change for his mother: her new record in the register holds what the application states
    of her (her name, her share), not his confirmed e-mail and phone, which stay with the application he wrote
    (he is its author and is told of the decision as before)."""
    from portal.accounts.tables import User

    place, _, flat = await _flat(make_user, make_account)
    son = await make_user(name="Новиков Сергей Петрович", email="son@example.ru")
    confirmed = {User.phone: "+79785550011", User.phone_confirmed_at: clock.now(), User.email_confirmed_at: clock.now()}
    await User.update(confirmed).where(User.id == son)
    await login(client, son)
    assert (await client.form("/tickets/owner", _owner_form(place, flat), files=_extract())).status_code == 303
    ticket = await Ticket.select().where(Ticket.account == place.account).first()
    c, _, page = await _decide(new_client, login, make_user, place, ticket["id"])
    shares = _ticked(page, "share")
    data = {"version": _version(page), "share": shares, "new_number": "7700123456"}
    data[f"version_{shares[0]}"] = _version(page, f"version_{shares[0]}")
    assert (await c.form(f"/staff/tickets/{ticket['id']}/handover/", data)).status_code == 303
    mother = await Owner.select(Owner.name, Owner.email, Owner.phone).where(
        Owner.id.is_in(Ownership.select(Ownership.owner).where(Ownership.premise == place.premise))
        & (Owner.name == "Новикова Анна Сергеевна")
    )
    assert mother == [{"name": "Новикова Анна Сергеевна", "email": "", "phone": ""}]
    filed = await Ticket.select(Ticket.author, Ticket.status).where(Ticket.id == ticket["id"]).first()
    assert filed == {"author": son, "status": "done"}
    told = (OutboxMessage.user_id == son) & (OutboxMessage.template == "ticket_status")
    assert await OutboxMessage.count().where(told) >= 1


async def test_the_register_s_people_are_read_through_their_indexes(db):
    with captured(db) as seen:
        await queries.registry_people("Новикова Анна Сергеевна", 1)
    for statement in seen:
        plan = await plan_of(db, statement, forbid_seqscan=True)
        assert unindexed_steps(plan, "owner", is_sqlite(db)) == [], plan


async def test_an_old_account_overpaid_on_its_closing_day_says_so(
    client, new_client, login, make_user, make_account, today_is
):
    from portal.billing.ledger import post_entry
    from portal.billing.tables import EntryKind

    place, _, _, ticket = await _filed(client, login, make_user, make_account)
    moment = datetime(2026, 7, 31, 12, tzinfo=clock.zone())
    await post_entry(place.account, EntryKind.PAYMENT, -25050, moment)
    _, _, page = await _decide(new_client, login, make_user, place, ticket["id"])
    assert "Переплата старого счёта на дату закрытия, 2 августа 2026: 250,50 ₽" in _plain(page.text)
