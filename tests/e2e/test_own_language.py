"""In a real browser, a person's language follows them: a resident who chose English on their phone signs in on the
office computer — a Chromium whose language is Russian, where someone chose Russian with the switch — and reads
English there. An invitation in English opens in English in that Chromium, until the switch says otherwise. The
invitation forms ask for the invited person's language («Язык писем и страниц») and fit a phone
(390 px) and a desktop (1280 px). On a server of its own: the people of its demo data change their language."""

from __future__ import annotations

import os
import re
import sqlite3

import pytest
from playwright.sync_api import Page
from playwright.sync_api import expect

from portal.accounts.rules import token_hash
from tests.browser import OpenPage
from tests.browser import Served
from tests.browser import sign_in
from tests.browser import speak

pytestmark = pytest.mark.browser

NO_SIDEWAYS_SCROLL = "() => document.documentElement.scrollWidth <= window.innerWidth"
SHOTS = os.environ.get("SHOTS_DIR", "")  # screenshots of the forms, where asked for


def _shot(page: Page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


def test_a_resident_who_chose_english_on_the_phone_reads_english_on_a_russian_computer(
    own_server: Served, open_page: OpenPage
):
    base, _ = own_server
    phone = open_page(390)
    sign_in(phone, base, "resident2@demo.ru")
    speak(phone, base, "en")  # chosen on the phone: the person's language from now on

    office = open_page(1280, locale="ru-RU")
    office.context.add_cookies([{"name": "lang", "value": "ru", "url": base}])  # someone chose Russian here before
    office.goto(base + "/login")
    expect(office.locator("html")).to_have_attribute("lang", "ru")
    sign_in(office, base, "resident2@demo.ru")
    expect(office.locator("html")).to_have_attribute("lang", "en")
    expect(office.get_by_role("button", name="Sign out")).to_be_visible()
    assert {c["name"]: c["value"] for c in office.context.cookies()}["lang"] == "en"  # this computer remembers it
    office.goto(base + "/profile")
    expect(office.locator("select[name=locale]")).to_have_value("en")


@pytest.mark.parametrize("width", [390, 1280])
def test_the_invitation_forms_ask_for_the_invited_persons_language(own_server: Served, open_page: OpenPage, width: int):
    base, _ = own_server
    admin = open_page(width)
    sign_in(admin, base, "admin@demo.ru")
    resident = open_page(width)
    sign_in(resident, base, "resident@demo.ru")
    resident.goto(base + "/")
    people = resident.locator("a[href$='/people']").first.get_attribute("href")
    forms = [(admin, "/staff/users/new", "staff-user"), (admin, "/staff/invitations", "staff-invite")]
    for page, path, name in [*forms, (resident, people, "people")]:
        page.goto(base + path)
        language = page.get_by_label("Язык писем и страниц")
        expect(language).to_be_visible()
        expect(language).to_have_value("ru")  # Russian preselected (the inviter's own, for a resident's)
        assert [o.strip() for o in language.locator("option").all_inner_texts()] == ["Русский", "English"]
        assert page.evaluate(NO_SIDEWAYS_SCROLL), f"{name} scrolls sideways at {width} px"
        language.scroll_into_view_if_needed()
        _shot(page, f"invite-language-{name}-{width}")


def test_an_english_invitation_opens_in_english_on_a_russian_browser(own_server: Served, open_page: OpenPage):
    base, folder = own_server
    admin = open_page(1280)
    sign_in(admin, base, "admin@demo.ru")
    admin.goto(base + "/staff/users/new")
    admin.locator("#f-full_name").fill("Jane Smith")
    admin.locator("#f-email").fill("jane.smith@example.ru")
    admin.get_by_label("Язык писем и страниц").select_option("en")
    admin.locator("input[name=roles]").first.check()
    admin.get_by_role("button", name="Добавить и отправить приглашение").click()
    expect(admin).not_to_have_url(re.compile(r"/staff/users/new$"))
    # The letter's link: only its hash is kept, so the test gives the invitation a token it knows.
    with sqlite3.connect(folder / "live.sqlite") as conn:
        changed = conn.execute(
            "UPDATE auth_token SET token_hash = ? WHERE email = ? AND purpose = 'invite' AND locale = 'en'",
            (token_hash("jane-smith-letter"), "jane.smith@example.ru"),
        ).rowcount
    assert changed == 1

    invitee = open_page(390, locale="ru-RU")
    invitee.goto(base + "/invite/jane-smith-letter")
    expect(invitee.locator("html")).to_have_attribute("lang", "en")  # the letter's language, not the browser's
    expect(invitee.get_by_role("heading", name="Welcome to the staff pages of the portal")).to_be_visible()
    expect(invitee.get_by_role("button", name="Set the password")).to_be_visible()
    assert invitee.evaluate(NO_SIDEWAYS_SCROLL)
    _shot(invitee, "invitation-in-english-390")
    with invitee.expect_navigation():  # the switch on the page still works
        invitee.locator("form.lang-switch button[value=ru]").click()
    expect(invitee.locator("html")).to_have_attribute("lang", "ru")
    expect(invitee).to_have_url(base + "/invite/jane-smith-letter")
    expect(invitee.get_by_role("button", name="Задать пароль")).to_be_visible()
