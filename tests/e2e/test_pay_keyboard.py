"""The pay page with the keyboard only, on a phone: each field reached with Tab is in sight, not under the bar
with «Оплатить» that sticks to the bottom of the screen above the navigation."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from tests.browser import sign_in

pytestmark = pytest.mark.browser


def test_an_amount_reached_with_tab_is_not_hidden_under_the_pay_bar(page: Page, live_server: str):
    sign_in(page, live_server, "resident@demo.ru")
    page.goto(live_server + "/pay")
    amounts = page.locator("fieldset.pay-account input.pay-amount")
    assert amounts.count() >= 2, "the demo resident pays for two accounts on one page"
    last = amounts.last.get_attribute("name")
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.name") == last:
            break
    else:
        pytest.fail("Tab never reached the last account's amount")
    field = page.evaluate("document.activeElement.getBoundingClientRect().bottom")
    bar = page.locator(".pay-bar").evaluate("e => e.getBoundingClientRect().top")
    assert field <= bar, f"the focused amount ends at {field} px, under the pay bar that starts at {bar} px"
