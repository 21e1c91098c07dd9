"""Runs after the other browser tests: the live server's log carries ids, never people's contacts (SECURITY.md)."""

import re
from pathlib import Path

import pytest

from tests.conftest import _RUN

pytestmark = pytest.mark.browser

EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+")
PHONE = re.compile(r"\+7\d{10}|\+7 \(\d{3,4}\)")


def test_the_server_log_holds_no_e_mail_or_phone_beyond_the_printed_demo_sign_ins(live_server: str):
    log = (Path(_RUN) / "live" / "server.log").read_text(errors="replace")
    # `portal serve` prints the demo sign-ins on purpose before it starts serving; requests come after that.
    served = log.split("Uvicorn running on", 1)[-1]
    assert "Started server process" in log or "Uvicorn running on" in log
    assert not EMAIL.findall(served), EMAIL.findall(served)[:5]
    assert not PHONE.findall(served), PHONE.findall(served)[:5]
