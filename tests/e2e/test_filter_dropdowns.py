"""A staff list's filter dropdown at 1280 px, in its column of a quarter of the form, showed a long choice cut off
(«Должники: есть просро», «Успешные, включая возвр», «Ждут ответа застро»): the person could not read what the list
was filtered by. A choice too long for its box now takes a second line in it."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from tests.browser import OpenPage
from tests.browser import sign_in
from tests.e2e.test_billing_layout import CUT_OPTIONS

pytestmark = pytest.mark.browser

# The box's height with each option chosen in turn, for the options too long for one line of it.
HEIGHTS = """select => {
  const heights = {};
  const chosen = select.value;
  for (const option of select.options) {
    select.value = option.value;
    heights[option.text] = select.getBoundingClientRect().height;
  }
  select.value = chosen;
  return heights;
}"""

FILTERS = [
    ("/staff/billing/debtors", "owing"),
    ("/staff/payments", "status"),
    ("/staff/payments", "purpose"),
    ("/staff/tickets", "executor"),
    ("/staff/tickets", "internal_status"),
    ("/staff/tickets", "warranty"),
    ("/staff/meters", "source"),
    ("/staff/meters", "state"),
]


@pytest.fixture(scope="module")
def admin(browser, live_server: str):  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="ru-RU")
    page = context.new_page()
    sign_in(page, live_server, "admin@demo.ru")
    yield page
    context.close()


@pytest.mark.parametrize(("path", "name"), FILTERS, ids=[f"{p.rsplit('/', 1)[1]}-{n}" for p, n in FILTERS])
def test_a_long_choice_of_a_filter_is_read_whole(admin: Page, live_server: str, path: str, name: str) -> None:
    admin.goto(live_server + path)
    admin.evaluate("() => document.querySelectorAll('main details').forEach(d => d.open = true)")
    select = admin.locator(f"main form select[name={name}]").first
    long = select.evaluate(CUT_OPTIONS)
    heights = select.evaluate(HEIGHTS)
    one_line = min(heights.values())
    cut = [text for text in long if heights[text] <= one_line]
    assert cut == [], f"cut off in the closed dropdown «{name}» of {path}: {cut}"


def test_a_short_choice_keeps_the_dropdown_one_line(open_page: OpenPage, live_server: str) -> None:
    page = open_page(1280, 900)
    sign_in(page, live_server, "admin@demo.ru")
    page.goto(live_server + "/staff/billing/debtors?owing=all")
    owing, house = page.locator("main form select[name=owing]"), page.locator("main form select[name=house]")
    assert owing.evaluate("s => s.getBoundingClientRect().height") == house.evaluate(
        "s => s.getBoundingClientRect().height"
    ), "«Все счета с долгом» is as tall as the house's dropdown beside it"
