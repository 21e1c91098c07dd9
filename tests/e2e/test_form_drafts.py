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


COMMENT = "Мастер будет в четверг с утра, жильца предупредили по телефону."


def _a_new_request(page: Page, base: str) -> str:
    """The address of a request in the «Новая» status, opened by a dispatcher."""
    page.goto(base + "/staff/tickets?tab=active&status=new")
    page.locator("table.ticket-table tbody tr a[href^='/staff/tickets/']").first.click()
    expect(page).to_have_url(re.compile(r"/staff/tickets/\d+$"))
    return page.url


def test_a_status_form_sent_without_a_status_is_answered_with_its_message_and_the_comment(
    live_server: str, open_page: OpenPage, tmp_path
):
    """Sent without one of its buttons (as a form is sent by Ctrl+Enter), the status form was answered with a flash
    on the page and an empty comment; now the form again, the message above its buttons, the comment as typed."""
    for width in (390, 1280):
        page = open_page(width)
        sign_in(page, live_server, "dispatcher@demo.ru")
        _a_new_request(page, live_server)
        comment = page.locator("#ticket-actions textarea[name=comment]")
        comment.fill(COMMENT)
        with page.expect_response(re.compile(r"/status$")) as answer:
            page.locator("#ticket-actions form").evaluate("form => form.requestSubmit()")
        assert answer.value.status == 422
        expect(page.locator("#e-status")).to_contain_text("Выберите новый статус одной из кнопок.")
        expect(page.locator("#ticket-actions textarea[name=comment]")).to_have_value(COMMENT)
        expect(page.locator(".flash")).to_have_count(0)
        assert COMMENT in page.evaluate("JSON.stringify(sessionStorage)")
        page.screenshot(path=str(tmp_path / f"status-refused-{width}.png"), full_page=True)


def test_a_status_change_refused_because_the_request_moved_meanwhile_keeps_the_comment(
    live_server: str, open_page: OpenPage
):
    """A refusal that must lead back to the page (the request was accepted by someone else meanwhile) answered
    with a redirect, which the browser took for the form accepted: the comment typed was forgotten. Now only an
    answer saying the form was taken forgets it; here the comment is back in the box, with the note."""
    page, other = open_page(), open_page(1280)
    sign_in(page, live_server, "dispatcher@demo.ru")
    address = _a_new_request(page, live_server)
    # The page was drawn before the change and has not polled since.
    page.route(re.compile(r"part=conversation"), lambda route: route.abort())
    page.locator("#ticket-actions textarea[name=comment]").fill(COMMENT)

    sign_in(other, live_server, "dispatcher@demo.ru")
    other.goto(address)
    other.locator("#ticket-actions button[value=accepted]").click()
    expect(other.locator("#ticket-status")).to_contain_text("Принята")

    page.locator("#ticket-actions button[value=accepted]").click()
    expect(page.locator(".flash.error, .flash-error, [role=alert]").first).to_be_visible()
    expect(page).to_have_url(address)
    expect(page.locator("#ticket-actions textarea[name=comment]")).to_have_value(COMMENT)
    expect(page.get_by_text("Этот текст вы набрали здесь раньше, но не отправили")).to_be_visible()

    # Taken, it is forgotten.
    page.locator("#ticket-actions button[value=in_work]").click()
    expect(page.locator("#ticket-status")).to_contain_text("В работе")
    expect(page.locator("#ticket-actions textarea[name=comment]")).to_have_value("")
    assert COMMENT not in page.evaluate("JSON.stringify(sessionStorage)")
