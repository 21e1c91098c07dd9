"""The pay button states the sum as it is typed, as the server reads it: the English page shows «Due: ₽1,500.50»,
and a sum typed like that is stated on the button as the portal will charge it; a lone comma or point is the
decimal mark, so «35,000» (three digits after it, read two ways) is no sum and the button states none."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser import OpenPage
from tests.browser import sign_in
from tests.browser import speaking

pytestmark = pytest.mark.browser


@pytest.mark.parametrize(
    ("typed", "stated"),
    [
        ("1,500.50", "Pay ₽1,500.50"),
        ("35,000", "Pay"),
        ("1.500,50", "Pay ₽1,500.50"),
        ("1 500,5", "Pay ₽1,500.50"),
        ("1500,5", "Pay ₽1,500.50"),
        ("1500.5", "Pay ₽1,500.50"),
    ],
)
def test_a_sum_typed_the_english_way_is_stated_on_the_pay_button(
    live_server: str, open_page: OpenPage, typed: str, stated: str
):
    page = open_page(locale="en-GB")
    with speaking(page, live_server, "en"):
        sign_in(page, live_server, "resident2@demo.ru")
        page.goto(live_server + "/pay")
        expect(page.locator("html")).to_have_attribute("lang", "en")
        page.locator("input.pay-amount").first.fill(typed)
        expect(page.locator("[data-pay-button]")).to_have_text(stated)
