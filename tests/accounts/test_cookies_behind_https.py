"""Behind HTTPS every cookie the portal writes is Secure, HttpOnly and SameSite=Lax: the language cookie and the
push cookie were written without Secure (and their deletions too), so a plain-HTTP request to the same host could
carry or overwrite them."""

from __future__ import annotations

import json
import os
import re

import httpx

from portal.core import i18n
from portal.notifications.forms import PUSH_COOKIE
from tests.accounts.test_signin import PASSWORD
from tests.accounts.test_signin import _email
from tests.accounts.test_signin import _user_with_password


async def test_behind_https_no_cookie_is_written_without_secure(db, make_user):
    from portal.app import create_app
    from portal.settings import Settings
    from portal.settings import get_settings
    from portal.settings import use_settings

    before = get_settings()
    settings = Settings.from_env({**os.environ, "BASE_URL": "https://portal.example"})
    try:
        written = await _walk_the_cookie_paths(httpx.ASGITransport(app=create_app(settings)), make_user)
    finally:
        use_settings(before)  # a later test's app is made of the settings in force
    names = [header.split("=", 1)[0] for header in written]
    assert {"session", "__Host-csrftoken", i18n.COOKIE} <= set(names), names
    assert names.count(PUSH_COOKIE) == 4, names  # on, off (deleted), on, and deleted again at sign-out
    needed = {"secure", "httponly", "samesite=lax", "path=/"}
    wrong = [header for header in written if not needed <= {part.strip().lower() for part in header.split(";")[1:]}]
    assert not wrong, "\n".join(wrong)


async def _walk_the_cookie_paths(transport, make_user) -> list[str]:
    """Every Set-Cookie of sign-in, the language switch, the profile, push on and off, and sign-out."""
    user_id = await _user_with_password(make_user)
    written: list[str] = []
    async with httpx.AsyncClient(transport=transport, base_url="https://testserver") as c:

        async def send(method: str, url: str, **kwargs) -> httpx.Response:
            answer = await c.request(method, url, **kwargs)
            written.extend(answer.headers.get_list("set-cookie"))
            return answer

        async def form(url: str, data: dict) -> httpx.Response:
            page = await send("GET", "/profile" if url != "/login" else "/login")
            token = re.search(r'name="_csrf_token" value="([^"]+)"', page.text).group(1)
            return await send("POST", url, data={**data, "_csrf_token": token})

        assert (await form("/login", {"login": await _email(user_id), "password": PASSWORD})).status_code == 303
        assert (await form("/lang", {"lang": "en", "next": "/profile"})).status_code == 303
        profile = {"full_name": "Иванов Иван", "locale": "ru", "channels": "email"}
        assert (await form("/profile", profile)).status_code == 303
        token = re.search(r'"x-csrftoken": "([^"]+)"', (await send("GET", "/profile")).text).group(1)
        subscription = {"endpoint": "https://push.example/abc", "keys": {"p256dh": "BPk", "auth": "x1"}}
        for url in ("/notifications/push", "/notifications/push/off", "/notifications/push"):
            body = json.dumps(subscription) if url.endswith("push") else b""
            assert (await send("POST", url, content=body, headers={"x-csrftoken": token})).status_code in (201, 303)
        assert (await form("/logout", {})).status_code == 303
    return written
