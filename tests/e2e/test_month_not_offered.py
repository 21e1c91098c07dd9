"""In a browser, at 1280 px: what a staff form or filter posts that its page does not offer is said on the page, with
what was chosen kept: an entrance typed with no house on the debtors list (a filter change redrawn by HTMX), and a
receipt run for a month the dropdown does not offer (a form kept open from before, or altered), posted as HTMX
boosts it."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser import OpenPage
from tests.browser import sign_in

pytestmark = pytest.mark.browser


def test_an_entrance_without_a_house_and_a_month_not_offered_are_said_on_the_page(
    live_server: str, open_page: OpenPage
) -> None:
    page = open_page(1280)
    sign_in(page, live_server, "accountant@demo.ru")

    page.goto(live_server + "/staff/billing/debtors")
    page.locator("#f-entrance").fill("2")
    page.locator("#debtor-filters button[type=submit]").click()
    expect(page.locator("#debtor-filters")).to_contain_text("Сначала выберите дом; список показан без этого условия.")
    expect(page.locator("#list .notice-warning")).to_have_text("Не применены, так как не прочитаны: Подъезд.")
    expect(page.locator("#f-entrance")).to_have_value("2")
    entrances = page.locator("#list td[data-label='Подъезд']").all_inner_texts()
    assert {"1", "2"} <= {e.strip() for e in entrances}  # the list of every entrance, not entrance 2 of each house

    page.goto(live_server + "/staff/billing/receipts")
    form = page.locator("form[action='/staff/billing/receipts']")
    house = form.locator("#f-house option").nth(1).get_attribute("value")
    form.locator("#f-house").select_option(house)
    form.locator("#f-period").evaluate("s => { s.options[0].value = '2031-01'; s.value = '2031-01'; }")
    form.locator("button[type=submit]").click()
    expect(page.locator(".error-summary")).to_contain_text("Месяца «2031-01» нет в списке")
    expect(page.locator(".error-summary")).to_be_focused()
    expect(page.locator("#f-house")).to_have_value(house)
    expect(page).to_have_url(re.compile(r"/staff/billing/receipts$"))
