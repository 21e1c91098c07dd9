"""An executor hands a request of theirs back to the dispatchers (a wrong address, another trade's work), saying why:
it is left without an executor for the dispatchers of its house to assign again, who are told; the reason is an
internal note the resident never sees. Without a reason the page says so (422) and keeps what was typed."""

from __future__ import annotations

from datetime import UTC
from datetime import datetime

from portal.core.tables import AuditEvent
from portal.core.tables import OutboxMessage
from portal.tickets import actions
from portal.tickets import rules
from portal.tickets.tables import Ticket
from portal.tickets.tables import TicketEvent


def test_only_an_open_request_of_ones_own_is_handed_back() -> None:
    assert rules.may_hand_back("in_work", 7, 7)
    assert rules.may_hand_back("accepted", 7, 7)
    assert not rules.may_hand_back("in_work", 8, 7)  # someone else's
    assert not rules.may_hand_back("done", 7, 7)  # the work is reported done
    assert not rules.may_hand_back("closed", 7, 7)
    assert not rules.may_hand_back("in_work", None, None)


async def _world(make_user, make_account, status: str = "in_work"):
    place = await make_account()
    executor = await make_user(name="Лукин Сергей", roles=("executor",), houses=(place.house,))
    dispatcher = await make_user(name="Диспетчер", roles=("dispatcher",), houses=(place.house,))
    opened = await actions.open_ticket(
        account_id=place.account, category="leaking_taps", description="Течёт кран", now=datetime.now(UTC)
    )
    await Ticket.update({Ticket.status: status, Ticket.executor: executor}).where(Ticket.id == opened.id)
    return opened, executor, dispatcher


async def test_a_request_handed_back_loses_its_executor_and_the_dispatchers_are_told_why(
    client, login, make_user, make_account
):
    opened, executor, dispatcher = await _world(make_user, make_account)
    await login(client, executor)
    page = (await client.get(f"/staff/tickets/{opened.id}")).text
    assert "Вернуть заявку диспетчеру" in page and f'action="/staff/tickets/{opened.id}/hand-back"' in page

    answer = await client.form(f"/staff/tickets/{opened.id}/hand-back", {"why": "Не тот адрес: нет кв. 50"})
    assert answer.status_code == 303 and answer.headers["location"] == "/staff/my-tickets"
    assert (await Ticket.select(Ticket.executor).where(Ticket.id == opened.id).first())["executor"] is None
    note = await TicketEvent.select().where((TicketEvent.ticket == opened.id) & (TicketEvent.kind == "note")).first()
    assert note["comment"] == "Не тот адрес: нет кв. 50" and not note["visible_to_resident"]
    audit = await AuditEvent.select().where(AuditEvent.action == "ticket.hand_back").output(load_json=True).first()
    assert audit["entity_id"] == opened.id and audit["changes"]["executor"] == [executor, None]
    told = await OutboxMessage.select(OutboxMessage.subject, OutboxMessage.body).where(
        OutboxMessage.user_id == dispatcher
    )
    assert told and {m["subject"] for m in told} == {f"Исполнитель вернул заявку №\u00a0{opened.number}"}
    assert any("Не тот адрес: нет кв. 50" in m["body"] for m in told)
    queue = (await client.get("/staff/my-tickets")).text
    assert f"Заявка №\u00a0{opened.number} возвращена диспетчеру." in queue and "Течёт кран" not in queue


async def test_without_a_reason_nothing_changes_and_what_was_typed_is_kept(client, login, make_user, make_account):
    opened, executor, _ = await _world(make_user, make_account)
    await login(client, executor)
    answer = await client.form(f"/staff/tickets/{opened.id}/hand-back", {"why": "ну"})
    assert answer.status_code == 422
    assert "Напишите причину" in answer.text and ">ну</textarea>" in answer.text
    assert '<details class="card no-print hand-back" open>' in answer.text
    assert (await Ticket.select(Ticket.executor).where(Ticket.id == opened.id).first())["executor"] == executor


async def test_a_request_reported_done_is_not_handed_back(client, login, make_user, make_account):
    opened, executor, _ = await _world(make_user, make_account, status="done")
    await login(client, executor)
    assert "Вернуть заявку диспетчеру" not in (await client.get(f"/staff/tickets/{opened.id}")).text
    answer = await client.form(f"/staff/tickets/{opened.id}/hand-back", {"why": "Не тот адрес"})
    assert answer.status_code == 303
    assert (await Ticket.select(Ticket.executor).where(Ticket.id == opened.id).first())["executor"] == executor
    assert await AuditEvent.count().where(AuditEvent.action == "ticket.hand_back") == 0
