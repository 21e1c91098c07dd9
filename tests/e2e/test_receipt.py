"""A resident at 390 px: signs in, sees the balance on the home page, opens the receipt and downloads its PDF."""

import re

import pytest
from playwright.sync_api import Page
from playwright.sync_api import expect

from tests.browser import sign_in

pytestmark = pytest.mark.browser


def test_resident_sees_the_balance_opens_the_receipt_and_downloads_the_pdf(page: Page, live_server: str):
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(live_server + "/login")
    page.get_by_label("Эл. почта или телефон").or_(page.locator("#f-login")).first.fill("resident@demo.ru")
    page.locator("#f-password").fill("demo12345")
    page.get_by_role("button", name="Войти").click()

    balance = page.locator("[data-balance=debt]").first
    expect(balance).to_have_text(re.compile(r"К оплате [\d\s]+,\d\d\s₽ до \d+\s\S+"))
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


# The cells of a table's totals that take room on the screen without a word in them.
EMPTY_TOTALS = """() => [...document.querySelectorAll("main tfoot th, main tfoot td")]
  .filter(c => c.getBoundingClientRect().height > 0 && !c.innerText.trim()).length"""


def test_on_a_phone_the_receipts_total_reads_as_one_block_without_empty_lines(page: Page, live_server: str):
    """The empty cells that keep the total under its columns on a desktop stood on a phone as three empty ruled
    lines between «Итого» and its sums."""
    sign_in(page, live_server, "resident@demo.ru")
    page.get_by_role("link", name=re.compile("Квитанция за")).first.click()
    totals = page.locator("main tfoot")
    expect(totals).to_contain_text("Итого")
    assert page.evaluate(EMPTY_TOTALS) == 0
    borders = totals.locator("th, td").evaluate_all("cells => cells.map(c => getComputedStyle(c).borderTopWidth)")
    assert set(borders) == {"0px"}, "one rule above the totals, not one above each of its lines"
    page.set_viewport_size({"width": 1280, "height": 900})
    assert page.evaluate(EMPTY_TOTALS) > 0, "on a desktop the empty cells keep the sums under their columns"
