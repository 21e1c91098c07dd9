"""The resident's cart at 1280 px: one line under each row. Its «Убрать» cell was laid out as a flex box, so no table
cell: it ended at its own height and drew its line across the column apart from the row's (the staff post list had
the same fault). «Убрать» reads on the line of the row's other words."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from playwright.sync_api import expect

from tests.browser import OpenPage
from tests.browser import add_to_order
from tests.browser import sign_in

pytestmark = pytest.mark.browser

FOCUS = (0x1D, 0x4E, 0xD8)  # --focus in static/css/portal.css

# The rows whose last cell does not reach the row's foot, or whose «Убрать» is not on the line of the service's name.
OFF_LINE = """() => [...document.querySelectorAll("main table tbody tr")].filter((row) => {
  const cell = row.cells[row.cells.length - 1];
  const name = row.cells[0].querySelector("a").getBoundingClientRect();
  const remove = cell.querySelector("button").getBoundingClientRect();
  const foot = Math.abs(cell.getBoundingClientRect().bottom - row.getBoundingClientRect().bottom) > 1;
  return foot || Math.abs((remove.top + remove.bottom) / 2 - (name.top + name.bottom) / 2) > 2;
}).map((row) => row.cells[0].innerText)"""


def test_the_cart_draws_one_line_under_each_row_at_1280_px(live_server: str, open_page: OpenPage) -> None:
    page = open_page(1280)
    sign_in(page, live_server, "resident@demo.ru")
    add_to_order(page, live_server, "Вызов сантехника", "Замена смесителя")
    assert page.locator("main table tbody tr").count() == 2
    assert page.evaluate(OFF_LINE) == []


# Where the focused «Убрать» of the first row draws the top line of its focus ring (3 px wide, 2 px off its box), and
# whether the button's box is what a point just inside its top edge hits (its margin pulls it over the header).
RING_TOP = """(button) => {
  const box = button.getBoundingClientRect();
  const style = getComputedStyle(button);
  const x = (box.left + box.right) / 2;
  const ring = box.top - parseFloat(style.outlineOffset) - parseFloat(style.outlineWidth);
  return {left: box.left, width: box.width, ring,
          own_top: document.elementFromPoint(x, box.top + 0.5) === button,
          header_above: !!document.elementFromPoint(x, ring + 1).closest("thead")};
}"""


def test_the_first_rows_remove_shows_its_whole_focus_ring_under_the_header(
    live_server: str, open_page: OpenPage
) -> None:
    """The first row's «Убрать» reaches 2 px into the header, its ring 7 px: the header (sticky, z-index 1) painted
    over the ring's top line."""
    page = open_page(1280)
    sign_in(page, live_server, "resident@demo.ru")
    add_to_order(page, live_server, "Вызов сантехника", "Замена смесителя")
    button = page.get_by_role("button", name="Убрать Вызов сантехника")
    button.focus()
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Tab")  # from the keyboard, so :focus-visible draws the ring
    expect(button).to_be_focused()
    at = button.evaluate(RING_TOP)
    assert at["header_above"]  # the ring's top line lies over the header: the case this test is about
    assert at["own_top"], "the header covers the focused button's top edge"
    line = page.screenshot(clip={"x": at["left"] + 4, "y": at["ring"] + 1, "width": at["width"] - 8, "height": 1})
    colours = {colour for _, colour in Image.open(io.BytesIO(line)).convert("RGB").getcolors()}
    assert colours == {FOCUS}, "the ring's top line is not all in the focus colour"
