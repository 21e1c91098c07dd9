"""The mystery resident's actions on both engines (no HTTP): a report files an anonymous request per low grade, once a
month; an invitation is accepted, declined or stopped once; a house has five seats; the reminder of the 20th."""

from __future__ import annotations

import json
from datetime import UTC
from datetime import date
from datetime import datetime

import pytest

from portal.accounts.principal import load_principal_for
from portal.core.tables import AuditEvent
from portal.core.tables import OutboxMessage
from portal.core.web import Refused
from portal.mystery import actions
from portal.mystery import forms
from portal.mystery import queries
from portal.mystery.tables import MysteryChecker
from portal.mystery.tables import MysteryGrade
from portal.mystery.tables import MysteryReport
from portal.tickets.tables import Ticket
from portal.tickets.tables import TicketEvent
from tests.mystery.conftest import graded

NOW = datetime(2026, 12, 10, 9, tzinfo=UTC)
MONTH = date(2026, 12, 1)


async def _active(house):
    principal = await load_principal_for(house.checker_user)
    checker = await queries.checker_for(principal, house.checker)
    await actions.accept(principal, checker, NOW)
    return principal, await queries.checker_for(principal, house.checker)


def _read(form):
    draft, errors = forms.read_report(form, 0)
    assert draft is not None, errors.fields
    return draft


async def test_a_report_files_a_request_per_low_grade_without_the_residents_name(house):
    principal, checker = await _active(house)
    draft = _read(graded({"lift": (1, "Лифт стоит третий день"), "garbage": (2, "Контейнеры переполнены")}))
    numbers = await actions.submit(principal, checker, MONTH, draft, (), NOW)
    assert numbers == [701, 702]
    tickets = await Ticket.select().where(Ticket.house == house.id).order_by(Ticket.number)
    assert [(t["source"], t["category"], t["place"]) for t in tickets] == [
        ("mystery", "lift_fault", "lift"),
        ("mystery", "other", "yard"),
    ]
    assert "Лифт стоит третий день" in tickets[0]["description"]
    for t in tickets:  # nobody named: no author, no account, no flat, not the resident's words of who they are
        assert t["author"] is None and t["account"] is None and t["premise"] is None and t["created_by"] is None
        assert "Проверяющая" not in t["description"] and "Проверяющая" not in t["contact_name"]
    events = await TicketEvent.select(TicketEvent.author, TicketEvent.author_name).where(
        TicketEvent.ticket.is_in([t["id"] for t in tickets])
    )
    assert events and {(e["author"], e["author_name"]) for e in events} == {(None, "Тайный житель")}
    created = await AuditEvent.select(AuditEvent.actor_id).where(AuditEvent.action == "ticket.create")
    assert [e["actor_id"] for e in created] == [None, None]
    grades = await MysteryGrade.select(MysteryGrade.point, MysteryGrade.grade, MysteryGrade.ticket)
    assert len(grades) == 8
    assert {g["point"]: g["ticket"] for g in grades if g["ticket"]} == {
        "lift": tickets[0]["id"],
        "garbage": tickets[1]["id"],
    }
    told = await OutboxMessage.count().where(OutboxMessage.template == "mystery/received")
    assert told >= 1  # the resident is told the check is received (in-app at least)
    sent = await AuditEvent.select(AuditEvent.changes).where(AuditEvent.action == "mystery.submit").first()
    changes = sent["changes"] if isinstance(sent["changes"], dict) else json.loads(sent["changes"])
    assert changes["requests"] == [701, 702]


async def test_a_report_with_no_low_grade_files_nothing(house):
    principal, checker = await _active(house)
    assert await actions.submit(principal, checker, MONTH, _read(graded()), (), NOW) == []
    assert await Ticket.count().where(Ticket.house == house.id) == 0


async def test_a_second_report_of_the_month_is_refused_and_files_nothing(house):
    principal, checker = await _active(house)
    draft = _read(graded({"lift": (1, "Не работает")}))
    await actions.submit(principal, checker, MONTH, draft, (), NOW)
    with pytest.raises(Refused):
        await actions.submit(principal, checker, MONTH, draft, (), NOW)
    assert await MysteryReport.count() == 1
    assert await Ticket.count().where(Ticket.house == house.id) == 1
    # the next month is a new check
    await actions.submit(principal, checker, date(2027, 1, 1), _read(graded()), (), NOW)
    assert await MysteryReport.count() == 2


async def test_an_invited_or_stopped_resident_sends_no_report(house):
    principal = await load_principal_for(house.checker_user)
    invited = await queries.checker_for(principal, house.checker)
    with pytest.raises(Refused):
        await actions.submit(principal, invited, MONTH, _read(graded()), (), NOW)
    _, checker = await _active(house)
    await actions.stop(principal, checker, NOW)
    with pytest.raises(Refused):  # the page was read while active: the action reads the state again
        await actions.submit(principal, checker, MONTH, _read(graded()), (), NOW)
    assert await MysteryReport.count() == 0


async def test_declining_frees_the_seat_and_is_done_once(house):
    principal = await load_principal_for(house.checker_user)
    checker = await queries.checker_for(principal, house.checker)
    await actions.decline(principal, checker, NOW)
    with pytest.raises(Refused):
        await actions.accept(principal, checker, NOW)  # the invitation is answered already
    row = await MysteryChecker.select().where(MysteryChecker.id == house.checker).first()
    assert (row["status"], row["seat"], row["live"]) == ("declined", None, None)
    assert await queries.live_of(house.checker_user) == []
    # the seat and the person may be invited again
    manager = await load_principal_for(house.manager)
    again = await actions.invite(manager, house.id, house.checker_user, NOW)
    assert again != house.checker


async def test_a_house_has_five_checkers_at_most_and_only_its_residents(house, make_account, make_user):
    manager = await load_principal_for(house.manager)
    with pytest.raises(Refused):  # invited already
        await actions.invite(manager, house.id, house.checker_user, NOW)
    with pytest.raises(Refused):  # lives in another house
        await actions.invite(manager, house.id, house.stranger, NOW)
    for _ in range(4):
        flat = await make_account(house=house.id)
        await actions.invite(manager, house.id, await make_user(accounts={flat.account: "owner"}), NOW)
    flat = await make_account(house=house.id)
    sixth = await make_user(accounts={flat.account: "owner"})
    with pytest.raises(Refused):
        await actions.invite(manager, house.id, sixth, NOW)
    assert await MysteryChecker.count().where(MysteryChecker.live.is_not_null()) == 5
    assert await AuditEvent.count().where(AuditEvent.action == "mystery.invite") == 4


async def test_the_reminder_of_the_twentieth_goes_once_to_those_who_have_not_answered(house, make_account, make_user):
    principal, checker = await _active(house)
    manager = await load_principal_for(house.manager)
    flat = await make_account(house=house.id)
    second_user = await make_user(accounts={flat.account: "owner"}, locale="en")
    second = await actions.invite(manager, house.id, second_user, NOW)
    second_principal = await load_principal_for(second_user)
    await actions.accept(second_principal, await queries.checker_for(second_principal, second), NOW)
    await actions.submit(principal, checker, MONTH, _read(graded()), (), NOW)  # the first one has answered

    assert await actions.send_reminders(datetime(2026, 12, 19, 12, tzinfo=UTC)) == 0  # not before the 20th
    assert await actions.send_reminders(datetime(2026, 12, 20, 7, tzinfo=UTC)) == 1
    assert await actions.send_reminders(datetime(2026, 12, 20, 8, tzinfo=UTC)) == 0  # once a month
    reminded = await OutboxMessage.select(OutboxMessage.user_id, OutboxMessage.subject).where(
        (OutboxMessage.template == "mystery/reminder") & (OutboxMessage.channel == "email")
    )
    assert [r["user_id"] for r in reminded] == [second_user]
    assert reminded[0]["subject"] == "House check for December 2026"  # in the recipient's language


async def test_an_invited_resident_is_told_in_their_language(house, make_account, make_user):
    manager = await load_principal_for(house.manager)
    flat = await make_account(house=house.id, address="г. Симферополь, ул. Киевская, д. 5")
    english = await make_user(accounts={flat.account: "owner"}, locale="en")
    russian = await make_user(accounts={(await make_account(house=house.id)).account: "owner"})
    for user in (english, russian):
        await actions.invite(manager, house.id, user, NOW)
    told = await OutboxMessage.select(OutboxMessage.user_id, OutboxMessage.subject, OutboxMessage.body).where(
        (OutboxMessage.template == "mystery/invited") & (OutboxMessage.channel == "email")
    )
    by_user = {r["user_id"]: r for r in told}
    assert set(by_user) == {english, russian}
    assert by_user[english]["subject"] == "You are invited to check your house"
    assert by_user[russian]["subject"] == "Приглашение проверять ваш дом"
    assert "/mystery" in by_user[english]["body"] and "without your name" in by_user[english]["body"]


async def test_staff_take_a_checker_off_the_checks_once_audited_and_the_resident_is_told(house, make_user):
    principal, checker = await _active(house)
    from portal.accounts.tables import User

    await User.update({User.locale: "en"}).where(User.id == house.checker_user)
    manager = await load_principal_for(house.manager)
    staff_view = await queries.checker_for_staff(manager, house.checker)
    await actions.withdraw(manager, staff_view, NOW, ip="10.0.0.7")
    row = await MysteryChecker.select().where(MysteryChecker.id == house.checker).first()
    assert (row["status"], row["seat"], row["live"]) == ("stopped", None, None)  # the seat is free again
    assert await queries.live_of(house.checker_user) == []
    with pytest.raises(Refused):  # a second press is told the state, and tells nobody again
        await actions.withdraw(manager, staff_view, NOW)
    with pytest.raises(Refused):  # no more checks
        await actions.submit(principal, checker, MONTH, _read(graded()), (), NOW)
    events = await AuditEvent.select(AuditEvent.action, AuditEvent.actor_id, AuditEvent.ip).where(
        AuditEvent.entity_id == house.checker
    )
    assert [(e["action"], e["actor_id"], e["ip"]) for e in events if e["action"] == "mystery.withdraw"] == [
        ("mystery.withdraw", house.manager, "10.0.0.7")
    ]
    told = await OutboxMessage.select(OutboxMessage.subject).where(
        (OutboxMessage.template == "mystery/withdrawn")
        & (OutboxMessage.channel == "email")
        & (OutboxMessage.user_id == house.checker_user)
    )
    assert [r["subject"] for r in told] == ["You no longer check your house"]  # in the resident's language
    # a checker of a house not the staff member's is as missing
    other_manager = await load_principal_for(await make_user(roles=("manager",), houses=(house.other_house,)))
    assert await queries.checker_for_staff(other_manager, house.checker) is None
