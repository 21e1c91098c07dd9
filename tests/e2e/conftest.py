"""What every browser test opens: pages in browsers of their own, and, for a module that changes what the others read,
a live server of its own.

- ``open_page(width, ...)`` → a page in a new browser context (its own cookies: one person), Russian, 390 px wide
  unless said; every context a test opens is closed when the test ends, passed or failed.
- ``live_server`` (tests/conftest.py) is the demo server all modules share: a test there changes nothing another
  module reads. A module whose tests do (a consent withdrawn, a ballot saved, a login changed) takes ``own_server``,
  or ``own_mail_server`` with ``mail_server`` when it reads the e-mail the server sends: a server and demo data of
  that module alone.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser
from playwright.sync_api import BrowserContext
from playwright.sync_api import Page

from tests.browser import OpenPage
from tests.browser import Served
from tests.conftest import Inbox
from tests.conftest import free_port
from tests.conftest import portal_server
from tests.conftest import smtp_inbox

PHONE = 390


@pytest.fixture
def open_page(browser: Browser) -> Iterator[OpenPage]:
    """``open_page(width=390, height=None, locale="ru-RU", **options)`` → a new page in a browser context of its own
    (``options`` go to the context: ``storage_state=``, ``java_script_enabled=``…). The height is a phone's 844 px,
    or 900 px on a wider screen, unless given."""
    contexts: list[BrowserContext] = []

    def open_(width: int = PHONE, height: int | None = None, locale: str = "ru-RU", **options: Any) -> Page:
        viewport = {"width": width, "height": height or (844 if width <= PHONE else 900)}
        context = browser.new_context(viewport=viewport, locale=locale, **options)
        contexts.append(context)
        return context.new_page()

    yield open_
    for context in contexts:
        context.close()


def _module_server(request: pytest.FixtureRequest, **env: str) -> Iterator[Served]:
    name = request.module.__name__.rsplit(".", 1)[-1].removeprefix("test_").replace("_", "-")
    with portal_server(f"live-{name}", **env) as served:
        yield served


@pytest.fixture(scope="module")
def own_server(request: pytest.FixtureRequest) -> Iterator[Served]:
    """(url, folder) of a live server with the demo data for this module alone (its SQLite database is
    ``folder / "live.sqlite"``)."""
    yield from _module_server(request)


@pytest.fixture(scope="module")
def mail_server() -> Iterator[Inbox]:
    """A real SMTP server for this module's ``own_mail_server``."""
    with smtp_inbox() as inbox:
        yield inbox


@pytest.fixture(scope="module")
def sms_provider() -> str:
    """The address of the sandbox SMS provider that ``own_mail_server`` starts (``portal serve`` on its port): the
    text messages the server sent are at ``/v1/messages`` there."""
    return f"http://127.0.0.1:{free_port()}"


@pytest.fixture(scope="module")
def own_mail_server(request: pytest.FixtureRequest, mail_server: Inbox, sms_provider: str) -> Iterator[Served]:
    """``own_server`` that sends its e-mail to ``mail_server`` and its SMS to ``sms_provider``."""
    env = {"SMTP_HOST": mail_server.host, "SMTP_PORT": str(mail_server.port), "SMS_PROVIDER_URL": sms_provider}
    yield from _module_server(request, **env)
