"""The sandbox SMS provider (and push stand-in) as its own process on a free port, and settings pointing at it."""

from __future__ import annotations

import dataclasses
import sys
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.conftest import _RUN
from tests.conftest import free_port
from tests.conftest import running
from tests.content.conftest import post_for_two  # noqa: F401  (the same house and people)
from tests.content.conftest import staff_principal  # noqa: F401  (the same house and people)
from tests.content.conftest import town  # noqa: F401  (the same house and people)


class SandboxSms:
    def __init__(self, url: str) -> None:
        self.url = url
        self.http = httpx.Client(base_url=url, timeout=10)

    def faults(self, **values: Any) -> None:
        self.http.post("/_sandbox/faults", json=values).raise_for_status()

    def reset(self) -> None:
        self.http.post("/_sandbox/reset").raise_for_status()

    def messages(self) -> list[dict[str, Any]]:
        return self.http.get("/v1/messages").json()["data"]

    def pushes(self) -> list[dict[str, Any]]:
        return self.http.get("/_sandbox/pushes").json()["data"]


@pytest.fixture(scope="session")
def sandbox_sms_process() -> Iterator[SandboxSms]:
    import os

    port = free_port()
    folder = _RUN / "sandbox_sms"
    folder.mkdir(parents=True, exist_ok=True)
    url = f"http://127.0.0.1:{port}"
    env = {**os.environ, "SMS_PROVIDER_URL": url, "SANDBOX_SMS_DB": str(folder / "sms.sqlite")}
    with running([sys.executable, "-m", "portal.sandbox_sms"], env, folder / "sms.log", f"{url}/healthz"):
        yield SandboxSms(url)


@pytest.fixture
def sandbox_sms(sandbox_sms_process: SandboxSms) -> Iterator[SandboxSms]:
    """The sandbox provider, emptied, with the portal's settings pointing at it for the test."""
    from portal.settings import get_settings
    from portal.settings import use_settings

    sandbox_sms_process.reset()
    settings = get_settings()
    use_settings(dataclasses.replace(settings, sms_provider_url=sandbox_sms_process.url))
    try:
        yield sandbox_sms_process
    finally:
        use_settings(settings)
