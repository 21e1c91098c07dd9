"""Where the keyboard and a screen reader start on the resident's home page. Its page heading «Главная» and the
balances' heading are visually hidden, and the page started from the first heading the eye sees among h1 and h2: the
notifications' card, below both balances, with a focus ring round it. A screen reader read on from there and skipped
what the person came for. The first heading seen in the page's order is taken, an account's address here."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser import OpenPage
from tests.browser import sign_in

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("width", [390, 1280])
def test_the_home_page_starts_from_the_first_balance_after_signing_in_and_from_the_menu(
    live_server: str, open_page: OpenPage, width: int
) -> None:
    page = open_page(width, 844)
    sign_in(page, live_server, "resident@demo.ru")
    first = page.locator(".billing-balance h3").first
    expect(first).to_be_focused()  # the sign-in loads its page whole
    page.goto(live_server + "/meters")
    home = page.locator("a[href='/']:visible", has_text="Главная").first
    home.focus()
    with page.expect_response(lambda r: r.url.rstrip("/") == live_server.rstrip("/")):
        page.keyboard.press("Enter")  # a boosted link: htmx swaps the page in
    expect(first).to_be_focused()
