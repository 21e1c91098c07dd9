"""The audit trail of staff work on requests and outages: each event keeps the address the staff member acted from
(as the other domains' staff actions do), and the audit log names a request by its number, the one staff and
residents see, linked to its page, not by its database id; the numbers of a whole page come from one query."""

from __future__ import annotations

import html
import json
from datetime import UTC
from datetime import datetime
from datetime import timedelta

from portal.core import clock
from portal.core.tables import AuditEvent
from portal.housing.actions import refresh_account_search
from portal.tickets import actions
from portal.tickets.tables import Outage
from portal.tickets.tables import Ticket
from portal.tickets.tables import TicketEvent
from tests.accounts.test_audit_values import _page
from tests.words import as_read

# httpx's ASGI transport calls the app from this address, as a browser's would be seen.
CLIENT_IP = "127.0.0.1"


async def test_every_staff_action_on_requests_and_outages_records_the_address_it_came_from(
    client, login, make_user, make_account
):
    place = await make_account()
    await refresh_account_search([place.account])
    dispatcher = await make_user(name="Диспетчер", roles=("dispatcher",), houses=(place.house,))
    executor = await make_user(name="Мастер", roles=("executor",), houses=(place.house,))
    await login(client, dispatcher)

    filing = {"place": "premise", "category": "leaking_taps", "description": "Течёт кран", "source": "phone"}
    filing |= {"account_number": place.number, "account_id": str(place.account)}
    assert (await client.form("/staff/tickets/new", filing)).status_code == 303
    ticket = (await Ticket.select(Ticket.id).where(Ticket.account == place.account).first())["id"]
    url = f"/staff/tickets/{ticket}"
    assert (await client.form(f"{url}/assign", {"executor": str(executor)})).status_code == 303
    assert (await client.form(f"{url}/status", {"status": "in_work"})).status_code == 303
    edit = {"type": "ordinary", "category": "leaking_taps", "internal_status": "waiting_parts"}
    assert (await client.form(f"{url}/update", edit)).status_code == 303
    blank = [("photos", ("", b"", "application/octet-stream"))]
    assert (await client.form(f"{url}/messages", {"text": "Мастер придёт завтра"}, files=blank)).status_code == 303
    yesterday = (datetime.now(UTC) - timedelta(days=1)).astimezone(clock.zone()).strftime("%Y-%m-%dT%H:%M")
    outage = {"house": str(place.house), "service": "cold_water", "starts_at": yesterday}
    assert (await client.form("/staff/outages", outage)).status_code == 303
    outage_id = (await Outage.select(Outage.id).where(Outage.house == place.house).first())["id"]
    assert (await client.form(f"{url}/outage", {"outage": str(outage_id)})).status_code == 303
    assert (await client.form(f"/staff/outages/{outage_id}/close", {})).status_code == 303

    events = await AuditEvent.select(AuditEvent.action, AuditEvent.ip).where(
        AuditEvent.entity.is_in(["ticket", "outage", "post"])
    )
    assert {e["action"] for e in events} == {
        "ticket.create", "ticket.assign", "ticket.status", "ticket.update", "ticket.message", "ticket.outage",
        "outage.create", "outage.close", "post.outage",  # the outage's notice to the residents, sent with it
    }  # fmt: skip
    assert [e for e in events if e["ip"] != CLIENT_IP] == []


async def _ticket(make_account) -> tuple[int, int]:
    place = await make_account()
    opened = await actions.open_ticket(
        account_id=place.account, category="leaking_taps", description="Течёт кран", now=datetime.now(UTC)
    )
    return opened.id, opened.number


async def test_the_log_names_a_request_by_its_number_linked_to_its_page(client, make_user, make_account, login):
    ticket, _ = await _ticket(make_account)
    await Ticket.update({Ticket.number: 10**6 + ticket}).where(Ticket.id == ticket)  # a number unlike its id
    number = 10**6 + ticket
    gone = 10**9
    events = [
        ("ticket.status", "ticket", ticket, {"status": ["new", "in_work"]}),
        ("ticket.status", "ticket", gone, {"status": ["new", "in_work"]}),
    ]
    listed = as_read(await _page(client, make_user, login, "ru", *events))
    assert f'<a href="/staff/tickets/{ticket}">Заявка №\u00a0{number}</a></td>' in listed
    assert f"Заявка #{ticket}<" not in listed
    assert f"Заявка #{gone}</td>" in listed  # a request since deleted keeps its id, unlinked
    await client.speak("en")
    english = html.unescape((await client.get("/staff/audit")).text)
    assert f'<a href="/staff/tickets/{ticket}">Request No.\u00a0{number}</a>' in as_read(english)


async def test_the_numbers_of_a_page_come_from_one_query(client, make_user, make_account, login, audit_log_queries):
    admin = await make_user(roles=("admin",))
    await login(client, admin)
    ticket, _ = await _ticket(make_account)
    await audit_log_queries(("ticket.status", "ticket", ticket, {"status": ["new", "in_work"]}))  # the first page
    few = await audit_log_queries()
    more = [await _ticket(make_account) for _ in range(4)]
    many = await audit_log_queries(*[("ticket.update", "ticket", t, {"emergency": [False, True]}) for t, _ in more])
    assert len(many) == len(few), (few, many)
    assert sum('FROM "ticket"' in q for q in many) == 1, many


async def test_a_resident_s_own_steps_on_their_request_are_in_the_log_with_their_address(
    client, new_client, login, make_user, make_account
):
    """Filing a request, writing in it, cancelling it, confirming the work, returning it and rating it are the
    resident's acts: each writes one event, signed by the resident, with the address they acted from, which the log
    reads in Russian and English. The event keeps the number, the statuses and the rating, not the description, the
    message, the reason or the feedback the resident wrote."""
    place = await make_account()
    resident = await make_user(name="Петрова Анна", accounts={place.account: "owner"}, rights=("view", "tickets"))
    await login(client, resident)
    dispatcher = new_client()
    await login(dispatcher, await make_user(roles=("dispatcher",), houses=(place.house,)))
    filing = {"account": str(place.account), "place": "premise", "category": "leaking_taps"}
    filing["description"] = "Течёт кран на кухне"
    blank = {"photos": ("", b"", "application/octet-stream")}
    for _ in range(2):
        assert (await client.form("/tickets/new", filing, files=blank)).status_code == 303
    cancelled, worked = [
        r["id"] for r in await Ticket.select(Ticket.id).where(Ticket.account == place.account).order_by(Ticket.id)
    ]
    message = {"text": "Кран в ванной тоже течёт"}
    assert (await client.form(f"/tickets/{worked}/messages", message, files=blank)).status_code == 303
    staff_events = await AuditEvent.count() - 3  # the resident's two requests and their message

    async def done() -> None:
        assert (await dispatcher.form(f"/staff/tickets/{worked}/status", {"status": "done"})).status_code == 303

    assert (await client.form(f"/tickets/{cancelled}/cancel", {"confirm": "1"})).status_code == 303
    await done()
    assert (await client.form(f"/tickets/{worked}/reopen", {"reason": "Кран всё ещё течёт"})).status_code == 303
    await done()
    assert (await client.form(f"/tickets/{worked}/confirm")).status_code == 303
    assert (await client.form(f"/tickets/{worked}/rate", {"rating": "4", "feedback": "Долго ждали"})).status_code == 303

    events = await AuditEvent.select().where(AuditEvent.actor_id == resident).order_by(AuditEvent.id)
    changes = [e["changes"] if isinstance(e["changes"], dict) else json.loads(e["changes"]) for e in events]
    assert [(e["action"], e["entity_id"], e["ip"]) for e in events] == [
        ("ticket.file", cancelled, CLIENT_IP),
        ("ticket.file", worked, CLIENT_IP),
        ("ticket.reply", worked, CLIENT_IP),
        ("ticket.cancel", cancelled, CLIENT_IP),
        ("ticket.return", worked, CLIENT_IP),
        ("ticket.confirm", worked, CLIENT_IP),
        ("ticket.rate", worked, CLIENT_IP),
    ]
    numbers = {r["id"]: r["number"] for r in await Ticket.select(Ticket.id, Ticket.number)}
    assert changes[:2] == [{"number": numbers[t], "source": "portal"} for t in (cancelled, worked)]
    reply = await TicketEvent.select(TicketEvent.id).where(TicketEvent.comment == message["text"]).first()
    assert changes[2] == {"event": reply["id"]}
    changes = changes[3:]
    assert changes[0] == {"status": ["new", "cancelled"]}
    assert changes[1]["status"] == ["done", "reopened"] and "deadline" in changes[1]  # counted anew by the return
    assert changes[2:] == [{"status": ["done", "closed"]}, {"rating": 4}]
    written = ("Течёт кран", "Кран в ванной", "Кран всё ещё течёт", "Долго ждали")
    assert [words for words in written if words in str(events)] == []
    assert await AuditEvent.count() == staff_events + len(events) + 2  # the dispatcher's two moves, no more
    # Each is also in the request's history, with the moment the log gives it.
    history = await TicketEvent.select(TicketEvent.kind, TicketEvent.created_at).where(
        (TicketEvent.ticket == worked) & TicketEvent.kind.is_in(["status", "rating"])
    )
    moments = {e["created_at"] for e in history}
    assert all(e["created_at"] in moments for e in events[4:])

    admin = new_client()
    await login(admin, await make_user(roles=("admin",)))
    listed = as_read(html.unescape((await admin.get("/staff/audit")).text))
    for said in ("Житель подал заявку", "Житель написал в заявке",
                 "Житель отменил заявку", "Житель вернул заявку в работу", "Житель подтвердил выполнение работ",
                 "Житель оценил работу", "Статус</strong>: Выполнена → Закрыта", "Оценка</strong>: 4",
                 "Петрова Анна", f"Запись истории</strong>: в заявке №\u00a0{numbers[worked]}<"):  # fmt: skip
        assert said in listed, said
    await admin.speak("en")
    listed = as_read(html.unescape((await admin.get("/staff/audit")).text))
    for said in ("Request filed by the resident", "Message from the resident in a request",
                 "Request cancelled by the resident", "Request returned by the resident",
                 "Work confirmed by the resident", "Work rated by the resident", "Status</strong>: New → Cancelled",
                 "Rating</strong>: 4", f"History entry</strong>: in request No. {numbers[worked]}<"):  # fmt: skip
        assert said in listed, said
    page = as_read(html.unescape((await dispatcher.get(f"/staff/tickets/{worked}")).text))
    assert "Оценка 4 из 5" in page and "Житель подтвердил выполнение" in page
