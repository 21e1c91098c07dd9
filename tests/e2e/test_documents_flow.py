"""In a real browser: a resident at 390 px finds the house's documents under «Ещё», grouped by kind with each one's
date and size, and opens one — a PDF; the page holds the phone's width. The list at 1280 px, and the staff list."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page
from playwright.sync_api import expect

from tests.browser import OpenPage
from tests.browser import record_htmx_requests
from tests.browser import sign_in
from tests.conftest import ROOT

pytestmark = pytest.mark.browser

SHOTS = ROOT / "var" / "screenshots"


def _shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(Path(SHOTS) / name), full_page=True)


def test_a_resident_finds_the_houses_documents_under_more_and_opens_one(open_page: OpenPage, live_server: str):
    page = open_page()
    sign_in(page, live_server, "resident@demo.ru")
    page.goto(live_server + "/more")
    page.get_by_role("link", name="Документы дома").click()
    page.wait_for_url("**/documents")
    for kind in ("Договор управления", "Отчёт управляющей компании", "Памятка новосела", "Правила проживания"):
        expect(page.get_by_role("heading", name=kind, exact=True)).to_be_visible()
    contract = page.get_by_role("link", name="Договор управления многоквартирным домом")
    expect(page.locator("li", has=contract).get_by_text("PDF, ")).to_contain_text("КБ")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # nothing wider than the phone
    _shot(page, "documents-390.png")

    href = contract.get_attribute("href")
    sent = record_htmx_requests(page)
    with page.expect_response(lambda r: r.url == live_server + href) as opened:
        contract.click()  # not boosted: the browser opens the file itself, htmx writes no bytes over the page
    answer = opened.value
    assert answer.status == 200 and answer.headers["content-type"] == "application/pdf"
    assert "%D0%94%D0%BE%D0%B3%D0%BE%D0%B2%D0%BE%D1%80" in answer.headers["content-disposition"]  # «Договор…»
    page.wait_for_url(live_server + href)  # the browser's own PDF viewer shows it
    assert f"GET {href}" not in (sent() or [])  # the list page is gone, and htmx fetched nothing to write over it
    assert page.request.get(live_server + href).body().startswith(b"%PDF-")


def test_the_documents_at_1280_for_a_resident_and_for_staff(open_page: OpenPage, live_server: str):
    page = open_page(1280)
    sign_in(page, live_server, "resident@demo.ru")
    page.goto(live_server + "/documents")
    expect(page.get_by_role("heading", name="Памятка новосела", exact=True)).to_be_visible()
    _shot(page, "documents-1280.png")

    staff = open_page(1280)
    sign_in(staff, live_server, "manager@demo.ru")
    staff.goto(live_server + "/staff")
    staff.locator("nav.sidebar").get_by_role("link", name="Документы дома").click()
    staff.wait_for_url("**/staff/documents")
    expect(staff.get_by_role("link", name="Разместить документ")).to_be_visible()
    expect(staff.get_by_text("Все дома").first).to_be_visible()
    _shot(staff, "documents-staff-1280.png")


@pytest.mark.parametrize("width", [390, 1280])
def test_a_new_resident_finds_the_newcomers_memo_from_the_home_page(open_page: OpenPage, live_server: str, width: int):
    page = open_page(width)
    sign_in(page, live_server, "resident@demo.ru")  # the demo's residencies began as it was seeded: days ago at most
    page.goto(live_server + "/")
    line = page.get_by_role("link", name="Вы недавно с нами: памятка новосела и правила дома")
    expect(line).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    _shot(page, f"home-newcomer-{width}.png")
    assert line.get_attribute("href").startswith("/documents")
