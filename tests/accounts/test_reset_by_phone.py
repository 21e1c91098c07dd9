"""«Забыли пароль?» by phone: a resident who signs in by a confirmed phone gets a code by SMS (through the outbox
and the SMS provider, here the sandbox over HTTP), types it back and chooses a new password as through an e-mailed
link. The code is stored hashed, works once, for 15 minutes, dies after a few wrong tries, and the tries are counted
per phone and per IP. An unknown phone is answered with the same page, and no SMS goes anywhere."""

from __future__ import annotations

import re
from datetime import timedelta

from portal.accounts import rules
from portal.accounts.passwords import hash_password
from portal.accounts.rules import TokenPurpose
from portal.accounts.tables import OneTimeToken
from portal.accounts.tables import User
from portal.core import clock
from portal.core import outbox
from portal.core.tables import OutboxMessage
from tests.notifications.conftest import sandbox_sms  # noqa: F401  (the SMS provider's sandbox, over HTTP)
from tests.notifications.conftest import sandbox_sms_process  # noqa: F401

PHONE = "+79780001122"
OLD_PASSWORD = "old password 1"
NEW_PASSWORD = "brand new pass 7"


async def _resident(make_user, locale: str = "ru") -> int:
    """A resident who signs in by a confirmed phone and reads no e-mail."""
    user_id = await make_user(locale=locale)
    await User.update(
        {User.password_hash: hash_password(OLD_PASSWORD), User.phone: PHONE, User.phone_confirmed_at: clock.now()}
    ).where(User.id == user_id)
    return user_id


async def _sms_code(sandbox) -> tuple[str, str]:
    """The code and the link of the one text message the sandbox provider received."""
    await outbox.deliver_all(clock.now(), seconds=60)
    [sms] = sandbox.messages()
    assert sms["phone"] == PHONE
    code = re.search(r"\b(\d{6})\b", sms["text"])
    link = re.search(r"https?://\S+", sms["text"])
    assert code and link, sms["text"]
    return code.group(1), link.group(0)


async def _ask(client, login: str = "8 (978) 000-11-22") -> str:
    response = await client.form("/password/forgot", {"login": login})
    assert response.status_code == 200
    return response.text


async def test_a_password_is_reset_by_a_code_sent_by_sms(client, new_client, login, make_user, sandbox_sms):  # noqa: F811
    user_id = await _resident(make_user)
    elsewhere = new_client()
    await login(elsewhere, user_id)  # a session on another device, signed out by the reset
    assert (await elsewhere.get("/profile")).status_code == 200
    page = await _ask(client)
    assert 'autocomplete="one-time-code"' in page and 'inputmode="numeric"' in page
    code, link = await _sms_code(sandbox_sms)
    # The link of the SMS opens the page asking the code, the phone typed in.
    asked = await client.get(link[link.index("/password/code") :])
    assert asked.status_code == 200 and 'value="79780001122"' in asked.text
    # Only the code's hash is kept, bound to the user; it lives 15 minutes.
    row = await OneTimeToken.select().where(OneTimeToken.purpose == TokenPurpose.RESET_CODE).first()
    assert row["token_hash"] == rules.reset_code_hash(user_id, code) and code not in row["token_hash"]
    assert row["expires_at"] - row["created_at"] == timedelta(minutes=15)

    opened = await client.form("/password/code", {"login": "79780001122", "code": code})
    assert opened.status_code == 303 and opened.headers["location"].startswith("/password/reset/")
    # The code works once: the same code again, even before the new password is set, is refused.
    again = await new_client().form("/password/code", {"login": PHONE, "code": code})
    assert again.status_code == 422 and "Код неверный или больше не действует" in again.text
    form = {"password": NEW_PASSWORD, "password2": NEW_PASSWORD}
    done = await client.form(opened.headers["location"], form)
    assert done.status_code == 303 and done.headers["location"] == "/login"

    assert f'value="{PHONE}"' in (await client.get("/login")).text  # the phone typed into the sign-in once
    signed_in = await client.form("/login", {"login": PHONE, "password": NEW_PASSWORD})
    assert signed_in.status_code == 303
    assert (await elsewhere.get("/profile")).status_code in (302, 303, 401)  # the other session ended


async def test_the_sms_speaks_the_residents_language(client, make_user, sandbox_sms):  # noqa: F811
    await _resident(make_user, locale="en")
    await _ask(client)
    await _sms_code(sandbox_sms)
    [sms] = sandbox_sms.messages()
    assert sms["text"].startswith("Code ") and "resets the password" in sms["text"]


async def test_an_unknown_phone_gets_the_same_page_and_no_sms(client, make_user, sandbox_sms):  # noqa: F811
    await _resident(make_user)
    known = await _ask(client, "+7 978 000-11-22")
    unknown = await _ask(client, "+7 978 999-88-77")
    assert known.replace("+7 978 000-11-22", "#") == unknown.replace("+7 978 999-88-77", "#")
    assert "мы отправили на него SMS с кодом" in unknown
    await outbox.deliver_all(clock.now(), seconds=60)
    assert [m["phone"] for m in sandbox_sms.messages()] == [PHONE]
    assert not await OutboxMessage.exists().where(OutboxMessage.recipient == "+79789998877")


async def test_a_code_dies_after_five_wrong_tries(client, make_user, sandbox_sms):  # noqa: F811
    await _resident(make_user)
    await _ask(client)
    code, _ = await _sms_code(sandbox_sms)
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    for _try in range(rules.PHONE_CODE_TRIES):
        refused = await client.form("/password/code", {"login": PHONE, "code": wrong})
        assert refused.status_code == 422
    late = await client.form("/password/code", {"login": PHONE, "code": code})
    assert late.status_code == 422 and "Код неверный или больше не действует" in late.text


async def test_tries_are_limited_per_phone_across_codes(client, make_user, sandbox_sms):  # noqa: F811
    await _resident(make_user)
    for _try in range(rules.RESET_CODE_PER_PHONE.limit):
        assert (await client.form("/password/code", {"login": PHONE, "code": "000000"})).status_code == 422
    await _ask(client)
    code, _ = await _sms_code(sandbox_sms)
    limited = await client.form("/password/code", {"login": PHONE, "code": code})
    assert limited.status_code == 429


async def test_an_expired_code_is_refused(client, make_user, sandbox_sms):  # noqa: F811
    await _resident(make_user)
    await _ask(client)
    code, _ = await _sms_code(sandbox_sms)
    await OneTimeToken.update({OneTimeToken.expires_at: clock.now() - timedelta(seconds=1)}).where(
        OneTimeToken.purpose == TokenPurpose.RESET_CODE
    )
    refused = await client.form("/password/code", {"login": PHONE, "code": code})
    assert refused.status_code == 422 and "Код неверный или больше не действует" in refused.text


async def test_the_reset_page_a_code_opens_lives_as_long_as_a_code(client, make_user, sandbox_sms, monkeypatch):  # noqa: F811
    """The code is exchanged for the reset page's token: the person is on that page now, so it lives 15 minutes (not
    the hour of an e-mailed link, read later); past them the page says the link no longer works, and sets nothing."""
    user_id = await _resident(make_user)
    await _ask(client)
    code, _ = await _sms_code(sandbox_sms)
    opened = await client.form("/password/code", {"login": PHONE, "code": code})
    reset = opened.headers["location"]
    row = await OneTimeToken.select().where(OneTimeToken.purpose == TokenPurpose.RESET).first()
    assert row["user"] == user_id
    assert row["expires_at"] - row["created_at"] == rules.RESET_BY_CODE_TTL == timedelta(minutes=15)
    assert (await client.get(reset)).status_code == 200
    before = await User.select(User.password_hash).where(User.id == user_id).first()

    later = clock.now() + rules.RESET_BY_CODE_TTL + timedelta(seconds=1)
    monkeypatch.setattr(clock, "now", lambda: later)
    gone = await client.get(reset)
    assert gone.status_code != 200 and 'name="password"' not in gone.text
    form = {"password": NEW_PASSWORD, "password2": NEW_PASSWORD}
    refused = await client.form(reset, form)
    assert refused.status_code != 303 and 'name="password"' not in refused.text
    after = await User.select(User.password_hash).where(User.id == user_id).first()
    assert after["password_hash"] == before["password_hash"]  # the old password stands
