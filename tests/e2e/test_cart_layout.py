"""The resident's cart at 1280 px: one line under each row. Its «Убрать» cell was laid out as a flex box, so no table
cell: it ended at its own height and drew its line across the column apart from the row's (the staff post list had
the same fault). «Убрать» reads on the line of the row's other words."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser

from tests.browser import add_to_order
from tests.browser import sign_in

pytestmark = pytest.mark.browser

# The rows whose last cell does not reach the row's foot, or whose «Убрать» is not on the line of the service's name.
OFF_LINE = """() => [...document.querySelectorAll("main table tbody tr")].filter((row) => {
  const cell = row.cells[row.cells.length - 1];
  const name = row.cells[0].querySelector("a").getBoundingClientRect();
  const remove = cell.querySelector("button").getBoundingClientRect();
  const foot = Math.abs(cell.getBoundingClientRect().bottom - row.getBoundingClientRect().bottom) > 1;
  return foot || Math.abs((remove.top + remove.bottom) / 2 - (name.top + name.bottom) / 2) > 2;
}).map((row) => row.cells[0].innerText)"""


def test_the_cart_draws_one_line_under_each_row_at_1280_px(live_server: str, browser: Browser) -> None:
    page = browser.new_context(viewport={"width": 1280, "height": 900}, locale="ru-RU").new_page()
    sign_in(page, live_server, "resident@demo.ru")
    add_to_order(page, live_server, "Вызов сантехника", "Замена смесителя")
    assert page.locator("main table tbody tr").count() == 2
    assert page.evaluate(OFF_LINE) == []
    page.context.close()
