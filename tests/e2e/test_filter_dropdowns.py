"""A staff list's filter dropdown at 1280 px, in its column of a quarter of the form, cut a long choice in its closed
box («Должники: есть просро», «Успешные, включая возвр», an executor's full name): the person could not read what
the list was filtered by. A styled dropdown that wrapped it took Home from the keyboard, so the dropdown stays the
browser's own; a dropdown with a choice too long for a quarter takes two columns of the form instead."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from tests.browser import sign_in
from tests.e2e.test_billing_layout import CUT_OPTIONS

pytestmark = pytest.mark.browser

LISTS = ["/staff/tickets", "/staff/payments", "/staff/meters", "/staff/billing/debtors", "/staff/audit"]


@pytest.fixture(scope="module")
def admin(browser, live_server: str):  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="ru-RU")
    page = context.new_page()
    sign_in(page, live_server, "admin@demo.ru")
    yield page
    context.close()


@pytest.mark.parametrize("path", LISTS, ids=[p.removeprefix("/staff/") for p in LISTS])
def test_every_choice_of_a_filter_dropdown_reads_whole_in_its_closed_box(admin: Page, live_server: str, path: str):
    admin.goto(live_server + path)
    admin.evaluate("() => document.querySelectorAll('main details').forEach(d => d.open = true)")
    selects = admin.locator("main .filters select:not([multiple])")
    assert selects.count() >= 1
    cut = {s.get_attribute("name"): s.evaluate(CUT_OPTIONS) for s in selects.all()}
    assert {name: texts for name, texts in cut.items() if texts} == {}, f"cut off in the closed dropdowns of {path}"


def test_a_dropdown_of_short_choices_keeps_its_quarter(admin: Page, live_server: str) -> None:
    """Two columns only where a choice needs them: «Источник» of the requests keeps its quarter beside
    «Внутренний статус», which takes two."""
    admin.goto(live_server + "/staff/tickets")
    admin.evaluate("() => document.querySelectorAll('main details').forEach(d => d.open = true)")

    def width(name: str) -> float:
        return admin.locator(f"main .filters select[name={name}]").evaluate("s => s.getBoundingClientRect().width")

    assert width("internal_status") > 1.8 * width("source")
