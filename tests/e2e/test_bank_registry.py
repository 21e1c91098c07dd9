"""An accountant at 1280 px loads a bank's registry: sees the preview's totals, applies it, assigns the payment no
account matched; then the resident, on a 390 px phone, sees both payments with their channels and the day credited."""

from __future__ import annotations

import re
import secrets

import pytest
from playwright.sync_api import Page
from playwright.sync_api import expect

from portal.core import clock
from tests.browser import sign_in as sign_in_form

pytestmark = pytest.mark.browser


def sign_in(page: Page, live_server: str, login: str, width: int) -> None:
    # Leave the page first: an answer the old page was still loading could come after the cookies are cleared and,
    # as every page's answer does, set the previous person's session cookie again; the sign-in would be refused.
    page.goto("about:blank")
    page.context.clear_cookies()
    page.set_viewport_size({"width": width, "height": 900})
    sign_in_form(page, live_server, login)


def registry(account: str, tag: str) -> bytes:
    today = clock.today_local().strftime("%d.%m.%Y")
    lines = [
        "# Реестр платежей ПАО «Банк»",
        f"{today};09:30:00;8626;0001;E2E-{tag}-1;{account};Жилец;;;111,11;111,11;0,00;qr",
        f"{today};09:45:00;8626;0002;E2E-{tag}-2;9999999901;Жилец;;;222,22;222,22;0,00;cash",
        "=2;333,33;333,33;0,00;1;",
    ]
    return "\r\n".join(lines).encode("cp1251")


def test_an_accountant_loads_a_registry_and_the_resident_sees_the_payments(page: Page, live_server: str):
    sign_in(page, live_server, "resident@demo.ru", 390)
    page.locator("h3.billing-address a").first.click()
    expect(page).to_have_url(re.compile(r"/accounts/\d+$"))
    account_url = page.url
    number = re.search(r"\d{10}", page.locator("main p.muted").first.inner_text())[0]

    sign_in(page, live_server, "accountant@demo.ru", 1280)
    page.goto(live_server + "/staff/billing/registries")
    tag = secrets.token_hex(3)
    page.locator("input[name=file]").set_input_files(
        files=[{"name": "reestr.txt", "mimeType": "text/plain", "buffer": registry(number, tag)}]
    )
    page.get_by_role("button", name="Проверить файл").click()
    expect(page.get_by_test_id("registry-total")).to_have_text(re.compile(r"333,33"))
    preview = page.locator("#preview")
    expect(preview.get_by_role("row", name=re.compile("Зачисляются на лицевые счета"))).to_contain_text("111,11")
    expect(preview.get_by_role("row", name=re.compile("в очередь"))).to_contain_text("222,22")
    page.get_by_role("button", name=re.compile("Загрузить 2 строки")).click()

    expect(page).to_have_url(re.compile(r"/staff/billing/registries/queue"))
    row = page.locator("tr", has_text=f"E2E-{tag}-2")
    expect(row).to_contain_text("222,22")
    row.get_by_label("Номер лицевого счёта").fill(number)
    row.get_by_role("button", name="Зачислить на этот счёт").click()
    expect(page.get_by_text(f"Платёж зачислен на лицевой счёт {number}")).to_be_visible()
    expect(page.locator("tr", has_text=f"E2E-{tag}-2")).to_have_count(0)

    sign_in(page, live_server, "resident@demo.ru", 390)
    page.goto(account_url)
    payments = page.locator("section[aria-labelledby=pay-h]")
    expect(payments.locator("li", has_text="111,11")).to_contain_text("в банке по QR-коду")
    expect(payments.locator("li", has_text="222,22")).to_contain_text("в кассе")
    expect(payments.locator("li", has_text="222,22")).to_contain_text("зачислен")
    expect(payments).to_contain_text("платежи через банк отображаются в течение 1–3 дней", ignore_case=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
