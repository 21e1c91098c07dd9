"""A resident who put in a new water meter applies for its commissioning at 390 px (refused once for a visit on a
Sunday, what was typed kept), the passport attached; the manager (1280 px) finds it by its category, marks the work
done and makes the meter's card from the application in one press of the meters' own form."""

from __future__ import annotations

import os
from datetime import timedelta

import pytest
from playwright.sync_api import Page
from playwright.sync_api import expect

from portal.core import clock
from portal.core.calendar import add_working_days
from tests.browser import OpenPage
from tests.browser import sign_in
from tests.browser import speaking
from tests.tickets.conftest import jpeg_bytes

pytestmark = pytest.mark.browser

NO_SIDEWAYS_SCROLL = "() => document.documentElement.scrollWidth <= window.innerWidth"
SHOTS = os.environ.get("SHOTS_DIR", "")


def _shot(page: Page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


def test_a_new_meter_is_applied_for_and_its_card_made_from_the_application(
    live_server: str, open_page: OpenPage
) -> None:
    today = clock.today_local()
    sunday = today + timedelta(days=(6 - today.weekday()) or 7)
    first, second = add_working_days(today, 1), add_working_days(today, 2)
    resident = open_page()
    sign_in(resident, live_server, "resident@demo.ru")
    resident.goto(live_server + "/tickets/new")
    link = "Установили или заменили счётчик воды? Подайте заявку на ввод в эксплуатацию"
    resident.get_by_role("link", name=link).click()
    expect(resident.locator("h1")).to_have_text("Ввод счётчика в эксплуатацию")
    assert resident.evaluate(NO_SIDEWAYS_SCROLL)
    _shot(resident, "meter-commissioning-390")
    if resident.locator("#f-account").count():
        resident.select_option("#f-account", index=1)
    resident.select_option("#f-meter", "new")
    resident.select_option("#f-service", "hot_water")
    resident.fill("#f-place", "кухня")
    resident.fill("#f-serial", "ГВ-E2E-1")
    resident.fill("#f-model", "СГВ-15")
    resident.fill("#f-reading", "0,5")
    resident.fill("#f-verified_on", (today - timedelta(days=60)).isoformat())
    resident.fill("#f-next_verification", (today + timedelta(days=6 * 365)).isoformat())
    resident.set_input_files("#f-passport", {"name": "passport.jpg", "mimeType": "image/jpeg", "buffer": jpeg_bytes()})
    resident.fill("#f-visit_first", first.isoformat())
    resident.fill("#f-visit_second", sunday.isoformat())
    resident.get_by_role("button", name="Отправить заявление").click()
    expect(resident.locator("#e-visit_second")).to_contain_text("выходной день")
    expect(resident.locator("#f-serial")).to_have_value("ГВ-E2E-1")
    assert resident.evaluate(NO_SIDEWAYS_SCROLL)
    _shot(resident, "meter-commissioning-refused-390")
    resident.fill("#f-visit_second", second.isoformat())
    resident.set_input_files("#f-passport", {"name": "passport.jpg", "mimeType": "image/jpeg", "buffer": jpeg_bytes()})
    resident.get_by_role("button", name="Отправить заявление").click()
    expect(resident.locator(".flash")).to_contain_text("Заявление №")
    number = resident.locator("h1").inner_text().split("№")[-1].strip()
    expect(resident.locator("main")).to_contain_text("Горячая вода, № ГВ-E2E-1, СГВ-15.")

    staff = open_page(1280)
    sign_in(staff, live_server, "manager@demo.ru")
    staff.goto(live_server + "/staff/tickets?tab=all&category=meter_commissioning")
    _shot(staff, "meter-commissioning-staff-list-1280")
    staff.get_by_role("link", name=number, exact=True).click()
    expect(staff.locator("h1")).to_contain_text(f"Заявка № {number}")
    expect(staff.locator("main")).to_contain_text("Ввод счётчика в эксплуатацию (опломбировка)")
    staff.get_by_role("button", name="Отметить выполненной").click()
    staff.get_by_role("link", name="Создать карточку счётчика по заявке").click()
    expect(staff.locator("#f-serial")).to_have_value("ГВ-E2E-1")
    expect(staff.locator("#f-place")).to_have_value("кухня")
    _shot(staff, "meter-commissioning-card-1280")
    staff.get_by_role("button", name="Добавить счётчик").click()
    expect(staff.locator("h1")).to_contain_text("Горячая вода")

    narrow = open_page()
    sign_in(narrow, live_server, "manager@demo.ru")
    narrow.goto(live_server + "/staff/tickets?tab=all&category=meter_commissioning")
    assert narrow.evaluate(NO_SIDEWAYS_SCROLL)
    _shot(narrow, "meter-commissioning-staff-list-390")
    desk = open_page(1280)
    sign_in(desk, live_server, "resident@demo.ru")
    desk.goto(live_server + "/tickets/meter-commissioning")
    _shot(desk, "meter-commissioning-1280")
    with speaking(desk, live_server, "en"):
        desk.goto(live_server + "/tickets/meter-commissioning")
        expect(desk.locator("h1")).to_have_text("Commissioning of a meter")
        _shot(desk, "meter-commissioning-en-1280")
