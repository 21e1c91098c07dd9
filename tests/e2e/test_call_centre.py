"""The call centre on a phone: the dispatcher types the caller's street and flat, the accounts they name appear while
typing, one is picked and the request is filed on it."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page
from playwright.sync_api import expect

from tests.browser import OpenPage
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


def test_without_javascript_the_form_answers_with_the_accounts_found_and_files_on_the_one_picked(
    live_server: str, open_page: OpenPage
):
    """Progressive enhancement: no request while typing; «Создать заявку» answers with the accounts the words name,
    keeps what was typed, and the second press files the request on the account picked."""
    page = open_page(1280, java_script_enabled=False)
    sign_in(page, live_server, "operator@demo.ru")
    page.goto(live_server + "/staff/tickets/new")
    page.locator("#f-account_number").fill("киевская 12")
    page.locator("#f-category").select_option("leaking_taps")
    page.locator("#f-description").fill("Течёт кран, звонок без JavaScript")
    page.get_by_role("button", name="Создать заявку").click()
    expect(page.locator(".error-summary")).to_contain_text("Выберите счёт звонящего среди найденных.")
    expect(page.locator("#f-description")).to_have_value("Течёт кран, звонок без JavaScript")
    match = page.locator("#account-matches label.choice").first
    number = re.search(r"\d{6,}", match.inner_text()).group()
    match.click()
    page.get_by_role("button", name="Создать заявку").click()
    expect(page).to_have_url(re.compile(r"/staff/tickets/\d+$"))
    expect(page.locator("main")).to_contain_text(number)


def test_a_search_by_the_callers_phone_fills_the_callers_phone_but_never_what_was_typed(page: Page, live_server: str):
    """The caller's number the operator searched by goes into «Телефон звонившего» while it is empty or holds an
    earlier search's number; a number the operator typed there stays through later searches."""
    sign_in(page, live_server, "dispatcher@demo.ru")
    page.goto(live_server + "/staff/owners")
    phones = page.locator("main table a[href^='tel:']")
    first, second = (phones.nth(i).get_attribute("href").removeprefix("tel:") for i in (0, 1))
    page.goto(live_server + "/staff/tickets/new")
    search, phone = page.locator("#f-account_number"), page.locator("#f-contact_phone")
    shown = lambda number: f"+7 {number[2:5]} {number[5:8]}-{number[8:10]}-{number[10:]}"  # noqa: E731

    search.press_sequentially("8" + first[2:], delay=20)
    expect(page.locator("#account-matches label.choice").first).to_be_visible()
    expect(phone).to_have_value(shown(first))
    search.fill("")
    search.press_sequentially(second, delay=20)
    expect(page.locator("#account-found")).to_have_attribute("data-caller-phone", shown(second))
    expect(phone).to_have_value(shown(second))  # an earlier search's number is not the operator's

    phone.fill("+7 978 000-00-99")
    search.fill("")
    search.press_sequentially(first, delay=20)
    expect(page.locator("#account-found")).to_have_attribute("data-caller-phone", shown(first))
    expect(phone).to_have_value("+7 978 000-00-99")
