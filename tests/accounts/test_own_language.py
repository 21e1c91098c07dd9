"""A person's language is theirs on every device: signed in, the pages speak the language saved with their profile
(whatever this browser's cookie or languages say), the switch changes both at once, and a choice made with the switch
just before signing in becomes the saved one; the browser's languages never do. Both engines."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from portal.accounts.passwords import hash_password
from portal.accounts.tables import User
from portal.core import clock
from portal.core.tables import AuditEvent

PASSWORD = "correct horse 42"
RUSSIAN_BROWSER = {"Accept-Language": "ru-RU,ru;q=0.9"}
ENGLISH_BROWSER = {"Accept-Language": "en-GB,en;q=0.9"}


async def _person(make_user: Any, locale: str, **kwargs: Any) -> tuple[int, str]:
    user_id = await make_user(**kwargs)
    await User.update({User.password_hash: hash_password(PASSWORD), User.locale: locale}).where(User.id == user_id)
    return user_id, (await User.select(User.email).where(User.id == user_id).first())["email"]


def _page_language(html: str) -> str:
    return re.search(r'<html lang="(\w+)"', html).group(1)


def _lang_cookie(response: Any) -> str | None:
    found = [c for c in response.headers.get_list("set-cookie") if c.startswith("lang=")]
    return found[-1].split(";", 1)[0].split("=", 1)[1] if found else None


async def _saved(user_id: int) -> str:
    return (await User.select(User.locale).where(User.id == user_id).first())["locale"]


async def test_signing_in_on_a_russian_browser_speaks_the_saved_english(client, make_user):
    user_id, email = await _person(make_user, "en")
    client.cookies.set("lang", "ru")  # the office computer: someone chose Russian here
    client.headers.update(RUSSIAN_BROWSER)
    assert _page_language((await client.get("/login")).text) == "ru"  # signed out: this browser's choice

    signed = await client.form("/login", {"login": email, "password": PASSWORD})
    assert signed.status_code == 303
    assert _lang_cookie(signed) == "en"  # this browser now remembers the person's language
    home = await client.get("/")
    assert _page_language(home.text) == "en" and "Sign out" in home.text
    assert await _saved(user_id) == "en"  # the Russian of this browser was no choice of theirs


async def test_a_signed_in_page_follows_the_saved_language_over_a_disagreeing_cookie(client, make_user, login):
    """The cookie of a browser signed in before (or the language changed on another device meanwhile) disagrees:
    the saved language is the page's, error pages included."""
    user_id, _ = await _person(make_user, "en")
    await login(client, user_id)
    client.cookies.set("lang", "ru")
    client.headers.update(RUSSIAN_BROWSER)
    assert _page_language((await client.get("/profile")).text) == "en"
    missing = await client.get("/no-such-page")
    assert missing.status_code == 404 and _page_language(missing.text) == "en" and "Page not found" in missing.text

    await User.update({User.locale: "ru"}).where(User.id == user_id)  # chosen on the phone meanwhile
    client.cookies.set("lang", "en")
    assert _page_language((await client.get("/profile")).text) == "ru"


async def test_the_switch_changes_the_page_and_the_saved_language_on_every_device(client, new_client, make_user, login):
    user_id, _ = await _person(make_user, "ru")
    phone = new_client()
    await login(client, user_id)
    await login(phone, user_id)
    switched = await client.form("/lang", {"lang": "en", "next": "/profile"})
    assert switched.status_code == 303 and _lang_cookie(switched) == "en"
    assert await _saved(user_id) == "en"
    assert _page_language((await client.get("/profile")).text) == "en"
    phone.cookies.set("lang", "ru")  # the phone's cookie still says what it said
    assert _page_language((await phone.get("/profile")).text) == "en"


async def test_a_language_chosen_on_the_sign_in_page_becomes_the_saved_one(client, make_user):
    """Ruling: a deliberate choice with the switch on the sign-in page becomes the saved language (for someone
    who never chose one, whose saved language is the default Russian, as for anyone: the switch always saves)."""
    user_id, email = await _person(make_user, "ru")
    await client.get("/login")
    chosen = await client.form("/lang", {"lang": "en", "next": "/login"})
    assert _lang_cookie(chosen) == "en"
    signed = await client.form("/login", {"login": email, "password": PASSWORD})
    assert signed.status_code == 303 and _lang_cookie(signed) == "en"
    assert await _saved(user_id) == "en"
    assert _page_language((await client.get("/")).text) == "en"
    event = await AuditEvent.select(AuditEvent.changes).where(AuditEvent.entity_id == user_id).output(load_json=True)
    assert {"locale": ["ru", "en"]} in [e["changes"] for e in event]


async def test_the_browsers_languages_never_override_a_saved_language(client, make_user):
    user_id, email = await _person(make_user, "ru")
    client.headers.update(ENGLISH_BROWSER)
    assert _page_language((await client.get("/login")).text) == "en"  # signed out: the browser's guess
    signed = await client.form("/login", {"login": email, "password": PASSWORD})
    assert _lang_cookie(signed) == "ru"
    assert _page_language((await client.get("/")).text) == "ru"
    assert await _saved(user_id) == "ru"


async def test_a_choice_left_on_a_shared_computer_long_ago_is_not_the_next_persons(client, make_user, monkeypatch):
    user_id, email = await _person(make_user, "en")
    await client.get("/login")
    await client.form("/lang", {"lang": "ru", "next": "/login"})
    later = clock.now() + timedelta(minutes=31)
    monkeypatch.setattr(clock, "now", lambda: later)
    signed = await client.form("/login", {"login": email, "password": PASSWORD})
    assert _lang_cookie(signed) == "en" and await _saved(user_id) == "en"
