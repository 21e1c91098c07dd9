"""A resident orders a fixed-price service at 390 px, pays with the test card on the sandbox gateway's page and
sees the order and its request in progress; the dispatcher sees the paid request flagged «оплачено»."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page
from playwright.sync_api import expect

from tests.browser import OpenPage
from tests.browser import sign_in
from tests.e2e.test_billing_layout import CUT_OPTIONS
from tests.e2e.test_payment_flow import pay_with

pytestmark = pytest.mark.browser

SHOTS = os.environ.get("PORTAL_SCREENSHOTS")


def shot(page: Page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


def test_a_resident_orders_and_pays_a_service_and_the_dispatcher_sees_it_paid(live_server: str, open_page: OpenPage):
    page = open_page()
    sign_in(page, live_server, "resident@demo.ru")
    page.goto(live_server + "/more")
    page.get_by_role("link", name="Платные услуги и справки").click()
    expect(page.get_by_role("heading", name="Платные услуги")).to_be_visible()
    shot(page, "catalog-390")
    card = page.locator(".service-card", has_text="Вызов сантехника")
    expect(card).to_contain_text("1\u00a0500,00\u00a0₽")
    card.get_by_role("link").click()
    page.get_by_role("button", name="Добавить в заказ").click()
    expect(page.get_by_role("heading", name="Ваш заказ")).to_be_visible()
    page.get_by_label("Желаемый день").select_option(index=2)
    page.get_by_label("Время").select_option(index=1)
    page.get_by_label("Телефон для связи").fill("+7 978 000-00-01")
    shot(page, "catalog-cart-390")
    pay = page.get_by_role("button", name=re.compile("Заказать и оплатить"))
    expect(pay).to_contain_text("500,00")
    pay.click()
    expect(page).to_have_url(re.compile(r"/c/pay/cs_test_"))
    checkout = page.url

    # «Cancel and return» on the gateway's page is a link: it leads to the order's page and closes nothing; there
    # «Продолжить оплату» and «Отменить платёж» are buttons.
    page.get_by_role("link", name="Отменить и вернуться").click()
    expect(page).to_have_url(re.compile(r"/services/orders/\d+$"))
    order_page = page.url
    expect(page.get_by_text("Оплата не завершена")).to_be_visible()
    shot(page, "catalog-order-unpaid-390")
    page.get_by_role("button", name="Продолжить оплату").click()
    expect(page).to_have_url(checkout)
    expect(page.get_by_label("Номер карты")).to_be_visible()
    page.goto(order_page)
    page.get_by_role("button", name="Отменить платёж").click()
    expect(page.get_by_text("Оплата отменена; деньги не списаны. Заказ ждёт оплаты.")).to_be_visible()
    expect(page.get_by_text("Оплата не завершена")).to_have_count(0)
    page.goto(checkout)
    expect(page.get_by_label("Номер карты")).to_have_count(0)  # the closed checkout can no longer be paid
    page.goto(order_page)
    page.get_by_role("button", name=re.compile("Оплатить")).click()
    expect(page).to_have_url(re.compile(r"/c/pay/cs_test_"))
    assert page.url != checkout
    pay_with(page, "4242 4242 4242 4242")
    expect(page).to_have_url(re.compile(r"/services/orders/\d+$"), timeout=20_000)
    expect(page.get_by_text("Оплата получена")).to_be_visible()
    expect(page.locator(".facts")).to_contain_text("Принят")
    expect(page.locator(".facts")).to_contain_text("оплачен")
    request = page.locator(".facts a[href^='/tickets/']")
    expect(request).to_be_visible()
    ticket_path = request.get_attribute("href")
    shot(page, "catalog-order-390")
    request.click()
    expect(page.get_by_role("heading", name=re.compile(r"Заявка № \d+"))).to_be_visible()

    staff = open_page(1280)
    sign_in(staff, live_server, "dispatcher@demo.ru")
    staff.goto(live_server + "/staff" + ticket_path)
    expect(staff.locator("input[name=paid_for]")).to_be_checked()
    shot(staff, "catalog-dispatcher-1280")


def test_every_service_title_stays_within_its_card_at_390_px(live_server: str, open_page: OpenPage):
    """Two cards a row on a phone: a long word («Дополнительный ключ-брелок») ran past its card's edge."""
    page = open_page()
    sign_in(page, live_server, "resident@demo.ru")
    page.goto(live_server + "/services")
    expect(page.locator(".service-card").first).to_be_visible()
    past_the_edge = page.evaluate(
        """() => Array.from(document.querySelectorAll('.service-title'))
            .filter((title) => title.scrollWidth > title.clientWidth)
            .map((title) => title.textContent.trim())"""
    )
    assert past_the_edge == []


def test_on_a_phone_the_premises_dropdowns_show_the_part_that_tells_two_flats_apart(page: Page, live_server: str):
    """The resident's two flats read «г. Симферополь, ул. Киевская, д» in the closed dropdown of the catalogue, of
    the order and of a certificate: «189, кв. 1» or «189А, кв. 1», the only difference, was cut off."""
    sign_in(page, live_server, "resident@demo.ru")
    page.get_by_role("link", name=re.compile(r"^Ещё")).first.click()
    page.get_by_role("link", name="Платные услуги и справки").click()
    premises = page.get_by_label("Помещение")
    expect(premises.locator("option")).to_have_count(2)
    assert premises.evaluate(CUT_OPTIONS) == []
    page.get_by_role("link", name="Вызов сантехника").click()
    page.get_by_role("button", name="Добавить в заказ").click()
    expect(page.get_by_role("heading", name="Ваш заказ")).to_be_visible()
    assert page.get_by_label("Помещение").evaluate(CUT_OPTIONS) == []
    page.get_by_role("button", name=re.compile("Убрать")).click()
    expect(page.get_by_text("Ваш заказ пуст")).to_be_visible()
    page.get_by_role("link", name="Платные услуги", exact=True).first.click()
    page.get_by_role("link", name="Справка об отсутствии задолженности").click()
    expect(page.get_by_role("heading", name="Заказать справку")).to_be_visible()
    assert page.get_by_label("Помещение").evaluate(CUT_OPTIONS) == []
