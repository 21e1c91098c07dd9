"""The resident's cart: after «Убрать» the keyboard goes on from the cart, not from the top of the page. htmx swaps
the cart and the pressed button is gone with its line, so the focus fell back to the page's body and a keyboard or
screen-reader user started again from the top. It now goes to the line that took the removed one's place, and to the
heading «Ваш заказ» when the last line went."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser import OpenPage
from tests.browser import add_to_order
from tests.browser import sign_in

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("width", [390, 1280])
def test_removing_a_line_leaves_the_keyboard_on_the_next_line_then_on_the_heading(
    live_server: str, open_page: OpenPage, width: int
) -> None:
    page = open_page(width, 844)
    sign_in(page, live_server, "resident@demo.ru")
    add_to_order(page, live_server, "Вызов сантехника", "Замена смесителя")
    page.get_by_role("button", name="Убрать Вызов сантехника").focus()
    with page.expect_response(lambda r: r.url.endswith("/services/cart/remove")) as answer:
        page.keyboard.press("Enter")
    assert answer.value.request.headers.get("hx-request") == "true"  # htmx swapped the cart, no page load
    expect(page.locator("main table tbody tr")).to_have_count(1)
    expect(page.get_by_role("button", name="Убрать Замена смесителя")).to_be_focused()
    with page.expect_response(lambda r: r.url.endswith("/services/cart/remove")):
        page.keyboard.press("Enter")
    expect(page.get_by_text("Ваш заказ пуст.")).to_be_visible()
    expect(page.get_by_role("heading", name="Ваш заказ")).to_be_focused()
