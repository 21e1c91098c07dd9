"""A form answered with its errors breaks no rule of the page's Content-Security-Policy (style-src 'self').

A field may carry a ``style`` attribute the portal never wrote: the resident dragged a text box's corner (the
browser writes its new size into the attribute), a password manager or a screen magnifier marked it. When htmx
swapped in the answer, its settle step copied that attribute onto the new field with ``setAttribute("style", …)``,
which the policy blocks, and the console showed a CSP error on every such submit. The portal writes no inline styles,
so htmx is told not to settle the ``style`` attribute at all."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser import OpenPage
from tests.browser import after_htmx
from tests.browser import sign_in

pytestmark = pytest.mark.browser


def test_a_field_with_a_style_attribute_sent_with_an_error_breaks_no_style_rule(live_server: str, open_page: OpenPage):
    page = open_page()
    console: list[str] = []
    page.on("console", lambda message: console.append(message.text) if message.type == "error" else None)
    sign_in(page, live_server, "resident@demo.ru")
    page.goto(live_server + "/services")
    page.locator(".service-card", has_text="Уборка квартиры").get_by_role("link").click()
    quantity = page.get_by_label(re.compile("Количество"))
    quantity.fill("0")
    # What a magnifier or a password manager does to a field: it writes into the field's style attribute.
    quantity.evaluate("field => { field.style.outline = '2px solid orange'; }")
    with after_htmx(page):  # htmx settles 20 ms after the swap (or later on a busy phone): a blocked write is then
        page.get_by_role("button", name="Добавить в заказ").click()
    expect(page.locator(".error-summary")).to_be_visible()
    expect(page.get_by_label(re.compile("Количество"))).to_have_value("0")
    assert not [line for line in console if "Content Security Policy" in line], console


def test_a_photo_opened_on_its_own_breaks_no_style_rule(live_server: str, open_page: OpenPage):
    """The browser shows a picture opened in a tab of its own in a page it builds, centred by inline styles: the
    picture's answer allows them (and nothing else), or the console reports the policy on every photo."""
    page = open_page()
    console: list[str] = []
    page.on("console", lambda message: console.append(message.text) if message.type == "error" else None)
    sign_in(page, live_server, "resident@demo.ru")
    page.goto(live_server + "/showcase/sale")
    photo = page.locator("main img[src^='/showcase/photos/']").first.get_attribute("src")
    answer = page.goto(live_server + photo)
    assert answer is not None and answer.headers["content-type"].startswith("image/")
    assert "script-src" not in answer.headers["content-security-policy"]
    expect(page.locator("img")).to_have_count(1)  # the page the browser built is loaded: its styles were applied
    assert not [line for line in console if "Content Security Policy" in line], console
