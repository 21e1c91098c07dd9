"""A request's page in a phone's hand (390 px): a countdown keeps each number with its unit.
Screenshots go to screenshots/."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page
from playwright.sync_api import expect

from tests.browser import OpenPage
from tests.browser import sign_in
from tests.conftest import ROOT

pytestmark = pytest.mark.browser
SHOTS = ROOT / "screenshots"


def executors_request(page: Page, base: str) -> None:
    """The executor's first request in work, opened from their list."""
    sign_in(page, base, "executor@demo.ru")
    page.goto(base + "/staff/my-tickets")
    page.locator("#my-work a[href^='/staff/tickets/']").first.click()
    expect(page.locator("h1")).to_contain_text("Заявка №")


def test_a_countdown_never_parts_a_number_from_its_unit(live_server: str, open_page: OpenPage) -> None:
    """«Просрочена на 54 суток 20 ч» broke before «ч», which stood alone on the next line: a number and its unit are
    joined by a no-break space, so the line breaks between quantities only."""
    page = open_page(390)
    executors_request(page, live_server)
    text = page.locator("#ticket-status .countdown").inner_text()
    assert re.search(r"\d\u00a0(ч|мин|сут)", text), text
    assert not re.search(r"\d[ \t\n]", text), text
