"""The staff form of a news post at 1280 and 390 px: its fields stand one under another with room between them,
and no field's input reaches into its neighbour's (the publish and end dates side by side included, and a house's
own entrances and floors, opened under it)."""

from __future__ import annotations

import pytest

from tests.browser import OpenPage
from tests.browser import sign_in

pytestmark = pytest.mark.browser

# Every input, select and textarea of the form that is shown (a closed disclosure's are not): its box, and the box of
# the field (or label) that holds it.
BOXES = """() => [...document.querySelectorAll(
    "main form .field > input:not([type=hidden]), main form .field > select, main form .field > textarea")]
  .filter(el => el.checkVisibility()).map(el => {
    const own = el.getBoundingClientRect(), field = el.closest(".field").getBoundingClientRect();
    return {name: el.name, left: own.left, right: own.right, top: own.top, bottom: own.bottom, fieldRight: field.right};
  })"""


@pytest.mark.parametrize("width", [1280, 390])
def test_the_post_form_keeps_each_field_in_its_own_place(live_server: str, open_page: OpenPage, width: int) -> None:
    page = open_page(width, 900)
    sign_in(page, live_server, "moderator@demo.ru")
    page.goto(live_server + "/staff/posts/new")
    boxes = page.evaluate(BOXES)
    assert {"kind", "title", "publish_at", "ends_at"} <= {b["name"] for b in boxes}
    _apart(boxes, width)
    page.locator(".house-part summary").first.click()  # a house's own entrances and floors, opened
    opened = page.evaluate(BOXES)
    assert {n.split("-")[0] for n in {b["name"] for b in opened} - {b["name"] for b in boxes}} == {
        "entrances",
        "floor_from",
        "floor_to",
    }
    _apart(opened, width)
    # The fields have room between them: the title's label is not glued to the type select above it.
    gap = page.evaluate(
        """() => document.querySelector("label[for=f-title]").getBoundingClientRect().top
                 - document.querySelector("#f-kind").getBoundingClientRect().bottom"""
    )
    assert gap >= 12, f"{gap} px between the type and the title at {width} px"


def _apart(boxes: list[dict], width: int) -> None:
    for b in boxes:
        assert b["right"] <= b["fieldRight"] + 0.5, f"{b['name']} reaches out of its field at {width} px"
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            beside = a["right"] <= b["left"] or b["right"] <= a["left"]
            apart = beside or a["bottom"] <= b["top"] or b["bottom"] <= a["top"]
            assert apart, f"{a['name']} and {b['name']} overlap at {width} px"
