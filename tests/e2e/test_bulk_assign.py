"""Bulk assignment on the dispatcher's request list in Chromium: the page that answers it, and the filter form
redrawn with its list, come without a spinner on their buttons."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser
from playwright.sync_api import Page
from playwright.sync_api import expect

from tests.browser import sign_in

pytestmark = pytest.mark.browser

# Whether a button of the forms #bulk and #ticket-filters shows its spinner as the answer is swapped in (htmx's
# afterSwap comes before the settle, when htmx gave a new element the classes of the old one of its id).
WATCH = """() => {
  window.spinning = [];
  document.addEventListener("htmx:afterSwap", () => window.spinning.push(
    [...document.querySelectorAll("#bulk .spinner, #ticket-filters .spinner")]
      .filter((s) => getComputedStyle(s).display !== "none").map((s) => s.closest("form").id)));
}"""


def spinning(page: Page) -> list[str]:
    return [form for seen in page.evaluate("window.spinning") for form in seen]


def test_no_button_spins_on_the_page_a_bulk_assignment_answers_with(live_server: str, browser: Browser) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="ru-RU")
    page = context.new_page()
    sign_in(page, live_server, "dispatcher@demo.ru")
    page.goto(live_server + "/staff/tickets?tab=all")
    # A request given again to its own executor: the demo's assignments stay as they are for the other tests.
    row = page.locator("table.ticket-table tbody tr:has(td.col-executor option:checked:not([value='']))").first
    executor = row.locator("td.col-executor select").input_value()
    row.locator("td.col-pick input").check()
    page.locator("#bulk-executor").select_option(executor)
    page.evaluate(WATCH)
    page.get_by_role("button", name="Назначить отмеченные").click()
    expect(page.locator("main [role=status]").first).to_contain_text(re.compile("Назначен"))
    expect(page.locator("#bulk")).not_to_have_class(re.compile("htmx-request"))
    assert page.evaluate("window.spinning.length") > 0, "the answer was swapped in by htmx"
    assert spinning(page) == [], "the new page's button spins as if the assignment were still being sent"

    page.evaluate(WATCH)
    page.get_by_role("button", name="Показать").click()
    for _ in range(100):  # the page's CSP allows no string evaluated as a script, which wait_for_function is
        if page.evaluate("window.spinning.length"):
            break
        page.wait_for_timeout(100)
    assert page.evaluate("window.spinning.length") > 0, "the list was redrawn"
    assert spinning(page) == [], "the redrawn filter form's button spins after its list is there"
    context.close()


# The bulk dropdown's options whose words do not fit its closed box (room for the arrow left aside): chosen, the
# closed dropdown shows the option cut, «Сергей Иванович Морозов (не во вс…».
CUT = """() => {
  const select = document.querySelector("#bulk-executor");
  const pen = document.createElement("canvas").getContext("2d");
  pen.font = getComputedStyle(select).font;
  return [...select.options].map((o) => o.text).filter((text) => pen.measureText(text).width + 28 > select.clientWidth);
}"""


@pytest.mark.parametrize("width", [1280])
def test_an_executor_of_some_houses_reads_whole_in_the_closed_dropdown(
    live_server: str, browser: Browser, width: int
) -> None:
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="ru-RU")
    page = context.new_page()
    sign_in(page, live_server, "admin@demo.ru")  # sees every house: executors of some of them are marked
    page.goto(live_server + "/staff/tickets?tab=all")
    expect(page.locator("#bulk-executor")).to_be_visible()
    assert page.locator("#bulk-executor option", has_text="(не все дома)").count() > 0
    assert page.evaluate(CUT) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    context.close()
