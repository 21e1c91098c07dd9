"""An in-app message is read in the language its reader reads the portal in now, not the one they read it in when it
was sent: its row keeps its template's context and the list words it again; a row without it is shown as stored."""

from __future__ import annotations

import json
import uuid
from datetime import UTC
from datetime import date
from datetime import datetime
from decimal import Decimal

import pytest

from portal.accounts.notify import notify
from portal.core.db import atomic
from portal.core.i18n import in_locale
from portal.core.tables import OutboxMessage
from portal.notifications import messages

MEETING = {
    "title": "Ремонт кровли",
    "title_en": "Roof repair",
    "address": "ул. Киевская, д. 189",
    "form": "absentee",
    "starts_on": date(2026, 12, 10),
    "voting_ends_on": date(2026, 12, 24),
    "url": "https://portal.example/meetings/1",
}


async def test_a_notice_sent_in_russian_reads_in_english_once_the_resident_switches(db, client, login, make_user):
    resident = await make_user()  # the portal in Russian, as every new person's
    async with atomic():
        await notify(resident, "meetings/notice", context=MEETING, dedupe_key="meeting:1:notice", link="/meetings/1")
    await login(client, resident)
    russian = (await client.get("/notifications")).text
    assert "Ремонт кровли" in russian and "с 10 декабря 2026 по 24 декабря 2026" in russian

    await client.form("/lang", {"lang": "en", "next": "/notifications"})
    english = (await client.get("/notifications")).text
    assert "Owners&#39; meeting: Roof repair" in english
    assert "Voting from 10 December 2026 to 24 December 2026 inclusive." in english
    assert "Ремонт кровли" not in english and "декабря" not in english
    assert 'href="/notifications/' in english  # its title still links to the meeting through «open»


async def test_an_owner_told_of_a_change_of_access_reads_it_in_english_after_switching(db, client, login, make_user):
    owner = await make_user()
    async with atomic():
        await notify(owner, "accounts/access_changed", context={"account_id": 1, "number": "9101000001",
                     "what": "code"}, dedupe_key="access:1:code:2", link="/accounts/1/people")  # fmt: skip
    await login(client, owner)
    assert "Доступ к лицевому счёту 9101000001" in (await client.get("/notifications")).text
    await client.form("/lang", {"lang": "en", "next": "/notifications"})
    english = (await client.get("/notifications")).text
    assert "Access to personal account 9101000001" in english
    assert "A new access code was issued for the account; the old one no longer works." in english


async def test_a_message_kept_without_its_context_is_shown_as_stored(db, client, login, make_user):
    """Messages sent before the context was kept (a templated one among them), and any written without a
    template, have only their words: they stay in the language they were written in."""
    resident = await make_user()
    for template in ("meetings/notice", "words_of_its_own"):
        await OutboxMessage(channel="inapp", recipient=str(resident), user_id=resident, template=template,
                            subject=f"Сохранённое {template}", body="Как было записано.", context={"link": "/"},
                            dedupe_key=uuid.uuid4().hex, status="sent").save()  # fmt: skip
    await login(client, resident)
    await client.form("/lang", {"lang": "en", "next": "/notifications"})
    page = (await client.get("/notifications")).text
    assert "Сохранённое meetings/notice" in page and "Сохранённое words_of_its_own" in page
    assert page.count("Как было записано.") == 2


async def test_a_context_its_template_no_longer_reads_is_shown_as_stored():
    """A template whose context changed since (a key renamed) cannot word an old row: the stored words stand."""
    kept = messages.inapp_context("/meetings/1", {"title": "Ремонт кровли"})  # no form, no days
    kept["words"]["form"] = "absentee"
    with in_locale("en"):
        assert messages.reworded("meetings/notice", kept, "Было", "Текст") == ("Было", "Текст")
        assert messages.reworded("no/such/template", kept, "Было", "Текст") == ("Было", "Текст")


@pytest.mark.parametrize("name", sorted(messages.registered()))
def test_every_template_reads_again_from_what_its_row_keeps(name):
    """The context an in-app row keeps gives back what the template was given (dates, amounts as they were), so
    the list's words are those the message had when it was sent, in each language."""
    template = messages.get(name)
    kept = messages.inapp_context("/somewhere", {**template.sample, "link": "/somewhere"})
    for locale in ("ru", "en"):
        sent = messages.render(template, locale, {**template.sample, "link": "/somewhere"})
        with in_locale(locale):
            assert messages.reworded(name, kept, "", "") == (sent.subject, sent.inapp)


def test_dates_moments_and_amounts_come_back_as_themselves():
    context = {"day": date(2026, 3, 1), "at": datetime(2026, 3, 1, 9, tzinfo=UTC), "sum": Decimal("1500.50"),
               "values": [Decimal("1.5"), "2"], "n": 3, "none": None}  # fmt: skip
    kept = messages.inapp_context("/", context)
    assert messages._restore(json.loads(json.dumps(kept["words"]))) == context
