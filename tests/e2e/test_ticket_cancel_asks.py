"""Cancelling a request asks once more, with JavaScript or without: the dialog where it runs (and one «OK» is
enough, no page asking again), a page of its own where it does not — one tap on «Отменить заявку» cancelled the
request at once in a browser without JavaScript."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page
from playwright.sync_api import expect

from tests.browser import OpenPage
from tests.browser import Served
from tests.browser import record_htmx_requests
from tests.browser import sign_in

pytestmark = pytest.mark.browser


def _file(page: Page, base: str) -> str:
    page.goto(base + "/tickets/new")
    page.get_by_label("Течь крана или сливного бачка").check()
    page.fill("#f-description", "Капает кран на кухне, проверка отмены")
    page.get_by_role("button", name="Создать заявку").click()
    expect(page.locator("h1")).to_contain_text("Заявка №")
    return page.url


def test_without_javascript_a_page_asks_before_the_request_is_cancelled(open_page: OpenPage, own_server: Served):
    base, _ = own_server
    page = open_page(java_script_enabled=False)
    sign_in(page, base, "resident@demo.ru")
    ticket = _file(page, base)
    page.get_by_role("button", name="Отменить заявку").click()
    expect(page.locator("h1")).to_contain_text("Отменить заявку №")
    page.get_by_role("link", name="Нет, оставить").click()
    expect(page).to_have_url(ticket)
    expect(page.locator(".ticket-status-line")).to_contain_text("Новая")
    page.get_by_role("button", name="Отменить заявку").click()
    page.get_by_role("button", name="Да, отменить").click()
    expect(page).to_have_url(ticket)
    expect(page.locator(".flash")).to_contain_text("Заявка отменена")


def test_with_javascript_the_dialog_asks_once(open_page: OpenPage, own_server: Served):
    base, _ = own_server
    page = open_page()
    sign_in(page, base, "resident@demo.ru")
    ticket = _file(page, base)
    sent = record_htmx_requests(page)
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.get_by_role("button", name="Отменить заявку").click()
    assert sent() == [], "«No» let the form be sent"  # htmx sends it in the submit the click dispatched
    expect(page.get_by_role("button", name="Отменить заявку")).to_be_visible()
    expect(page.locator(".ticket-status-line")).to_contain_text("Новая")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Отменить заявку").click()
    expect(page.locator(".flash")).to_contain_text("Заявка отменена")
    expect(page).to_have_url(ticket)
    expect(page.get_by_role("button", name="Да, отменить")).to_have_count(0)
