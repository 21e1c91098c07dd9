"""The resident's cart at 390 px: «Убрать» on a line keeps what was typed in the order form. The button was a form of
its own, so the page came back with the day, time, phone and comment empty; it is now a button of the order form,
and htmx sends that form with it."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser import OpenPage
from tests.browser import add_to_order
from tests.browser import sign_in

pytestmark = pytest.mark.browser


def test_removing_a_line_keeps_the_typed_day_time_phone_and_comment(live_server: str, open_page: OpenPage) -> None:
    page = open_page()
    sign_in(page, live_server, "resident@demo.ru")
    add_to_order(page, live_server, "Вызов сантехника", "Замена смесителя")
    day = page.locator("main [name=day]")
    day.select_option(index=2)
    chosen = day.input_value()
    page.locator("main [name=slot]").select_option(index=1)
    slot = page.locator("main [name=slot]").input_value()
    page.locator("main [name=phone]").fill("+7 978 111-22-33")
    page.locator("main [name=comment]").fill("Домофон 12")
    with page.expect_response(lambda r: r.url.endswith("/services/cart/remove")) as answer:
        page.get_by_role("button", name="Убрать Вызов сантехника").click()
    assert answer.value.request.headers.get("hx-request") == "true"  # htmx sent it, no page load
    expect(page.locator("main table tbody tr")).to_have_count(1)
    expect(page.locator("main #flashes")).to_have_count(1)  # the swap takes the cart only, not what is above it
    expect(page.get_by_role("button", name="Убрать Замена смесителя")).to_be_visible()
    expect(page.locator("main [name=day]")).to_have_value(chosen)
    expect(page.locator("main [name=slot]")).to_have_value(slot)
    expect(page.locator("main [name=phone]")).to_have_value("+7 978 111-22-33")
    expect(page.locator("main [name=comment]")).to_have_value("Домофон 12")
