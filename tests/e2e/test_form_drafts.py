"""Nothing typed is lost when a form is refused because its session ended (a phone's tab reopened the next day):
the answer says the form was not sent and leads to the sign-in; signed in again, the text is back in the form with a
note; once the form is accepted the text is forgotten. The text is the signed-in person's: another person signing
in in the same tab does not get it, and signing out forgets it (static/js/drafts.js)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page
from playwright.sync_api import expect

from tests.browser import OpenPage
from tests.browser import sign_in

pytestmark = pytest.mark.browser

TEXT = "Капает кран на кухне третий день, под раковиной лужа: проверка черновика."


def _type_and_lose_the_session(page: Page, base: str) -> None:
    page.goto(base + "/tickets/new")
    page.get_by_label(re.compile("Течь крана")).check()
    page.get_by_label(re.compile("Опишите проблему")).fill(TEXT)
    # The session ends meanwhile: the browser no longer has its cookie.
    page.context.clear_cookies(name="session")
    page.get_by_role("button", name="Создать заявку").click()
    expect(page.get_by_role("heading", name=re.compile("Сеанс закончился, и форма не отправлена"))).to_be_visible()
    expect(page.get_by_text("Текст, который вы набрали, сохранён на этом устройстве")).to_be_visible()


def _sign_in_from_the_answer(page: Page, base: str, login: str) -> None:
    page.locator("main").get_by_role("link", name="Войти").click()
    expect(page).to_have_url(re.compile(r"/login\?next=/tickets/new$"))
    page.locator("#f-login").fill(login)
    page.locator("#f-password").fill("demo12345")
    page.locator("form:has(#f-password) button[type=submit]").click()
    expect(page).to_have_url(base + "/tickets/new", timeout=60_000)


def test_text_typed_before_the_session_ended_is_back_in_the_form_after_signing_in(
    live_server: str, open_page: OpenPage
):
    page = open_page()
    sign_in(page, live_server, "resident@demo.ru")
    _type_and_lose_the_session(page, live_server)
    _sign_in_from_the_answer(page, live_server, "resident@demo.ru")
    description = page.get_by_label(re.compile("Опишите проблему"))
    expect(description).to_have_value(TEXT)
    expect(page.get_by_text("Этот текст вы набрали здесь раньше, но не отправили")).to_be_visible()

    page.get_by_label(re.compile("Течь крана")).check()
    page.get_by_role("button", name="Создать заявку").click()
    expect(page).to_have_url(re.compile(r"/tickets/\d+$"))
    expect(page.get_by_text(TEXT)).to_be_visible()
    # Accepted, the text is forgotten: a new request starts empty.
    page.goto(live_server + "/tickets/new")
    expect(page.get_by_label(re.compile("Опишите проблему"))).to_have_value("")
    assert TEXT not in page.evaluate("JSON.stringify(sessionStorage)")


def test_another_person_signing_in_in_the_tab_does_not_get_the_text(live_server: str, open_page: OpenPage):
    page = open_page()
    sign_in(page, live_server, "resident@demo.ru")
    _type_and_lose_the_session(page, live_server)
    _sign_in_from_the_answer(page, live_server, "resident2@demo.ru")
    # The signed-in page is swapped in by htmx, which changes the address before the new page's content settles
    # and the drafts' script runs on it: wait for the script, then read the storage.
    page.wait_for_function("t => !JSON.stringify(sessionStorage).includes(t)", arg=TEXT, timeout=10_000)
    expect(page.get_by_label(re.compile("Опишите проблему"))).to_have_value("")
    expect(page.get_by_text("Этот текст вы набрали здесь раньше, но не отправили")).to_have_count(0)


def test_signing_out_forgets_what_was_typed(live_server: str, open_page: OpenPage):
    page = open_page(1280)
    sign_in(page, live_server, "resident@demo.ru")
    page.goto(live_server + "/tickets/new")
    page.get_by_label(re.compile("Опишите проблему")).fill(TEXT)
    assert TEXT in page.evaluate("JSON.stringify(sessionStorage)")
    page.get_by_role("button", name="Выйти").first.click()
    expect(page.get_by_role("link", name="Войти").first).to_be_visible()
    assert TEXT not in page.evaluate("JSON.stringify(sessionStorage)")
    sign_in(page, live_server, "resident@demo.ru")
    page.goto(live_server + "/tickets/new")
    expect(page.get_by_label(re.compile("Опишите проблему"))).to_have_value("")


def test_a_form_answered_in_a_part_of_its_page_shows_the_refusal_whole(live_server: str, open_page: OpenPage):
    """The enquiry of a listing swaps only its own card: refused for its ended session, it showed nothing and its
    button simply came back; now the refusal takes the page, and the enquiry's text is back after signing in."""
    page = open_page()
    sign_in(page, live_server, "resident@demo.ru")
    page.goto(live_server + "/showcase/rent")
    page.locator("main a[href^='/showcase/listings/']").first.click()
    expect(page).to_have_url(re.compile(r"/showcase/listings/\d+$"))
    listing = page.url.removeprefix(live_server)
    page.get_by_label("Сообщение").fill(TEXT)
    page.context.clear_cookies(name="session")
    page.get_by_role("button", name="Отправить заявку").click()
    expect(page.get_by_role("heading", name=re.compile("Сеанс закончился"))).to_be_visible()
    expect(page.get_by_text("Текст, который вы набрали, сохранён на этом устройстве")).to_be_visible()
    page.locator("main").get_by_role("link", name="Войти").click()
    page.locator("#f-login").fill("resident@demo.ru")
    page.locator("#f-password").fill("demo12345")
    page.locator("form:has(#f-password) button[type=submit]").click()
    expect(page).to_have_url(live_server + listing, timeout=60_000)
    expect(page.get_by_label("Сообщение")).to_have_value(TEXT)
