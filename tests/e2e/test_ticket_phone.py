"""A request's page in a phone's hand (390 px): the executor's next step under the heading, a countdown that keeps
each number with its unit. Screenshots of the request page go to screenshots/."""

from __future__ import annotations

import re
from itertools import pairwise

import pytest
from playwright.sync_api import Page
from playwright.sync_api import expect

from tests.browser import OpenPage
from tests.browser import Served
from tests.browser import sign_in
from tests.conftest import ROOT

pytestmark = pytest.mark.browser
SHOTS = ROOT / "screenshots"
PHONE_HEIGHT = 844

# Every element the Tab key stops at in <main>, in the order it stops (no positive tabindex on these pages: the
# order of the document), with its box.
TAB_STOPS = """() => Array.from(document.querySelectorAll(
    'main a[href], main button, main input:not([type=hidden]), main select, main textarea, main summary'))
  .filter((e) => e.checkVisibility() && !e.closest('[inert]'))
  .map((e) => { const r = e.getBoundingClientRect(); return [e.textContent.trim().slice(0, 40), r.top, r.left]; })"""


def executors_request(page: Page, base: str) -> None:
    """The executor's first request in work, opened from their list."""
    sign_in(page, base, "executor@demo.ru")
    page.goto(base + "/staff/my-tickets")
    page.locator("#my-work a[href^='/staff/tickets/']").first.click()
    expect(page.locator("h1")).to_contain_text("Заявка №")


def assert_tab_order_follows_the_page(page: Page) -> None:
    """Each Tab stop is below the one before or on its row to the right: the keyboard goes down the page as the
    eye does."""
    stops = page.evaluate(TAB_STOPS)
    for before, after in pairwise(stops):
        assert after[1] > before[1] + 1 or (abs(after[1] - before[1]) <= 1 and after[2] >= before[2]), (before, after)


def test_on_a_phone_the_next_step_is_under_the_heading_and_on_a_wide_screen_the_status_form_is_unchanged(
    own_server: Served, open_page: OpenPage
) -> None:
    """«Отметить выполненной» was a screen and a half below the top on a phone, under the facts of the request: it
    stands under the heading, on the first screen, the keyboard reaching it right after the heading's link; the
    status form with its comment and every move stays below. On a wide screen the page is as it was."""
    base, _ = own_server
    page = open_page(390)
    executors_request(page, base)
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / "executor-request-390.png"), full_page=True)
    next_step = page.locator("#ticket-next button[name=status]")
    expect(next_step).to_have_text("Отметить выполненной")
    button, heading = next_step.bounding_box(), page.locator("h1").bounding_box()
    facts = page.locator("section[aria-label='О заявке']").bounding_box()
    assert button and heading and facts
    assert heading["y"] < button["y"] < facts["y"], (heading, button, facts)
    assert button["y"] + button["height"] < PHONE_HEIGHT and button["width"] >= 300, button
    expect(page.locator("#ticket-actions button[name=status]")).to_have_count(2)  # the full form keeps every move
    assert_tab_order_follows_the_page(page)

    wide = open_page(1280)
    executors_request(wide, base)
    wide.screenshot(path=str(SHOTS / "executor-request-1280.png"), full_page=True)
    expect(wide.locator("#ticket-next")).to_be_hidden()
    expect(wide.locator("#ticket-actions button[name=status]").first).to_be_visible()
    assert_tab_order_follows_the_page(wide)


def test_a_countdown_never_parts_a_number_from_its_unit(own_server: Served, open_page: OpenPage) -> None:
    """«Просрочена на 54 суток 20 ч» broke before «ч», which stood alone on the next line: a number and its unit are
    joined by a no-break space, so the line breaks between quantities only."""
    page = open_page(390)
    executors_request(page, own_server[0])
    text = page.locator("#ticket-status .countdown").inner_text()
    assert re.search(r"\d\u00a0(ч|мин|сут)", text), text
    assert not re.search(r"\d[ \t\n]", text), text


def test_the_next_step_is_a_plain_form_post(own_server: Served, open_page: OpenPage) -> None:
    """Without JavaScript the button under the heading moves the request as the status form's does."""
    base, _ = own_server
    page = open_page(390, java_script_enabled=False)
    executors_request(page, base)
    with page.expect_navigation():
        page.locator("#ticket-next button[name=status]").click()
    expect(page.locator("#ticket-status")).to_contain_text("Выполнена")
    expect(page.locator("#ticket-next button[name=status]")).to_have_count(0)
