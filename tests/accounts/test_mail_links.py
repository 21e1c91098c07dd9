"""The one-time links sent by e-mail (a password reset, an invitation, the confirmation of a registration and of a
new login address) are fetched by corporate mail scanners (Outlook Safe Links and the like) with GET and HEAD before
the person clicks. Those requests show a page and change nothing: not the database, not the token, no session. The
person's POST from that page does the change, once, while the link lasts."""

from __future__ import annotations

from collections.abc import Awaitable
from collections.abc import Callable
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from typing import Any

import pytest
from piccolo.conf.apps import Finder

from portal.accounts import queries
from portal.accounts import rules
from portal.accounts.passwords import hash_password
from portal.accounts.tables import OneTimeToken
from portal.accounts.tables import User
from portal.core.tables import OutboxMessage

PASSWORD = "old password 1"
NEW_PASSWORD = "brand new pass 7"


async def _database() -> dict[str, list[str]]:
    """Every row of every table, as text: what a request that changes nothing leaves exactly as it was."""
    return {table._meta.tablename: sorted(map(repr, await table.select())) for table in Finder().get_table_classes()}


async def _link(email: str, marker: str) -> str:
    """The path of the last link sent to ``email`` whose address holds ``marker``."""
    message = (
        await OutboxMessage.select(OutboxMessage.body)
        .where(OutboxMessage.recipient == email)
        .order_by(OutboxMessage.id, ascending=False)
        .first()
    )
    assert message is not None, f"no e-mail to {email}"
    url = next(word for word in message["body"].split() if marker in word)
    return url[url.index(marker) :]


async def _user(make_user: Any, email: str) -> int:
    user_id = await make_user(email=email)
    await User.update({User.password_hash: hash_password(PASSWORD)}).where(User.id == user_id)
    return user_id


# Each link: how it is sent (its path), and the person's form that uses it.


async def _reset(f: dict[str, Any]) -> str:
    await _user(f["make_user"], "forgetful@example.ru")
    assert (await f["client"].form("/password/forgot", {"login": "forgetful@example.ru"})).status_code == 200
    return await _link("forgetful@example.ru", "/password/reset/")


async def _invite(f: dict[str, Any]) -> str:
    house = await f["make_house"](accounts=1)
    manager = await f["make_user"](roles=("manager",), houses=(house["house"],))
    await f["login"](f["client"], manager)
    invited = {"account": house["numbers"][0], "email": "invited@example.ru", "role": "owner"}
    assert (await f["client"].form("/staff/invitations", invited)).status_code == 303
    return await _link("invited@example.ru", "/invite/")


async def _register(f: dict[str, Any]) -> str:
    house = await f["make_house"](accounts=1)
    await f["registry_owner"](house["premises"][0], email="self@example.ru")
    form = {
        "account": house["numbers"][0],
        "code": await queries.current_access_code(house["accounts"][0]),
        "role": "owner",
        "full_name": "Пётр Самостоятельный",
        "email": "self@example.ru",
        "password": PASSWORD,
        "password2": PASSWORD,
    }
    assert (await f["client"].form("/register", form)).status_code == 200
    return await _link("self@example.ru", "/register/confirm/")


async def _new_email(f: dict[str, Any]) -> str:
    await f["login"](f["client"], await _user(f["make_user"], "old.login@example.ru"))
    asked = {"new_email": "new.login@example.ru", "current_password": PASSWORD}
    assert (await f["client"].form("/profile/email", asked)).status_code == 303
    return await _link("new.login@example.ru", "/email/confirm/")


LINKS: dict[str, tuple[Callable[[dict[str, Any]], Awaitable[str]], dict[str, str]]] = {
    "password reset": (_reset, {"password": NEW_PASSWORD, "password2": NEW_PASSWORD}),
    "invitation": (_invite, {"full_name": "Новый Житель", "password": NEW_PASSWORD, "password2": NEW_PASSWORD}),
    "registration": (_register, {}),
    "new login address": (_new_email, {}),
}


@pytest.fixture
def send_link(client, make_user, make_house, registry_owner, login) -> Callable[[str], Awaitable[str]]:
    fixtures = {
        "client": client,
        "make_user": make_user,
        "make_house": make_house,
        "registry_owner": registry_owner,
        "login": login,
    }
    return lambda kind: LINKS[kind][0](fixtures)


def _hash(path: str) -> str:
    return rules.token_hash(path.rsplit("/", 1)[1])


def _sets_a_session(answer: Any) -> bool:
    return any(c.startswith("session=") for c in answer.headers.get_list("set-cookie"))


@pytest.mark.parametrize("kind", LINKS)
async def test_a_scanners_get_and_head_change_nothing_and_the_persons_post_uses_the_link_once(
    kind, send_link, new_client
):
    path = await send_link(kind)
    scanner, person = new_client(), new_client()
    before = await _database()
    for method in ("GET", "HEAD", "GET"):
        answer = await scanner.request(method, path)
        assert answer.status_code == 200, (method, answer.status_code)
        assert (answer.content == b"") is (method == "HEAD")
        assert not _sets_a_session(answer), method
    assert await _database() == before
    assert "session" not in scanner.cookies

    page = await person.get(path)
    assert f'method="post" action="{path}"' in page.text  # the page's one form posts back to the link
    used = await person.form(path, LINKS[kind][1])
    assert used.status_code == 303, used.text
    token = await OneTimeToken.select(OneTimeToken.used_at).where(OneTimeToken.token_hash == _hash(path)).first()
    assert token["used_at"] is not None
    users = User._meta.tablename  # a new password, an active account, a new login: the person's row changed
    assert (await _database())[users] != before[users]
    for method in ("GET", "HEAD"):
        assert (await scanner.request(method, path)).status_code == 410, method
    assert (await new_client().form(path, LINKS[kind][1])).status_code == 410  # once


@pytest.mark.parametrize("kind", LINKS)
async def test_an_expired_link_answers_gone_to_get_head_and_post_and_changes_nothing(kind, send_link, new_client):
    path = await send_link(kind)
    await OneTimeToken.update({OneTimeToken.expires_at: datetime.now(UTC) - timedelta(seconds=1)}).where(
        OneTimeToken.token_hash == _hash(path)
    )
    before = await _database()
    late = new_client()
    for method in ("GET", "HEAD"):
        assert (await late.request(method, path)).status_code == 410, method
    assert (await late.form(path, LINKS[kind][1])).status_code == 410
    assert await _database() == before
