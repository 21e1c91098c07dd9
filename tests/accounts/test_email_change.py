"""A signed-in user changes the login e-mail on the profile: a link to the new address (through a real SMTP server),
a notice to the old one, the login unchanged until the link is opened; then the switch, its audit event and the end
of the user's other sessions."""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import re
from collections.abc import Iterator
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from typing import Any

from portal.accounts import queries
from portal.accounts.passwords import hash_password
from portal.accounts.tables import OneTimeToken
from portal.accounts.tables import User
from portal.core import outbox
from portal.core.tables import AuditEvent
from portal.core.tables import OutboxMessage
from portal.settings import get_settings
from portal.settings import use_settings
from tests.conftest import COOKIE_DOMAIN

PASSWORD = "old password 1"


async def _user(make_user: Any, email: str, *, locale: str = "ru") -> int:
    user_id = await make_user(email=email)
    await User.update({User.password_hash: hash_password(PASSWORD), User.locale: locale}).where(User.id == user_id)
    return user_id


async def _row(user_id: int) -> dict[str, Any]:
    return await User.select().where(User.id == user_id).first()


@contextlib.contextmanager
def _smtp(inbox: Any) -> Iterator[None]:
    settings = get_settings()
    use_settings(dataclasses.replace(settings, smtp_host=inbox.host, smtp_port=inbox.port))
    try:
        yield
    finally:
        use_settings(settings)


async def _deliver(inbox: Any) -> None:
    """Send what the outbox holds through the real SMTP server."""
    with _smtp(inbox):
        while await outbox.deliver_due():
            pass


def _text(message: Any) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def _path(message: Any) -> str:
    return re.search(r"https?://\S+(/email/confirm/\S+)", _text(message)).group(1)


def _session(client: Any) -> str:
    """The session id the client holds (the cookie the app set last)."""
    return [c.value or "" for c in client.cookies.jar if c.name == "session"][-1]


async def _ask(client: Any, new_email: str, password: str = PASSWORD) -> Any:
    return await client.form("/profile/email", {"new_email": new_email, "current_password": password})


async def test_the_new_address_gets_a_link_the_old_a_notice_and_the_link_switches_the_login(
    client, new_client, make_user, login, smtp_server
):
    user_id = await _user(make_user, "old.login@example.ru", locale="en")
    await login(client, user_id)
    other = new_client()  # another device of the same person
    await login(other, user_id)

    asked = await _ask(client, " New.Login@Example.ru ")
    assert asked.status_code == 303 and asked.headers["location"] == "/profile"
    page = (await client.get("/profile")).text  # in the person's language, as their letters
    said = "We have sent a link to new.login@example.ru. Your login changes to it when you open the link and confirm."
    assert said in page
    assert "Waiting for confirmation: new.login@example.ru." in page and "you sign in with old.login@example.ru" in page
    assert (await _row(user_id))["email"] == "old.login@example.ru"  # the login stays until the link is opened

    await _deliver(smtp_server)
    link = smtp_server.wait_for("new.login@example.ru")
    assert link["Subject"] == "Confirm your new e-mail"  # in the user's language
    path = _path(link)
    notice = smtp_server.wait_for("old.login@example.ru")
    assert notice["Subject"] == "Change of your login e-mail"
    assert "new.login@example.ru" in _text(notice) and "/email/confirm/" not in _text(notice)

    token = path.rsplit("/", 1)[1]
    stored = await OneTimeToken.select().where(OneTimeToken.user == user_id).first()
    assert stored["purpose"] == "email" and stored["email"] == "new.login@example.ru"
    assert stored["token_hash"] == hashlib.sha256(token.encode()).hexdigest()
    assert token not in str(stored)

    stranger = new_client()  # the link works without signing in, and speaks the person's language (its letter's)
    # Opening the link (as a mail scanner does before the person) only shows a button; nothing changes.
    shown = await stranger.get(path)
    assert shown.status_code == 200
    assert f'method="post" action="{path}"' in shown.text and "Make it my login" in shown.text
    assert "Press the button to make new.login@example.ru the login of your account" in shown.text
    assert (await _row(user_id))["email"] == "old.login@example.ru"
    assert not await AuditEvent.exists().where(AuditEvent.action == "user.email")
    assert (await client.get("/profile")).status_code == 200  # no session has ended
    assert (await stranger.get(path)).status_code == 200  # the token is not spent
    opened = await stranger.form(path)
    assert opened.status_code == 303 and opened.headers["location"] == "/login"
    assert "Your login is now new.login@example.ru. Sign in with it." in (await stranger.get("/login")).text
    row = await _row(user_id)
    assert row["email"] == "new.login@example.ru" and row["email_confirmed_at"] is not None
    event = await AuditEvent.select().output(load_json=True).where(AuditEvent.action == "user.email").first()
    assert (event["entity"], event["entity_id"], event["actor_id"]) == ("user", user_id, user_id)
    assert event["changes"] == {"email": ["old.login@example.ru", "new.login@example.ru"]}

    # The address that was the login hears the change is done (a stranger's would otherwise go unseen).
    smtp_server.messages.clear()
    await _deliver(smtp_server)
    done = smtp_server.wait_for("old.login@example.ru")
    assert done["Subject"] == "Your login e-mail was changed" and "is now new.login@example.ru" in _text(done)
    assert not [m for m in smtp_server.messages if "new.login@example.ru" in m.rcpt_tos]
    for device in (client, other):  # as after a password change, the user's sessions end
        assert (await device.get("/profile")).status_code == 303
    assert (await stranger.get(path)).status_code == 410  # the link works once
    assert (await stranger.form(path)).status_code == 410
    wrong = await stranger.form("/login", {"login": "old.login@example.ru", "password": PASSWORD})
    assert wrong.status_code == 422
    assert (await stranger.form("/login", {"login": "new.login@example.ru", "password": PASSWORD})).status_code == 303


async def test_the_link_opened_where_the_user_is_signed_in_keeps_that_session_under_a_new_id(
    client, new_client, make_user
):
    await _user(make_user, "keep.me@example.ru")
    devices = [client, new_client()]
    for device in devices:
        assert (await device.form("/login", {"login": "keep.me@example.ru", "password": PASSWORD})).status_code == 303
    assert (await _ask(client, "kept@example.ru")).status_code == 303
    path = await _outbox_link("kept@example.ru")
    assert (await client.get(path)).status_code == 200
    before = _session(client)
    opened = await client.form(path)
    assert opened.status_code == 303 and opened.headers["location"] == "/profile"
    page = await client.get("/profile")
    assert page.status_code == 200
    assert "Теперь ваш логин — kept@example.ru. Здесь вы остаётесь в портале" in page.text
    assert _session(client) != before
    assert (await devices[1].get("/profile")).status_code == 303  # the other device is signed out


async def test_a_browser_with_a_session_cookie_naming_nothing_gets_its_message_under_a_new_id(
    client, new_client, make_user, login, app
):
    """A cookie that names no stored session (made up, or planted) is no session: what the answer keeps for the
    browser (here the message to sign in with the new address) is stored under a new id, never under the cookie's."""
    user_id = await _user(make_user, "planted@example.ru")
    await login(client, user_id)
    await _ask(client, "planted.new@example.ru")
    path = await _outbox_link("planted.new@example.ru")
    stranger = new_client()
    for made_up in ("null", "attacker-chosen-id"):
        stranger.cookies.set("session", made_up, domain=COOKIE_DOMAIN)
        assert (await stranger.get(path)).status_code == 200
        assert _session(stranger) == made_up  # left alone: it names nothing
    opened = await stranger.form(path)
    assert opened.status_code == 303 and opened.headers["location"] == "/login"
    kept = _session(stranger)
    assert kept not in ("", "null", "attacker-chosen-id")
    store = app.stores.get("sessions")
    assert await store.get(kept) is not None
    assert await store.get("attacker-chosen-id") is None and await store.get("null") is None
    assert "Войдите с ним." in (await stranger.get("/login")).text


async def _outbox_link(email: str) -> str:
    row = (
        await OutboxMessage.select(OutboxMessage.body)
        .where(OutboxMessage.recipient == email)
        .order_by(OutboxMessage.id, ascending=False)
        .first()
    )
    assert row is not None, f"no e-mail to {email}"
    return re.search(r"(/email/confirm/\S+)", row["body"]).group(1)


async def test_an_expired_link_is_refused_and_changes_nothing(client, make_user, login):
    user_id = await _user(make_user, "late@example.ru")
    await login(client, user_id)
    await _ask(client, "too.late@example.ru")
    path = await _outbox_link("too.late@example.ru")
    stored = await OneTimeToken.select().where(OneTimeToken.user == user_id).first()
    assert timedelta(hours=23) < stored["expires_at"] - datetime.now(UTC) <= timedelta(hours=24)
    await OneTimeToken.update({OneTimeToken.expires_at: datetime.now(UTC) - timedelta(seconds=1)}).where(
        OneTimeToken.user == user_id
    )
    gone = await client.get(path)
    assert gone.status_code == 410
    assert "запросите смену ещё раз в профиле" in gone.text
    assert (await client.form(path)).status_code == 410
    assert (await _row(user_id))["email"] == "late@example.ru"
    assert "Ждёт подтверждения" not in (await client.get("/profile")).text


async def test_an_address_that_is_another_users_login_is_answered_alike_and_its_owner_told(
    client, make_user, login, smtp_server
):
    holder = await _user(make_user, "taken@example.ru", locale="en")
    user_id = await _user(make_user, "asker@example.ru")
    await login(client, user_id)
    pages = []
    for address in ("taken@example.ru", "free@example.ru"):
        asked = await _ask(client, address)
        assert asked.status_code == 303
        pages.append((await client.get("/profile")).text.replace(address, "X"))
    assert pages[0] == pages[1]  # the asker cannot tell a taken address from a free one

    await _deliver(smtp_server)
    told = smtp_server.wait_for("taken@example.ru")
    assert told["Subject"] == "Change of e-mail on the residents' portal"  # in the holder's language
    assert "already is the login of your account" in _text(told)
    assert "/email/confirm/" not in _text(told)  # no way for the asker to take it
    olds = [m for m in smtp_server.messages if "asker@example.ru" in m.rcpt_tos]
    assert len(olds) == 2  # the old address hears of both requests
    assert (await _row(holder))["email"] == "taken@example.ru"
    assert (await _row(user_id))["email"] == "asker@example.ru"


async def test_an_address_taken_after_the_link_was_sent_is_not_switched_to(client, make_user, login, new_client):
    user_id = await _user(make_user, "first@example.ru")
    await login(client, user_id)
    await _ask(client, "contested@example.ru")
    path = await _outbox_link("contested@example.ru")
    await make_user(email="contested@example.ru")
    refused = await new_client().form(path)
    assert refused.status_code == 409
    assert "стал логином другой учётной записи" in refused.text
    assert (await _row(user_id))["email"] == "first@example.ru"
    assert not await AuditEvent.exists().where(AuditEvent.action == "user.email")


async def test_an_address_taken_in_a_race_with_the_switch_is_refused_not_a_server_error(
    client, make_user, login, new_client, monkeypatch
):
    user_id = await _user(make_user, "racer@example.ru")
    await login(client, user_id)
    await _ask(client, "raced@example.ru")
    path = await _outbox_link("raced@example.ru")
    await make_user(email="raced@example.ru")

    async def not_yet(email: str) -> bool:  # the other account commits just after this check
        return False

    monkeypatch.setattr(queries, "email_taken", not_yet)
    refused = await new_client().form(path)
    assert refused.status_code == 409
    assert "стал логином другой учётной записи" in refused.text
    assert (await _row(user_id))["email"] == "racer@example.ru"
    assert not await AuditEvent.exists().where(AuditEvent.action == "user.email")


async def test_the_change_needs_the_current_password_and_a_new_address(client, make_user, login):
    user_id = await _user(make_user, "careful@example.ru")
    await login(client, user_id)
    wrong = await _ask(client, "new.careful@example.ru", "not my password")
    assert wrong.status_code == 422
    assert "Текущий пароль указан неверно." in wrong.text
    assert 'value="new.careful@example.ru"' in wrong.text  # what was typed is kept
    same = await _ask(client, "Careful@example.ru")
    assert same.status_code == 422 and "Это и есть ваш e-mail." in same.text
    assert not await OutboxMessage.exists().where(OutboxMessage.recipient == "new.careful@example.ru")
    assert not await OneTimeToken.exists().where(OneTimeToken.user == user_id)


async def test_links_to_new_addresses_are_limited_like_phone_codes(client, make_user, login):
    user_id = await _user(make_user, "many@example.ru")
    await login(client, user_id)
    for n in range(3):
        assert (await _ask(client, f"try{n}@example.ru")).status_code == 303
    refused = await _ask(client, "try3@example.ru")
    assert refused.status_code == 429
    assert "За этот час запрошено слишком много ссылок; e-mail не изменён." in refused.text
    assert not await OutboxMessage.exists().where(OutboxMessage.recipient == "try3@example.ru")
    # Only the last link works: a new request calls off the one before.
    assert (await client.get(await _outbox_link("try1@example.ru"))).status_code == 410


async def test_a_new_password_calls_off_a_change_still_waiting(client, make_user, login):
    user_id = await _user(make_user, "victim@example.ru")
    await login(client, user_id)
    await _ask(client, "thief@example.ru")
    path = await _outbox_link("thief@example.ru")
    new = {"current_password": PASSWORD, "password": "brand new pass 7", "password2": "brand new pass 7"}
    assert (await client.form("/profile/password", new)).status_code == 303
    assert (await client.get(path)).status_code == 410
    assert (await _row(user_id))["email"] == "victim@example.ru"
