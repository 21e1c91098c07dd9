"""Sign-in, sign-out, sessions, rate limits and password reset, as a browser meets them."""

from __future__ import annotations

import os
import re
import time
from datetime import UTC
from datetime import datetime
from datetime import timedelta

import httpx

from portal.accounts import actions
from portal.accounts import queries
from portal.accounts.passwords import hash_password
from portal.accounts.rules import TokenPurpose
from portal.accounts.tables import OneTimeToken
from portal.accounts.tables import User
from portal.core import security
from portal.core.tables import OutboxMessage
from tests.conftest import COOKIE_DOMAIN

PASSWORD = "correct horse 42"


async def _user_with_password(make_user, **kwargs) -> int:
    user_id = await make_user(**kwargs)
    await User.update({User.password_hash: hash_password(PASSWORD), User.phone: "+79780001122"}).where(
        User.id == user_id
    )
    return user_id


def _session_cookie(response) -> str:
    cookie = next(c for c in response.headers.get_list("set-cookie") if c.startswith("session="))
    return cookie.split(";", 1)[0].split("=", 1)[1]


def _session_cookie_of(client) -> str:
    return [c.value or "" for c in client.cookies.jar if c.name == "session"][-1]


async def _email(user_id: int) -> str:
    return (await User.select(User.email).where(User.id == user_id).first())["email"]


async def test_sign_in_by_email_rotates_the_session_and_sign_out_kills_it(client, make_user, app):
    user_id = await _user_with_password(make_user)
    await client.get("/login")
    client.cookies.set("session", "attacker-chosen-id", domain=COOKIE_DOMAIN)
    response = await client.form("/login", {"login": (await _email(user_id)).upper(), "password": PASSWORD})
    assert response.status_code == 303
    assert response.headers["location"] == "/"
    new_id = _session_cookie(response)
    assert new_id and new_id != "attacker-chosen-id"
    client.cookies.clear()
    client.cookies.set("session", new_id, domain=COOKIE_DOMAIN)
    store = app.stores.get("sessions")
    assert await store.get("attacker-chosen-id") is None
    assert (await client.get("/profile")).status_code == 200
    assert (await User.select(User.last_login_at).where(User.id == user_id).first())["last_login_at"] is not None

    await client.form("/logout")
    assert await store.get(new_id) is None
    client.cookies.clear()
    client.cookies.set("session", new_id, domain=COOKIE_DOMAIN)  # someone kept the old cookie
    response = await client.get("/profile")
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login")


async def test_signing_out_says_so_on_the_next_page_and_the_old_session_is_dead(client, make_user, app):
    user_id = await _user_with_password(make_user)
    assert (await client.form("/login", {"login": await _email(user_id), "password": PASSWORD})).status_code == 303
    signed_in = _session_cookie_of(client)
    out = await client.form("/logout")
    assert out.status_code == 303 and out.headers["location"] == "/"
    assert await app.stores.get("sessions").get(signed_in) is None
    landing = await client.get("/", follow_redirects=True)
    assert "Вы вышли из портала." in landing.text
    assert "Вы вышли из портала." not in (await client.get("/", follow_redirects=True)).text  # said once
    assert (await client.get("/profile")).status_code == 303


async def test_a_browser_holding_an_ended_sessions_cookie_signs_in_with_the_form_it_is_shown(client, make_user, app):
    """The morning after: the session ended overnight (idle timeout) while the browser kept its cookie. The sign-in
    page it is shown carries a token bound to that cookie, so the cookie is left as it is (it names nothing) instead
    of being deleted under the page, which refused the form as outdated."""
    user_id = await _user_with_password(make_user)
    await client.form("/login", {"login": await _email(user_id), "password": PASSWORD})
    ended = _session_cookie_of(client)
    await app.stores.get("sessions").delete(ended)
    page = await client.get("/login")
    assert not [c for c in page.headers.get_list("set-cookie") if c.startswith("session=")]
    token = re.search(r'name="_csrf_token" value="([^"]+)"', page.text).group(1)
    data = {"login": await _email(user_id), "password": PASSWORD, "_csrf_token": token}
    signed_in = await client.post("/login", data=data)
    assert signed_in.status_code == 303
    assert _session_cookie(signed_in) != ended


def _session_cookies(client) -> list[str]:
    return [c.value or "" for c in client.cookies.jar if c.name == "session" and c.value]


async def test_once_it_has_said_so_a_sign_out_leaves_no_session_behind(client, make_user, app):
    """After «Вы вышли из портала.» the browser kept a small anonymous session (the message's carrier) in the
    store and in its cookie until the idle timeout; now the page that shows the message ends it."""
    store = app.stores.get("sessions")
    user_id = await _user_with_password(make_user)
    await client.form("/login", {"login": await _email(user_id), "password": PASSWORD})
    await client.form("/logout")
    (carrier,) = _session_cookies(client)
    assert await store.get(carrier) is not None  # the message travels to the next page in it
    landing = await client.get("/", follow_redirects=True)
    assert "Вы вышли из портала." in landing.text
    assert await store.get(carrier) is None
    assert _session_cookies(client) == []
    assert "Вы вышли из портала." not in (await client.get("/")).text


async def test_once_it_has_said_so_a_password_reset_leaves_no_session_behind(client, make_user, app):
    store = app.stores.get("sessions")
    user_id = await _user_with_password(make_user)
    path = await _reset_link(client, await _email(user_id))
    await client.form(path, {"password": "brand new pass 7", "password2": "brand new pass 7"})
    (carrier,) = _session_cookies(client)
    assert "Войдите с новым паролем" in (await client.get("/login")).text
    assert await store.get(carrier) is None and _session_cookies(client) == []


async def test_sign_in_by_phone_in_any_spelling(client, make_user):
    await _user_with_password(make_user)
    response = await client.form("/login", {"login": "8 (978) 000-11-22", "password": PASSWORD})
    assert response.status_code == 303


async def test_remember_me_makes_a_lasting_cookie(client, make_user):
    user_id = await _user_with_password(make_user)
    plain = await client.form("/login", {"login": await _email(user_id), "password": PASSWORD})
    session = next(c for c in plain.headers.get_list("set-cookie") if c.startswith("session="))
    assert "max-age" not in session.lower()
    await client.form("/logout")
    lasting = await client.form("/login", {"login": await _email(user_id), "password": PASSWORD, "remember": "1"})
    cookie = next(c for c in lasting.headers.get_list("set-cookie") if c.startswith("session="))
    assert "Max-Age=2592000" in cookie
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie or "SameSite=Lax" in cookie


async def test_a_session_ends_after_twelve_idle_hours_and_a_day_after_sign_in_without_remember_me(
    client, new_client, make_user, app, monkeypatch
):
    user_id = await _user_with_password(make_user)
    store = app.stores.get("sessions")
    plain = _session_cookie(await client.form("/login", {"login": await _email(user_id), "password": PASSWORD}))
    # The store forgets a session nobody used for twelve hours; "remember me" keeps it for thirty days.
    assert security.IDLE_SECONDS - 60 <= await store.expires_in(plain) <= security.IDLE_SECONDS
    lasting_client = new_client()
    lasting = _session_cookie(
        await lasting_client.form("/login", {"login": await _email(user_id), "password": PASSWORD, "remember": "1"})
    )
    assert security.REMEMBER_SECONDS - 60 <= await store.expires_in(lasting) <= security.REMEMBER_SECONDS

    # Used every eleven hours (never idle for twelve), the plain session still ends a day after sign-in.
    started = time.time()
    for hours, expected in ((11, 200), (22, 200), (25, 303)):
        monkeypatch.setattr(time, "time", lambda hours=hours: started + hours * 3600)
        assert (await client.get("/profile")).status_code == expected, hours
        assert (await lasting_client.get("/profile")).status_code == 200, hours


async def test_behind_https_the_session_and_csrf_cookies_are_secure(db, make_user):
    from portal.app import create_app
    from portal.settings import Settings
    from portal.settings import get_settings
    from portal.settings import use_settings

    before = get_settings()
    settings = Settings.from_env({**os.environ, "BASE_URL": "https://portal.example"})
    try:
        transport = httpx.ASGITransport(app=create_app(settings))
        await _signs_in_with_secure_cookies(transport, make_user)
    finally:
        use_settings(before)  # a later test's app (the Redis sessions') is made of the settings in force


async def _signs_in_with_secure_cookies(transport, make_user) -> None:
    user_id = await _user_with_password(make_user)
    async with httpx.AsyncClient(transport=transport, base_url="https://testserver") as c:
        page = await c.get("/login")
        kept = {cookie.name: cookie for cookie in c.cookies.jar}
        # Over HTTPS the CSRF cookie is a __Host- cookie: Secure, for this host only, so no subdomain can plant it.
        assert "csrftoken" not in kept and kept["__Host-csrftoken"].secure
        token = re.search(r'name="_csrf_token" value="([^"]+)"', page.text).group(1)
        form = {"login": await _email(user_id), "password": PASSWORD, "_csrf_token": token}
        signed_in = await c.post("/login", data=form, follow_redirects=False)
        assert signed_in.status_code == 303
        session_cookie = next(h for h in signed_in.headers.get_list("set-cookie") if h.startswith("session="))
    attributes = {part.strip().split("=")[0].lower() for part in session_cookie.split(";")[1:]}
    assert {"secure", "httponly", "samesite"} <= attributes


async def test_unknown_login_gets_the_same_answer_as_a_wrong_password(client, make_user):
    user_id = await _user_with_password(make_user)
    wrong = await client.form("/login", {"login": await _email(user_id), "password": "nope nope"})
    unknown = await client.form("/login", {"login": "nobody@example.ru", "password": "nope nope"})
    assert wrong.status_code == unknown.status_code == 422
    assert "Неверный e-mail, телефон или пароль" in wrong.text
    assert "Неверный e-mail, телефон или пароль" in unknown.text


async def test_the_sixth_wrong_password_in_a_minute_is_refused(client, make_user):
    user_id = await _user_with_password(make_user)
    email = await _email(user_id)
    for _ in range(5):
        assert (await client.form("/login", {"login": email, "password": "wrong pass"})).status_code == 422
    refused = await client.form("/login", {"login": email, "password": PASSWORD})
    assert refused.status_code == 429
    assert "Слишком много попыток" in refused.text
    assert f'value="{email}"' in refused.text  # the form is shown again with what was typed
    assert "session" not in refused.cookies


async def test_the_email_and_the_phone_of_one_user_count_in_one_bucket(client, make_user):
    user_id = await _user_with_password(make_user)
    email = await _email(user_id)
    for login in (email, "+7 978 000-11-22", email.upper(), "8 (978) 000 11 22", email):
        assert (await client.form("/login", {"login": login, "password": "wrong pass"})).status_code == 422
    assert (await client.form("/login", {"login": "+79780001122", "password": PASSWORD})).status_code == 429


async def test_successful_sign_ins_do_not_use_up_the_limit_of_their_address(client, make_user):
    """Many people sign in from one office address: only failures count against the IP."""
    user_id = await _user_with_password(make_user)
    email = await _email(user_id)
    for _ in range(25):
        assert (await client.form("/login", {"login": email, "password": PASSWORD})).status_code == 303
        assert (await client.form("/logout")).status_code == 303


async def test_sign_in_pages_and_their_refusals_are_html(client, make_user):
    """A browser shows a page served as JSON as text: the form, its 422 and its 429 are all HTML."""
    user_id = await _user_with_password(make_user)
    email = await _email(user_id)
    answers = [await client.get("/login"), await client.get("/register"), await client.get("/password/forgot")]
    for _ in range(6):
        answers.append(await client.form("/login", {"login": email, "password": "wrong pass"}))
    assert [a.status_code for a in answers[-2:]] == [422, 429]
    assert {a.headers["content-type"].split(";")[0] for a in answers} == {"text/html"}


async def test_next_only_leads_to_this_site(client, make_user):
    user_id = await _user_with_password(make_user)
    response = await client.form(
        "/login", {"login": await _email(user_id), "password": PASSWORD, "next": "//evil.example"}
    )
    assert response.headers["location"] == "/"
    await client.form("/logout")
    response = await client.form("/login", {"login": await _email(user_id), "password": PASSWORD, "next": "/profile"})
    assert response.headers["location"] == "/profile"


# Ways of writing another site, or a script, that browsers accept in a Location header.
OFF_SITE = (
    "//evil.example",
    "///evil.example",
    "////evil.example/x",
    "/\\evil.example",
    "\\\\evil.example",
    "/\\/evil.example",
    "\\/evil.example",
    "/\t/evil.example",
    "/\n/evil.example",
    "/\r\n/evil.example",
    " //evil.example",
    "\t//evil.example",
    "https://evil.example",
    "https:/evil.example",
    "http:evil.example",
    "HTTPS://evil.example",
    "//evil.example@portal.example",
    "javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "evil.example",
)


def _stays_on_site(location: str) -> bool:
    on_site = httpx.URL("https://portal.example/account/").join(location)
    return on_site.host == "portal.example" and on_site.scheme == "https" and not any(c in location for c in "\\\t\r\n")


async def test_no_way_of_writing_another_site_in_next_leads_off_it(client, make_user):
    user_id = await _user_with_password(make_user)
    guest_page = await client.get("/login", params={"next": "//evil.example"})
    assert guest_page.status_code == 200
    # The sign-in form carries no target; the language switch returns to this very page (a path of this site).
    assert 'name="next" value=""' in guest_page.text and 'value="//evil.example"' not in guest_page.text
    signed_in = await client.form(
        "/login", {"login": await _email(user_id), "password": PASSWORD, "next": "/\\evil.example"}
    )
    assert signed_in.headers["location"] == "/"
    for target in OFF_SITE:
        answer = await client.get("/login", params={"next": target})
        assert answer.status_code == 303, target
        assert _stays_on_site(answer.headers["location"]), (target, answer.headers["location"])
        assert "evil.example" not in answer.headers["location"] and "script" not in answer.headers["location"]
    kept = await client.get("/login", params={"next": "/accounts?page=2"})
    assert kept.headers["location"] == "/accounts?page=2"  # a path of this site is followed as it is


async def test_a_guest_asking_for_a_page_is_sent_to_sign_in_and_back(client):
    response = await client.get("/profile")
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/profile"
    page = await client.get("/login?next=/profile")
    assert 'name="next" value="/profile"' in page.text
    assert "Войти" in page.text


async def test_a_login_post_without_the_csrf_token_is_refused(client, make_user):
    user_id = await _user_with_password(make_user)
    response = await client.post("/login", data={"login": await _email(user_id), "password": PASSWORD})
    assert response.status_code == 403
    assert "session" not in client.cookies


# --- password reset -------------------------------------------------------------------------------------


async def _reset_link(client, email: str) -> str:
    response = await client.form("/password/forgot", {"login": email})
    assert response.status_code == 200
    message = (
        await OutboxMessage.select()
        .where(OutboxMessage.recipient == email)
        .order_by(OutboxMessage.id, ascending=False)
        .first()
    )
    assert message is not None
    url = next(w for w in message["body"].split() if "/password/reset/" in w)
    return url[url.index("/password/reset/") :]


async def test_reset_answers_alike_for_a_known_and_an_unknown_address(client, make_user):
    user_id = await _user_with_password(make_user)
    email = await _email(user_id)
    known = await client.form("/password/forgot", {"login": email})
    unknown = await client.form("/password/forgot", {"login": "nobody-here@example.ru"})
    assert known.status_code == unknown.status_code == 200
    # Each page repeats the address typed (a typo is seen at once) and is otherwise the same.
    assert f"Если есть учётная запись с e-mail {email}, мы отправили на него ссылку" in known.text
    assert "Если есть учётная запись с e-mail nobody-here@example.ru, мы отправили" in unknown.text
    assert known.text.replace(email, "@") == unknown.text.replace("nobody-here@example.ru", "@")
    assert '<a href="/password/forgot">Ошиблись в адресе? Введите его заново</a>' in unknown.text
    assert not await OutboxMessage.exists().where(OutboxMessage.recipient == "nobody-here@example.ru")


async def test_a_reset_link_works_once_and_signs_out_other_sessions(client, new_client, make_user, login):
    user_id = await _user_with_password(make_user)
    email = await _email(user_id)
    other = new_client()
    await other.form("/login", {"login": email, "password": PASSWORD})
    assert (await other.get("/profile")).status_code == 200

    path = await _reset_link(client, email)
    page = await client.get(path)
    assert page.status_code == 200
    # The login the new password belongs to is in the form (hidden, not sent), so that the browser saves the
    # password under it: without it Chrome warned and saved a password of no account.
    saved_as = f'<input type="email" autocomplete="username" value="{email}" hidden readonly>'
    assert saved_as in page.text
    refused = await client.form(path, {"password": "brand new pass 7", "password2": "other"})
    assert refused.status_code == 422 and saved_as in refused.text
    profile = await other.get("/profile")  # the password change of the profile, too
    assert saved_as in profile.text.split('action="/profile/password"')[1].split("</form>")[0]
    done = await client.form(path, {"password": "brand new pass 7", "password2": "brand new pass 7"})
    assert done.status_code == 303
    assert done.headers["location"] == "/login"
    again = await client.form(path, {"password": "another pass 77", "password2": "another pass 77"})
    assert again.status_code == 410
    assert (await client.get(path)).status_code == 410

    assert (await other.get("/profile")).status_code == 303  # the other device is signed out
    assert (await client.form("/login", {"login": email, "password": PASSWORD})).status_code == 422
    assert (await client.form("/login", {"login": email, "password": "brand new pass 7"})).status_code == 303


async def test_after_a_reset_the_sign_in_form_has_the_e_mail_typed_in_once(client, make_user):
    """The e-mail comes through the server-side session the reset starts, never through the address."""
    user_id = await _user_with_password(make_user)
    email = await _email(user_id)
    path = await _reset_link(client, email)
    done = await client.form(path, {"password": "brand new pass 7", "password2": "brand new pass 7"})
    assert done.status_code == 303 and done.headers["location"] == "/login"

    def login_input(text: str) -> str:
        return re.search(r'<input[^>]*name="login"[^>]*>', text).group(0)

    page = await client.get("/login")
    assert f'value="{email}"' in login_input(page.text)
    assert "Пароль изменён. Войдите с новым паролем." in page.text
    again = await client.get("/login")  # once: a later visit to the sign-in page starts empty
    assert email not in login_input(again.text)


async def test_a_reset_link_expires_after_an_hour(client, make_user):
    user_id = await _user_with_password(make_user)
    path = await _reset_link(client, await _email(user_id))
    await OneTimeToken.update({OneTimeToken.expires_at: datetime.now(UTC) - timedelta(seconds=1)}).where(
        OneTimeToken.user == user_id
    )
    assert (await client.get(path)).status_code == 410
    response = await client.form(path, {"password": "brand new pass 7", "password2": "brand new pass 7"})
    assert response.status_code == 410
    assert (await User.select(User.password_hash).where(User.id == user_id).first())["password_hash"]


async def test_reset_tokens_are_stored_hashed_and_live_an_hour(make_user, db):
    user_id = await make_user()
    now = datetime.now(UTC)
    token = (await actions._create_token(TokenPurpose.RESET, user_id=user_id, sent_to="x@example.ru")).token
    row = await OneTimeToken.select().where(OneTimeToken.user == user_id).first()
    assert row["token_hash"] != token and token not in row["token_hash"]
    assert abs(row["expires_at"] - now - timedelta(hours=1)) < timedelta(seconds=30)
    assert await queries.valid_token(token, TokenPurpose.RESET, now + timedelta(minutes=59))
    assert await queries.valid_token(token, TokenPurpose.RESET, now + timedelta(minutes=61)) is None
    assert await queries.valid_token(token, TokenPurpose.INVITE, now) is None


async def test_reset_requests_are_rate_limited(client):
    for _ in range(3):
        assert (await client.form("/password/forgot", {"login": "someone@example.ru"})).status_code == 200
    assert (await client.form("/password/forgot", {"login": "someone@example.ru"})).status_code == 429
