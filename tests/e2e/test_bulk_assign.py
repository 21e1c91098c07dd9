"""Bulk assignment on the dispatcher's request list in Chromium: the page that answers it, and the filter form
redrawn with its list, come without a spinner on their buttons; an executor's mark reads whole at 390 and 1280 px;
on a phone the cards are ticked and the bar stays at the foot of the screen."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page
from playwright.sync_api import expect

from tests.browser import LONG_NAME
from tests.browser import OpenPage
from tests.browser import after_htmx
from tests.browser import choose_a_long_name
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


def queue(open_page: OpenPage, base: str, login: str, width: int, height: int = 900) -> Page:
    """The list of all requests as ``login`` sees it at ``width`` px."""
    page = open_page(width, height)
    sign_in(page, base, login)
    page.goto(base + "/staff/tickets?tab=all")
    return page


def spinning(page: Page) -> list[str]:
    return [form for seen in page.evaluate("window.spinning") for form in seen]


def test_no_button_spins_on_the_page_a_bulk_assignment_answers_with(live_server: str, open_page: OpenPage) -> None:
    page = queue(open_page, live_server, "dispatcher@demo.ru", 1280)
    # A request given again to its own executor: the demo's assignments stay as they are for the other tests.
    row = page.locator("table.ticket-table tbody tr:has(td.col-executor option:checked:not([value='']))").first
    executor = row.locator("td.col-executor select").input_value()
    row.locator("td.col-pick input").check()
    page.locator("#bulk-executor").select_option(executor)
    page.evaluate(WATCH)
    with after_htmx(page):  # settled: the next wait is for the list's answer, not for this one's settle
        page.get_by_role("button", name="Назначить отмеченные").click()
    # answered with the page that says nothing changed (its own executor), so the other tests find the demo as it was
    expect(page.locator("main [role=status]").first).to_contain_text("У отмеченных заявок уже этот исполнитель")
    expect(page.locator("#bulk")).not_to_have_class(re.compile("htmx-request"))
    assert page.evaluate("window.spinning.length") > 0, "the answer was swapped in by htmx"
    assert spinning(page) == [], "the new page's button spins as if the assignment were still being sent"

    page.evaluate(WATCH)
    page.get_by_role("button", name="Показать").click()
    # Waited for by the list's own swap: another htmx answer settling meanwhile would be taken for it.
    for _ in range(300):  # the page's CSP allows no string evaluated as a script, which wait_for_function is
        if page.evaluate("window.spinning.length"):
            break
        page.wait_for_timeout(100)
    assert page.evaluate("window.spinning.length") > 0, "the list was redrawn"
    assert spinning(page) == [], "the redrawn filter form's button spins after its list is there"


# The bulk dropdown's options whose words do not fit its closed box (room for the arrow left aside): chosen, the
# closed dropdown shows the option cut, «Сергей Иванович Морозов (не во вс…».
CUT = """() => {
  const select = document.querySelector("#bulk-executor");
  const pen = document.createElement("canvas").getContext("2d");
  pen.font = getComputedStyle(select).font;
  return [...select.options].map((o) => o.text).filter((text) => pen.measureText(text).width + 28 > select.clientWidth);
}"""


@pytest.mark.parametrize("width", [390, 1280])
def test_an_executor_of_some_houses_reads_whole_in_the_closed_dropdown(
    live_server: str, open_page: OpenPage, width: int
) -> None:
    page = queue(open_page, live_server, "admin@demo.ru", width)  # every house: executors of some are marked
    expect(page.locator("#bulk-executor")).to_be_visible()
    assert page.locator("#bulk-executor option", has_text="(не все дома)").count() > 0
    assert page.evaluate(CUT) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def test_a_dispatcher_on_a_phone_ticks_cards_and_assigns_them_from_the_foot_of_the_screen(
    live_server: str, open_page: OpenPage
) -> None:
    page = queue(open_page, live_server, "dispatcher@demo.ru", 390, 844)
    bar = page.locator("#bulk")
    expect(bar).to_be_visible()
    # Two requests of one executor, given again to the same one (the demo's assignments stay as they are).
    executor = page.locator("table.ticket-table td.col-executor option:checked:not([value=''])").first.get_attribute(
        "value"
    )
    rows = page.locator(f"table.ticket-table tbody tr:has(td.col-executor option[value='{executor}']:checked)")
    for i in (0, 1):
        tick = rows.nth(i).locator("td.col-pick .pick")
        box = tick.bounding_box()
        assert box and box["width"] >= 44 and box["height"] >= 44, box  # UI.md: touch targets of 44 × 44 px
        tick.click()
        expect(rows.nth(i).locator("td.col-pick input")).to_be_checked()
    page.mouse.wheel(0, 1500)  # further down the list, the bar is still at hand
    box = bar.bounding_box()
    assert box and abs(box["y"] + box["height"] - 844) < 1 and box["width"] == 390, box
    page.locator("#bulk-executor").select_option(executor)
    page.get_by_role("button", name="Назначить отмеченные").click()
    expect(page.locator("main [role=status]").first).to_contain_text("У отмеченных заявок уже этот исполнитель")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_a_long_executor_name_wraps_whole_in_the_phone_bulk_dropdown(live_server: str, open_page: OpenPage) -> None:
    """A name of over 45 letters with «(не все дома)» does not fit a phone's closed dropdown on one line: the box
    grows to show it on two, the page no wider than the screen."""
    page = queue(open_page, live_server, "admin@demo.ru", 390)
    bulk = page.locator("#bulk-executor")
    expect(bulk).to_be_visible()
    one_line = bulk.bounding_box()
    choose_a_long_name(bulk, LONG_NAME + " (не все дома)")
    box = bulk.bounding_box()
    assert one_line and box and box["height"] > one_line["height"] + 4, (one_line, box)
    assert box["x"] + box["width"] <= 390
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


RED_EDGE = "rgb(185, 28, 28) 4px 0px 0px 0px inset"


@pytest.mark.parametrize(
    ("width", "row_edge", "cell_edge"), [(390, RED_EDGE, "none"), (1280, "none", RED_EDGE)], ids=["phone", "wide"]
)
def test_an_emergency_keeps_its_red_edge_while_a_message_in_it_is_unread(
    live_server: str, open_page: OpenPage, width: int, row_edge: str, cell_edge: str
) -> None:
    """The red edge marks an emergency, read or not: on a wide screen the row's first cell carries it, on a phone
    (where that cell is the tick in the card's corner) the card itself. An unread message used to paint an orange
    edge over it; it is marked by the «Новое сообщение» words by the number instead, not by a colour alone."""
    page = queue(open_page, live_server, "dispatcher@demo.ru", width)
    kinds = ["tr.is-emergency:not(.has-unread)", "tr.is-emergency.has-unread", "tr.has-unread:not(.is-emergency)"]
    edges = page.evaluate(
        """(kinds) => Object.fromEntries(kinds.map((css) => {
          const row = document.querySelector(`table.ticket-table tbody ${css}`);
          return [css, [getComputedStyle(row).boxShadow, getComputedStyle(row.cells[0]).boxShadow]];
        }))""",
        kinds,
    )
    assert edges == {
        "tr.is-emergency:not(.has-unread)": [row_edge, cell_edge],
        "tr.is-emergency.has-unread": [row_edge, cell_edge],
        "tr.has-unread:not(.is-emergency)": ["none", "none"],
    }
    for css in kinds[1:]:
        expect(page.locator(f"table.ticket-table tbody {css} .unread-mark").first).to_have_text("Новое сообщение")


def test_a_long_executor_name_wraps_whole_in_a_phone_card(live_server: str, open_page: OpenPage) -> None:
    """A card's own executor dropdown is as wide as the card: a name longer than that wraps onto a second line. The
    address and the category take the card's width too (not the 15 and 10 rem of the wide table's columns, which
    put «Авария: вода, отопление, канализация, электричество» on four lines)."""
    page = queue(open_page, live_server, "admin@demo.ru", 390)
    own = page.locator("table.ticket-table td.col-executor select").first
    expect(own).to_be_visible()
    widths = page.evaluate(
        """() => { const row = document.querySelector("table.ticket-table tbody tr");
        return ["address", "category"].map((c) => row.querySelector(`td.col-${c}`).getBoundingClientRect().width
          / row.getBoundingClientRect().width); }"""
    )
    assert all(width > 0.9 for width in widths), widths
    one_line = own.bounding_box()
    choose_a_long_name(own)
    box = own.bounding_box()
    assert one_line and box and box["height"] > one_line["height"] + 4, (one_line, box)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_at_1280_a_row_executor_name_longer_than_its_column_wraps_whole(live_server: str, open_page: OpenPage) -> None:
    """On a wide screen the executor column is narrow: a name longer than it («Дмитрий Олегович …») used to be
    wrapped inside a box one line high, its second line cut off. The box grows to show the whole name."""
    page = queue(open_page, live_server, "admin@demo.ru", 1280)
    own = page.locator("table.ticket-table td.col-executor select").first
    expect(own).to_be_visible()
    one_line = own.bounding_box()
    choose_a_long_name(own)
    box = own.bounding_box()
    assert one_line and box and box["height"] > one_line["height"] + 4, (one_line, box)
    cut = own.evaluate("(box) => box.scrollHeight > box.clientHeight + 1")
    assert not cut, "the chosen name is cut inside its box"
