"""The live server's log carries ids, never people's contacts or secret links (SECURITY.md): read after every other
browser test has used the server (marker ``last``), and after traffic of its own that would leak if nothing hid it."""

import re
import secrets
from pathlib import Path

import httpx
import pytest

from tests.conftest import _RUN

pytestmark = [pytest.mark.browser, pytest.mark.last]

EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+")
PHONE = re.compile(r"\+7\d{10}|\+7 \(\d{3,4}\)")


def test_the_server_log_holds_no_e_mail_phone_or_link_token(live_server: str) -> None:
    token = secrets.token_urlsafe(32)
    with httpx.Client(base_url=live_server) as client:
        client.get("/staff/tickets", params={"q": "+79161234567"})
        client.get("/login", params={"next": "/profile", "login": "ivanova@example.ru"})
        client.get(f"/password/reset/{token}")
        client.get(f"/invite/{token}")
    log = (Path(_RUN) / "live" / "server.log").read_text(errors="replace")
    # `portal serve` prints the demo sign-ins on purpose before it starts serving; requests come after that.
    served = log.split("Uvicorn running on", 1)[-1]
    assert "/password/reset/" in served and "/staff/tickets?q=" in served  # our own requests were logged
    assert token not in served
    assert not EMAIL.findall(served), EMAIL.findall(served)[:5]
    assert not PHONE.findall(served), PHONE.findall(served)[:5]
