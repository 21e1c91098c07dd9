"""On a phone (390 px) the demo resident opens «new request»: «Уже известно» names the emergency of their flat's
cold-water riser, published without an outage record (the red banner's notice), links it to its post, and the page
does not scroll sideways. The screenshot goes to var/test/screenshots for a person to look at."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser import OpenPage
from tests.browser import sign_in
from tests.conftest import ROOT

pytestmark = pytest.mark.browser
expect.set_options(timeout=30_000)
SHOTS = Path(os.environ.get("PORTAL_SCREENSHOTS") or ROOT / "var" / "test" / "screenshots")


def test_the_new_request_form_knows_the_emergency_of_the_residents_riser(live_server: str, open_page: OpenPage):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page = open_page(390)
    sign_in(page, live_server, "resident@demo.ru")
    page.goto(live_server + "/tickets/new")
    known = page.locator(".outage-notice")
    notice = known.get_by_role("link", name="Нет холодной воды на стояке")
    expect(notice).to_be_visible()
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
    page.screenshot(path=str(SHOTS / "new-request-known-emergency-390.png"), full_page=False)
    notice.click()
    expect(page.locator("h1")).to_contain_text("Нет холодной воды на стояке")
