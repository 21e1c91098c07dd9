"""In a real browser at 390 px: a resident withdraws, then gives again, a separate consent and reads «Согласие дано» /
«Согласие отозвано» where she pressed the button. The page sent her back to «#optional» but said it at its top,
out of sight on a phone, with only the badge to show that anything happened."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser import OpenPage
from tests.browser import Served
from tests.browser import sign_in

pytestmark = pytest.mark.browser


def test_the_word_on_a_separate_consent_is_seen_where_the_button_was(open_page: OpenPage, own_server: Served):
    base, _ = own_server
    page = open_page()
    sign_in(page, base, "resident@demo.ru")
    page.goto(base + "/consent")
    for button, said in (
        (r"^Отозвать\s?: Распространение", "Согласие отозвано."),
        (r"^Дать согласие\s?: Распространение", "Согласие дано."),
    ):
        page.get_by_role("button", name=re.compile(button)).click()
        expect(page).to_have_url(re.compile(r"/consent#optional$"))
        message = page.locator(".flash", has_text=said)
        expect(message).to_be_in_viewport()
        expect(message).to_have_attribute("role", "status")
        assert page.evaluate("window.scrollY") > 0  # the page is not at its top, where the message used to be
        expect(page.locator("#flashes")).to_be_empty()  # said once
