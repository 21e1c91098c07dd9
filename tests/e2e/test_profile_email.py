"""The profile's e-mail is the login, which the resident cannot change there: its field is read-only, and it must
look it (a dashed border on the page's background), not like the name and phone fields that can be typed in."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page
from playwright.sync_api import expect

from tests.browser import sign_in

pytestmark = pytest.mark.browser


def _look(page: Page, selector: str) -> tuple[str, str]:
    return page.locator(selector).evaluate(
        "e => [getComputedStyle(e).borderTopStyle, getComputedStyle(e).backgroundColor]"
    )


def test_the_e_mail_that_cannot_be_changed_in_the_profile_does_not_look_like_a_field_to_type_in(
    page: Page, live_server: str
):
    sign_in(page, live_server, "resident@demo.ru")
    page.goto(live_server + "/profile")
    email = page.locator("#f-email")
    expect(email).to_have_attribute("readonly", "readonly")
    border, background = _look(page, "#f-email")
    phone_border, phone_background = _look(page, "#f-phone")
    assert (phone_border, border) == ("solid", "dashed")
    assert background != phone_background
