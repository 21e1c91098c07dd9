"""In a real browser: operator@demo.ru takes a call, opens the caller's account card, chooses «Записать в
клиентский центр», picks the caller among the account's people, the purpose and a free time, and books; the centre's
day shows the visit, and the caller (resident@demo.ru) finds it in «Мои записи». At 390 px, a caller without a
sign-in is booked by name and phone."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page
from playwright.sync_api import expect

from tests.browser import OpenPage
from tests.browser import Served
from tests.browser import sign_in

pytestmark = pytest.mark.browser


def _booking_of(page: Page, base: str, number: str) -> None:
    """The operator finds the account ``number``, opens its card and chooses «Записать в клиентский центр»."""
    sign_in(page, base, "operator@demo.ru")
    page.goto(base + f"/staff/accounts?q={number}")
    page.get_by_role("link", name=re.compile(number)).first.click()
    page.get_by_role("link", name="Записать в клиентский центр").click()
    page.wait_for_url(re.compile(r"/staff/visits/accounts/\d+/new$"))


def test_the_operator_books_a_caller_from_the_account_card(open_page: OpenPage, own_server: Served):
    base, _ = own_server
    page = open_page(1280)
    _booking_of(page, base, "9101000001")
    expect(page.get_by_role("heading", name="Запись звонящего в клиентский центр")).to_be_visible()

    page.get_by_role("button", name="Записать", exact=True).click()  # nothing chosen: said, nothing booked
    expect(page.locator(".error-summary")).to_contain_text("Выберите, кто придёт.")

    page.get_by_role("radio", name=re.compile("Иван Петрович Смирнов")).check()
    page.get_by_role("radio", name="Начисления и оплата").check()
    first_time = page.locator("#f-time")
    chosen = first_time.get_attribute("value")
    first_time.check()
    page.locator("#f-comment").fill("Звонил: вопрос по перерасчёту")
    page.get_by_role("button", name="Записать", exact=True).click()
    page.wait_for_url(re.compile(r"/staff/visits\?centre=\d+&day="))
    expect(page.get_by_text("Житель записан")).to_be_visible()
    row = page.locator("tr", has_text="Звонил: вопрос по перерасчёту")
    expect(row).to_contain_text(chosen)
    expect(row).to_contain_text("Иван Петрович Смирнов")

    resident = open_page(390)
    sign_in(resident, base, "resident@demo.ru")
    resident.goto(base + "/visits")
    expect(resident.get_by_text("Начисления и оплата").first).to_be_visible()


def test_the_operator_books_a_caller_without_a_sign_in_on_a_phone(open_page: OpenPage, own_server: Served):
    """At 390 px, an account nobody of which signs in (9101000045): the caller is the form's only choice; a wrong
    phone is said at its field with the name kept; booked, the centre's day shows the caller's name and phone, told
    by SMS."""
    base, _ = own_server
    page = open_page(390)
    _booking_of(page, base, "9101000045")
    expect(page.get_by_text("Никто из этого лицевого счёта не входит на портал")).to_be_visible()
    expect(page.get_by_role("radio", name=re.compile("Звонящий без входа на портал"))).to_be_checked()

    page.get_by_label("Имя звонящего").fill("Пётр Иванович Звонарёв")
    page.get_by_label("Мобильный телефон звонящего").fill("8 978 12")
    page.get_by_role("radio", name="Начисления и оплата").check()
    first_time = page.locator("#f-time")
    chosen = first_time.get_attribute("value")
    first_time.check()
    page.get_by_role("button", name="Записать", exact=True).click()
    expect(page.locator("#e-caller_phone")).to_contain_text("Введите телефон в виде")
    expect(page.get_by_label("Имя звонящего")).to_have_value("Пётр Иванович Звонарёв")

    page.get_by_label("Мобильный телефон звонящего").fill("+7 978 555-44-33")
    page.locator("#f-time").check()
    page.get_by_role("button", name="Записать", exact=True).click()
    page.wait_for_url(re.compile(r"/staff/visits\?centre=\d+&day="))
    expect(page.get_by_text("звонящему придёт СМС")).to_be_visible()
    row = page.locator("tr", has_text="Пётр Иванович Звонарёв")
    expect(row).to_contain_text(chosen)
    expect(row).to_contain_text("без входа на портал, извещается по СМС")
