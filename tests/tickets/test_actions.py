"""Actions on requests (both engines, no HTTP): each writes its history event, the audit event of a staff write and
its notifications in the recipient's own language, or refuses with words."""

from __future__ import annotations

import json
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest

from portal.accounts.principal import load_principal_for
from portal.accounts.tables import User
from portal.core import clock
from portal.core.i18n import get_locale
from portal.core.i18n import set_locale
from portal.core.tables import AuditEvent
from portal.core.tables import OutboxMessage
from portal.core.web import Refused
from portal.settings import get_settings
from portal.tickets import actions
from portal.tickets import forms
from portal.tickets import queries
from portal.tickets.queries import Option
from portal.tickets.tables import Outage
from portal.tickets.tables import Ticket
from portal.tickets.tables import TicketEvent

NOW = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)


@pytest.fixture
async def filed(make_user, make_account):
    """A request filed by a resident who reads the portal in English, and a dispatcher and executor of the house."""
    place = await make_account()
    resident = await make_user(name="Anna Petrova", accounts={place.account: "owner"}, rights=("view", "tickets"))
    await User.update({User.locale: "en"}).where(User.id == resident)
    dispatcher = await make_user(name="Диспетчер Смирнова", roles=("dispatcher",), houses=(place.house,))
    executor = await make_user(name="Иванов Пётр", roles=("executor",), houses=(place.house,))
    author = await load_principal_for(resident)
    opened = await actions.open_ticket(
        account_id=place.account,
        category="leaking_taps",
        description="The kitchen tap leaks",
        author_id=resident,
        author_name=author.name,
        now=NOW,
    )
    return {
        "ticket": opened.id,
        "number": opened.number,
        "resident": author,
        "dispatcher": await load_principal_for(dispatcher),
        "executor": executor,
        "executor_principal": await load_principal_for(executor),
    }


async def _ticket(principal, ticket_id):
    return await queries.ticket_for_staff(principal, ticket_id)


async def test_a_status_change_by_a_russian_speaking_dispatcher_reaches_an_english_resident_in_english(filed):
    set_locale("ru")  # the dispatcher's page is in Russian
    dispatcher = filed["dispatcher"]
    await actions.move_status(dispatcher, await _ticket(dispatcher, filed["ticket"]), "in_work", "", NOW)
    assert get_locale() == "ru"
    messages = await OutboxMessage.select(OutboxMessage.subject, OutboxMessage.channel).where(
        OutboxMessage.user_id == filed["resident"].user_id
    )
    assert messages, "the resident is told about the status"
    assert {m["subject"] for m in messages} == {f"Request No. {filed['number']}: In work"}


async def test_a_staff_status_change_leaves_an_event_and_an_audit_record(filed):
    dispatcher = filed["dispatcher"]
    await actions.move_status(dispatcher, await _ticket(dispatcher, filed["ticket"]), "accepted", "Едем", NOW)
    event = (
        await TicketEvent.select()
        .where((TicketEvent.ticket == filed["ticket"]) & (TicketEvent.kind == "status"))
        .first()
    )
    assert (event["from_value"], event["to_value"], event["comment"], event["by_staff"]) == (
        "new",
        "accepted",
        "Едем",
        True,
    )
    audit = (
        await AuditEvent.select()
        .where((AuditEvent.entity == "ticket") & (AuditEvent.entity_id == filed["ticket"]))
        .output(load_json=True)
        .first()
    )
    assert audit["action"] == "ticket.status" and audit["actor_id"] == dispatcher.user_id
    assert audit["changes"] == {"status": ["new", "accepted"]}


async def test_an_assignment_is_audited_and_the_executor_is_told_in_their_language(filed):
    await User.update({User.locale: "ru"}).where(User.id == filed["executor"])
    set_locale("en")
    dispatcher = filed["dispatcher"]
    ticket = await _ticket(dispatcher, filed["ticket"])
    try:
        await actions.assign_executor(dispatcher, ticket, Option(filed["executor"], "Иванов Пётр"), NOW)
    finally:
        set_locale("ru")
    row = await Ticket.select(Ticket.executor).where(Ticket.id == filed["ticket"]).first()
    assert row["executor"] == filed["executor"]
    audit = await AuditEvent.select().where(AuditEvent.action == "ticket.assign").output(load_json=True).first()
    assert audit["entity_id"] == filed["ticket"] and audit["changes"] == {"executor": [None, filed["executor"]]}
    told = await OutboxMessage.select(OutboxMessage.subject).where(OutboxMessage.user_id == filed["executor"])
    assert {m["subject"] for m in told} == {f"Вам назначена заявка №\u00a0{filed['number']}"}
    # The same executor again changes nothing and writes nothing.
    again = await _ticket(dispatcher, filed["ticket"])
    assert await actions.assign_executor(dispatcher, again, Option(filed["executor"], "Иванов Пётр"), NOW) is None
    assert await AuditEvent.count().where(AuditEvent.action == "ticket.assign") == 1


async def test_a_resident_cannot_cancel_work_in_progress(filed):
    dispatcher = filed["dispatcher"]
    await actions.move_status(dispatcher, await _ticket(dispatcher, filed["ticket"]), "in_work", "", NOW)
    ticket = await queries.ticket_for_resident(filed["resident"], filed["ticket"])
    with pytest.raises(Refused) as refused:
        await actions.cancel_by_resident(filed["resident"], ticket, NOW)
    assert "в работе" in refused.value.message
    assert (await Ticket.select(Ticket.status).where(Ticket.id == filed["ticket"]).first())["status"] == "in_work"


async def test_a_move_made_meanwhile_by_someone_else_is_refused(filed):
    dispatcher = filed["dispatcher"]
    stale = await _ticket(dispatcher, filed["ticket"])
    await actions.move_status(dispatcher, stale, "accepted", "", NOW)
    with pytest.raises(Refused):
        await actions.move_status(dispatcher, stale, "in_work", "", NOW)
    assert (await Ticket.select(Ticket.status).where(Ticket.id == filed["ticket"]).first())["status"] == "accepted"


async def test_an_executor_finishes_their_work_but_does_not_close_it(filed):
    dispatcher = filed["dispatcher"]
    await actions.assign_executor(
        dispatcher, await _ticket(dispatcher, filed["ticket"]), Option(filed["executor"], "Иванов Пётр"), NOW
    )
    executor = filed["executor_principal"]
    await actions.move_status(executor, await _ticket(executor, filed["ticket"]), "done", "", NOW)
    with pytest.raises(Refused):
        await actions.move_status(executor, await _ticket(executor, filed["ticket"]), "closed", "", NOW)
    row = await Ticket.select(Ticket.status, Ticket.completed_at).where(Ticket.id == filed["ticket"]).first()
    assert row == {"status": "done", "completed_at": NOW}


async def test_bulk_assignment_assigns_every_ticked_request(filed, make_account):
    dispatcher = filed["dispatcher"]
    place = await make_account(house=(await _ticket(dispatcher, filed["ticket"])).house)
    second = await actions.open_ticket(account_id=place.account, category="roof_leak", description="Течёт", now=NOW)
    tickets = await queries.tickets_for_staff(dispatcher, [filed["ticket"], second.id])
    changed = await actions.assign_many(dispatcher, tickets, Option(filed["executor"], "Иванов Пётр"), NOW)
    assert changed == 2
    rows = await Ticket.select(Ticket.executor).where(Ticket.id.is_in([filed["ticket"], second.id]))
    assert {r["executor"] for r in rows} == {filed["executor"]}
    assert await AuditEvent.count().where(AuditEvent.action == "ticket.assign") == 2


async def test_a_cancelled_request_gets_no_executor_nor_tells_one_it_is_theirs(filed, make_account):
    """An executor was told «Вам назначена заявка» of a request cancelled (nobody goes) or closed: its executor
    stays, alone or ticked with others, and the ticked ones it could take are assigned."""
    dispatcher = filed["dispatcher"]
    ivanov = Option(filed["executor"], "Иванов Пётр")
    await actions.move_status(dispatcher, await _ticket(dispatcher, filed["ticket"]), "cancelled", "", NOW)
    with pytest.raises(Refused) as refused:
        await actions.assign_executor(dispatcher, await _ticket(dispatcher, filed["ticket"]), ivanov, NOW)
    assert refused.value.message == "У закрытой или отменённой заявки исполнитель не меняется."
    place = await make_account(house=(await _ticket(dispatcher, filed["ticket"])).house)
    second = await actions.open_ticket(account_id=place.account, category="roof_leak", description="Течёт", now=NOW)
    tickets = await queries.tickets_for_staff(dispatcher, [filed["ticket"], second.id])
    takers = await queries.assignable(t.house for t in tickets)
    done = await actions.assign_ticked(dispatcher, tickets, filed["executor"], takers, NOW)
    assert (done.changed, done.refused, done.finished) == (1, [], [filed["number"]])
    rows = await Ticket.select(Ticket.id, Ticket.executor).where(Ticket.id.is_in([filed["ticket"], second.id]))
    assert {r["id"]: r["executor"] for r in rows} == {filed["ticket"]: None, second.id: filed["executor"]}
    told = await OutboxMessage.select(OutboxMessage.subject).where(OutboxMessage.user_id == filed["executor"])
    assert {m["subject"] for m in told} == {f"Вам назначена заявка №\u00a0{second.number}"}
    said = forms.ticked_assigned(done.changed, done.refused, done.finished)
    assert said[-1] == (f"Заявка №\u00a0{filed['number']} не назначена: она закрыта или отменена.", "error")


async def test_closing_an_outage_completes_its_requests_and_tells_the_residents(filed):
    dispatcher = filed["dispatcher"]
    ticket = await _ticket(dispatcher, filed["ticket"])
    outage_id = await actions.record_outage(
        dispatcher,
        {
            "house_id": ticket.house,
            "entrance_id": None,
            "riser_id": None,
            "service": "cold_water",
            "description": "Авария на вводе",
            "starts_at": NOW - timedelta(hours=2),
            "ends_at": None,
        },
        NOW,
    )
    outage = await queries.outage_for_staff(dispatcher, outage_id)
    await actions.link_outage(dispatcher, ticket, outage, NOW)
    assert await actions.close_outage(dispatcher, outage, "Вода есть", NOW) == 1
    row = await Ticket.select(Ticket.status).where(Ticket.id == filed["ticket"]).first()
    assert row["status"] == "done"
    actions_done = {r["action"] for r in await AuditEvent.select(AuditEvent.action)}
    assert {"outage.create", "ticket.outage", "ticket.status", "outage.close"} <= actions_done
    assert await OutboxMessage.exists().where(OutboxMessage.user_id == filed["resident"].user_id)


@pytest.mark.parametrize(
    ("starts", "ends", "words"),
    [
        (NOW - timedelta(days=31), None, "началось больше 30\u00a0дней назад"),
        (
            NOW - timedelta(hours=2),
            NOW - timedelta(hours=2) + timedelta(days=32),
            "позже начала больше чем на 31\u00a0день",
        ),
    ],
)
async def test_an_outage_typed_a_year_wrong_is_refused_by_the_action_itself_nothing_written(filed, starts, ends, words):
    """The outage form is not the only way in: ``record_outage`` refuses a start more than 30 days back or an
    «until» more than 31 days after the start on its own (the form's rules), writing neither the outage, nor its
    audit event, nor a notice to residents."""
    dispatcher = filed["dispatcher"]
    ticket = await _ticket(dispatcher, filed["ticket"])
    audits, outbox = await AuditEvent.count(), await OutboxMessage.count()
    values = {"house_id": ticket.house, "entrance_id": None, "riser_id": None, "service": "cold_water"}
    with pytest.raises(Refused, match=words):
        await actions.record_outage(dispatcher, values | {"description": "", "starts_at": starts, "ends_at": ends}, NOW)
    assert await Outage.count() == 0
    assert (await AuditEvent.count(), await OutboxMessage.count()) == (audits, outbox)


def _form_of(ticket, tz: str, **edits: str) -> dict[str, str]:
    """The staff edit form as the page posts it: every field with its current value, ``edits`` changed."""
    from zoneinfo import ZoneInfo

    data = {
        "type": ticket.type,
        "category": ticket.category,
        "internal_status": ticket.internal_status,
        "deadline": ticket.deadline.astimezone(ZoneInfo(tz)).strftime("%Y-%m-%dT%H:%M") if ticket.deadline else "",
        "control_date": "",
    }
    return {**data, **edits}


async def test_a_new_type_or_category_recomputes_the_deadline_with_an_event_saying_old_and_new(filed):
    """DOMAIN §5, issue 13 item 4: an emergency takes ПП № 416 п. 13's 30 minutes; a report on works 5 working days."""
    tz = get_settings().time_zone
    dispatcher = filed["dispatcher"]
    ticket = await _ticket(dispatcher, filed["ticket"])
    assert ticket.deadline == NOW + timedelta(days=1)  # leaking taps: one day (Госстрой № 170)

    changes, _ = forms.read_staff_update(_form_of(ticket, tz, type="emergency"), tz)
    await actions.update_fields(dispatcher, ticket, changes, NOW + timedelta(minutes=5))
    ticket = await _ticket(dispatcher, filed["ticket"])
    assert ticket.deadline == NOW + timedelta(minutes=30)
    event = (
        await TicketEvent.select()
        .where((TicketEvent.ticket == filed["ticket"]) & (TicketEvent.kind == "deadline"))
        .first()
    )
    assert (event["from_value"], event["to_value"], event["visible_to_resident"]) == (
        (NOW + timedelta(days=1)).isoformat(),
        (NOW + timedelta(minutes=30)).isoformat(),
        True,
    )

    changes, _ = forms.read_staff_update(_form_of(ticket, tz, type="consultation", category="works_report"), tz)
    await actions.update_fields(dispatcher, ticket, changes, NOW + timedelta(minutes=6))
    ticket = await _ticket(dispatcher, filed["ticket"])
    assert ticket.deadline.astimezone(ZoneInfo(tz)) == datetime(2026, 3, 17, 23, 59, 59, tzinfo=ZoneInfo(tz))

    # Saving the form again unchanged (the deadline shown to the minute) records nothing.
    before = await TicketEvent.count().where(TicketEvent.ticket == filed["ticket"])
    changes, _ = forms.read_staff_update(_form_of(ticket, tz), tz)
    assert await actions.update_fields(dispatcher, ticket, changes, NOW + timedelta(minutes=7)) == []
    assert await TicketEvent.count().where(TicketEvent.ticket == filed["ticket"]) == before


async def test_a_new_category_after_a_return_counts_its_deadline_from_the_return(filed):
    """The return started the clock again (a leaking tap: a day from the return); a category changed after it counts
    its term from the return too, not from the filing, which would make the request overdue again."""
    tz = get_settings().time_zone
    dispatcher, returned = filed["dispatcher"], NOW + timedelta(days=3)
    await actions.move_status(
        dispatcher, await _ticket(dispatcher, filed["ticket"]), "done", "", NOW + timedelta(hours=2)
    )
    ticket = await _ticket(dispatcher, filed["ticket"])
    await actions.reopen_by_resident(filed["resident"], ticket, "The tap still leaks", returned)
    ticket = await _ticket(dispatcher, filed["ticket"])
    assert ticket.deadline == returned + timedelta(days=1)
    changes, _ = forms.read_staff_update(_form_of(ticket, tz, category="downpipes"), tz)  # five days
    await actions.update_fields(dispatcher, ticket, changes, returned + timedelta(hours=1))
    assert (await _ticket(dispatcher, filed["ticket"])).deadline == returned + timedelta(days=5)


async def _told_resident(filed, status: str) -> list[dict]:
    """The resident's notices of the move to ``status``, on each channel, the e-mail first (only the e-mail's row
    keeps the facts of its message; the in-app row is its twin by the event's key)."""
    told = await OutboxMessage.select(
        OutboxMessage.channel, OutboxMessage.body, OutboxMessage.context, OutboxMessage.dedupe_key
    ).where(OutboxMessage.user_id == filed["resident"].user_id)
    event = {m["dedupe_key"].partition(":")[2] for m in told if _context(m).get("status") == status}
    return sorted((m for m in told if m["dedupe_key"].partition(":")[2] in event), key=lambda m: m["channel"])


def _context(message: dict) -> dict:
    context = message["context"]
    return json.loads(context) if isinstance(context, str) else context


async def test_a_reopened_request_tells_the_resident_its_new_deadline_in_their_language(filed):
    """A Russian-speaking dispatcher reopens the work: the clock starts again (a leaking tap: a day from the
    reopening), and the English-speaking resident's notice of the status says the new deadline in English, in the
    company's zone, on each channel (the e-mail and in-app text, the short form for SMS and push). A plain move
    (the work reported done) says nothing of a deadline."""
    from portal.notifications.messages import render

    set_locale("ru")
    dispatcher, reopened = filed["dispatcher"], NOW + timedelta(days=3)
    await actions.move_status(
        dispatcher, await _ticket(dispatcher, filed["ticket"]), "done", "", NOW + timedelta(hours=2)
    )
    await actions.move_status(dispatcher, await _ticket(dispatcher, filed["ticket"]), "reopened", "", reopened)
    local = (reopened + timedelta(days=1)).astimezone(ZoneInfo(get_settings().time_zone))
    said = f"New deadline: {local.day} March 2026, {local:%H:%M}"

    told = await _told_resident(filed, "reopened")
    assert {m["channel"] for m in told} == {"email", "inapp"}
    for message in told:
        assert said in message["body"], message["body"]
    assert said in render("ticket_status", "en", _context(told[0])).short
    assert "Новый срок" in render("ticket_status", "ru", _context(told[0])).text

    done = await _told_resident(filed, "done")
    assert done and not any("deadline" in m["body"].lower() for m in done)
    assert "deadline" not in render("ticket_status", "en", _context(done[0])).short.lower()


async def test_a_deadline_set_by_hand_with_a_new_category_stands(filed):
    tz = get_settings().time_zone
    dispatcher = filed["dispatcher"]
    ticket = await _ticket(dispatcher, filed["ticket"])
    changes, _ = forms.read_staff_update(_form_of(ticket, tz, category="roof_leak", deadline="2026-03-20T12:00"), tz)
    await actions.update_fields(dispatcher, ticket, changes, NOW)
    ticket = await _ticket(dispatcher, filed["ticket"])
    assert ticket.deadline == datetime(2026, 3, 20, 12, 0, tzinfo=ZoneInfo(tz))


async def test_the_residents_cancel_is_said_in_russian_to_the_dispatcher_and_in_english_to_the_resident(filed):
    """«Cancelled by the resident» is worded by the portal, not typed: kept in both languages, whatever the
    language of the page that cancelled, and each reader (and each notice) reads theirs."""
    from portal.core.i18n import own_words

    ticket = await queries.ticket_for_resident(filed["resident"], filed["ticket"])
    set_locale("en")  # cancelled from an English page
    try:
        await actions.cancel_by_resident(filed["resident"], ticket, NOW)
    finally:
        set_locale("ru")
    event = (
        await TicketEvent.select(TicketEvent.comment, TicketEvent.comment_en)
        .where((TicketEvent.ticket == filed["ticket"]) & (TicketEvent.kind == "status"))
        .first()
    )
    assert event == {"comment": "Отменена жителем", "comment_en": "Cancelled by the resident"}
    assert own_words(event, "comment", "en") == "Cancelled by the resident"


async def test_a_deadline_before_the_filing_is_refused_by_the_action_itself_nothing_written(filed):
    """The edit form is not the only way in: ``update_fields`` refuses a deadline before the request was filed on
    its own (the same rule, ``rules.deadline_before_filing``), and writes neither the other changes, nor an event,
    nor an audit event; a deadline in the minute of the filing stands."""
    dispatcher = filed["dispatcher"]
    ticket = await _ticket(dispatcher, filed["ticket"])
    events = await TicketEvent.count().where(TicketEvent.ticket == filed["ticket"])
    audits = await AuditEvent.count()
    early = {"deadline": NOW - timedelta(days=365), "important": True}
    with pytest.raises(Refused, match="Срок не может быть раньше подачи заявки"):
        await actions.update_fields(dispatcher, ticket, early, NOW + timedelta(minutes=5))
    row = await Ticket.select(Ticket.deadline, Ticket.important).where(Ticket.id == filed["ticket"]).first()
    assert row == {"deadline": ticket.deadline, "important": False}
    assert await TicketEvent.count().where(TicketEvent.ticket == filed["ticket"]) == events
    assert await AuditEvent.count() == audits
    assert await actions.update_fields(dispatcher, ticket, {"deadline": NOW}, NOW + timedelta(minutes=5))
    assert (await _ticket(dispatcher, filed["ticket"])).deadline == NOW


async def test_a_deadline_more_than_a_year_after_the_filing_is_refused_by_the_action_itself(filed):
    """2027 typed for 2026 would keep the request off every overdue list for a year: ``update_fields`` refuses it
    (``rules.deadline_long_after_filing``), nothing written; a year to the day stands."""
    dispatcher = filed["dispatcher"]
    ticket = await _ticket(dispatcher, filed["ticket"])
    far = {"deadline": ticket.created_at + timedelta(days=366), "important": True}
    with pytest.raises(Refused, match="Проверьте год: срок позже заявки больше чем на год"):
        await actions.update_fields(dispatcher, ticket, far, NOW + timedelta(minutes=5))
    row = await Ticket.select(Ticket.deadline, Ticket.important).where(Ticket.id == filed["ticket"]).first()
    assert row == {"deadline": ticket.deadline, "important": False}
    year = ticket.created_at + timedelta(days=365)
    assert await actions.update_fields(dispatcher, ticket, {"deadline": year}, NOW + timedelta(minutes=5))
    assert (await _ticket(dispatcher, filed["ticket"])).deadline == year


async def test_a_damage_moment_after_the_filing_or_long_before_it_is_refused_by_the_action_itself(filed):
    """The damage's moment has the edit form's two rules in ``update_fields`` too: after the request was filed
    (``rules.damage_after_filing``) or more than 30 days before it (``rules.damage_long_before_filing``) is refused,
    nothing written; 30 days before stands."""
    dispatcher = filed["dispatcher"]
    ticket = await _ticket(dispatcher, filed["ticket"])
    later = {"damage_at": ticket.created_at + timedelta(minutes=1), "important": True}
    with pytest.raises(Refused, match="Авария не может произойти позже подачи заявки"):
        await actions.update_fields(dispatcher, ticket, later, NOW + timedelta(minutes=5))
    long_ago = {"damage_at": ticket.created_at - timedelta(days=30, minutes=1), "important": True}
    with pytest.raises(Refused, match="Проверьте дату: повреждение раньше заявки больше чем на 30\u00a0дней"):
        await actions.update_fields(dispatcher, ticket, long_ago, NOW + timedelta(minutes=5))
    row = await Ticket.select(Ticket.damage_at, Ticket.important).where(Ticket.id == filed["ticket"]).first()
    assert row == {"damage_at": ticket.damage_at, "important": False}
    month = ticket.created_at - timedelta(days=30)
    assert await actions.update_fields(dispatcher, ticket, {"damage_at": month}, NOW + timedelta(minutes=5))
    assert (await _ticket(dispatcher, filed["ticket"])).damage_at == month


@pytest.fixture
async def trapped(make_user, make_account):
    """«Люди застряли в лифте» filed from the call centre as planned works (the type typed wrong, or on purpose),
    and a dispatcher of the house."""
    place = await make_account()
    dispatcher = await make_user(name="Диспетчер Смирнова", roles=("dispatcher",), houses=(place.house,))
    opened = await actions.open_ticket(
        account_id=place.account,
        category="lift_trapped",
        ticket_type="planned",
        description="Застряли в лифте между 5 и 6 этажом",
        source="call_centre",
        now=NOW,
        by_staff=True,
    )
    return {"ticket": opened.id, "dispatcher": await load_principal_for(dispatcher)}


async def test_an_emergency_filed_as_planned_works_is_still_due_by_its_emergency_clock(trapped):
    """DOMAIN §5, ГОСТ Р 55964-2014: people trapped in a lift are evacuated within 30 minutes, whatever the type."""
    ticket = await _ticket(trapped["dispatcher"], trapped["ticket"])
    assert (ticket.type, ticket.deadline) == ("planned", NOW + timedelta(minutes=30))


async def test_retyping_an_emergency_as_planned_or_paid_works_keeps_its_deadline(filed):
    """A dispatcher who turns an emergency into «Плановая» does not take its deadline away (nor the on-time share
    it counts in): the blocked sewer filed at 09:00 UTC stays due two hours later, and no deadline event is written."""
    dispatcher = filed["dispatcher"]
    ticket = await _ticket(dispatcher, filed["ticket"])
    await actions.update_fields(dispatcher, ticket, {"category": "sewer_blockage"}, NOW + timedelta(minutes=1))
    for n, ticket_type in enumerate(("planned", "paid"), start=2):
        ticket = await _ticket(dispatcher, filed["ticket"])
        await actions.update_fields(dispatcher, ticket, {"type": ticket_type}, NOW + timedelta(minutes=n))
        ticket = await _ticket(dispatcher, filed["ticket"])
        assert (ticket.type, ticket.deadline) == (ticket_type, NOW + timedelta(hours=2))
    deadline_events = await TicketEvent.select(TicketEvent.to_value).where(
        (TicketEvent.ticket == filed["ticket"]) & (TicketEvent.kind == "deadline")
    )
    assert [e["to_value"] for e in deadline_events] == [(NOW + timedelta(hours=2)).isoformat()]


async def test_an_emergency_typed_planned_and_returned_to_work_starts_its_clock_again(trapped):
    """The return counts the deadline again from the return (``rules.restarted_deadline``), not «by agreement»."""
    dispatcher, reopened = trapped["dispatcher"], NOW + timedelta(days=2)
    await actions.move_status(
        dispatcher, await _ticket(dispatcher, trapped["ticket"]), "done", "", NOW + timedelta(minutes=20)
    )
    await actions.move_status(dispatcher, await _ticket(dispatcher, trapped["ticket"]), "reopened", "", reopened)
    assert (await _ticket(dispatcher, trapped["ticket"])).deadline == reopened + timedelta(minutes=30)


def test_a_bulk_assignment_that_changed_nothing_says_why_not_zero_assigned():
    assert forms.ticked_assigned(0, [], []) == [("У отмеченных заявок уже этот исполнитель.", "info")]
    assert forms.ticked_assigned(2, [], []) == [("Назначено 2 заявки.", "success")]
    assert [kind for _text, kind in forms.ticked_assigned(0, [5], [])] == ["error"]


async def test_the_executor_a_request_is_taken_from_is_told_so(filed, make_user):
    """Reassigned or left without executor, the request's former executor heard nothing and would go to it."""
    dispatcher = filed["dispatcher"]
    house = (await _ticket(dispatcher, filed["ticket"])).house
    sidorov = await make_user(name="Сидоров Олег", roles=("executor",), houses=(house,))
    await actions.assign_executor(
        dispatcher, await _ticket(dispatcher, filed["ticket"]), Option(filed["executor"], "Иванов Пётр"), NOW
    )
    await actions.assign_executor(
        dispatcher, await _ticket(dispatcher, filed["ticket"]), Option(sidorov, "Сидоров"), NOW
    )
    await actions.assign_executor(dispatcher, await _ticket(dispatcher, filed["ticket"]), None, NOW)

    async def subjects(user: int) -> set[str]:
        return {
            m["subject"] for m in await OutboxMessage.select(OutboxMessage.subject).where(OutboxMessage.user_id == user)
        }

    number = filed["number"]
    taken = f"Заявка №\u00a0{number} больше не назначена вам"
    assert await subjects(filed["executor"]) == {f"Вам назначена заявка №\u00a0{number}", taken}
    assert await subjects(sidorov) == {f"Вам назначена заявка №\u00a0{number}", taken}


async def test_work_staff_send_back_is_said_to_its_executor(filed):
    """A resident's return reached the executor; the dispatcher's «Вернуть в работу» or «Открыть повторно» put the
    request back in the executor's queue unsaid."""
    dispatcher, executor = filed["dispatcher"], filed["executor_principal"]
    await actions.assign_executor(
        dispatcher, await _ticket(dispatcher, filed["ticket"]), Option(filed["executor"], "Иванов Пётр"), NOW
    )
    await actions.move_status(executor, await _ticket(executor, filed["ticket"]), "done", "", NOW)
    later = NOW + timedelta(hours=5)
    await actions.move_status(dispatcher, await _ticket(dispatcher, filed["ticket"]), "in_work", "", later)
    told = await OutboxMessage.select(OutboxMessage.subject, OutboxMessage.body).where(
        OutboxMessage.user_id == filed["executor"]
    )
    back = [m for m in told if m["subject"] == f"Заявка №\u00a0{filed['number']}: В работе"]
    assert back and any("Новый срок" in m["body"] for m in back)


async def test_a_request_the_dispatcher_cancels_or_pauses_is_said_to_its_executor_not_their_own_steps(filed):
    dispatcher, executor = filed["dispatcher"], filed["executor_principal"]
    await actions.assign_executor(
        dispatcher, await _ticket(dispatcher, filed["ticket"]), Option(filed["executor"], "Иванов Пётр"), NOW
    )
    await actions.move_status(executor, await _ticket(executor, filed["ticket"]), "in_work", "", NOW)
    await actions.move_status(executor, await _ticket(executor, filed["ticket"]), "accepted", "", NOW)
    await actions.move_status(dispatcher, await _ticket(dispatcher, filed["ticket"]), "in_work", "", NOW)
    await actions.move_status(dispatcher, await _ticket(dispatcher, filed["ticket"]), "accepted", "", NOW)
    await actions.move_status(dispatcher, await _ticket(dispatcher, filed["ticket"]), "cancelled", "", NOW)
    told = await OutboxMessage.select(OutboxMessage.subject).where(OutboxMessage.user_id == filed["executor"])
    number = filed["number"]
    assert {m["subject"] for m in told} == {
        f"Вам назначена заявка №\u00a0{number}",
        f"Заявка №\u00a0{number}: Принята",
        f"Заявка №\u00a0{number}: Отменена",
    }
    subjects = [m["subject"] for m in told]  # the executor's own pause is not said to them: one pause, one cancel
    assert subjects.count(f"Заявка №\u00a0{number}: Принята") == subjects.count(f"Заявка №\u00a0{number}: Отменена")


async def test_staff_reopening_a_rated_closed_request_clears_its_rating_and_the_redone_work_is_rated_anew(filed):
    """Staff reopen a closed request the resident rated: as on the resident's return, the rating stays in the
    history but no longer is the request's, so the redone work is rated again (the request is no repeat)."""
    from portal.tickets import rules

    dispatcher, resident, tid = filed["dispatcher"], filed["resident"], filed["ticket"]
    await actions.move_status(dispatcher, await _ticket(dispatcher, tid), "done", "", NOW + timedelta(hours=1))
    await actions.move_status(dispatcher, await _ticket(dispatcher, tid), "closed", "", NOW + timedelta(hours=2))
    await actions.rate_ticket(resident, await _ticket(dispatcher, tid), 3, "Slow", NOW + timedelta(hours=3))
    await actions.move_status(dispatcher, await _ticket(dispatcher, tid), "reopened", "", NOW + timedelta(hours=4))
    reopened = await _ticket(dispatcher, tid)
    assert (reopened.status, reopened.rating, reopened.feedback, reopened.repeated) == ("reopened", None, "", False)
    await actions.move_status(dispatcher, reopened, "done", "", NOW + timedelta(hours=5))
    redone = await _ticket(dispatcher, tid)
    assert rules.resident_may_rate(redone.status, redone.rating)
    await actions.rate_ticket(resident, redone, 5, "Good", NOW + timedelta(hours=6))
    rated = TicketEvent.select(TicketEvent.to_value).where((TicketEvent.ticket == tid) & (TicketEvent.kind == "rating"))
    assert [e["to_value"] for e in await rated.order_by(TicketEvent.id)] == ["3", "5"]


async def test_a_return_for_rework_clears_the_rating_and_the_redone_work_is_rated_anew(filed):
    """The resident rates the work, returns it: the rating stays in the history but no longer is the request's, so
    when the work is done again they rate it again, and the month's satisfaction counts that second rating only."""
    from datetime import date

    from portal.analytics.queries import tickets_by_month
    from portal.tickets import rules

    dispatcher, resident, tid = filed["dispatcher"], filed["resident"], filed["ticket"]
    await actions.move_status(dispatcher, await _ticket(dispatcher, tid), "done", "", NOW + timedelta(hours=1))
    await actions.rate_ticket(resident, await _ticket(dispatcher, tid), 2, "Still drips", NOW + timedelta(hours=2))
    await actions.reopen_by_resident(
        resident, await _ticket(dispatcher, tid), "The tap leaks", NOW + timedelta(hours=3)
    )
    returned = await _ticket(dispatcher, tid)
    assert (returned.status, returned.rating, returned.feedback) == ("reopened", None, "")
    await actions.move_status(dispatcher, returned, "done", "", NOW + timedelta(hours=4))
    redone = await _ticket(dispatcher, tid)
    assert rules.resident_may_rate(redone.status, redone.rating)
    await actions.rate_ticket(resident, redone, 5, "Fixed now", NOW + timedelta(hours=5))
    assert (await _ticket(dispatcher, tid)).rating == 5
    rated = TicketEvent.select(TicketEvent.to_value).where((TicketEvent.ticket == tid) & (TicketEvent.kind == "rating"))
    assert [e["to_value"] for e in await rated.order_by(TicketEvent.id)] == ["2", "5"]
    house = (await Ticket.select(Ticket.house).where(Ticket.id == tid).first())["house"]
    (month,) = await tickets_by_month([house], [date(2026, 3, 1)])
    assert (month.closed, month.rated, month.rating_sum, month.satisfied) == (1, 1, 5, 1)


async def test_an_actions_audit_and_outbox_rows_carry_the_actions_own_moment(filed, client, login, monkeypatch):
    """The request's history event, the audit event and the messages of one action are written at the one moment
    the action read from the clock (fixed here): not each at the database's own clock, which could disagree."""
    moment = NOW + timedelta(hours=2, minutes=17, microseconds=123456)  # not a moment the database would write
    monkeypatch.setattr(clock, "now", lambda: moment)
    dispatcher = filed["dispatcher"]
    await login(client, dispatcher.user_id)
    answer = await client.form(f"/staff/tickets/{filed['ticket']}/status", {"status": "accepted", "comment": "Едем"})
    assert answer.status_code == 303
    await actions.assign_executor(
        dispatcher, await _ticket(dispatcher, filed["ticket"]), Option(filed["executor"], "Иванов Пётр"), moment
    )
    audits = await AuditEvent.select(AuditEvent.action, AuditEvent.created_at).where(
        AuditEvent.entity_id == filed["ticket"]
    )
    assert {a["action"] for a in audits} == {"ticket.status", "ticket.assign"}
    told = await OutboxMessage.select(OutboxMessage.user_id, OutboxMessage.created_at, OutboxMessage.next_attempt_at)
    assert {m["user_id"] for m in told} == {filed["resident"].user_id, filed["executor"]}
    events = await TicketEvent.select(TicketEvent.created_at).where(
        (TicketEvent.ticket == filed["ticket"]) & TicketEvent.kind.is_in(["status", "executor"])
    )
    moments = [row["created_at"] for row in (*audits, *events)] + [
        m[k] for m in told for k in ("created_at", "next_attempt_at")
    ]
    assert len(moments) == 2 + 2 + 2 * len(told) and set(moments) == {moment}


async def test_an_outage_and_the_notice_it_publishes_are_audited_at_the_moment_it_was_recorded(filed):
    dispatcher = filed["dispatcher"]
    ticket = await _ticket(dispatcher, filed["ticket"])
    moment = NOW + timedelta(minutes=3, microseconds=654321)
    values = {"house_id": ticket.house, "entrance_id": None, "riser_id": None, "service": "cold_water"}
    starts = {"description": "Авария на вводе", "starts_at": NOW - timedelta(hours=2), "ends_at": None}
    await actions.record_outage(dispatcher, values | starts, moment)
    audits = await AuditEvent.select(AuditEvent.action, AuditEvent.created_at)
    assert {(a["action"], a["created_at"]) for a in audits} == {("outage.create", moment), ("post.outage", moment)}
