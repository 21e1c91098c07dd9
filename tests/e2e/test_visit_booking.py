"""In a real browser: on a 390 px phone, by keyboard only, resident@demo.ru books a visit to the client centre
(purpose, a time of the first free day, a comment), is told «Вы записаны» with what to bring and the calendar file,
and finds the visit in «Мои записи». Another day's times come without reloading the page."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser import OpenPage
from tests.browser import Served
from tests.browser import sign_in

pytestmark = pytest.mark.browser


def test_a_resident_books_a_visit_by_keyboard_on_a_phone(open_page: OpenPage, own_server: Served):
    base, _ = own_server
    page = open_page()
    sign_in(page, base, "resident@demo.ru")
    page.goto(base + "/more")
    page.get_by_role("link", name="Запись в клиентский центр").click()
    page.wait_for_url("**/visits")
    page.get_by_role("link", name="Записаться в клиентский центр").focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/visits/new")

    page.locator("#f-purpose").focus()  # the first purpose; the arrows move through the group
    page.keyboard.press("ArrowDown")
    expect(page.get_by_role("radio", name="Договор управления и документы")).to_be_checked()

    day = page.locator("#f-day")
    days = day.locator("option")
    assert days.count() >= 2
    second = days.nth(1).get_attribute("value")
    day.focus()
    with page.expect_response(lambda r: r.url.endswith("/visits/new") and r.request.method == "POST"):
        page.keyboard.press("ArrowDown")  # the next day: its times come in place of the list, no reload
    expect(day).to_have_value(second)
    first_time = page.locator("#f-time")
    expect(first_time).to_be_visible()
    chosen = first_time.get_attribute("value")
    first_time.focus()
    page.keyboard.press("Space")
    expect(first_time).to_be_checked()

    page.locator("#f-comment").focus()
    page.keyboard.type("Нужна копия договора")
    page.get_by_role("button", name="Записаться", exact=True).focus()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/visits/\d+$"))
    expect(page.get_by_role("heading", name="Вы записаны")).to_be_visible()
    expect(page.get_by_text(chosen, exact=False).first).to_be_visible()
    expect(page.get_by_role("heading", name="Что взять с собой")).to_be_visible()
    expect(page.get_by_role("link", name="Добавить в календарь")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # nothing wider than the phone

    page.get_by_role("link", name="Мои записи").focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/visits")
    expect(page.get_by_text("Договор управления и документы")).to_be_visible()
