"""The resident's answer about the work: «Да, работа выполнена» and the form to return the request under it stand
apart on a phone and on a wide screen. The button's box ran into the label «Работа не выполнена: что не так?», which
read as the button's own caption."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser import OpenPage
from tests.browser import sign_in

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("width", [390, 1280])
def test_the_confirm_button_does_not_touch_the_return_form_below_it(
    live_server: str, open_page: OpenPage, width: int
) -> None:
    page = open_page(width, 844)
    sign_in(page, live_server, "resident@demo.ru")
    page.goto(live_server + "/tickets")
    page.locator("li.ticket-card", has=page.locator(".badge-done")).first.locator("a").click()
    confirm = page.get_by_role("button", name="Да, работа выполнена")
    label = page.get_by_text("Работа не выполнена: что не так?")
    expect(confirm).to_be_visible()
    button, below = confirm.bounding_box(), label.bounding_box()
    assert button is not None and below is not None
    assert below["y"] - (button["y"] + button["height"]) >= 12, (button, below)
