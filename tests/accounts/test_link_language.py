"""A link in a letter speaks the language of the person it was sent to: a password reset's, a new login address's
(the person's saved language) and a registration's (the language of the page that asked) keep it with the one-time
link, the letter is written in it, and the page the link opens speaks it on a browser of another language — its
refusals, the page saying the link no longer works and the page after success included — until the visitor
chooses another with the switch. A code sent to a new phone is written in the person's language, and the page it is
typed into speaks it. Both engines; the letters through a real SMTP conversation."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from portal.accounts import queries
from portal.accounts.tables import OneTimeToken
from portal.accounts.tables import User
from portal.core import clock
from portal.core.tables import OutboxMessage
from tests.accounts.test_own_language import ENGLISH_BROWSER
from tests.accounts.test_own_language import PASSWORD
from tests.accounts.test_own_language import RUSSIAN_BROWSER
from tests.accounts.test_own_language import _lang_cookie
from tests.accounts.test_own_language import _page_language
from tests.accounts.test_own_language import _person
from tests.accounts.test_security_mail import _deliver
from tests.accounts.test_security_mail import _text

NEW_PASSWORD = "brand new pass 7"
CYRILLIC_WORD = re.compile("[А-Яа-яЁё]{4}")


async def _english_letter(smtp_server: Any, email: str, marker: str) -> str:
    """The path of the link in the one letter to ``email``, which is written in English throughout."""
    await _deliver(smtp_server)
    letter = smtp_server.wait_for(email)
    text = _text(letter)
    assert not CYRILLIC_WORD.search(str(letter["Subject"]) + text), text
    return re.search(rf"https?://\S+({re.escape(marker)}\S+)", text).group(1)


async def _kept(email: str, purpose: str) -> str:
    row = await OneTimeToken.select(OneTimeToken.locale).where(
        (OneTimeToken.email == email) & (OneTimeToken.purpose == purpose)
    )
    assert len(row) == 1, row
    return row[0]["locale"]


def _russian_computer(new_client: Any) -> Any:
    reader = new_client()
    reader.headers.update(RUSSIAN_BROWSER)
    return reader


async def test_a_reset_asked_on_a_russian_page_is_english_in_the_letter_and_on_every_page_it_opens(
    client, new_client, make_user, smtp_server
):
    _, email = await _person(make_user, "en")
    client.headers.update(RUSSIAN_BROWSER)
    asked = await client.form("/password/forgot", {"login": email})
    assert asked.status_code == 200 and _page_language(asked.text) == "ru"  # the asking page: this browser's
    assert await _kept(email, "reset") == "en"  # the person's saved language, not the page's
    path = await _english_letter(smtp_server, email, "/password/reset/")

    reader = _russian_computer(new_client)
    page = await reader.get(path)
    assert page.status_code == 200 and _page_language(page.text) == "en" and "Save the password" in page.text
    refused = await reader.form(path, {"password": NEW_PASSWORD, "password2": "something else"})
    assert refused.status_code == 422 and _page_language(refused.text) == "en"
    done = await reader.form(path, {"password": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert done.status_code == 303 and _lang_cookie(done) == "en"  # the page after it speaks it too
    after = await reader.get("/login")
    assert _page_language(after.text) == "en" and "Your password has been changed" in after.text

    used = await _russian_computer(new_client).get(path)  # the link again, on another Russian computer
    assert used.status_code == 410 and _page_language(used.text) == "en" and "The link no longer works" in used.text


async def test_a_visitor_who_switches_the_language_on_a_links_page_keeps_their_choice(
    client, new_client, make_user, smtp_server
):
    _, email = await _person(make_user, "en")
    await client.form("/password/forgot", {"login": email})
    path = await _english_letter(smtp_server, email, "/password/reset/")
    reader = _russian_computer(new_client)
    assert _page_language((await reader.get(path)).text) == "en"
    switched = await reader.form("/lang", {"lang": "ru", "next": path})
    assert switched.status_code == 303 and _lang_cookie(switched) == "ru"
    assert _page_language((await reader.get(path)).text) == "ru"
    done = await reader.form(path, {"password": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert done.status_code == 303 and _lang_cookie(done) is None  # their choice stands
    assert "Пароль изменён" in (await reader.get("/login")).text


async def test_a_registration_asked_on_an_english_page_confirms_in_english_on_a_russian_computer(
    client, new_client, make_house, registry_owner, smtp_server
):
    house = await make_house(accounts=1)
    await registry_owner(house["premises"][0], email="newcomer@example.ru")
    client.headers.update(ENGLISH_BROWSER)  # no saved language yet: the page that asked is the person's choice
    form = {
        "account": house["numbers"][0],
        "code": await queries.current_access_code(house["accounts"][0]),
        "role": "owner",
        "full_name": "John Newcomer",
        "email": "newcomer@example.ru",
        "password": PASSWORD,
        "password2": PASSWORD,
    }
    asked = await client.form("/register", form)
    assert asked.status_code == 200 and _page_language(asked.text) == "en"
    assert await _kept("newcomer@example.ru", "confirm") == "en"
    path = await _english_letter(smtp_server, "newcomer@example.ru", "/register/confirm/")

    reader = _russian_computer(new_client)
    page = await reader.get(path)
    assert page.status_code == 200 and _page_language(page.text) == "en" and "Confirm the e-mail" in page.text
    confirmed = await reader.form(path)
    assert confirmed.status_code == 303 and _lang_cookie(confirmed) == "en"
    gone = await _russian_computer(new_client).form(path)  # pressed again elsewhere: used
    assert gone.status_code == 410 and _page_language(gone.text) == "en" and "register again" in gone.text


async def test_registering_again_on_a_page_of_another_language_writes_and_confirms_in_it(
    client, new_client, make_house, registry_owner, smtp_server
):
    """Registered on a Russian page, never confirmed, registered again on an English one: the new attempt replaces
    the old one, its language included — the letter, the page its link opens and the person's saved language."""
    house = await make_house(accounts=1)
    await registry_owner(house["premises"][0], email="twice@example.ru")
    form = {
        "account": house["numbers"][0],
        "code": await queries.current_access_code(house["accounts"][0]),
        "role": "owner",
        "full_name": "John Twice",
        "email": "twice@example.ru",
        "password": PASSWORD,
        "password2": PASSWORD,
    }
    client.headers.update(RUSSIAN_BROWSER)
    assert (await client.form("/register", form)).status_code == 200
    client.headers.update(ENGLISH_BROWSER)
    assert (await client.form("/register", form)).status_code == 200
    await _deliver(smtp_server)
    letters = [m for m in smtp_server.messages if "twice@example.ru" in m.rcpt_tos]
    assert len(letters) == 2
    smtp_server.messages.remove(letters[0])  # the Russian one, whose link the second registration replaced
    path = await _english_letter(smtp_server, "twice@example.ru", "/register/confirm/")
    reader = _russian_computer(new_client)
    assert _page_language((await reader.get(path)).text) == "en"
    confirmed = await reader.form(path)
    assert confirmed.status_code == 303 and _lang_cookie(confirmed) == "en"
    assert (await User.select(User.locale).where(User.email == "twice@example.ru").first())["locale"] == "en"


async def test_a_new_login_address_is_confirmed_in_the_persons_language_and_its_expiry_said_in_it(
    client, new_client, make_user, login, smtp_server
):
    user_id, email = await _person(make_user, "en")
    await login(client, user_id)
    client.cookies.set("lang", "ru")
    client.headers.update(RUSSIAN_BROWSER)
    asked = await client.form("/profile/email", {"new_email": "new.login@example.ru", "current_password": PASSWORD})
    assert asked.status_code == 303
    assert await _kept("new.login@example.ru", "email") == "en"
    path = await _english_letter(smtp_server, "new.login@example.ru", "/email/confirm/")
    assert not CYRILLIC_WORD.search(_text(smtp_server.wait_for(email)))  # the notice to the old address too

    reader = _russian_computer(new_client)  # not signed in there
    page = await reader.get(path)
    assert page.status_code == 200 and _page_language(page.text) == "en" and "Make it my login" in page.text
    done = await reader.form(path)
    assert done.status_code == 303 and done.headers["location"] == "/login" and _lang_cookie(done) == "en"
    after = await reader.get("/login")
    assert _page_language(after.text) == "en" and "Your login is now new.login@example.ru" in after.text


async def test_an_expired_link_says_so_in_its_language(client, new_client, make_user, smtp_server):
    _, email = await _person(make_user, "en")
    await client.form("/password/forgot", {"login": email})
    path = await _english_letter(smtp_server, email, "/password/reset/")
    await OneTimeToken.update({OneTimeToken.expires_at: clock.now() - timedelta(minutes=1)}).where(
        OneTimeToken.email == email
    )
    for gone in (await _russian_computer(new_client).get(path), await _russian_computer(new_client).form(path, {})):
        assert gone.status_code == 410 and _page_language(gone.text) == "en", gone.text
        assert "Reset the password again" in gone.text


async def test_a_link_sent_before_it_kept_a_language_follows_the_browser(client, new_client, make_user, smtp_server):
    _, email = await _person(make_user, "en")
    await client.form("/password/forgot", {"login": email})
    path = await _english_letter(smtp_server, email, "/password/reset/")
    await OneTimeToken.update({OneTimeToken.locale: ""}).where(OneTimeToken.email == email)
    assert _page_language((await _russian_computer(new_client).get(path)).text) == "ru"


async def test_a_phone_code_is_written_in_the_persons_language_and_typed_into_a_page_that_speaks_it(
    client, make_user, login
):
    """A code-based flow: the code goes to the new phone by SMS in the language saved with the profile it was asked
    from, and the page it is typed into (signed in) speaks that language on a Russian computer."""
    user_id, _ = await _person(make_user, "ru")
    await login(client, user_id)
    client.cookies.set("lang", "ru")
    client.headers.update(RUSSIAN_BROWSER)
    saved = await client.form(
        "/profile", {"full_name": "John Smith", "phone": "+7 978 111-22-44", "locale": "en", "channels": []}
    )
    assert saved.status_code == 303
    assert await _kept("+79781112244", "phone") == "en"
    sms = await OutboxMessage.select(OutboxMessage.body).where(
        (OutboxMessage.channel == "sms") & (OutboxMessage.recipient == "+79781112244")
    )
    assert len(sms) == 1 and "confirms this phone number" in sms[0]["body"], sms
    page = await client.get("/profile")
    assert _page_language(page.text) == "en" and "We have sent a code to" in page.text
    code = re.search(r"\b\d{6}\b", sms[0]["body"]).group(0)
    wrong = await client.form("/profile/phone", {"code": "000000" if code != "000000" else "111111"})
    assert wrong.status_code == 422 and _page_language(wrong.text) == "en"
