"""The dispatcher's request list at 1280 px: filters chosen with the «Показать» button hold through the page-size
selector, the page numbers and sorting — the count, the rows and the filter fields stay those of the filter."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Locator
from playwright.sync_api import Page
from playwright.sync_api import expect

from tests.browser import OpenPage
from tests.browser import sign_in

pytestmark = pytest.mark.browser

STATUSES = ["new", "accepted", "in_work"]
STATUS_WORDS = {"Новая", "Принята", "В работе"}


def found(page: Page) -> int:
    text = page.locator("#list .list-tools p.muted").first.inner_text()
    return int(re.search(r"\d+", text.replace("\u00a0", "")).group())


def checked(page: Page, name: str) -> list[str]:
    """The values ticked in the filter bar's checklist ``name``."""
    return page.locator(f"form.queue-filters input[name={name}]:checked").evaluate_all("xs => xs.map(x => x.value)")


def checklist(page: Page, name: str) -> Locator:
    """The filter bar's checklist ``name``, unfolded."""
    box = page.locator(f"form.queue-filters details.checklist:has(input[name={name}])")
    if box.get_attribute("open") is None:
        box.locator("summary").click()
    return box


def holds(page: Page, house: str, address: str, total: int) -> None:
    """The list and the filter fields are still those of the chosen statuses and house."""
    expect(page.locator("#list .list-tools p.muted").first).to_contain_text(str(total))
    assert found(page) == total
    assert checked(page, "status") == STATUSES
    assert checked(page, "house") == [house]
    assert re.search(rf"[?&]house={house}(&|$)", page.url) and all(f"status={s}" in page.url for s in STATUSES)
    statuses = page.locator("table.ticket-table td.col-status .badge:first-child").all_inner_texts()
    assert statuses and set(statuses) <= STATUS_WORDS, statuses
    for cell in page.locator("table.ticket-table td.col-address").all_inner_texts():
        assert cell.splitlines()[0].endswith(address), cell


def test_the_filters_hold_through_page_size_pages_and_sorting(live_server: str, open_page: OpenPage) -> None:
    page = open_page(1280)
    sign_in(page, live_server, "dispatcher@demo.ru")
    page.goto(live_server + "/staff/tickets?tab=all")
    statuses = checklist(page, "status")
    for status in STATUSES:
        statuses.locator(f"input[value={status}]").check()
    statuses.locator("summary").click()
    option = checklist(page, "house").locator("label.choice").first
    house = option.locator("input").get_attribute("value") or ""
    address = option.inner_text().strip().split(", ")[-1]  # «д. 189»: the house, as a row's first line ends
    option.locator("input").check()
    page.get_by_role("button", name="Показать").click()
    expect(page).to_have_url(re.compile(rf"house={house}"))
    total = found(page)
    assert total > 10, "the demo has enough such requests for a second page of ten"
    holds(page, house, address, total)

    page.locator(".page-size").get_by_role("link", name="10", exact=True).click()
    expect(page).to_have_url(re.compile(r"size=10"))
    holds(page, house, address, total)
    expect(page.locator("table.ticket-table tbody tr")).to_have_count(10)

    page.locator("nav.pagination").get_by_role("link", name="2", exact=True).click()
    expect(page.locator("nav.pagination [aria-current=page]")).to_have_text("2")
    holds(page, house, address, total)

    page.locator("table.ticket-table thead").get_by_role("link", name=re.compile("Срок")).click()
    expect(page).to_have_url(re.compile(r"sort=deadline"))
    holds(page, house, address, total)
    assert "size=10" in page.url
