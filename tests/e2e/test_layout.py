"""The layout in a real browser: the language switch works and is remembered; a signed-in resident's page does not
scroll sideways at any common width, the company's name staying in the top bar."""

import re

import pytest
from playwright.sync_api import Page
from playwright.sync_api import expect

from tests.browser import OpenPage
from tests.browser import sign_in

pytestmark = pytest.mark.browser


def test_language_switch_changes_the_page_and_is_remembered(page: Page, live_server: str):
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(live_server + "/")
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your home, online")
    page.reload()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.get_by_role("button", name="Русский").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ваш дом — онлайн")


@pytest.mark.parametrize("width", [390, 900, 1024, 1280])
def test_a_residents_pages_do_not_scroll_sideways(live_server: str, open_page: OpenPage, width: int) -> None:
    page = open_page(width, 900)
    page.goto(live_server + "/login")
    page.fill("input[name=login]", "resident@demo.ru")
    page.fill("input[name=password]", "demo12345")
    page.locator("form:has(input[name=password]) button[type=submit]").click()
    expect(page).not_to_have_url(re.compile(r"/login"))
    for path in ("/", "/pay", "/tickets", "/meters", "/more"):
        page.goto(live_server + path)
        wide = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
        assert wide[0] <= wide[1], f"{path} is {wide[0]} px wide at {wide[1]} px"
        brand = page.locator(".topbar .brand").bounding_box()
        assert brand and brand["width"] >= 40, f"the company's name is squeezed out of the top bar of {path}: {brand}"


# Each fact of a fact list with the width its words get and whether it stands under its label or beside it.
FACTS = """list => [...list.querySelectorAll("dd")].map(dd => {
  const dt = dd.previousElementSibling.getBoundingClientRect(), box = dd.getBoundingClientRect();
  return {label: dd.previousElementSibling.innerText, width: box.width, under: box.top >= dt.bottom - 1};
})"""


def test_on_a_phone_a_fact_stands_under_its_label_with_the_cards_width(page: Page, live_server: str):
    """Beside «Бумажные решения» a meeting's address had a third of the card and broke into four lines; the account
    number in a receipt's requisites broke in two."""
    sign_in(page, live_server, "resident@demo.ru")
    page.get_by_role("link", name=re.compile(r"^Ещё")).first.click()
    page.get_by_role("link", name="Собрания собственников").click()
    page.locator("main a[href^='/meetings/']").first.click()
    expect(page).to_have_url(re.compile(r"/meetings/\d+$"))
    facts = page.locator("main dl.facts").first.evaluate(FACTS)
    card = page.locator("main dl.facts").first.bounding_box()
    assert facts and all(f["under"] and f["width"] >= card["width"] - 1 for f in facts), facts
    page.set_viewport_size({"width": 1280, "height": 900})
    assert not any(f["under"] for f in page.locator("main dl.facts").first.evaluate(FACTS)), "beside it on a desktop"
