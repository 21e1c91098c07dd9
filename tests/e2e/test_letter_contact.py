"""A request filed from a resident's letter, in the executor's hand (390 px): the e-mail it came from is a letter at
one tap on their card and on the request's page, a long address wrapping inside its button. Screenshots go to
screenshots/."""

from __future__ import annotations

import re
import sqlite3

import pytest
from playwright.sync_api import Page
from playwright.sync_api import expect

from tests.browser import OpenPage
from tests.browser import Served
from tests.browser import sign_in
from tests.conftest import ROOT

pytestmark = pytest.mark.browser
SHOTS = ROOT / "screenshots"
EMAIL = "anna.sergeevna.petrova-ivanova@example-mail.ru"
WIDTH = 390


def fits(page: Page, link: str) -> None:
    """The link is whole on the screen and the page does not scroll sideways."""
    box = page.locator(link).first.bounding_box()
    assert box and box["x"] >= 0 and box["x"] + box["width"] <= WIDTH, box
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH


def test_the_executor_writes_back_to_the_letter_at_one_tap(own_server: Served, open_page: OpenPage) -> None:
    base, folder = own_server
    page = open_page(WIDTH)
    sign_in(page, base, "executor@demo.ru")
    page.goto(base + "/staff/my-tickets")
    href = page.locator("#my-work a[href^='/staff/tickets/']").first.get_attribute("href")
    ticket = int(re.search(r"/staff/tickets/(\d+)", href or "").group(1))
    db = sqlite3.connect(folder / "live.sqlite")
    with db:  # as the call centre files it from a letter: no name, no phone typed
        db.execute(
            "UPDATE ticket SET source = 'email', contact_email = ?, contact_name = '', contact_phone = '' WHERE id = ?",
            (EMAIL, ticket),
        )
    db.close()
    link = f"a[href='mailto:{EMAIL}']"
    page.goto(base + "/staff/my-tickets")
    card = page.locator("#my-work li.ticket-card").filter(has=page.locator(f"a[href='/staff/tickets/{ticket}']"))
    expect(card.locator(link)).to_have_text(f"Написать жителю: {EMAIL}")
    fits(page, link)
    SHOTS.mkdir(exist_ok=True)
    card.screenshot(path=str(SHOTS / "executor-card-letter-390.png"))
    page.goto(base + f"/staff/tickets/{ticket}")
    facts = page.locator("section[aria-label='О заявке']")
    expect(facts.locator(link)).to_be_visible()
    expect(facts).not_to_contain_text("Контакт\n—")
    fits(page, link)
    page.screenshot(path=str(SHOTS / "executor-request-letter-390.png"), full_page=True)
