"""Invitations to an NPS wave on both engines: opening a wave (by hand or by the scheduled job) invites each
resident of the complex once, by the channels they allow and in their language, with the link to the survey;
a second run sends nothing more, and a resident who withdrew the personal-data consent is not invited."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from portal.accounts.actions import withdraw_consent
from portal.accounts.tables import User
from portal.analytics import actions
from portal.analytics.tables import NpsWave
from portal.core.security import Principal
from portal.core.tables import OutboxMessage
from portal.housing.tables import House
from portal.notifications.tables import ChannelChoice
from portal.settings import get_settings
from tests.notifications.test_inapp import at_another_address
from tests.notifications.test_inapp import inapp_links

TODAY = date(2026, 6, 10)
CYRILLIC = re.compile(r"[а-яА-ЯёЁ]")


async def sent() -> dict[int, dict[str, dict[str, Any]]]:
    """The invitations in the outbox: user → channel → row."""
    rows = await OutboxMessage.select().where(OutboxMessage.template == "analytics/nps_invitation")
    found: dict[int, dict[str, dict[str, Any]]] = {}
    for row in rows:
        assert row["channel"] not in found.setdefault(row["user_id"], {})
        found[row["user_id"]][row["channel"]] = row
    return found


async def test_opening_a_wave_invites_each_resident_once_by_their_channels(
    db: Any, make_account: Any, make_user: Any
) -> None:
    a = await make_account()
    b = await make_account(house=a.house)
    elsewhere = await make_account()
    complex_id = (await House.select(House.complex).where(House.id == a.house).first())["complex"]
    russian = await make_user(accounts={a.account: "owner", b.account: "owner"})  # two flats: one invitation
    english = await make_user(accounts={b.account: "tenant"}, email="reader@example.com")
    await User.update({User.locale: "en", User.phone: "+79990001122"}).where(User.id == english)
    await ChannelChoice(user=english, topic="notice", channel="sms", enabled=True).save()  # also by SMS
    no_mail = await make_user(accounts={a.account: "tenant"})
    await User.update({User.notify_email: False}).where(User.id == no_mail)
    withdrew = await make_user(accounts={a.account: "tenant"})
    assert await withdraw_consent(Principal(user_id=withdrew)) is not None
    never = await make_user(accounts={b.account: "tenant"}, consent=False)
    outsider = await make_user(accounts={elsewhere.account: "owner"})

    wave_id = await actions.open_wave(None, complex_id, TODAY)

    invited = await sent()
    assert {u: set(c) for u, c in invited.items()} == {
        russian: {"inapp", "email"},
        english: {"inapp", "email", "sms"},
        no_mail: {"inapp"},
    }
    assert withdrew not in invited and never not in invited and outsider not in invited
    mail = invited[english]["email"]
    assert mail["recipient"] == "reader@example.com"
    assert mail["subject"] == "How are we doing? Rate our work from 0 to 10"
    assert "open until" in mail["body"] and "/surveys/nps" in mail["body"]
    assert not CYRILLIC.search(mail["subject"] + mail["body"] + invited[english]["sms"]["body"])
    assert invited[english]["sms"]["recipient"] == "+79990001122"
    assert "/surveys/nps" in invited[english]["sms"]["body"]
    assert invited[russian]["email"]["subject"] == "Как мы работаем? Оцените нас от 0 до 10"
    # The in-app rows carry the in-app words, not the short form of SMS and push, and no address (the title links).
    assert invited[english]["inapp"]["body"].startswith("How likely are you to recommend our management company")
    assert invited[russian]["inapp"]["body"].startswith("Насколько вероятно, что вы порекомендуете")
    assert all("/surveys/nps" not in invited[p]["inapp"]["body"] for p in (russian, english, no_mail))
    assert all(row["dedupe_key"].startswith(f"nps:{wave_id}:") for c in invited.values() for row in c.values())

    # A second run of the same wave sends nothing; neither does the job on the same day (the wave is open).
    closes_on = (await NpsWave.select(NpsWave.closes_on).where(NpsWave.id == wave_id).first())["closes_on"]
    assert await actions.invite(wave_id, complex_id, closes_on, TODAY) == 0
    await actions.open_due_waves(TODAY)
    assert await OutboxMessage.count().where(OutboxMessage.user_id.is_in([russian, english, no_mail])) == 6


async def test_the_scheduled_job_invites_the_residents_of_the_wave_it_opens(
    db: Any, make_account: Any, make_user: Any
) -> None:
    place = await make_account()
    person = await make_user(accounts={place.account: "owner"})
    await actions.open_due_waves(TODAY)
    await actions.open_due_waves(TODAY)  # again the same day: nothing more
    assert set((await sent())[person]) == {"inapp", "email"}
    await actions.open_due_waves(date(2026, 12, 1))  # six months on: a new wave, a new invitation
    assert await OutboxMessage.count().where(OutboxMessage.user_id == person) == 4


async def test_an_invitation_in_the_app_links_to_the_survey_after_the_portal_moved(
    db: Any, make_account: Any, make_user: Any
) -> None:
    """The in-app row keeps the survey's path, the e-mail the full address: the list, read once the portal's
    ``BASE_URL`` is another, still links the title to «/surveys/nps»."""
    place = await make_account()
    person = await make_user(accounts={place.account: "owner"})
    await actions.open_due_waves(TODAY)
    assert get_settings().base_url + "/surveys/nps" in (await sent())[person]["email"]["body"]
    with at_another_address():
        assert list((await inapp_links(person)).values()) == ["/surveys/nps"]
