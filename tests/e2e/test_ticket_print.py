"""The dispatcher prints a request (Ctrl+P) for the executor: the paper carries the request and its history across
the paper's width, not the forms of the screen (status buttons, executor, details, message) that filled four pages,
nor a 232 px column where the hidden side menu was (a landscape page is as wide as a desktop screen)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser import OpenPage
from tests.browser import sign_in

pytestmark = pytest.mark.browser


def test_a_printed_request_is_the_request_and_its_history_without_the_forms(
    live_server: str, open_page: OpenPage
) -> None:
    page = open_page(1280)
    sign_in(page, live_server, "dispatcher@demo.ru")
    page.goto(live_server + "/staff/tickets")
    page.locator("table.ticket-table tbody tr td.col-number a").first.click()
    expect(page.locator("#ticket-actions form")).to_be_visible()
    expect(page.locator("form[action$='/assign']")).to_be_visible()

    page.emulate_media(media="print")
    assert page.locator("main").evaluate("e => e.getBoundingClientRect().width") > 1000
    expect(page.locator("h1")).to_contain_text("Заявка №")
    expect(page.locator("dl.facts")).to_be_visible()
    expect(page.locator("#conversation")).to_be_visible()
    for form in ("#ticket-actions form", "#message-form", "form[action$='/assign']", "form[action$='/update']"):
        expect(page.locator(form)).to_be_hidden()
    expect(page.locator("p.breadcrumbs")).to_be_hidden()
