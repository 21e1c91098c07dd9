"""The notification settings on a 390 px phone: every checkbox of the topic × channel grid takes a tap on a
44 × 44 px square (the design's least touch target), and the grid fits its card."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser
from playwright.sync_api import expect

from tests.browser import sign_in

pytestmark = pytest.mark.browser


def test_each_choice_of_the_grid_is_a_44_px_target_within_the_card(live_server: str, browser: Browser) -> None:
    page = browser.new_context(viewport={"width": 390, "height": 844}, locale="ru-RU").new_page()
    sign_in(page, live_server, "resident2@demo.ru")
    page.goto(live_server + "/notifications/settings")
    boxes = page.locator("main form input[type=checkbox][name=want]")
    assert boxes.count() >= 8
    for box in boxes.all():
        target = box.evaluate("b => { const r = b.labels[0].getBoundingClientRect(); return [r.width, r.height]; }")
        assert min(target) >= 44, f"{box.get_attribute('value')}: the tap target is {target}"
    wrap = page.locator("main form .table-wrap")
    inner, outer = wrap.evaluate("w => [w.scrollWidth, w.clientWidth]")
    assert inner <= outer, f"the grid is {inner} px wide in a {outer} px card"
    first = boxes.first
    before = first.is_checked()
    label = first.locator("xpath=ancestor::label[1]")
    box = label.bounding_box()
    assert box
    page.mouse.click(box["x"] + 3, box["y"] + 3)  # a thumb that lands at the corner of the square
    expect(first).to_be_checked(checked=not before)
