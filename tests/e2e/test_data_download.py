"""«Скачать мои данные» is a button that posts: the download records an access request, and a link (a GET) recorded
one for a link preview or a prefetch too. One press on the consent page still saves the file and leaves the page
where it was; a double tap sends one request; the button works again for another copy. The download's address
opened as a page shows the same button, with JavaScript or without. The page and the consent page's section are
shot at 390 and 1280 px into var/test/screenshots."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import Page
from playwright.sync_api import expect

from tests.browser import OpenPage
from tests.browser import Served
from tests.browser import sign_in
from tests.e2e.test_emergency_notice import SHOTS

pytestmark = pytest.mark.browser

BUTTON = "Скачать мои данные"
# The submits the browser is let send (counted last, on the window, once the page's own listeners are done).
COUNT_SUBMITS = """() => {
  window.submitted = 0;
  window.addEventListener("submit", (e) => { if (!e.defaultPrevented) window.submitted += 1; });
}"""


def _downloads_her_data(page: Page) -> None:
    with page.expect_download(timeout=30_000) as download:
        page.get_by_role("button", name=BUTTON).click()
    saved = json.loads(download.value.path().read_text(encoding="utf-8"))
    assert saved["profile"]["email"] == "resident2@demo.ru"


def test_one_press_on_the_consent_page_saves_the_file_once_and_the_button_comes_back(
    open_page: OpenPage, own_server: Served
):
    base, _ = own_server
    page = open_page(accept_downloads=True)
    sign_in(page, base, "resident2@demo.ru")
    page.goto(base + "/consent")
    posts: list[str] = []
    page.on("request", lambda r: posts.append(r.url) if r.method == "POST" and "/consent/export" in r.url else None)
    page.evaluate(COUNT_SUBMITS)
    button = page.get_by_role("button", name=BUTTON)
    with page.expect_download(timeout=30_000):
        button.dblclick()
    assert page.evaluate("window.submitted") == 1, "the second tap posted again"
    assert len(posts) == 1
    expect(page).to_have_url(base + "/consent")
    expect(button).to_be_enabled(timeout=10_000)
    _downloads_her_data(page)
    assert len(posts) == 2


def test_the_downloads_address_opened_shows_its_button_with_javascript_or_without(
    open_page: OpenPage, own_server: Served
):
    base, _ = own_server
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width, script in ((390, False), (1280, True)):
        page = open_page(width, java_script_enabled=script, accept_downloads=True)
        sign_in(page, base, "resident2@demo.ru")
        page.goto(base + "/consent/export")
        expect(page.locator("h1")).to_have_text("Ваши данные")
        page.screenshot(path=str(SHOTS / f"data-download-{width}.png"), full_page=True)
        _downloads_her_data(page)
        expect(page.locator("h1")).to_have_text("Ваши данные")
        page.goto(base + "/consent#download")
        page.locator("#download").screenshot(path=str(SHOTS / f"consent-download-{width}.png"))
