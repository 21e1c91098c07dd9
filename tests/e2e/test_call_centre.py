"""The call centre on a phone: the dispatcher types the caller's street and flat, the accounts they name appear while
typing, one is picked and the request is filed on it."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page
from playwright.sync_api import expect

from tests.browser import sign_in

pytestmark = pytest.mark.browser


def test_a_caller_without_the_account_number_is_found_by_street_and_flat(page: Page, live_server: str):
    sign_in(page, live_server, "dispatcher@demo.ru")
    page.goto(live_server + "/staff/tickets/new")
    page.locator("#f-account_number").press_sequentially("киевская 12", delay=30)
    matches = page.locator("#account-matches label.choice")
    expect(matches.first).to_be_visible()  # asked for while typing, no button pressed
    first = matches.first.inner_text()
    assert "Киевская" in first and "кв. 12" in first, first
    number = re.search(r"\d{6,}", first).group()
    matches.first.click()
    page.locator("#f-category").select_option("leaking_taps")
    page.locator("#f-description").fill("Течёт кран на кухне, звонила соседка")
    page.get_by_role("button", name="Создать заявку").click()
    expect(page).to_have_url(re.compile(r"/staff/tickets/\d+$"))
    expect(page.locator("main")).to_contain_text(number)
