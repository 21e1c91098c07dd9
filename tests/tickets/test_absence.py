"""Перерасчёт за временное отсутствие (ПП № 354 разд. VIII): which periods the law lets be recalculated, and the
resident's application, filed as a request the accountant reads in full, with its documents."""

from __future__ import annotations

from datetime import date

import pytest

from portal.core.tables import AuditEvent
from portal.tickets import rules
from portal.tickets.tables import Ticket
from portal.tickets.tables import TicketAttachment
from tests.tickets.test_audit_trail import CLIENT_IP

P = rules.AbsenceProblem
TODAY = date(2026, 8, 10)


@pytest.mark.parametrize(
    ("left", "back", "days"),
    [
        (date(2026, 7, 1), date(2026, 7, 8), 6),  # п. 88: 2nd–7th, neither the day of leaving nor of return
        (date(2026, 7, 1), date(2026, 7, 2), 0),
        (date(2026, 7, 1), date(2026, 7, 1), 0),
        (date(2026, 12, 28), date(2027, 1, 10), 12),
    ],
)
def test_full_days_away_leave_out_the_days_of_leaving_and_return(left, back, days):
    assert rules.absence_full_days(left, back) == days


@pytest.mark.parametrize(
    ("left", "back", "problem"),
    [
        (date(2026, 7, 20), date(2026, 7, 27), None),  # 6 full days: more than 5 (п. 86)
        (date(2026, 7, 20), date(2026, 7, 26), P.SHORT),  # 5 full days: not more than 5
        (date(2026, 7, 8), date(2026, 7, 1), P.ORDER),
        (date(2026, 7, 1), date(2026, 7, 1), P.ORDER),
        (date(2026, 7, 1), date(2026, 7, 11), None),  # back 30 days before today: still in time (п. 90)
        (date(2026, 7, 1), date(2026, 7, 10), P.LATE),  # 31 days
        (date(2026, 8, 20), date(2026, 9, 5), None),  # applied before leaving
        (date(2026, 8, 1), date(2027, 2, 2), None),  # 2 Aug – 1 Feb: six months of full days
        (date(2026, 8, 1), date(2027, 2, 3), P.LONG),  # one day more than six months
    ],
)
def test_which_absences_are_recalculated(left, back, problem):
    assert rules.absence_problem(left, back, TODAY) == problem


async def _resident(make_user, make_account, rights=("view", "tickets")):
    place = await make_account()
    user = await make_user(name="Петрова Анна", accounts={place.account: "owner"}, rights=rights)
    return user, place


def _application(place, **changes):
    data = {
        "account": str(place.account),
        "left": "2026-07-01",
        "back": "2026-07-20",
        "people": "Петрова Анна Сергеевна\nПетров Иван Петрович\n",
        "comment": "Были на даче",
    }
    return {**data, **changes}


@pytest.fixture
def today_is(monkeypatch):
    from portal.core import clock

    monkeypatch.setattr(clock, "today_local", lambda: TODAY)


async def test_a_resident_applies_with_a_document_and_the_request_says_who_and_when(
    client, login, make_user, make_account, photo, today_is
):
    user, place = await _resident(make_user, make_account)
    await login(client, user)
    form = await client.get(f"/tickets/absence?account={place.account}")
    assert form.status_code == 200 and "Перерасчёт за время отсутствия" in form.text
    ticket_file = [("photos", ("tickets.jpg", photo, "image/jpeg"))]
    response = await client.form("/tickets/absence", _application(place), files=ticket_file)
    assert response.status_code == 303, response.text
    ticket = await Ticket.select().where(Ticket.account == place.account).first()
    assert ticket["category"] == "absence_recalculation" and ticket["author"] == user
    assert ticket["deadline"] is not None and ticket["has_new_for_staff"]
    text = ticket["description"]
    assert "Петрова Анна Сергеевна; Петров Иван Петрович" in text
    assert "01.07.2026" in text and "20.07.2026" in text and "18\u00a0полных дней" in text
    assert "Были на даче" in text
    assert "18\u00a0full days away" in ticket["description_en"]
    assert await TicketAttachment.count().where(TicketAttachment.ticket == ticket["id"]) == 1
    page = await client.get(response.headers["location"])
    assert "Петров Иван Петрович" in page.text
    # Filed by the resident, in the audit log as any request they file: the number, never the names they wrote.
    filed = await AuditEvent.select().where(AuditEvent.action == "ticket.file")
    assert [(e["actor_id"], e["entity_id"], e["ip"]) for e in filed] == [(user, ticket["id"], CLIENT_IP)]
    assert "Иван" not in str(filed[0]["changes"]) and "даче" not in str(filed[0]["changes"])


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"left": "2026-07-20", "back": "2026-07-26"}, "более 5\u00a0полных дней подряд"),
        ({"back": "2026-06-30"}, "должен быть позже дня отъезда"),
        ({"left": "2026-06-01", "back": "2026-07-05"}, "не позднее 30\u00a0дней"),
        ({"people": "  \n"}, "ФИО каждого"),
        ({"left": "вчера"}, "Укажите день отъезда"),
    ],
)
async def test_an_application_the_law_does_not_let_through_is_refused_at_its_field(
    client, login, make_user, make_account, today_is, changes, message
):
    user, place = await _resident(make_user, make_account)
    await login(client, user)
    response = await client.form("/tickets/absence", _application(place, **changes))
    assert response.status_code == 422
    assert message in response.text
    assert not await Ticket.exists().where(Ticket.account == place.account)


async def test_nobody_applies_for_an_account_not_theirs(client, login, make_user, make_account, today_is):
    user, _ = await _resident(make_user, make_account)
    other = await make_account()
    await login(client, user)
    response = await client.form("/tickets/absence", _application(other))
    assert response.status_code == 422
    assert not await Ticket.exists().where(Ticket.account == other.account)


@pytest.mark.parametrize("typed", ["18 полных дней отсутствия", "18\u00a0полных\u202fдней"])
async def test_staff_find_an_application_by_its_phrase_typed_with_ordinary_spaces(
    client, login, make_user, make_account, photo, today_is, typed
):
    """The request's description keeps «18 полных дней» with a no-break space (a phone does not break it after the
    number); a dispatcher typing the phrase with ordinary spaces, or pasting it from the page with no-break ones, finds
    the request (``core.search.normalise`` makes every space an ordinary one in the search text and the query)."""
    user, place = await _resident(make_user, make_account)
    await login(client, user)
    ticket_file = [("photos", ("tickets.jpg", photo, "image/jpeg"))]
    assert (await client.form("/tickets/absence", _application(place), files=ticket_file)).status_code == 303
    ticket = await Ticket.select(Ticket.id, Ticket.description).where(Ticket.account == place.account).first()
    assert "18\u00a0полных дней" in ticket["description"]
    dispatcher = await make_user(name="Диспетчер", roles=("dispatcher",), houses=(place.house,))
    await login(client, dispatcher)
    found = await client.get("/staff/tickets", params={"tab": "all", "q": typed})
    missed = await client.get("/staff/tickets", params={"tab": "all", "q": "18 полных недель"})
    assert found.status_code == 200 and f"/staff/tickets/{ticket['id']}" in found.text
    assert f"/staff/tickets/{ticket['id']}" not in missed.text
