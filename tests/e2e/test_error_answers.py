"""A boosted link or form answered with an error status still shows its page, as it would without JavaScript:
after too many wrong passwords the sign-in form says to wait (429) instead of seeming to ignore the click, and a
link to a page that is gone opens the «not found» page instead of doing nothing."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser import OpenPage
from tests.browser import sign_in

pytestmark = pytest.mark.browser


def test_too_many_wrong_passwords_say_to_wait(live_server: str, open_page: OpenPage) -> None:
    page = open_page()
    page.goto(live_server + "/login")
    login = "nobody-locked-out@example.ru"  # an unknown login is limited like a known one; no demo user is locked
    summary = page.locator(".error-summary")
    for attempt in range(6):
        page.locator("#f-login").fill(login)
        page.locator("#f-password").fill(f"wrong-{attempt}")
        with page.expect_response(lambda r: r.url.endswith("/login") and r.request.method == "POST", timeout=60_000):
            page.locator("form:has(#f-password) button[type=submit]").click()
        # The page before had the same fields and, from the second try, its summary: the answer's page is the one
        # whose password field is empty again (a password is never sent back), only then typed into and read.
        expect(page.locator("#f-password")).to_have_value("")
        expect(summary).to_be_visible()
        if "Слишком много попыток" in summary.inner_text():
            break
    expect(summary).to_contain_text("Слишком много попыток. Подождите минуту и попробуйте снова.")
    expect(page.locator("#f-login")).to_have_value(login)


def test_a_link_to_a_page_that_is_gone_opens_the_not_found_page(live_server: str, open_page: OpenPage) -> None:
    page = open_page(1280)
    sign_in(page, live_server, "resident2@demo.ru")
    page.goto(live_server + "/news")
    # A post withdrawn while the list was open: its link now answers 404.
    page.evaluate(
        """() => { const a = document.querySelector("main a[href^='/news/']"); a.setAttribute("href", "/news/999999");
        a.id = "gone"; htmx.process(a.parentElement); }"""
    )
    page.locator("#gone").click()
    expect(page).to_have_url(re.compile(r"/news/999999$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("^Страница не найдена"))


def test_a_refused_form_keeps_the_pages_address_so_a_reload_still_opens_it(
    live_server: str, open_page: OpenPage, tmp_path
) -> None:
    page = open_page()
    sign_in(page, live_server, "resident@demo.ru")
    page.goto(live_server + "/tickets")
    page.locator("main a[href^='/tickets/']").filter(has_text="№").first.click()
    expect(page).to_have_url(re.compile(r"/tickets/\d+$"))
    address = page.url
    not_a_photo = tmp_path / "photo.jpg"
    not_a_photo.write_bytes(b"not an image at all")
    page.locator("textarea[name=text]").fill("Мастер так и не пришёл")
    page.locator("#f-photos").set_input_files(str(not_a_photo))
    page.get_by_role("button", name="Отправить сообщение").click()
    expect(page.locator(".error-summary")).to_contain_text("не фотография")
    expect(page.locator("textarea[name=text]")).to_have_value("Мастер так и не пришёл")
    assert page.url == address, f"the refused form moved the address to {page.url}"
    page.reload()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Заявка №")
