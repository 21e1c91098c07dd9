"""A resident pays a receipt in a real browser over real HTTP: the portal, the sandbox gateway's hosted page,
the signed webhook, the return page that updates itself, the new balance; then a declined card changes nothing.
Afterwards neither the portal's log nor its database holds a card number."""

from __future__ import annotations

import os
import re
from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import Page
from playwright.sync_api import expect

from tests.browser import sign_in as sign_in_form
from tests.conftest import _RUN

pytestmark = pytest.mark.browser

SHOTS = os.environ.get("PORTAL_SCREENSHOTS")
CARD_NUMBERS = ("4242424242424242", "4242 4242 4242 4242", "4000000000000002", "4000 0000 0000 0002")


def shot(page: Page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


def money(text: str) -> Decimal:
    digits = re.sub(r"[^\d,]", "", text).replace(",", ".")
    return Decimal(digits) if digits else Decimal("0")


def balance_on_pay_page(page: Page, live_server: str) -> Decimal:
    page.goto(live_server + "/pay")
    due = page.locator("fieldset.pay-account").first.locator(".pay-due")
    text = due.inner_text()
    if "Переплата" in text:
        return -money(text)
    return money(text)


def start_payment(page: Page, live_server: str, amount: str) -> None:
    page.goto(live_server + "/pay")
    boxes = page.locator("fieldset.pay-account input[type=checkbox]")
    for i in range(boxes.count()):
        boxes.nth(i).set_checked(i == 0)
    page.locator("fieldset.pay-account").first.get_by_label("Сумма к оплате, ₽").fill(amount)
    shot(page, "pay-390")
    page.get_by_role("button", name=re.compile("^Оплатить")).click()
    expect(page).to_have_url(re.compile(r"/c/pay/cs_test_"))


def pay_with(page: Page, number: str) -> None:
    page.get_by_label("Номер карты").fill(number)
    page.get_by_label("Срок (ММ/ГГ)").fill("12/34")
    page.get_by_label("CVC").fill("123")
    page.get_by_role("button", name=re.compile("Оплатить")).click()


def sign_in(page: Page, live_server: str, width: int = 390) -> None:
    page.set_viewport_size({"width": width, "height": 844})
    sign_in_form(page, live_server, "resident@demo.ru")


def rubles(amount: Decimal) -> str:
    whole, cents = f"{amount:.2f}".split(".")
    return f"{int(whole):,}".replace(",", "\u00a0") + "," + cents + "\u00a0₽"


def test_resident_pays_a_receipt_and_a_declined_card_changes_nothing(page: Page, live_server: str):
    sign_in(page, live_server)

    before = balance_on_pay_page(page, live_server)
    start_payment(page, live_server, "1234,56")
    expect(page.get_by_text("1\u00a0234,56\u00a0₽").first).to_be_visible()
    shot(page, "hosted-390")
    pay_with(page, "4242 4242 4242 4242")
    expect(page).to_have_url(re.compile(r"/pay/return\?session_id=cs_test_"))
    shot(page, "return-390")
    expect(page.get_by_text("Платёж получен")).to_be_visible(timeout=20_000)
    after = before - Decimal("1234.56")
    cell = page.locator("td.balance-now").first
    if after > 0:
        expect(cell).to_contain_text("К оплате")
    elif after < 0:
        expect(cell).to_contain_text("Переплата")
    assert money(cell.inner_text()) == abs(after)
    assert balance_on_pay_page(page, live_server) == after

    start_payment(page, live_server, "100")
    pay_with(page, "4000 0000 0000 0002")
    expect(page.get_by_text("Карта отклонена.")).to_be_visible()
    shot(page, "hosted-declined-390")
    page.get_by_role("link", name="Отменить и вернуться").click()
    expect(page.get_by_text(re.compile("Платёж (отклонён|отменён)"))).to_be_visible(timeout=20_000)
    expect(page.get_by_text("Деньги не списаны").first).to_be_visible()
    assert balance_on_pay_page(page, live_server) == after

    # No card number ever reached the portal: not its log, not its database.
    live = Path(_RUN) / "live"
    for path in [live / "server.log", *live.glob("live.sqlite*")]:
        data = path.read_bytes()
        for number in CARD_NUMBERS:
            assert number.encode() not in data, f"{number} found in {path.name}"


def test_from_the_home_button_to_the_card_form_in_three_taps_and_back_to_an_unfinished_payment(
    page: Page, live_server: str
):
    sign_in(page, live_server)
    page.goto(live_server + "/")
    taps = 0
    home = page.locator(".billing-pay a.button.primary").first
    due = money(home.inner_text().split(":")[0])  # the button's words; a screen reader also hears its account
    assert due > 0
    home.click()
    taps += 1
    expect(page).to_have_url(re.compile(r"/pay\?account=\d+$"))
    sheet = page.url
    amount = page.get_by_label("Сумма к оплате, ₽")
    expect(amount).to_have_count(1)  # one account's sheet, nothing to choose
    expect(amount).to_have_value(f"{due:.2f}".replace(".", ","))
    button = page.locator("[data-pay-button]")
    expect(button).to_have_text(f"Оплатить {rubles(due)}")
    # The primary button is in view on the first screen and the bottom bar does not cover it.
    box, bar = button.bounding_box(), page.locator(".bottomnav").bounding_box()
    assert box and bar and box["y"] >= 0 and box["y"] + box["height"] <= bar["y"] + 0.5
    amount.click()
    taps += 1
    amount.fill("1000,5")
    expect(button).to_have_text(f"Оплатить {rubles(Decimal('1000.50'))}")
    shot(page, "pay-sheet-390")
    button.click()
    taps += 1
    expect(page).to_have_url(re.compile(r"/c/pay/cs_test_"))
    expect(page.get_by_label("Номер карты")).to_be_visible()
    expect(page.get_by_text(rubles(Decimal("1000.50"))).first).to_be_visible()
    assert taps <= 3
    checkout = page.url

    # Left on the gateway's page: the history says so and leads back to the same page.
    page.goto(live_server + "/payments")
    row = page.locator("tr", has=page.get_by_text("Не завершён")).first
    expect(row).to_be_visible()
    expect(page.get_by_text("Обрабатывается")).to_have_count(0)
    shot(page, "history-390")
    row.get_by_role("button", name="продолжить оплату").click()
    expect(page).to_have_url(checkout)
    expect(page.get_by_label("Номер карты")).to_be_visible()

    # The sheet says so too, in one line, and leads back to the same page; the debt is still offered whole.
    page.goto(sheet)
    line = page.locator(".pay-unfinished")
    expect(line).to_contain_text(f"Начатая вами оплата на {rubles(Decimal('1000.50'))} не завершена:")
    expect(amount).to_have_value(f"{due:.2f}".replace(".", ","))
    shot(page, "pay-sheet-unfinished-390")
    line.get_by_role("button", name="продолжить оплату").click()
    expect(page).to_have_url(checkout)

    # The old address of «continue», opened as a link (a prefetcher, a bookmark), changes nothing: it shows the
    # payment's page, whose button leads to the same gateway page, still open.
    page.goto(live_server + "/payments")
    payment_page = page.locator("tr", has=page.get_by_text("Не завершён")).first.get_by_role("link").first
    address = live_server + payment_page.get_attribute("href")
    page.goto(address + "/continue")
    expect(page).to_have_url(address)
    expect(page.get_by_text("Оплата не завершена")).to_be_visible()
    shot(page, "payment-open-390")
    page.get_by_role("button", name="Продолжить оплату").click()
    expect(page).to_have_url(checkout)
    expect(page.get_by_label("Номер карты")).to_be_visible()

    # «Отменить платёж» is a button too: the checkout is closed and the page says so.
    page.goto(address)
    page.get_by_role("button", name="Отменить платёж").click()
    expect(page.get_by_text("Платёж отменён")).to_be_visible()
    page.goto(checkout)
    expect(page.get_by_label("Номер карты")).to_have_count(0)
