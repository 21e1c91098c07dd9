"""An invitation is written in the language chosen for the invited person — a new staff member's (Russian unless
the administrator chooses otherwise), a family member's or a tenant's (the inviter's own unless they choose
otherwise) — and the invited person then reads the portal in it. Both engines; the letters through a real SMTP
conversation."""

from __future__ import annotations

import re
from typing import Any

from portal.accounts.tables import OneTimeToken
from portal.accounts.tables import User
from portal.core.tables import OutboxMessage
from tests.accounts.test_own_language import PASSWORD
from tests.accounts.test_own_language import _lang_cookie
from tests.accounts.test_own_language import _page_language
from tests.accounts.test_own_language import _person
from tests.accounts.test_own_language import _saved
from tests.accounts.test_security_mail import _deliver
from tests.accounts.test_security_mail import _text

RUSSIAN_BROWSER = {"Accept-Language": "ru-RU,ru;q=0.9"}
ENGLISH_BROWSER = {"Accept-Language": "en-GB,en;q=0.9"}


async def _admin_invites(client: Any, make_user: Any, login: Any, locale: str | None) -> str:
    await login(client, await make_user(roles=("admin",)))
    page = (await client.get("/staff/users/new")).text
    assert "Язык писем и страниц" in page
    assert re.search(r'<option value="ru" selected', page)  # Russian preselected
    form = {"full_name": "Jane Smith", "email": "jane@example.ru", "roles": ["admin"]}
    sent = await client.form("/staff/users/new", form | ({"locale": locale} if locale else {}))
    assert sent.status_code == 303
    return "jane@example.ru"


async def test_a_staff_invitation_in_english_is_an_english_letter_and_an_english_portal(
    client, new_client, make_user, login, smtp_server
):
    email = await _admin_invites(client, make_user, login, "en")
    invited = await User.select(User.id, User.locale).where(User.email == email).first()
    assert invited["locale"] == "en"
    await _deliver(smtp_server)
    letter = smtp_server.wait_for(email)
    assert letter["Subject"] == "Invitation to the staff pages of the portal"
    text = _text(letter)
    assert "To set your password and sign in, open this link" in text and not re.search("[А-Яа-яЁё]{4}", text)

    path = re.search(r"https?://\S+(/invite/\S+)", text).group(1)
    newcomer = new_client()
    newcomer.headers.update(RUSSIAN_BROWSER)
    assert _page_language((await newcomer.get(path)).text) == "en"  # the letter's language, not the browser's
    refused = await newcomer.form(path, {"full_name": "Jane Smith", "password": PASSWORD, "password2": "other"})
    assert refused.status_code == 422 and _page_language(refused.text) == "en"
    accepted = await newcomer.form(path, {"full_name": "Jane Smith", "password": PASSWORD, "password2": PASSWORD})
    assert accepted.status_code == 303 and _lang_cookie(accepted) == "en"
    assert await _saved(invited["id"]) == "en"
    assert _page_language((await newcomer.get("/staff", follow_redirects=True)).text) == "en"


async def test_a_staff_invitation_is_russian_unless_chosen_otherwise(client, make_user, login, smtp_server):
    email = await _admin_invites(client, make_user, login, None)  # a form without the field: the preselected
    assert (await User.select(User.locale).where(User.email == email).first())["locale"] == "ru"
    await _deliver(smtp_server)
    assert smtp_server.wait_for(email)["Subject"] == "Приглашение в кабинет сотрудника"


async def test_a_resident_invites_in_the_language_they_pick_and_the_invitee_reads_it(
    client, new_client, make_user, make_house, login, smtp_server
):
    house = await make_house(accounts=1)
    account = house["accounts"][0]
    owner, _ = await _person(make_user, "en", accounts={account: "owner"})
    await login(client, owner)
    page = (await client.get(f"/accounts/{account}/people")).text
    assert "Language of letters and pages" in page
    assert re.search(r'<option value="en" selected', page)  # preselected: the inviter's own
    sent = await client.form(
        f"/accounts/{account}/people", {"email": "babushka@example.ru", "role": "family", "locale": "ru"}
    )
    assert sent.status_code == 303
    token = await OneTimeToken.select(OneTimeToken.locale).where(OneTimeToken.email == "babushka@example.ru").first()
    assert token["locale"] == "ru"
    await _deliver(smtp_server)
    letter = smtp_server.wait_for("babushka@example.ru")
    assert re.search("[А-Яа-яЁё]", letter["Subject"])

    path = re.search(r"https?://\S+(/invite/\S+)", _text(letter)).group(1)
    newcomer = new_client()
    newcomer.headers.update(ENGLISH_BROWSER)
    accepted = await newcomer.form(path, {"full_name": "Мария Ивановна", "password": PASSWORD, "password2": PASSWORD})
    assert accepted.status_code == 303 and _lang_cookie(accepted) == "ru"
    assert (await User.select(User.locale).where(User.email == "babushka@example.ru").first())["locale"] == "ru"


async def test_an_invitation_language_outside_the_portals_is_refused(client, make_user, make_house, login):
    house = await make_house(accounts=1)
    account = house["accounts"][0]
    owner, _ = await _person(make_user, "ru", accounts={account: "owner"})
    await login(client, owner)
    refused = await client.form(
        f"/accounts/{account}/people", {"email": "x@example.ru", "role": "family", "locale": "de"}
    )
    assert refused.status_code == 422 and "Выберите язык писем и страниц." in refused.text
    assert not await OutboxMessage.exists().where(OutboxMessage.recipient == "x@example.ru")


async def _english_invitation(client: Any, make_user: Any, login: Any, smtp_server: Any) -> str:
    email = await _admin_invites(client, make_user, login, "en")
    await _deliver(smtp_server)
    return re.search(r"https?://\S+(/invite/\S+)", _text(smtp_server.wait_for(email))).group(1)


async def test_the_invitation_page_speaks_the_invitations_language_until_the_visitor_chooses(
    client, new_client, make_user, login, smtp_server
):
    """Ruling: a page opened by a one-time link that keeps a language speaks it to a visitor not signed in who has
    not chosen one on this device (no ``lang`` cookie); the switch on the page still works."""
    path = await _english_invitation(client, make_user, login, smtp_server)
    newcomer = new_client()
    newcomer.headers.update(RUSSIAN_BROWSER)
    page = (await newcomer.get(path)).text
    assert _page_language(page) == "en" and "Set the password" in page
    switched = await newcomer.form("/lang", {"lang": "ru", "next": path})
    assert switched.status_code == 303 and _lang_cookie(switched) == "ru"
    assert _page_language((await newcomer.get(path)).text) == "ru"  # the switch on the page still works

    chosen_before = new_client()  # someone chose Russian on this device earlier
    chosen_before.cookies.set("lang", "ru")
    assert _page_language((await chosen_before.get(path)).text) == "ru"


async def test_a_signed_in_visitor_reads_an_invitation_in_their_own_language(
    client, new_client, make_user, login, smtp_server
):
    path = await _english_invitation(client, make_user, login, smtp_server)
    someone = new_client()
    await login(someone, (await _person(make_user, "ru"))[0])
    assert _page_language((await someone.get(path)).text) == "ru"
