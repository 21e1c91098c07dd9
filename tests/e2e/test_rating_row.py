"""The rating of a finished request on a phone: the five marks stand on one line, «5» never alone under «1 2 3 4»
(it did at 390 px, and on a 320 px phone the row broke after «3»)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser import OpenPage
from tests.browser import sign_in

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("width", [320, 390])
def test_the_five_marks_stand_on_one_line(live_server: str, open_page: OpenPage, width: int) -> None:
    page = open_page(width)
    sign_in(page, live_server, "resident@demo.ru")
    page.goto(live_server + "/tickets/3")  # the demo's request the dispatcher marked done, not rated yet
    marks = page.locator("fieldset.rating label.choice")
    expect(marks).to_have_count(5)
    boxes = [marks.nth(i).bounding_box() for i in range(5)]
    assert all(boxes), boxes
    tops = {round(box["y"]) for box in boxes if box}
    assert len(tops) == 1, f"the marks stand on {len(tops)} lines at {width} px: {boxes}"
    form = page.locator("fieldset.rating").bounding_box()
    assert form and all(box["x"] + box["width"] <= form["x"] + form["width"] + 1 for box in boxes if box)
    marks.nth(4).click()
    expect(page.locator("fieldset.rating input[value='5']")).to_be_checked()
