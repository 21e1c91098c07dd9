"""What a resident used to phone for, at 390 px: a debt paid in parts and people moved in, each refused at its field
once (no reason, no consent), then filed; the operator (1280 px) reads both in full in the staff list."""

from __future__ import annotations

import os
from datetime import timedelta

import pytest
from playwright.sync_api import Page
from playwright.sync_api import expect

from portal.core import clock
from tests.browser import OpenPage
from tests.browser import sign_in
from tests.browser import speaking

pytestmark = pytest.mark.browser

NO_SIDEWAYS_SCROLL = "() => document.documentElement.scrollWidth <= window.innerWidth"
SHOTS = os.environ.get("SHOTS_DIR", "")  # screenshots of the new pages, where asked for


def _shot(page: Page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


def _number(page: Page) -> str:
    expect(page.locator("h1")).to_contain_text("Заявка №")
    return page.locator("h1").inner_text().split("№")[-1].strip()


def test_a_resident_asks_for_an_instalment_plan_and_tells_of_a_move(live_server: str, open_page: OpenPage) -> None:
    resident = open_page()
    sign_in(resident, live_server, "resident@demo.ru")

    resident.goto(live_server + "/tickets/new")
    resident.get_by_role("link", name="Не получается погасить долг сразу? Попросите рассрочку").click()
    expect(resident.locator("h1")).to_have_text("Рассрочка погашения долга")
    expect(resident.locator("main")).to_contain_text("Долг сейчас:")
    assert resident.evaluate(NO_SIDEWAYS_SCROLL)
    _shot(resident, "instalment-390")
    resident.select_option("#f-months", "4")
    resident.get_by_role("button", name="Отправить заявление").click()
    expect(resident.locator("#e-reason")).to_contain_text("почему не получается")
    expect(resident.locator("#f-months")).to_have_value("4")
    resident.fill("#f-reason", "Задержали зарплату")
    resident.get_by_role("button", name="Отправить заявление").click()
    expect(resident.locator(".flash")).to_contain_text("Заявление №")
    instalment = _number(resident)
    expect(resident.locator("main")).to_contain_text("погашение за 4 месяца")

    day = clock.today_local() - timedelta(days=2)
    resident.goto(live_server + "/tickets/new")
    resident.get_by_role("link", name="Кто-то въехал или выехал? Сообщите нам").click()
    expect(resident.locator("h1")).to_have_text("Въезд и выезд проживающих")
    assert resident.evaluate(NO_SIDEWAYS_SCROLL)
    resident.select_option("#f-movement", "in")
    resident.fill("#f-day", day.isoformat())
    resident.fill("#f-people", "Сидоров Павел Андреевич")
    resident.get_by_role("button", name="Отправить заявление").click()
    expect(resident.locator("#e-consent")).to_contain_text("согласны на передачу их ФИО")
    expect(resident.locator("#f-people")).to_have_value("Сидоров Павел Андреевич")
    _shot(resident, "residents-390")
    resident.check("#f-consent")
    resident.get_by_role("button", name="Отправить заявление").click()
    moved = _number(resident)
    expect(resident.locator("main")).to_contain_text(f"Въехали {day.strftime('%d.%m.%Y')}: Сидоров Павел Андреевич.")

    staff = open_page(1280)
    sign_in(staff, live_server, "operator@demo.ru")
    for number, category, words in (
        (instalment, "Рассрочка погашения долга", "Причина: Задержали зарплату"),
        (moved, "Изменение числа проживающих", "Сидоров Павел Андреевич"),
    ):
        staff.goto(live_server + "/staff/tickets?tab=all&q=" + number)
        staff.get_by_role("link", name=number, exact=True).click()
        expect(staff.locator("main")).to_contain_text(category)
        expect(staff.locator("main")).to_contain_text(words)
    _shot(staff, "residents-staff-1280")

    desk = open_page(1280)
    sign_in(desk, live_server, "resident@demo.ru")
    for path in ("/tickets/instalment", "/tickets/residents"):
        desk.goto(live_server + path)
        _shot(desk, path.rsplit("/", 1)[-1] + "-1280")
    with speaking(desk, live_server, "en"):
        desk.goto(live_server + "/tickets/residents")
        expect(desk.locator("h1")).to_have_text("People moved in or out")
        _shot(desk, "residents-en-1280")
