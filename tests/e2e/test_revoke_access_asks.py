"""Revoking someone's access to an account asks once more, with JavaScript or without: the dialog where it runs (and
one «OK» is enough, no page asking again), a page of its own where it does not — one tap on «Отозвать доступ»
took the account from the person at once in a browser without JavaScript."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page
from playwright.sync_api import expect

from tests.browser import OpenPage
from tests.browser import Served
from tests.browser import record_htmx_requests
from tests.browser import sign_in

pytestmark = pytest.mark.browser

WIFE = "Смирнова"  # the demo resident's wife, on his first account (her name is typeset with non-breaking spaces)
REVOKE = re.compile(r"^Отозвать доступ\W+Мария")


def _people(page: Page, base: str) -> str:
    page.goto(base + "/accounts/link")
    page.locator('a[href$="/people"]').first.click()
    expect(page.locator("h1")).to_contain_text("доступ")
    return page.url


def test_a_page_asks_without_javascript_and_the_dialog_alone_with_it(open_page: OpenPage, own_server: Served):
    base, _ = own_server
    page = open_page(java_script_enabled=False)
    sign_in(page, base, "resident@demo.ru")
    people = _people(page, base)
    page.get_by_role("button", name=REVOKE).click()
    expect(page.locator("h1")).to_contain_text("Отозвать доступ к лицевому счёту")
    expect(page.locator("main")).to_contain_text(WIFE)
    page.get_by_role("link", name="Нет, оставить").click()
    expect(page).to_have_url(people)
    expect(page.locator("main")).to_contain_text(WIFE)

    page = open_page()
    sign_in(page, base, "resident@demo.ru")
    people = _people(page, base)
    sent = record_htmx_requests(page)
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.get_by_role("button", name=REVOKE).click()
    assert sent() == [], "«No» let the form be sent"  # htmx sends it in the submit the click dispatched
    expect(page).to_have_url(people)
    expect(page.locator("main")).to_contain_text(WIFE)
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name=REVOKE).click()
    expect(page.locator(".flash")).to_contain_text("Доступ отозван")
    expect(page).to_have_url(people)
    expect(page.get_by_role("button", name="Да, отозвать")).to_have_count(0)
    expect(page.locator("main")).not_to_contain_text(WIFE)
