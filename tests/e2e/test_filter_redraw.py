"""A list's filter form is redrawn with the list (so a field's message follows what was read): at 1280 px a keyboard
user who changes a filter keeps the focus where it was, on the select or the button that applied it, and a «More
filters» panel or a checklist left open stays open."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page
from playwright.sync_api import expect

from tests.browser import OpenPage
from tests.browser import sign_in

pytestmark = pytest.mark.browser


def refreshed(page: Page, form: str, act: Callable[[], None]) -> None:
    """Do ``act`` and wait until the list came back with the form ``form`` redrawn."""
    page.locator(f"#{form}").evaluate("f => { f.dataset.before = '1'; }")
    act()
    page.wait_for_function(f"() => !document.getElementById('{form}').dataset.before", timeout=30_000)


def press(page: Page, selector: str, key: str) -> None:
    page.locator(selector).focus()
    page.keyboard.press(key)


def test_the_keyboard_stays_where_it_was_after_a_filter_change(live_server: str, open_page: OpenPage) -> None:
    page = open_page(1280)
    sign_in(page, live_server, "admin@demo.ru")

    # The showcase lists apply a select as soon as it changes: the focus stays on it, then on «Показать».
    for path, form, select in (
        ("/staff/showcase", "listing-filters", "#f-kind"),
        ("/staff/showcase/leads", "lead-filters", "#f-status"),
    ):
        page.goto(live_server + path)
        refreshed(page, form, lambda: press(page, select, "ArrowDown"))  # noqa: B023
        expect(page).to_have_url(re.compile(rf"[?&]{select[3:]}=\w"))
        expect(page.locator(select)).to_be_focused()
        refreshed(page, form, lambda: press(page, f"#{form} button[type=submit]", "Enter"))  # noqa: B023
        expect(page.locator(f"#{form} button[type=submit]")).to_be_focused()

    # The request list: an executor set back to «Любой» in «Все фильтры», then «Показать».
    page.goto(live_server + "/staff/tickets?tab=all&status=new")
    executor = page.locator("#f-executor option").nth(1).get_attribute("value")
    page.goto(live_server + f"/staff/tickets?tab=all&executor={executor}")
    more = page.locator("details.queue-more")
    expect(more).to_have_attribute("open", "")
    press(page, "#f-executor", "Home")
    status = page.locator("#ticket-filters details.checklist:has(input[name=status])")
    press(page, "#ticket-filters details.checklist:has(input[name=status]) > summary", "Enter")
    page.keyboard.press("Tab")
    page.keyboard.press("Space")
    show = "#ticket-filters .queue-search > button[type=submit]"
    refreshed(page, "ticket-filters", lambda: press(page, show, "Enter"))
    expect(page).to_have_url(re.compile(r"[?&]executor=(&|$)"))
    expect(page.locator(show)).to_be_focused()
    expect(more).to_have_attribute("open", "")
    expect(status).to_have_attribute("open", "")
    # A range's end has no id of its own: Enter in it applies the filter and the keyboard stays in it.
    rating = page.locator("#ticket-filters input[name=rating_from]")
    rating.fill("4")
    refreshed(page, "ticket-filters", lambda: rating.press("Enter"))
    expect(page).to_have_url(re.compile(r"[?&]rating_from=4"))
    expect(rating).to_be_focused()

    # The debtors list: a house chosen with the arrow keys, then «Применить».
    page.goto(live_server + "/staff/billing/debtors")
    page.locator("#f-house").focus()
    page.keyboard.press("ArrowDown")
    refreshed(page, "debtor-filters", lambda: press(page, "#debtor-filters button[type=submit]", "Enter"))
    expect(page).to_have_url(re.compile(r"[?&]house=\d"))
    expect(page.locator("#debtor-filters button[type=submit]")).to_be_focused()
