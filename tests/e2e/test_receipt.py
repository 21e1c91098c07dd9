"""A resident at 390 px: signs in, sees the balance on the home page, opens the receipt and downloads its PDF."""

import re

import pytest
from playwright.sync_api import Page
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_resident_sees_the_balance_opens_the_receipt_and_downloads_the_pdf(page: Page, live_server: str):
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(live_server + "/login")
    page.get_by_label("Эл. почта или телефон").or_(page.locator("#f-login")).first.fill("resident@demo.ru")
    page.locator("#f-password").fill("demo12345")
    page.get_by_role("button", name="Войти").click()

    balance = page.locator("[data-balance=debt]").first
    expect(balance).to_have_text(re.compile(r"К оплате [\d\s]+,\d\d\s₽ до \d+ \S+"))
    page.get_by_role("link", name=re.compile("Квитанция за")).first.click()

    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("Квитанция за"))
    expect(page.locator("[data-total]")).to_have_text(re.compile(r"\d,\d\d\s₽"))
    expect(page.locator("img.billing-qr").first).to_be_visible()

    with page.expect_download() as info:
        page.get_by_role("link", name="Скачать PDF").click()
    download = info.value
    assert download.suggested_filename.endswith(".pdf")
    with open(download.path(), "rb") as fp:
        assert fp.read(5) == b"%PDF-"
