"""In a real browser, a person's language follows them: a resident who chose English on their phone signs in on the
office computer — a Chromium whose language is Russian, where someone chose Russian with the switch — and reads
English there. The invitation forms ask for the invited person's language («Язык писем и страниц») and fit a phone
(390 px) and a desktop (1280 px). On a server of its own: the people of its demo data change their language."""

from __future__ import annotations

import os

import pytest
from playwright.sync_api import Page
from playwright.sync_api import expect

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
