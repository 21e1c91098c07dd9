"""In a real browser, a link in a letter speaks the language of the person it was sent to: a resident who chose English
on their phone asks for a password reset on a Russian computer, the letter comes in English over SMTP, and its link
opens in English on another computer whose Chromium speaks Russian — the new password form, and the sign-in page it
leads to with its message. On a server of its own: the resident's language and password change."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser import OpenPage
from tests.browser import Served
from tests.browser import sign_in
from tests.browser import speak
from tests.conftest import Inbox

pytestmark = pytest.mark.browser

RESIDENT = "resident2@demo.ru"
NEW_PASSWORD = "brand new pass 7"


def test_a_reset_link_opens_in_the_residents_english_on_a_russian_computer(
    own_mail_server: Served, mail_server: Inbox, open_page: OpenPage
):
    base, _ = own_mail_server
    phone = open_page(390)
    sign_in(phone, base, RESIDENT)
    speak(phone, base, "en")  # chosen on the phone: the person's language from now on

    shared = open_page(1280, locale="ru-RU")  # asked on a Russian page
    shared.goto(base + "/password/forgot")
    expect(shared.locator("html")).to_have_attribute("lang", "ru")
    shared.get_by_label("E-mail или телефон").fill(RESIDENT)
    shared.get_by_role("button", name="Продолжить").click()
    expect(shared.get_by_role("heading", level=1)).to_contain_text("почт")

    letter = mail_server.wait_for(RESIDENT)
    assert letter["Subject"] == "Password reset"
    link = re.search(r"https?://\S+/password/reset/\S+", letter.get_body(preferencelist=("plain",)).get_content())
    assert link and link.group(0).startswith(base)

    office = open_page(390, locale="ru-RU")  # the work computer, whose browser speaks Russian
    office.goto(link.group(0))
    expect(office.locator("html")).to_have_attribute("lang", "en")  # the letter's language, not the browser's
    expect(office.get_by_role("heading", name="New password")).to_be_visible()
    office.locator("#f-password").fill(NEW_PASSWORD)
    office.locator("#f-password2").fill("something else 1")
    office.get_by_role("button", name="Save the password").click()
    expect(office.locator(".error-summary")).to_be_visible()
    expect(office.locator("html")).to_have_attribute("lang", "en")  # the refusal too
    office.locator("#f-password").fill(NEW_PASSWORD)
    office.locator("#f-password2").fill(NEW_PASSWORD)
    office.get_by_role("button", name="Save the password").click()
    expect(office).to_have_url(re.compile(r"/login$"))
    expect(office.locator("html")).to_have_attribute("lang", "en")  # the page after it
    expect(office.locator("#flashes")).to_contain_text("Your password has been changed.")
    sign_in(office, base, RESIDENT, NEW_PASSWORD)  # the new password works
    expect(office.locator("html")).to_have_attribute("lang", "en")
