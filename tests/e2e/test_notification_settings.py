"""The notification settings on a 390 px phone: every checkbox of the topic × channel grid takes a tap on a
44 × 44 px square (the design's least touch target), and the grid fits its card."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser import OpenPage
from tests.browser import sign_in
from tests.browser import speaking

pytestmark = pytest.mark.browser


def test_each_choice_of_the_grid_is_a_44_px_target_within_the_card(live_server: str, open_page: OpenPage) -> None:
    page = open_page()
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


@pytest.mark.parametrize("language", ["ru", "en"])
def test_the_channels_of_the_grid_are_named_on_one_line_each(live_server: str, open_page: OpenPage, language: str):
    """At 390 px «E-mail» broke at its hyphen into «E-» over «mail»: a channel's name stays whole."""
    page = open_page()
    with speaking(page, live_server, language):
        sign_in(page, live_server, "resident2@demo.ru")
        page.goto(live_server + "/notifications/settings")
        heads = page.locator("main form table thead th").all()[1:]
        assert len(heads) >= 3
        count_lines = (
            "h => { const r = document.createRange(); r.selectNodeContents(h);"
            " return new Set(Array.from(r.getClientRects()).map(x => Math.round(x.top))).size; }"
        )
        for head in heads:
            lines = head.evaluate(count_lines)
            assert lines == 1, f"«{head.inner_text()}» takes {lines} lines"
        wrap = page.locator("main form .table-wrap")
        inner, outer = wrap.evaluate("w => [w.scrollWidth, w.clientWidth]")
        assert inner <= outer, f"the grid is {inner} px wide in a {outer} px card"
