"""«Включить в этом браузере» behind HTTPS: the subscription reaches the portal.

Behind HTTPS the CSRF cookie is named «__Host-csrftoken» (no subdomain can plant it). push.js looked for
«csrftoken=» in ``document.cookie``, found nothing there, sent an empty token, and the portal refused every
subscription (403): the page said push was blocked in this browser. A server whose BASE_URL is HTTPS sets the
secure cookies, and Chromium keeps them for ``http://localhost``, so the test runs without a certificate; the
browser's push service is stood in for (a headless browser has none)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

from tests.browser import OpenPage
from tests.browser import sign_in
from tests.conftest import portal_server

pytestmark = pytest.mark.browser

# What the browser's push service answers: a subscription at a push service's HTTPS address.
PUSH_SERVICE = """
navigator.serviceWorker.register = async () => ({
  pushManager: {
    subscribe: async () => ({
      toJSON: () => ({ endpoint: "https://push.example.com/send/abc", keys: { p256dh: "BPk", auth: "aQ" } }),
    }),
  },
});
"""


@pytest.fixture(scope="module")
def secure_server() -> Iterator[str]:
    with portal_server("live-push-https", BASE_URL="https://portal.example") as (url, _):
        yield url.replace("127.0.0.1", "localhost")


def test_push_is_turned_on_with_the_secure_csrf_cookie(secure_server: str, open_page: OpenPage) -> None:
    page = open_page()
    page.add_init_script(PUSH_SERVICE)
    sign_in(page, secure_server, "resident2@demo.ru")
    assert "__Host-csrftoken" in {cookie["name"] for cookie in page.context.cookies()}
    page.goto(secure_server + "/notifications/settings")
    with page.expect_response(lambda r: r.url.endswith("/notifications/push")) as sent:
        page.locator("#push-enable").click()
    assert sent.value.status == 201
    expect(page.locator("#push-state")).to_have_text("Этот браузер будет получать push-уведомления.")
