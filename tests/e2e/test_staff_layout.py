"""The staff layout at 1280 px after signing in and moving on through boosted links, without a reload: the side
menu on the left, the content beside it at full width; after signing out, the resident layout again."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser
from playwright.sync_api import Page
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def box(page: Page, selector: str) -> dict[str, float]:
    found = page.locator(selector).first.bounding_box()
    assert found, f"{selector} is not shown"
    return found


def test_the_staff_layout_holds_after_a_boosted_sign_in_and_navigation(live_server: str, browser: Browser) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="ru-RU")
    page = context.new_page()
    page.goto(live_server + "/login")
    page.evaluate("window.sameDocument = true")  # gone if anything reloads the page
    page.fill("input[name=login]", "dispatcher@demo.ru")
    page.fill("input[name=password]", "demo12345")
    page.locator("form:has(input[name=password]) button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/staff$"))
    page.locator("nav.sidebar").get_by_role("link", name="Заявки").click()
    expect(page).to_have_url(re.compile(r"/staff/tickets$"))
    expect(page.locator("table.ticket-table")).to_be_visible()
    assert page.evaluate("window.sameDocument") is True, "the sign-in or the menu link reloaded the page"

    sidebar, main, table = box(page, "nav.sidebar"), box(page, "main"), box(page, "table.ticket-table")
    assert sidebar["x"] == 0 and 200 <= sidebar["width"] <= 260, sidebar
    assert sidebar["height"] > 400, "the side menu is a column, not a strip across the page"
    assert main["x"] >= sidebar["width"] - 1 and main["x"] + main["width"] <= 1280 + 1, main
    assert main["width"] > 1000, "the content uses the width beside the menu, not 960 px"
    assert table["width"] > 960, table

    page.get_by_role("button", name="Выйти").click()
    expect(page.locator("nav.sidebar")).to_have_count(0)
    assert page.evaluate("window.sameDocument") is True
    main, width = box(page, "main"), page.evaluate("document.documentElement.clientWidth")
    assert main["width"] <= 960 and abs(main["x"] - (width - main["width"]) / 2) <= 2, main
    context.close()
