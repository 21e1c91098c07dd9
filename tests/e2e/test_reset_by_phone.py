"""In a real browser on a 390 px phone: a resident who reads no e-mail resets the password by the phone they sign in
with. «Забыли пароль?» takes the phone, the SMS goes through the outbox to the SMS provider (its sandbox), the page
asks its code in a box the phone's keyboard and SMS autofill know, then the new password, and the resident signs in by
phone with it. On a server of its own: the resident's password changes."""

from __future__ import annotations

import re
import time

import httpx
import pytest
from playwright.sync_api import expect

from tests.browser import OpenPage
from tests.browser import Served
from tests.browser import sign_in
from tests.conftest import Inbox

pytestmark = pytest.mark.browser
expect.set_options(timeout=30_000)

PHONE = "+79780000002"  # the demo's neighbour (resident2)
NEW_PASSWORD = "brand new pass 7"


def _code_sent(url: str, seconds: float = 60) -> str:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        for message in httpx.get(url + "/v1/messages", timeout=5).json()["data"]:
            found = re.search(r"\b(\d{6})\b", message["text"])
            if message["phone"] == PHONE and found and "/password/code" in message["text"]:
                return found.group(1)
        time.sleep(0.5)
    raise AssertionError(f"no reset code to {PHONE} within {seconds} s")


def _fits(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_a_resident_resets_the_password_by_phone_on_a_phone(
    open_page: OpenPage, own_mail_server: Served, mail_server: Inbox, sms_provider: str
) -> None:
    base, _ = own_mail_server
    page = open_page(390, locale="ru-RU")
    page.goto(base + "/login")
    page.get_by_role("link", name="Забыли пароль?").click()
    # The sign-in page has a field of the same label: type only once the reset form is there.
    expect(page.get_by_role("heading", level=1)).to_have_text("Сброс пароля")
    page.get_by_label("E-mail или телефон").fill("8 978 000-00-02")
    page.get_by_role("button", name="Продолжить").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Код из SMS")
    expect(page.get_by_text("мы отправили на него SMS с кодом")).to_be_visible()
    code_box = page.locator("#f-code")
    expect(code_box).to_have_attribute("autocomplete", "one-time-code")
    expect(code_box).to_have_attribute("inputmode", "numeric")
    _fits(page)
    code_box.fill(_code_sent(sms_provider))
    page.get_by_role("button", name="Продолжить").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Новый пароль")
    _fits(page)
    page.locator("#f-password").fill(NEW_PASSWORD)
    page.locator("#f-password2").fill(NEW_PASSWORD)
    page.locator("form:has(#f-password2) button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/login$"))
    expect(page.locator("#f-login")).to_have_value(PHONE)  # the phone typed into the sign-in
    sign_in(page, base, PHONE, NEW_PASSWORD)
