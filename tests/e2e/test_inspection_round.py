"""A comendant walks a round on a 390 px phone: three points answered one by one (each its own post, HTMX), one a
remark with a photo, one fixed on the spot, then «Завершить обход»: one request filed (named, not linked: it is not
the executor's to open), the act downloadable."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import expect

from tests.browser import OpenPage
from tests.browser import after_htmx
from tests.browser import sign_in

pytestmark = pytest.mark.browser

SHOTS = Path(__file__).resolve().parents[2] / "screenshots"


def test_a_round_walked_on_a_phone_files_its_remark(live_server: str, open_page: OpenPage, tmp_path: Path):
    photo = tmp_path / "door.jpg"
    Image.new("RGB", (640, 480), (90, 120, 160)).save(photo, "JPEG")
    page = open_page()
    sign_in(page, live_server, "executor@demo.ru")
    page.goto(live_server + "/staff/inspections")
    page.locator("#f-house").select_option(index=1)
    page.locator("#f-kind").select_option("spring")
    page.get_by_role("button", name="Начать обход").click()
    expect(page.get_by_role("heading", name="Обход дома", exact=True)).to_be_visible()
    points = page.locator("form.inspection-point")

    first = points.nth(0)
    first.get_by_label("В порядке").check()
    with after_htmx(page):
        first.get_by_role("button", name="Сохранить пункт").click()
    expect(points.nth(0).get_by_role("status")).to_have_text("Сохранено")

    second = points.nth(1)
    second.get_by_label("Замечание").check()
    second.get_by_label("Что не так").fill("Доводчик входной двери сломан")
    second.locator("input[type=file]").set_input_files(photo)
    with after_htmx(page):
        second.get_by_role("button", name="Сохранить пункт").click()
    expect(points.nth(1).locator(".inspection-photos img")).to_have_count(1)

    third = points.nth(2)
    third.get_by_label("Замечание").check()
    third.get_by_label("Что не так").fill("Мусор на площадке, убран")
    third.get_by_label("Устранено на месте: заявка не требуется").check()
    with after_htmx(page):
        third.get_by_role("button", name="Сохранить пункт").click()
    expect(points.nth(2).get_by_role("status")).to_have_text("Сохранено")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the round's page is {width} px wide on a 390 px phone"
    page.screenshot(path=str(SHOTS / "inspection-round-390.png"), full_page=False)

    page.reload()  # a point saved is kept: the round goes on where it was
    expect(page.get_by_text("Отмечено пунктов: 3 из")).to_be_visible()
    page.get_by_role("button", name="Завершить обход").click()
    expect(page.locator("#flashes")).to_contain_text("создана 1 заявка")
    expect(page.get_by_role("link", name="Скачать акт (PDF)")).to_be_visible()
    # The request filed is the dispatchers' to assign: its number is named, but not linked for the executor, who
    # may open only the requests assigned to them (the link answered 404).
    expect(page.locator(".plain-list li", has_text="заявка №")).to_have_count(1)
    expect(page.get_by_role("link", name="заявка №")).to_have_count(0)
    shown = page.locator(".inspection-photos img")
    shown.scroll_into_view_if_needed()
    expect(shown).to_have_js_property("complete", True)
    assert shown.evaluate("img => img.naturalWidth") > 0, "the remark's photo is not shown on the completed round"
    page.screenshot(path=str(SHOTS / "inspection-done-390.png"), full_page=True)

    wide = open_page(width=1280)
    sign_in(wide, live_server, "executor@demo.ru")
    wide.goto(page.url)
    expect(wide.locator(".inspection-photos img")).to_have_js_property("complete", True)
    wide.screenshot(path=str(SHOTS / "inspection-done-1280.png"), full_page=True)
    wide.goto(live_server + "/staff/inspections")
    wide.screenshot(path=str(SHOTS / "inspections-1280.png"), full_page=True)
