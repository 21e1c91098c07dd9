"""A resident at 390 px who was away applies for the recalculation: a period too short is refused at its field, the
period corrected with a document attached becomes a request the dispatcher (1280 px) reads in full."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect

from portal.core import clock
from tests.browser import OpenPage
from tests.browser import sign_in
from tests.tickets.conftest import jpeg_bytes

pytestmark = pytest.mark.browser

NO_SIDEWAYS_SCROLL = "() => document.documentElement.scrollWidth <= window.innerWidth"


def test_a_resident_applies_for_the_recalculation_of_an_absence(
    live_server: str, open_page: OpenPage, tmp_path: Path
) -> None:
    document = tmp_path / "tickets.jpg"
    document.write_bytes(jpeg_bytes((320, 240)))
    today = clock.today_local()
    left, back = today - timedelta(days=20), today - timedelta(days=3)
    resident = open_page()

    sign_in(resident, live_server, "resident@demo.ru")
    resident.goto(live_server + "/tickets/new")
    resident.get_by_role("link", name="Уезжали больше чем на 5 дней? Заявление на перерасчёт").click()
    expect(resident.locator("h1")).to_have_text("Перерасчёт за время отсутствия")
    assert resident.evaluate(NO_SIDEWAYS_SCROLL)

    resident.fill("#f-left", back.isoformat())
    resident.fill("#f-back", (back + timedelta(days=4)).isoformat())
    resident.fill("#f-people", "Иванова Мария Петровна\nИванов Пётр Ильич")
    resident.get_by_role("button", name="Отправить заявление").click()
    expect(resident.locator("#e-back")).to_contain_text("более 5 полных дней подряд")
    expect(resident.locator("#f-people")).to_have_value("Иванова Мария Петровна\nИванов Пётр Ильич")

    resident.fill("#f-left", left.isoformat())
    resident.fill("#f-back", back.isoformat())
    resident.set_input_files("#f-photos", str(document))
    resident.get_by_role("button", name="Отправить заявление").click()
    expect(resident.locator(".flash")).to_contain_text("Заявление №")
    expect(resident.locator("h1")).to_contain_text("Заявка №")
    number = resident.locator("h1").inner_text().split("№")[-1].strip()
    expect(resident.locator("main")).to_contain_text("Отсутствовали: Иванова Мария Петровна; Иванов Пётр Ильич.")
    expect(resident.locator("main")).to_contain_text("16 полных дней отсутствия")
    expect(resident.locator(".ticket-photos img")).to_have_count(1)

    staff = open_page(1280)
    sign_in(staff, live_server, "dispatcher@demo.ru")
    staff.goto(live_server + "/staff/tickets?tab=all&q=" + number)
    staff.get_by_role("link", name=number, exact=True).click()
    expect(staff.locator("main")).to_contain_text("Перерасчёт за время отсутствия")
    expect(staff.locator("main")).to_contain_text(f"Выезд {left.strftime('%d.%m.%Y')}")
