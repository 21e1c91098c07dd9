"""Signing out at a shared computer: the next person pressing Back sees the sign-in form, not the resident's
account with its balance, payer and address (neither htmx's history in the tab nor the browser's cache keeps a
signed-in page)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page
from playwright.sync_api import expect

from tests.browser import sign_in

pytestmark = pytest.mark.browser


def test_back_after_sign_out_shows_the_sign_in_form_not_the_account(page: Page, live_server: str):
    sign_in(page, live_server, "resident@demo.ru")
    page.get_by_role("link", name="Начисления и оплаты").first.click()
    expect(page).to_have_url(re.compile(r"/accounts/\d+$"))
    payer = page.locator("main").inner_text().split("·")[1].split("\n")[0].strip()
    assert payer, "the account page names its payer"
    page.get_by_role("link", name="Ещё").first.click()
    expect(page).to_have_url(re.compile(r"/more$"))
    page.get_by_role("button", name="Выйти").last.click()
    expect(page.get_by_role("link", name="Войти").first).to_be_visible()
    assert payer not in page.evaluate("JSON.stringify(sessionStorage)")
    page.go_back()
    page.go_back()
    expect(page).to_have_url(re.compile(r"/accounts/\d+$"))
    expect(page.locator("#f-password")).to_be_visible()
    expect(page.get_by_text(payer)).to_have_count(0)
