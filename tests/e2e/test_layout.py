"""The layout in a real browser: the language switch works and is remembered."""

import pytest
from playwright.sync_api import Page
from playwright.sync_api import expect

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
