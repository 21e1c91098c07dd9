"""The notification settings page over HTTP: choices saved, a browser's push subscription kept."""

from __future__ import annotations

import base64
import html
import json
import re

from portal.accounts.passwords import hash_password
from portal.accounts.tables import User
from portal.core.tables import AuditEvent
from portal.core.tables import OutboxMessage
from portal.notifications.forms import endpoint_cookie
from portal.notifications.rules import DEFAULTS
from portal.notifications.rules import Channel
from portal.notifications.rules import Topic
from portal.notifications.rules import choices_changed
from portal.notifications.tables import ChannelChoice
from portal.notifications.tables import PushSubscription
from tests.tickets.test_audit_trail import CLIENT_IP


async def test_settings_are_saved_and_a_browser_subscribes(db, client, login, make_user):
    user = await make_user()
    await login(client, user)
    page = await client.get("/notifications/settings")
    assert page.status_code == 200
    assert 'value="emergency:sms" checked' in page.text and 'value="news:sms"' in page.text
    # None yet is said in words, not as «0 браузеров получают ваши push-уведомления».
    assert "Push-уведомления пока не включены ни в одном из ваших браузеров." in page.text
    assert "0 браузеров" not in page.text
    saved = await client.form("/notifications/settings", {"want": ["emergency:email", "news:sms"]})
    assert saved.status_code == 303
    rows = await ChannelChoice.select(ChannelChoice.topic, ChannelChoice.channel, ChannelChoice.enabled).where(
        ChannelChoice.user == user
    )
    chosen = {(r["topic"], r["channel"]): r["enabled"] for r in rows}
    assert chosen[("news", "sms")] is True and chosen[("emergency", "sms")] is False
    page = await client.get("/notifications/settings")
    assert 'value="emergency:sms">' in page.text and 'value="news:sms" checked' in page.text
    subscription = {"endpoint": "https://push.example/abc", "keys": {"p256dh": "BPk", "auth": "x1"}}
    token = await client.csrf_token()
    answer = await client.post("/notifications/push", content=json.dumps(subscription), headers={"x-csrftoken": token})
    assert answer.status_code == 201
    assert await PushSubscription.count().where(PushSubscription.user == user) == 1
    assert "1 браузер получает ваши push-уведомления." in (await client.get("/notifications/settings")).text
    bad = await client.post("/notifications/push", content=b"{}", headers={"x-csrftoken": token})
    assert bad.status_code == 400


async def test_the_settings_page_is_named_apart_from_the_list_and_leads_back_to_it(db, client, login, make_user):
    # Reached from the profile or the list «Уведомления», the page of choices is not a second «Уведомления» with no
    # way back on a phone: its own name, and a link up to the list of notifications.
    await login(client, await make_user())
    page = await client.get("/notifications/settings")
    assert "<h1>Настройки уведомлений</h1>" in page.text
    assert re.search(r'class="breadcrumbs"><a href="/notifications">Уведомления</a>', page.text)
    assert "<title>Настройки уведомлений" in page.text


def test_a_change_of_choices_is_told_by_channel_and_topic_and_none_when_nothing_changes() -> None:
    kept = {("news", "sms"): True}  # SMS of news chosen, the rest as by default
    wanted = {(t, c) for t in Topic for c in DEFAULTS[t] if c is not Channel.INAPP} | {(Topic.NEWS, Channel.SMS)}
    assert choices_changed(kept, wanted) == {}
    wanted = wanted - {(Topic.NEWS, Channel.SMS), (Topic.NOTICE, Channel.EMAIL)} | {(Topic.NEWS, Channel.EMAIL)}
    assert choices_changed(kept, wanted) == {"email_on": ["news"], "email_off": ["notice"], "sms_off": ["news"]}


async def test_the_channels_a_person_chooses_are_in_the_audit_log(db, client, new_client, login, make_user):
    """Staff answer for what reaches a person and how: the channels turned on and off, by topic, are in the audit
    log, signed by the person, with the address they chose from, in words; a save changing nothing writes none."""
    user = await make_user(name="Анна Петрова")
    await login(client, user)
    for _ in range(2):
        saved = await client.form("/notifications/settings", {"want": ["emergency:email", "news:sms"]})
        assert saved.status_code == 303
    events = await AuditEvent.select().where(AuditEvent.action == "notifications.choices")
    assert [(e["actor_id"], e["entity"], e["entity_id"], e["ip"]) for e in events] == [(user, "user", user, CLIENT_IP)]
    changes = events[0]["changes"]
    assert (json.loads(changes) if isinstance(changes, str) else changes) == {
        "email_off": ["notice", "account"], "sms_on": ["news"], "sms_off": ["emergency"],
        "push_off": ["emergency", "notice", "news", "account"],
    }  # fmt: skip
    admin = new_client()
    await login(admin, await make_user(roles=("admin",)))
    log = html.unescape((await admin.get("/staff/audit")).text)
    said = ("Выбраны каналы уведомлений", "Включены SMS для</strong>: Новости",
            "Отключена почта для</strong>: Объявления дома, Мои платежи, заявки и показания")  # fmt: skip
    assert [words for words in said if words not in log] == []


async def test_the_settings_say_which_ticked_channels_cannot_reach_the_person(db, client, login, make_user):
    """E-mail switched off in the profile (or no phone for SMS) still showed its boxes ticked, as a promise: a
    resident who had turned e-mail off read «Аварии и отключения: E-mail ✓» and waited for letters that never came.
    The page says which channel cannot reach them, whatever is ticked, and where to change it."""
    from portal.accounts.tables import User

    user = await make_user()
    await User.update({User.phone: None, User.notify_email: True}).where(User.id == user)
    await login(client, user)
    page = (await client.get("/notifications/settings")).text
    assert "В профиле нет телефона: SMS не приходят, что бы ни было отмечено ниже." in page
    assert "e-mail выключен" not in page and 'href="/profile"' in page
    await User.update({User.phone: "+79780000077", User.notify_email: False}).where(User.id == user)
    page = (await client.get("/notifications/settings")).text
    # Security e-mails still come (``accounts.rules.always_mailed``): the warning does not say «no e-mail at all».
    said = "В профиле e-mail выключен: по e-mail приходят только письма о безопасности входа, что бы ни было отмечено"
    assert said in page
    assert "нет телефона" not in page
    await client.speak("en")
    page = (await client.get("/notifications/settings")).text
    assert "E-mail is turned off in your profile, so only security e-mails come by e-mail, whatever is" in page
    await User.update({User.notify_email: True}).where(User.id == user)
    assert 'id="unreachable"' not in (await client.get("/notifications/settings")).text


async def test_the_settings_say_security_e_mails_come_whatever_is_unticked(db, client, login, make_user):
    """Security notices (access to the account, the password) go by e-mail whatever the grid says: the page says so
    under the topics — to a person with an address to send them to."""
    from portal.accounts.tables import User

    user = await make_user(email="grid@example.ru")
    await login(client, user)
    assert "Письма о безопасности входа приходят всегда." in (await client.get("/notifications/settings")).text
    await client.speak("en")
    assert "Security e-mails are always sent." in (await client.get("/notifications/settings")).text
    await User.update({User.email: None, User.phone: "+79780000078"}).where(User.id == user)
    assert 'id="security-mail"' not in (await client.get("/notifications/settings")).text


async def _subscribe(client, endpoint: str) -> None:
    subscription = {"endpoint": endpoint, "keys": {"p256dh": "BPk", "auth": "x1"}}
    token = await client.csrf_token()
    answer = await client.post("/notifications/push", content=json.dumps(subscription), headers={"x-csrftoken": token})
    assert answer.status_code == 201


async def test_signing_out_ends_this_browsers_push_for_the_person(db, client, login, make_user):
    """Push survived sign-out: on a shared computer the next person at the browser got the previous one's notices.
    Signing out forgets the subscription this browser made for the person (the cookie set when it subscribed names
    it), and only that one: their phone keeps receiving."""
    user = await make_user()
    phone = PushSubscription(user=user, endpoint="https://push.example/phone", p256dh="B", auth="a")
    await PushSubscription.insert(phone)
    await login(client, user)
    await _subscribe(client, "https://push.example/shared-pc")
    assert await PushSubscription.count().where(PushSubscription.user == user) == 2
    out = await client.form("/logout")
    assert out.status_code == 303
    left = await PushSubscription.select(PushSubscription.endpoint).where(PushSubscription.user == user)
    assert [r["endpoint"] for r in left] == ["https://push.example/phone"]
    assert "push_endpoint" not in client.cookies


async def test_signing_in_takes_this_browsers_push_from_the_previous_person(db, client, make_user):
    """A session that ran out without a sign-out left the browser's push subscription with the previous person:
    the next one signing in at that browser got their notices. Signing in forgets the subscription the browser's
    cookie names when it is another person's; their other browsers, and the one signing in, keep theirs."""
    previous, person = await make_user(), await make_user()
    await User.update({User.password_hash: hash_password("correct horse 42")}).where(User.id == person)
    shared, phone = "https://push.example/shared-pc", "https://push.example/phone"
    await PushSubscription.insert(
        PushSubscription(user=previous, endpoint=shared, p256dh="B", auth="a"),
        PushSubscription(user=previous, endpoint=phone, p256dh="B", auth="a"),
    )
    client.cookies.set("push_endpoint", endpoint_cookie(shared))
    email = (await User.select(User.email).where(User.id == person).first())["email"]
    answer = await client.form("/login", {"login": email, "password": "correct horse 42"})
    assert answer.status_code == 303
    left = await PushSubscription.select(PushSubscription.user, PushSubscription.endpoint)
    assert left == [{"user": previous, "endpoint": phone}]
    await _subscribe(client, shared)
    client.cookies.set("session", "")
    again = await client.form("/login", {"login": email, "password": "correct horse 42"})
    assert again.status_code == 303
    assert await PushSubscription.count().where(PushSubscription.user == person) == 1


async def test_a_push_cookie_not_signed_by_the_portal_is_ignored(db, client, make_user):
    """The cookie naming this browser's push endpoint was plain base64: a page that could set a cookie for the
    site could name another person's endpoint, and the next sign-in here forgot that person's browser. The
    cookie carries the portal's signature now; one without it, or with a wrong one, names nothing."""
    previous, person = await make_user(), await make_user()
    await User.update({User.password_hash: hash_password("correct horse 42")}).where(User.id == person)
    theirs = "https://push.example/their-phone"
    await PushSubscription.insert(PushSubscription(user=previous, endpoint=theirs, p256dh="B", auth="a"))
    value = base64.urlsafe_b64encode(theirs.encode()).decode()
    email = (await User.select(User.email).where(User.id == person).first())["email"]
    for forged in (value, f"{value}.{'0' * 64}", f"{value}.", f"{value}.{value}"):
        client.cookies.set("push_endpoint", forged)
        client.cookies.set("session", "")
        assert (await client.form("/login", {"login": email, "password": "correct horse 42"})).status_code == 303
        assert await PushSubscription.exists().where(PushSubscription.endpoint == theirs)
    client.cookies.set("push_endpoint", endpoint_cookie(theirs))
    client.cookies.set("session", "")
    assert (await client.form("/login", {"login": email, "password": "correct horse 42"})).status_code == 303
    assert not await PushSubscription.exists().where(PushSubscription.endpoint == theirs)


async def test_accepting_an_invitation_takes_this_browsers_push_from_the_previous_person(
    db, client, new_client, login, make_user, make_account
):
    """Only the password sign-in handed the browser's push subscription over: a person who came in by accepting an
    invitation (or by a confirmation link) on a shared computer got the previous person's notices. Every way in
    does it."""
    place = await make_account()
    manager, previous = await make_user(roles=("manager",), houses=(place.house,)), await make_user()
    await login(client, manager)
    invite = {"account": place.number, "email": "shared.pc@example.ru", "role": "owner"}
    assert (await client.form("/staff/invitations", invite)).status_code == 303
    body = (await OutboxMessage.select().where(OutboxMessage.recipient == "shared.pc@example.ru").first())["body"]
    path = re.search(r"/invite/[\w-]+", body).group(0)
    shared = "https://push.example/shared-pc"
    await PushSubscription.insert(PushSubscription(user=previous, endpoint=shared, p256dh="B", auth="a"))
    guest = new_client()
    guest.cookies.set("push_endpoint", endpoint_cookie(shared))
    password = {"full_name": "Новый Житель", "password": "a good pass 1", "password2": "a good pass 1"}
    assert (await guest.form(path, password)).status_code == 303
    assert not await PushSubscription.exists().where(PushSubscription.endpoint == shared)


async def test_push_can_be_turned_off_in_this_browser(db, client, login, make_user):
    """Once on, push could not be turned off: the card offered only «Включить». A browser that receives them is
    offered «Выключить в этом браузере», a plain form that forgets its subscription."""
    user = await make_user()
    await login(client, user)
    page = (await client.get("/notifications/settings")).text
    assert "Выключить в этом браузере" not in page
    await _subscribe(client, "https://push.example/mine")
    page = (await client.get("/notifications/settings")).text
    assert 'action="/notifications/push/off"' in page and "Выключить в этом браузере" in page
    answer = await client.form("/notifications/push/off")
    assert answer.status_code == 303
    assert await PushSubscription.count().where(PushSubscription.user == user) == 0
    page = (await client.get("/notifications/settings")).text
    assert "Push-уведомления в этом браузере выключены." in page
    assert "Push-уведомления пока не включены ни в одном из ваших браузеров." in page
    assert "Выключить в этом браузере" not in page
