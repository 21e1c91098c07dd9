"""Files behind buttons are downloaded, not swapped into the page: the page's links are boosted by HTMX, and a
boosted link to the dashboard's XLSX, a meeting's register or its draft protocol fetched the file in the background
and wrote its bytes over the page («PK␃␄…») instead of saving it."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser import OpenPage
from tests.browser import record_htmx_requests
from tests.browser import sign_in

pytestmark = pytest.mark.browser


@pytest.mark.parametrize(
    ("login", "path", "button", "kind"),
    [
        ("admin@demo.ru", "/staff/analytics", "Выгрузить в XLSX", b"PK"),
        ("manager@demo.ru", "/staff/meetings", "Реестр и решения (XLSX)", b"PK"),
        ("manager@demo.ru", "/staff/meetings", "Проект протокола (PDF)", b"%PDF"),
    ],
    ids=["dashboard", "meeting register", "draft protocol"],
)
def test_a_file_button_saves_the_file_and_leaves_the_page(
    open_page: OpenPage, live_server: str, login: str, path: str, button: str, kind: bytes
) -> None:
    page = open_page(1280, 800, accept_downloads=True)
    sign_in(page, live_server, login)
    page.goto(live_server + path)
    if path == "/staff/meetings":  # the meeting in its voting period
        page.get_by_role("link", name="Внеочередное собрание: капитальный ремонт кровли").click()
        page.wait_for_url("**/staff/meetings/*")
    link = page.get_by_role("link", name=button)
    href = link.get_attribute("href")
    sent = record_htmx_requests(page)
    with page.expect_download(timeout=30_000) as download:
        link.click()
    with open(download.value.path(), "rb") as saved:
        assert saved.read(len(kind)) == kind
    # htmx fetches a boosted link in the click itself: none fetched, nothing is written over the page later.
    assert href and f"GET {href}" not in sent()
    expect(page.locator("h1")).to_have_count(1)  # the page is still there
