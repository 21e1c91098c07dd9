"""A request's files and a new owner's documents are kept no longer than their purpose (152-ФЗ ст. 5 ч. 7): the
documents of an application for a change of owner ``OWNER_DOCS_KEEP_DAYS`` after it was decided, the photos and files
of a request (a meter's passport among them) ``REQUEST_FILES_KEEP_YEARS`` after it was finished, then deleted by the
daily job; the application, the request, its history and texts stay, and the pages and the files' addresses say the
day they went (410)."""

from __future__ import annotations

import json
from datetime import date
from datetime import datetime
from datetime import timedelta

import pytest

from portal.core import clock
from portal.core import jobs
from portal.core import storage
from portal.core.db import is_sqlite
from portal.core.i18n import format_day
from portal.core.i18n import in_locale
from portal.core.tables import AuditEvent
from portal.tickets import actions
from portal.tickets import queries
from portal.tickets import rules
from portal.tickets.tables import HandoverApplication
from portal.tickets.tables import Ticket
from portal.tickets.tables import TicketAttachment
from tests.querylog import captured
from tests.querylog import plan_of
from tests.querylog import unindexed_steps
from tests.tickets.test_handover import _filed
from tests.tickets.test_handover import today_is  # noqa: F401  (a fixture: the day the application names is past)
from tests.tickets.test_resident import _file
from tests.tickets.test_resident import _resident

NOW = datetime(2026, 12, 6, 9, 0, tzinfo=clock.zone())
DOCS_DAYS, FILES_YEARS = 1095, 3


T = datetime(2026, 3, 1, 12, 0, tzinfo=clock.zone())


@pytest.mark.parametrize(
    ("status", "moments", "finished"),
    [
        ("done", (T, None, None), T),  # an application applied: since the request was done
        ("closed", (T - timedelta(days=2), T, None), T),  # closed after it was done: since its closing
        ("cancelled", (None, None, T), T),  # refused or withdrawn: since that last change
        ("in_work", (T, None, T), None),  # back in work: not finished, nothing counts
        ("new", (None, None, T), None),
    ],
)
def test_when_a_request_finished_for_the_terms_of_its_files(status, moments, finished):
    assert rules.finished_at(status, *moments) == finished


def test_the_documents_go_the_day_after_their_term():
    assert rules.documents_erased_on(date(2026, 3, 1), 1095) == date(2029, 3, 1)  # the 1095 days end on 28.02.2029
    assert rules.documents_erased_on(date(2026, 3, 1), 30) == date(2026, 4, 1)


def test_a_requests_files_go_the_day_after_their_term():
    assert rules.files_erased_on(date(2026, 3, 1), 3) == date(2029, 3, 2)  # the 3 years end on 01.03.2029
    assert rules.files_erased_on(date(2028, 2, 29), 3) == date(2031, 3, 1)  # a term from 29 February ends the 28th
    assert rules.files_erased_on(date(2027, 2, 28), 1) == date(2028, 3, 1)  # not on 29.02.2028: its year back is 28.02


@pytest.mark.parametrize("years", [1, 3])
def test_the_day_said_is_the_first_the_daily_job_takes_the_files(years):
    """For every day a request may finish (leap years among them), the day its page says is the first day the job's
    cut (``rules.files_finished_before``) passes the day it finished."""
    finished = date(2027, 1, 1)
    while finished < date(2033, 1, 1):
        goes = rules.files_erased_on(finished, years)
        assert (
            rules.files_finished_before(goes, years)
            > finished
            >= rules.files_finished_before(goes - timedelta(days=1), years)
        ), finished
        finished += timedelta(days=1)


def _said_today() -> str:
    with in_locale("ru"):
        return format_day(NOW.date())


async def _erase(now: datetime = NOW) -> int:
    return await actions.erase_request_files(now, DOCS_DAYS, FILES_YEARS)


async def _refused(client, new_client, login, make_user, place, ticket_id: int, days_ago: int) -> None:
    """Staff refuse the application (a real refusal), ``days_ago`` days before ``NOW``."""
    operator = await make_user(name="Оператор Ольга", roles=("operator",), houses=(place.house,))
    staff = new_client()
    await login(staff, operator)
    answer = await staff.form(f"/staff/tickets/{ticket_id}/handover/refuse", {"reason": "Выписка нечитаема"})
    assert answer.status_code == 303, answer.text
    await Ticket.update({Ticket.updated_at: NOW - timedelta(days=days_ago)}).where(Ticket.id == ticket_id)
    return staff


async def _documents(ticket_id: int) -> dict:
    return await HandoverApplication.select().where(HandoverApplication.ticket == ticket_id).first()


@pytest.mark.usefixtures("today_is")
async def test_a_refused_applications_documents_go_the_day_after_their_term_and_its_pages_say_so(
    client, new_client, login, make_user, make_account
):
    place, _, _, ticket = await _filed(client, login, make_user, make_account)
    keys = (await _documents(ticket["id"]))["documents"].split()
    assert keys and all(storage.path_of(k).exists() for k in keys)
    resident_page = await client.get(f"/tickets/{ticket['id']}")
    assert "будут удалены" not in resident_page.text  # undecided: no day yet
    staff = await _refused(client, new_client, login, make_user, place, ticket["id"], days_ago=DOCS_DAYS)
    with in_locale("ru"):
        goes = f"Документы будут удалены {format_day(NOW.date() + timedelta(days=1))} по сроку хранения"
    assert goes in (await client.get(f"/tickets/{ticket['id']}")).text  # the day after the term, said ahead
    assert goes in (await staff.get(f"/staff/tickets/{ticket['id']}/handover")).text
    assert await _erase() == 0  # decided 1095 days ago: the term ends today, the documents stay
    assert all(storage.path_of(k).exists() for k in keys)
    assert (await client.get(f"/tickets/{ticket['id']}/documents/1")).status_code == 200

    await Ticket.update({Ticket.updated_at: NOW - timedelta(days=DOCS_DAYS + 1)}).where(Ticket.id == ticket["id"])
    assert await _erase() == 1
    handover = await _documents(ticket["id"])
    assert handover["documents_erased_at"] == NOW and not any(storage.path_of(k).exists() for k in keys)
    assert handover["full_name"] == "Новикова Анна Сергеевна"  # the application itself stays
    said = f"Документы удалены {_said_today()} по сроку хранения (152-ФЗ ст.\u00a05 ч.\u00a07)"
    for who, page, document in (
        (client, f"/tickets/{ticket['id']}", f"/tickets/{ticket['id']}/documents/1"),
        (staff, f"/staff/tickets/{ticket['id']}/handover", f"/staff/tickets/{ticket['id']}/handover/documents/1"),
    ):
        shown = await who.get(page)
        assert said in shown.text and "/documents/1" not in shown.text, shown.text
        gone = await who.get(document)
        assert gone.status_code == 410 and said in gone.text
    (event,) = await AuditEvent.select().where(AuditEvent.action == "ticket.documents_erased")
    assert event["actor_id"] is None
    assert json.loads(event["changes"]) == {"applications": 1, "documents_deleted": len(keys)}
    assert await _erase(NOW + timedelta(days=1)) == 0  # done once


@pytest.mark.usefixtures("today_is")
async def test_an_undecided_applications_documents_stay(client, login, make_user, make_account):
    _, _, _, ticket = await _filed(client, login, make_user, make_account)
    old = NOW - timedelta(days=DOCS_DAYS + 400)
    await Ticket.update({Ticket.created_at: old, Ticket.updated_at: old}).where(Ticket.id == ticket["id"])
    assert await _erase() == 0
    handover = await _documents(ticket["id"])
    assert handover["documents_erased_at"] is None
    assert all(storage.path_of(k).exists() for k in handover["documents"].split())


async def _request_with_photo(client, login, make_user, make_account, photo, status: str, finished: datetime):
    user, place = await _resident(make_user, make_account)
    await login(client, user)
    answer = await _file(client, place, files=[("photos", ("kitchen.jpg", photo, "image/jpeg"))])
    assert answer.status_code == 303, answer.text
    ticket = await Ticket.select(Ticket.id).where(Ticket.account == place.account).first()
    moments = {Ticket.status: status, Ticket.completed_at: finished, Ticket.closed_at: None}
    if status == "closed":
        moments[Ticket.closed_at] = finished
    await Ticket.update(moments).where(Ticket.id == ticket["id"])
    await TicketAttachment.update({TicketAttachment.created_at: finished - timedelta(days=3)}).where(
        TicketAttachment.ticket == ticket["id"]
    )
    (attachment,) = await TicketAttachment.select().where(TicketAttachment.ticket == ticket["id"])
    return ticket["id"], attachment


@pytest.mark.parametrize(
    ("status", "finished", "erased"),
    [
        ("closed", NOW - timedelta(days=3 * 365 + 2), True),  # closed 3 years and a day ago
        ("done", NOW - timedelta(days=3 * 365 + 2), True),
        ("closed", NOW - timedelta(days=3 * 365 - 1), False),  # within its term
        ("in_work", NOW - timedelta(days=5 * 365), False),  # back in work: not closed, kept
    ],
)
async def test_a_requests_photo_goes_three_years_after_it_is_closed(
    client, login, make_user, make_account, photo, status, finished, erased
):
    ticket_id, attachment = await _request_with_photo(client, login, make_user, make_account, photo, status, finished)
    assert storage.path_of(attachment["file_key"]).exists()
    assert await _erase() == int(erased)
    kept = await TicketAttachment.select().where(TicketAttachment.id == attachment["id"]).first()
    assert (kept["erased_at"] == NOW) is erased
    assert storage.path_of(attachment["file_key"]).exists() is not erased
    page = await client.get(f"/tickets/{ticket_id}")
    photo_url = f"/tickets/photos/{attachment['id']}"
    said = f"1\u00a0файл удалён {_said_today()} по сроку хранения"
    assert (said in page.text) is erased and (photo_url in page.text) is not erased
    assert "Течёт кран на кухне" in page.text  # the request and its text stay
    answer = await client.get(photo_url)
    assert answer.status_code == (410 if erased else 200)
    if erased:
        assert said in answer.text
        (event,) = await AuditEvent.select().where(AuditEvent.action == "ticket.files_erased")
        assert json.loads(event["changes"]) == {"files_deleted": 1, "requests": 1}


async def test_the_daily_job_reads_the_terms_from_the_settings(
    client, login, make_user, make_account, photo, monkeypatch
):
    import dataclasses

    from portal import settings as portal_settings

    finished = NOW - timedelta(days=2 * 365 + 2)
    _, attachment = await _request_with_photo(client, login, make_user, make_account, photo, "closed", finished)
    job = jobs.registered()["request-files-erasure"]
    await job.run(NOW)
    assert (await TicketAttachment.select().where(TicketAttachment.id == attachment["id"]).first())["erased_at"] is None
    changed = dataclasses.replace(portal_settings.get_settings(), request_files_keep_years=2)
    monkeypatch.setattr(portal_settings, "_current", changed)
    await job.run(NOW)
    assert (await TicketAttachment.select().where(TicketAttachment.id == attachment["id"]).first())["erased_at"]


@pytest.mark.parametrize(
    ("read", "table"),
    [
        (lambda: queries.documents_past_term(NOW, 200), "handover_application"),
        (lambda: queries.files_past_term(NOW, 200), "ticket_attachment"),
    ],
)
async def test_the_job_reads_through_the_indexes_of_the_erasure(db, read, table):
    with captured(db) as seen:
        await read()
    plan = await plan_of(db, seen[0], forbid_seqscan=True)
    assert unindexed_steps(plan, table, is_sqlite(db)) == [], plan


async def test_a_finished_requests_pages_say_the_day_its_files_go(
    client, new_client, login, make_user, make_account, photo
):
    """The resident's page and the staff's say ahead the day the job deletes a finished request's photos and files,
    from the same rule; in work, or with no file left, they say nothing."""
    closed = clock.day_start(date(2024, 3, 1)) + timedelta(hours=12)
    ticket_id, attachment = await _request_with_photo(client, login, make_user, make_account, photo, "in_work", closed)
    house = (await Ticket.select(Ticket.house).where(Ticket.id == ticket_id).first())["house"]
    operator = await make_user(name="Оператор Ольга", roles=("operator",), houses=(house,))
    staff = new_client()
    await login(staff, operator)
    pages = ((client, f"/tickets/{ticket_id}"), (staff, f"/staff/tickets/{ticket_id}"))
    for who, page in pages:
        assert "будут удалены" not in (await who.get(page)).text  # in work: no day yet
    await Ticket.update({Ticket.status: "closed", Ticket.closed_at: closed}).where(Ticket.id == ticket_id)
    with in_locale("ru"):
        goes = f"Фото и файлы заявки будут удалены {format_day(date(2027, 3, 2))} по сроку хранения"
    for who, page in pages:
        assert goes in (await who.get(page)).text, page  # closed 1 March 2024: 3 years end on 1 March 2027
    assert await _erase(clock.day_start(date(2027, 3, 1)) + timedelta(hours=9)) == 0  # the term's last day: kept
    assert await _erase(clock.day_start(date(2027, 3, 2)) + timedelta(hours=9)) == 1  # the day said: gone
    for who, page in pages:
        shown = (await who.get(page)).text
        assert "будут удалены" not in shown and "1\u00a0файл удалён" in shown, page  # no file left to go
    assert (await TicketAttachment.select().where(TicketAttachment.id == attachment["id"]).first())["erased_at"]
