"""The executor's working day on a phone (390 px, a thumb in a glove): their list says where to go in the house and
calls the resident with one tap, and every link and button of a card is a 44 px target. Screenshots go to
screenshots/."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser import OpenPage
from tests.browser import sign_in
from tests.conftest import ROOT

pytestmark = pytest.mark.browser
SHOTS = ROOT / "screenshots"
TARGET = 44


def test_on_a_phone_the_executors_cards_say_where_to_go_and_call_the_resident_with_44_px_targets(
    live_server: str, open_page: OpenPage
) -> None:
    page = open_page(390)
    sign_in(page, live_server, "executor@demo.ru")
    page.goto(live_server + "/staff/my-tickets")
    work = page.locator("#my-work")
    expect(work.locator(".ticket-card-where").first).to_contain_text("подъезд")
    call = work.locator("a[href^='tel:']").first
    expect(call).to_contain_text("Позвонить жителю")
    call.scroll_into_view_if_needed()
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / "executor-cards-390.png"))
    box = call.bounding_box()
    assert box and box["height"] >= TARGET and box["width"] >= 300, box
    small = page.evaluate(
        """(least) => Array.from(document.querySelectorAll('#my-work a, #my-work button'))
          .map((e) => [e.innerText.trim(), e.getBoundingClientRect()])
          .filter(([, r]) => r.height < least || r.width < least)
          .map(([text, r]) => `${text}: ${r.width}×${r.height}`)""",
        TARGET,
    )
    assert small == []


def test_on_a_phone_the_requests_page_calls_its_contact_with_a_44_px_button(
    live_server: str, open_page: OpenPage
) -> None:
    page = open_page(390)
    sign_in(page, live_server, "executor@demo.ru")
    page.goto(live_server + "/staff/my-tickets")
    card = page.locator("#my-work li:has(a[href^='tel:'])").first
    number = card.locator("a[href^='tel:']").get_attribute("href")
    card.locator(".ticket-card-title").click()
    expect(page).to_have_url(re.compile(r"/staff/tickets/\d+$"))
    call = page.locator("dl.facts a[href^='tel:']")
    expect(call).to_have_attribute("href", number or "")
    expect(call).to_contain_text("Позвонить жителю")
    call.scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / "executor-request-call-390.png"))
    box = call.bounding_box()
    assert box and box["height"] >= TARGET and box["width"] >= TARGET, box
