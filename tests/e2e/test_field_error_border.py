"""A field refused by the server is drawn with the danger border (2 px, the `--danger` colour) as well as its
message: the rule for refused fields must win over the plain field's border, for text boxes as for selects."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page
from playwright.sync_api import expect

from tests.browser import sign_in

pytestmark = pytest.mark.browser

DANGER = "rgb(185, 28, 28)"  # --danger: #b91c1c


def _border(page: Page, selector: str) -> tuple[str, str]:
    return tuple(
        page.locator(selector).evaluate("e => [getComputedStyle(e).borderTopWidth, getComputedStyle(e).borderTopColor]")
    )


def test_a_refused_text_field_has_the_danger_border_and_a_good_one_keeps_the_plain_one(page: Page, live_server: str):
    sign_in(page, live_server, "resident@demo.ru")
    page.goto(live_server + "/profile")
    page.fill("#f-phone", "12")
    page.locator("#f-phone").press("Enter")
    expect(page.locator(".field.has-error #f-phone")).to_be_visible()
    assert _border(page, "#f-phone") == ("2px", DANGER)
    width, colour = _border(page, "#f-full_name")
    assert (width, colour != DANGER) == ("1px", True)
