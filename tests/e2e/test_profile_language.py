"""A resident who chooses English in the profile gets pages that say they are English: the page's own language
(<html lang>) follows, so a screen reader reads them with an English voice, not a Russian one."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page
from playwright.sync_api import expect

from tests.browser import sign_in

pytestmark = pytest.mark.browser


def test_the_language_chosen_in_the_profile_is_the_language_the_page_declares(page: Page, live_server: str):
    sign_in(page, live_server, "resident2@demo.ru")
    page.goto(live_server + "/profile")
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    page.locator("select[name=locale]").select_option("en")
    page.get_by_role("button", name="Сохранить профиль").click()
    expect(page.get_by_role("heading", name="Profile", exact=True)).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.locator("select[name=locale]").select_option("ru")
    page.get_by_role("button", name="Save the profile").click()
    expect(page.get_by_role("heading", name="Профиль", exact=True)).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "ru")
