"""The staff dashboard on a phone, with the demo's twelve months: the latest month's figures first, the tables of
months folded under their summaries (a native disclosure, opened by the keyboard too), the whole page about 4,000 px
tall (it was 26,000 with every month a card); on a desktop every table is shown as before, nothing to open."""

import pytest
from playwright.sync_api import expect

from tests.browser import OpenPage
from tests.browser import sign_in

pytestmark = pytest.mark.browser

MAX_PHONE_HEIGHT = 4_400  # px at 390 px wide: ~4,150 with the demo's months and its developers' open claims


def test_the_phone_reads_the_latest_month_first_and_opens_a_table_by_keyboard(
    open_page: OpenPage, live_server: str
) -> None:
    page = open_page(390)
    sign_in(page, live_server, "admin@demo.ru")
    page.goto(live_server + "/staff/analytics")
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height <= MAX_PHONE_HEIGHT, f"the dashboard is {height} px tall at 390 px"
    assert page.evaluate("document.documentElement.scrollWidth") <= 391
    latest = page.locator("section.analytics-latest")
    expect(latest.get_by_text("Начислено", exact=True)).to_be_in_viewport()
    expect(latest).to_contain_text("к прошлому месяцу")

    section = page.locator("section[aria-labelledby='receivables-title']")
    table = section.locator("table")
    expect(table).to_be_hidden()
    section.locator("summary").focus()
    page.keyboard.press("Enter")
    expect(table).to_be_visible()
    assert table.locator("tbody tr").count() == 12
    # The table keeps its columns and scrolls sideways in its own box, the month staying in view.
    wrap = section.locator(".table-wrap")
    assert wrap.evaluate("e => e.scrollWidth > e.clientWidth")
    wrap.evaluate("e => { e.scrollLeft = e.scrollWidth; }")
    month = table.locator("tbody tr").first.locator("td").first
    assert (
        month.evaluate("e => e.getBoundingClientRect().left - e.closest('.table-wrap').getBoundingClientRect().left")
        < 2
    )


def test_the_desktop_shows_every_table_with_nothing_to_open(open_page: OpenPage, live_server: str) -> None:
    page = open_page(1280)
    sign_in(page, live_server, "admin@demo.ru")
    page.goto(live_server + "/staff/analytics")
    for section in ("receivables", "channels", "autopay", "uptake", "requests", "breakdown"):
        box = page.locator(f"section[aria-labelledby='{section}-title']")
        expect(box.locator("table").first).to_be_visible()
        expect(box.locator("summary").first).to_be_hidden()
