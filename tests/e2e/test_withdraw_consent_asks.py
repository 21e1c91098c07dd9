"""Withdrawing the consent to the processing of personal data asks once more, with JavaScript or without: the dialog
where it runs (one «OK» is enough, no page asking again), a page of its own where it does not — one tap on «Отозвать
согласие» closed the portal at once in a browser without JavaScript. The page asking is shot at 390 and 1280 px
into var/test/screenshots."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
from playwright.sync_api import Page
from playwright.sync_api import expect

from tests.browser import OpenPage
from tests.browser import Served
from tests.browser import record_htmx_requests
from tests.browser import sign_in
from tests.e2e.test_emergency_notice import SHOTS

pytestmark = pytest.mark.browser

ACCEPTED = "Вы приняли этот текст"


def _consent(page: Page, base: str) -> str:
    page.goto(base + "/consent")
    expect(page.locator("main")).to_contain_text(ACCEPTED)
    return page.url


def test_without_javascript_a_page_asks_before_the_consent_is_withdrawn(open_page: OpenPage, own_server: Served):
    base, _ = own_server
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width in (1280, 390):
        page = open_page(width, java_script_enabled=False)
        sign_in(page, base, "resident2@demo.ru")
        consent = _consent(page, base)
        page.get_by_role("button", name="Отозвать согласие").click()
        expect(page.locator("h1")).to_have_text("Отозвать согласие на обработку персональных данных?")
        expect(page.locator("main")).to_contain_text("будут удалены в течение 30 дней")
        page.screenshot(path=str(SHOTS / f"withdraw-consent-asks-{width}.png"), full_page=True)
        page.get_by_role("link", name="Нет, оставить").click()
        expect(page).to_have_url(consent)
        expect(page.locator("main")).to_contain_text(ACCEPTED)

    page.get_by_role("button", name="Отозвать согласие").click()
    page.get_by_role("button", name="Да, отозвать").click()
    expect(page).to_have_url(consent)
    expect(page.locator(".flash")).to_contain_text("Согласие отозвано. Ваши персональные данные будут удалены до")
    expect(page.get_by_role("button", name="Дать согласие и продолжить")).to_be_visible()


def test_with_javascript_the_dialog_alone_asks(open_page: OpenPage, own_server: Served):
    base, _ = own_server
    page = open_page()
    sign_in(page, base, "resident@demo.ru")
    consent = _consent(page, base)
    sent = record_htmx_requests(page)
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.get_by_role("button", name="Отозвать согласие").click()
    assert sent() == [], "«No» let the form be sent"  # htmx sends it in the submit the click dispatched
    expect(page).to_have_url(consent)
    expect(page.locator("main")).to_contain_text(ACCEPTED)
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Отозвать согласие").click()
    expect(page.locator(".flash")).to_contain_text("Согласие отозвано. Ваши персональные данные будут удалены до")
    expect(page).to_have_url(consent)
    expect(page.get_by_role("button", name="Да, отозвать")).to_have_count(0)
    expect(page.get_by_role("button", name="Дать согласие и продолжить")).to_be_visible()


def _person(folder: Path, email: str) -> int:
    with closing(sqlite3.connect(folder / "live.sqlite")) as db:
        return db.execute("SELECT id FROM portal_user WHERE email = ?", (email,)).fetchone()[0]


def test_a_withdrawal_staff_enter_asks_once_more_with_javascript_or_without(open_page: OpenPage, own_server: Served):
    """Entering a withdrawal brought on paper ended every consent of the person at one press, with no question at
    all: where JavaScript runs a dialog asks, without it a page naming the person (shot at 390 px), and «Нет,
    оставить» leads back to the form with nothing written."""
    base, folder = own_server
    person = f"{base}/staff/people/{_person(folder, 'owner@demo.ru')}"
    page = open_page(java_script_enabled=False)
    sign_in(page, base, "manager@demo.ru")
    page.goto(person)
    page.locator("#f-pw-channel").select_option("letter")
    page.get_by_role("button", name="Внести отзыв", exact=True).click()
    expect(page.locator("h1")).to_have_text("Внести отзыв согласия?")
    expect(page.locator("main")).to_contain_text("Письмом в управляющую компанию")
    page.screenshot(path=str(SHOTS / "staff-withdrawal-asks-390.png"), full_page=True)
    page.get_by_role("link", name="Нет, оставить").click()
    expect(page.get_by_role("button", name="Внести отзыв", exact=True)).to_be_visible()

    page = open_page(1280)
    sign_in(page, base, "manager@demo.ru")
    page.goto(person)
    page.locator("#f-pw-channel").select_option("letter")
    sent = record_htmx_requests(page)
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.get_by_role("button", name="Внести отзыв", exact=True).click()
    assert sent() == [], "«No» let the form be sent"  # htmx sends it in the submit the click dispatched
    expect(page.get_by_role("button", name="Внести отзыв", exact=True)).to_be_visible()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Внести отзыв", exact=True).click()
    expect(page.locator(".flash")).to_contain_text("Отзыв внесён. Данные человека будут удалены до")
    expect(page.get_by_role("button", name="Да, внести отзыв")).to_have_count(0)
