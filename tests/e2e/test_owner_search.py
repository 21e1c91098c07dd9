"""A manager gives a share of a new storage room to an owner they know by name: the owners the surname names
appear while typing, one is picked, and the share is saved to them; without JavaScript the form answers with the
same choice."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page
from playwright.sync_api import expect

from tests.browser import OpenPage
from tests.browser import sign_in
from tests.e2e.test_house_page import open_house

pytestmark = pytest.mark.browser


def new_storage_room(page: Page, live_server: str, number: str) -> str:
    """A storage room of the demo's first house, made through the premise form: the page of its owners."""
    open_house(page, live_server)
    house = re.search(r"/staff/houses/(\d+)", page.url).group(1)
    page.goto(f"{live_server}/staff/houses/{house}/premises/new")
    page.locator("#f-kind").select_option("storage")
    page.locator("#f-number").fill(number)
    page.locator("#f-area").fill("3")
    page.get_by_role("button", name="Добавить помещение").click()
    expect(page).to_have_url(re.compile(r"/staff/premises/\d+$"))
    return page.url


def an_owner(page: Page, live_server: str) -> str:
    page.goto(live_server + "/staff/owners")
    return page.locator("main table tbody tr td.primary a").first.inner_text().strip()


@pytest.mark.parametrize("javascript", [True, False], ids=["htmx", "no-javascript"])
def test_a_share_goes_to_the_owner_picked_among_those_the_surname_finds(
    open_page: OpenPage, live_server: str, javascript: bool
):
    page = open_page(390, 900, java_script_enabled=javascript)
    sign_in(page, live_server, "manager@demo.ru")
    name = an_owner(page, live_server)
    premise = new_storage_room(page, live_server, f"К-{'js' if javascript else 'nojs'}")
    page.goto(premise + "/ownerships/new")
    surname, first = name.split()[:2]
    if javascript:
        page.locator("#f-owner").press_sequentially(f"{surname} {first}", delay=20)
        expect(page.locator("#found label.choice").first).to_be_visible()  # asked for while typing
    else:
        page.locator("#f-owner").fill(f"{surname} {first}")
        page.get_by_role("button", name="Добавить собственника").click()
        expect(page.locator(".error-summary")).to_contain_text("Выберите собственника среди найденных.")
    page.locator("#found label.choice", has_text=name).first.click()
    page.get_by_role("button", name="Добавить собственника").click()
    expect(page).to_have_url(premise)
    expect(page.locator("main")).to_contain_text(name)
