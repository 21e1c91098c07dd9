"""A resident books the freight lift at 390 px (refused once for want of a phone, what was typed kept), the
dispatcher (1280 px) finds the day's bookings of the house on the request list and confirms it; the slot is shown
taken to the next resident."""

from __future__ import annotations

import os

import pytest
from playwright.sync_api import Page
from playwright.sync_api import expect

from portal.core import clock
from portal.core.calendar import add_working_days
from tests.browser import OpenPage
from tests.browser import sign_in
from tests.browser import speaking

pytestmark = pytest.mark.browser

NO_SIDEWAYS_SCROLL = "() => document.documentElement.scrollWidth <= window.innerWidth"
SHOTS = os.environ.get("SHOTS_DIR", "")


def _shot(page: Page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


def test_a_resident_books_the_lift_and_the_dispatcher_confirms(live_server: str, open_page: OpenPage) -> None:
    day = add_working_days(clock.today_local(), 3)
    resident = open_page()
    sign_in(resident, live_server, "resident@demo.ru")
    resident.goto(live_server + "/tickets/new")
    resident.get_by_role("link", name="Переезд или ремонт? Забронируйте грузовой лифт").click()
    expect(resident.locator("h1")).to_have_text("Бронирование грузового лифта")
    resident.fill("#f-day", day.isoformat())
    resident.get_by_role("button", name="Показать свободное время").click()
    expect(resident.locator("#lift-slot-h")).to_contain_text(day.strftime("%Y"))
    assert resident.evaluate(NO_SIDEWAYS_SCROLL)
    _shot(resident, "lift-390")
    resident.get_by_label("14:00–16:00").check()
    resident.select_option("#f-carried", "materials")
    resident.get_by_role("button", name="Забронировать лифт").click()
    expect(resident.locator("#e-phone")).to_contain_text("Введите телефон в виде")
    expect(resident.locator("#f-carried")).to_have_value("materials")
    assert resident.evaluate(NO_SIDEWAYS_SCROLL)
    _shot(resident, "lift-refused-390")
    resident.get_by_label("14:00–16:00").check()
    resident.fill("#f-phone", "+7 978 444-55-66")
    resident.get_by_role("button", name="Забронировать лифт").click()
    expect(resident.locator(".flash")).to_contain_text("Заявление №")
    number = resident.locator("h1").inner_text().split("№")[-1].strip()
    expect(resident.locator("main")).to_contain_text("14:00–16:00")

    staff = open_page(1280)
    sign_in(staff, live_server, "dispatcher@demo.ru")
    staff.goto(live_server + "/staff/tickets?tab=all&category=lift_booking&q=" + number)
    staff.get_by_role("link", name=number, exact=True).click()
    expect(staff.locator("h1")).to_contain_text(f"Заявка № {number}")
    _shot(staff, "lift-staff-detail-1280")
    staff.get_by_role("link", name="Брони лифта в этом доме на этот день").click()
    expect(staff.get_by_role("link", name=number, exact=True)).to_be_visible()
    _shot(staff, "lift-staff-day-1280")
    staff.get_by_role("link", name=number, exact=True).click()
    staff.get_by_role("button", name="Подтвердить бронь").click()
    expect(staff.locator(".flash")).to_contain_text("Бронь подтверждена")
    expect(staff.locator("#ticket-status")).to_contain_text("Принята")

    narrow = open_page()
    sign_in(narrow, live_server, "dispatcher@demo.ru")
    narrow.goto(live_server + f"/staff/tickets?tab=all&category=lift_booking&control_from={day}&control_to={day}")
    assert narrow.evaluate(NO_SIDEWAYS_SCROLL)
    _shot(narrow, "lift-staff-day-390")
    desk = open_page(1280)
    sign_in(desk, live_server, "resident@demo.ru")
    desk.goto(live_server + f"/tickets/lift?day={day}")
    expect(desk.locator("main")).to_contain_text("14:00–16:00 — занято")
    _shot(desk, "lift-1280")
    with speaking(desk, live_server, "en"):
        desk.goto(live_server + f"/tickets/lift?day={day}")
        expect(desk.locator("h1")).to_have_text("Book the freight lift")
        _shot(desk, "lift-en-1280")
