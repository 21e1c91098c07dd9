"""The page of a payment on a phone: its rows are cards, and a long «Баланс сейчас: Переплата 97 326,94 ₽» ran
past the card's right edge (a number's cell kept to one line), its «₽» cut off behind the table's scroll. On a
card the label and the sum wrap between words; a sum itself stays whole."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser import OpenPage
from tests.browser import Served
from tests.e2e.test_payment_flow import pay_with
from tests.e2e.test_payment_flow import sign_in
from tests.e2e.test_payment_flow import start_payment

pytestmark = pytest.mark.browser

# The cells whose words reach past their own box, and the tables that scroll sideways for it.
OVERRUN = """() => [...document.querySelectorAll("main .table-wrap, main td")]
  .filter(el => el.scrollWidth > el.clientWidth + 1)
  .map(el => `${el.tagName.toLowerCase()}.${el.className}: ${el.scrollWidth} px in ${el.clientWidth}`)"""


def test_a_large_overpayment_fits_the_payment_card_on_a_phone(open_page: OpenPage, own_server: Served) -> None:
    live_server, _ = own_server  # the payment changes the balance other modules read
    page = open_page(390, 844)
    sign_in(page, live_server, 390)
    start_payment(page, live_server, "99 999,99")
    pay_with(page, "4242 4242 4242 4242")
    expect(page).to_have_url(re.compile(r"/pay/return\?session_id=cs_test_"))
    expect(page.get_by_text("Платёж получен")).to_be_visible(timeout=20_000)
    balance = page.locator("td.balance-now").first
    expect(balance).to_contain_text("Переплата")
    assert page.evaluate(OVERRUN) == []
    text = balance.inner_text()
    sum_line = [line for line in text.splitlines() if "₽" in line][-1]
    assert re.search(r"\d[\d\u00a0]*,\d\d\u00a0₽", sum_line), f"the sum is broken across lines: {text!r}"
