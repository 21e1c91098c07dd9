"""A visitor's viewing request is kept no longer than its purpose (152-ФЗ ст. 5 ч. 7): the name, phone and words of a
visitor who is not a resident go ``VIEWING_KEEP_DAYS`` after the lead was last worked on (and at the latest a year
after the consent, its own term), with the staff's note and the messages that told staff of it; the lead stays and
its page says the day they went. A resident's lead stays as it is."""

from __future__ import annotations

import dataclasses
import importlib
import json
import secrets
from datetime import date
from datetime import datetime
from datetime import timedelta

import pytest

from portal import settings as portal_settings
from portal.core import clock
from portal.core import jobs
from portal.core.db import is_sqlite
from portal.core.i18n import format_day
from portal.core.i18n import in_locale
from portal.core.tables import AuditEvent
from portal.core.tables import OutboxMessage
from portal.showcase import actions
from portal.showcase import queries
from portal.showcase import rules
from portal.showcase.tables import Lead
from tests.querylog import captured
from tests.querylog import plan_of
from tests.querylog import unindexed_steps
from tests.showcase.test_public import LEAD
from tests.showcase.test_staff import _manager

NOW = datetime(2026, 12, 6, 9, 0, tzinfo=clock.zone())
DAYS = 90


async def _sent(visitor, listing: int) -> int:
    """A lead sent through the public form, as a visitor sends it (staff are told by message)."""
    browser = await visitor(f"10.{secrets.randbelow(250)}.{secrets.randbelow(250)}.7")
    assert (await browser.form(f"/showcase/listings/{listing}/lead", LEAD)).status_code == 303
    return (await Lead.select(Lead.id).where(Lead.listing == listing).order_by(Lead.id, ascending=False).first())["id"]


async def _worked(lead_id: int, days_ago: int, consented_days_ago: int | None = None) -> None:
    moment = NOW - timedelta(days=days_ago)
    consented = NOW - timedelta(days=consented_days_ago if consented_days_ago is not None else days_ago)
    await Lead.update({Lead.updated_at: moment, Lead.consent_at: consented, Lead.note: "Звонить после 18"}).where(
        Lead.id == lead_id
    )


async def _lead(lead_id: int) -> dict:
    return await Lead.select().where(Lead.id == lead_id).first()


async def _told(lead_id: int) -> int:
    return await OutboxMessage.count().where(OutboxMessage.dedupe_key.like(f"%:showcase:lead:{lead_id}:%"))


async def test_a_visitors_name_and_phone_go_the_day_after_their_term_and_the_lead_says_so(
    db, client, login, visitor, make_account, make_user, make_listing
):
    place, _ = await _manager(make_account, make_user, login, client)
    listing = await make_listing(house=place.house)
    old, young = await _sent(visitor, listing), await _sent(visitor, listing)
    await _worked(old, DAYS + 1)
    await _worked(young, DAYS)  # its term ends today: kept
    assert await _told(old) > 0

    assert await actions.forget_viewing_requests(NOW, DAYS) == 1
    gone, kept = await _lead(old), await _lead(young)
    assert (gone["name"], gone["phone"], gone["message"], gone["note"], gone["consent_ip"]) == ("", "", "", "", "")
    assert gone["erased_at"] == NOW and gone["status"] == "new" and gone["listing"] == listing  # the lead stays
    assert kept["name"] == "Анна Королёва" and kept["phone"] == "+79785551234" and kept["erased_at"] is None
    assert await _told(old) == 0 and await _told(young) > 0  # the messages that carried them went too
    (event,) = await AuditEvent.select().where(AuditEvent.action == "showcase.leads_erased")
    assert json.loads(event["changes"]) == {"leads": 1}

    with in_locale("ru"):
        said = (
            f"Имя, телефон и сообщение удалены {format_day(NOW.date())} по сроку хранения (152-ФЗ ст.\u00a05 ч.\u00a07)"
        )
    page = await client.get(f"/staff/showcase/leads/{old}")
    assert page.status_code == 200 and said in page.text and "Заявка: посетитель" in page.text
    listed = await client.get("/staff/showcase/leads")
    assert said in listed.text and "Анна Королёва" in listed.text  # the young lead's name, not the old one's
    assert listed.text.count('href="tel:+79785551234"') == 1  # the young lead's phone alone
    assert await actions.forget_viewing_requests(NOW, DAYS) == 0  # done once
    assert await actions.forget_viewing_requests(NOW + timedelta(days=1), DAYS) == 1  # the young one's turn


async def test_a_lead_still_worked_on_goes_a_year_after_its_consent(db, visitor, make_account, make_listing):
    listing = await make_listing(house=(await make_account()).house)
    lead = await _sent(visitor, listing)
    await _worked(lead, days_ago=10, consented_days_ago=365)
    assert await actions.forget_viewing_requests(NOW, DAYS) == 0
    await _worked(lead, days_ago=10, consented_days_ago=367)
    assert await actions.forget_viewing_requests(NOW, DAYS) == 1


async def test_a_residents_lead_stays(db, client, login, make_account, make_user, make_listing):
    place = await make_account()
    resident = await make_user(name="Петрова Анна", accounts={place.account: "owner"})
    listing = await make_listing(house=place.house)
    await login(client, resident)
    assert (await client.form(f"/showcase/listings/{listing}/lead", LEAD)).status_code == 303
    lead = await Lead.select(Lead.id, Lead.user).where(Lead.listing == listing).first()
    assert lead["user"] == resident
    await _worked(lead["id"], DAYS + 30)
    assert await actions.forget_viewing_requests(NOW, DAYS) == 0
    assert (await _lead(lead["id"]))["phone"] == "+79785551234"


async def test_the_daily_job_reads_the_term_from_the_settings(db, visitor, make_account, make_listing, monkeypatch):
    listing = await make_listing(house=(await make_account()).house)
    lead = await _sent(visitor, listing)
    await _worked(lead, 40)
    job = jobs.registered()["viewing-requests-erasure"]
    await job.run(NOW)
    assert (await _lead(lead))["erased_at"] is None
    monkeypatch.setattr(
        portal_settings, "_current", dataclasses.replace(portal_settings.get_settings(), viewing_keep_days=30)
    )
    await job.run(NOW)
    assert (await _lead(lead))["erased_at"] == NOW


async def test_the_job_reads_the_leads_through_their_index(db):
    with captured(db) as seen:
        await queries.leads_past_term(NOW, NOW)
    plan = await plan_of(db, seen[0], forbid_seqscan=True)
    assert unindexed_steps(plan, "lead", is_sqlite(db)) == [], plan


async def test_a_lead_s_messages_are_found_by_their_reference_through_its_index(
    db, client, login, visitor, make_account, make_user, make_listing
):
    """The messages that told staff of a lead name it in ``ref``; the job deletes them by it (an index), not by
    matching the text of their keys."""
    place, _ = await _manager(make_account, make_user, login, client)
    listing = await make_listing(house=place.house)
    lead = await _sent(visitor, listing)
    refs = {
        r["ref"] for r in await OutboxMessage.select(OutboxMessage.ref).where(OutboxMessage.template == "showcase/lead")
    }
    assert refs == {f"showcase:lead:{lead}"}
    await _worked(lead, DAYS + 1)
    with captured(db) as seen:
        assert await actions.forget_viewing_requests(NOW, DAYS) == 1
    (delete,) = [q for q in seen if str(q).lstrip().upper().startswith('DELETE FROM "OUTBOX_MESSAGE"')]
    plan = await plan_of(db, delete, forbid_seqscan=True)
    assert "outbox_message_ref_channel" in plan, plan
    assert await _told(lead) == 0


async def test_the_messages_of_leads_told_before_get_their_reference_and_go_with_the_lead(
    db, client, login, visitor, make_account, make_user, make_listing
):
    """Messages queued before ``ref`` was written (their key alone names the lead) get it from the upgrade, so the
    job deletes them with their lead; another lead's and other messages are left as they are."""
    migration = importlib.import_module("migrations.showcase.showcase_2026_12_06t16_20_00_000000")
    place, _ = await _manager(make_account, make_user, login, client)
    listing = await make_listing(house=place.house)
    lead, other = await _sent(visitor, listing), await _sent(visitor, listing)
    await OutboxMessage.update({OutboxMessage.ref: ""}).where(OutboxMessage.template == "showcase/lead")
    offer = OutboxMessage(
        channel="inapp", recipient="1", template="showcase/offer", dedupe_key="inapp:showcase:offer:4:1"
    )
    await offer.save()
    await migration.fill(db)
    refs = {
        r["ref"] for r in await OutboxMessage.select(OutboxMessage.ref).where(OutboxMessage.template == "showcase/lead")
    }
    assert refs == {f"showcase:lead:{lead}", f"showcase:lead:{other}"}
    assert (await OutboxMessage.select(OutboxMessage.ref).where(OutboxMessage.id == offer.id).first())["ref"] == ""
    await _worked(lead, DAYS + 1)
    assert await actions.forget_viewing_requests(NOW, DAYS) == 1
    assert await _told(lead) == 0 and await _told(other) > 0


@pytest.mark.parametrize(
    ("worked", "consented", "erased"),
    [
        (date(2026, 9, 1), date(2026, 8, 1), date(2026, 12, 1)),  # 90 days after it was last worked on
        (date(2026, 9, 1), date(2025, 11, 1), date(2026, 11, 2)),  # a year after the consent, which comes first
        (date(2027, 12, 31), date(2027, 2, 28), date(2028, 3, 1)),  # not on 29.02.2028: its year back is 28.02
        (date(2028, 12, 31), date(2028, 2, 29), date(2029, 3, 1)),  # a year from 29 February ends on the 28th
    ],
)
def test_a_visitors_data_go_the_day_after_the_first_of_their_terms(worked, consented, erased):
    assert rules.lead_erased_on(worked, consented, DAYS) == erased


def test_the_day_said_is_the_first_the_daily_job_takes_the_lead():
    """For every day a lead may be worked on or consented to (leap years among them), the day its page says is the
    first day the job's cut (``rules.lead_cut``) passes either."""

    def taken(worked: date, consented: date, today: date) -> bool:
        worked_before, consented_before = rules.lead_cut(today, DAYS)
        return worked < worked_before or consented < consented_before

    day = date(2027, 1, 1)
    while day < date(2029, 12, 31):
        for worked, consented in ((day, day), (day + timedelta(days=300), day), (day, day - timedelta(days=200))):
            on = rules.lead_erased_on(worked, consented, DAYS)
            assert taken(worked, consented, on) and not taken(worked, consented, on - timedelta(days=1)), (day, on)
        day += timedelta(days=1)


async def test_a_visitors_lead_says_the_day_its_data_go_and_the_job_takes_it_that_day(
    db, client, login, visitor, make_account, make_user, make_listing
):
    """Staff read on a visitor's lead the day the daily job deletes its name, phone and words; the job keeps them the
    day before and takes them that day. A resident's lead, kept as it is, says nothing of it."""
    place, manager = await _manager(make_account, make_user, login, client)
    listing = await make_listing(house=place.house)
    lead = await _sent(visitor, listing)
    await _worked(lead, days_ago=10, consented_days_ago=20)
    today = clock.local(NOW).date()
    on = rules.lead_erased_on(today - timedelta(days=10), today - timedelta(days=20), DAYS)
    assert on == today + timedelta(days=DAYS - 9)
    with in_locale("ru"):
        said = (
            f"Имя, телефон и сообщение будут удалены {format_day(on)} по сроку хранения (152-ФЗ ст.\u00a05 ч.\u00a07)"
        )
    page = await client.get(f"/staff/showcase/leads/{lead}")
    assert page.status_code == 200 and said in page.text
    eve = datetime.combine(on - timedelta(days=1), datetime.min.time(), clock.zone()) + timedelta(hours=9)
    assert await actions.forget_viewing_requests(eve, DAYS) == 0
    assert await actions.forget_viewing_requests(eve + timedelta(days=1), DAYS) == 1
    page = await client.get(f"/staff/showcase/leads/{lead}")
    assert "будут удалены" not in page.text and "Имя, телефон и сообщение удалены" in page.text

    resident = await make_user(name="Петрова Анна", accounts={place.account: "owner"})
    await login(client, resident)
    assert (await client.form(f"/showcase/listings/{listing}/lead", LEAD)).status_code == 303
    theirs = (await Lead.select(Lead.id).where(Lead.user == resident).first())["id"]
    await login(client, manager)
    page = await client.get(f"/staff/showcase/leads/{theirs}")
    assert page.status_code == 200 and "будут удалены" not in page.text
