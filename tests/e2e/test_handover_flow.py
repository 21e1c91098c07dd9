"""A new owner without a visit to the office, at 390 px and without JavaScript: the neighbour who bought the
resident's flat names its account by number and address, is refused once (no consent: what was typed stays),
attaches the extract and files; the operator (1280 px) opens the extract and applies it, and the account is the
new owner's on the portal while the previous owner's access has ended."""

from __future__ import annotations

import os
import sqlite3

import pytest
from playwright.sync_api import Page
from playwright.sync_api import expect

from portal.core import clock
from tests.browser import OpenPage
from tests.browser import Served
from tests.browser import sign_in

pytestmark = pytest.mark.browser

NO_SIDEWAYS_SCROLL = "() => document.documentElement.scrollWidth <= window.innerWidth"
SHOTS = os.environ.get("SHOTS_DIR", "")  # screenshots of the new pages, where asked for
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def _shot(page: Page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


def _flat_of(folder, email: str) -> tuple[str, int, str]:
    db = sqlite3.connect(folder / "live.sqlite")
    try:
        return db.execute(
            "SELECT a.number, p.house, p.number FROM residency r JOIN portal_user u ON u.id = r.user "
            "JOIN personal_account a ON a.id = r.account JOIN premise p ON p.id = a.premise "
            "WHERE u.email = ? AND r.role = 'owner' AND r.revoked_at IS NULL ORDER BY a.number LIMIT 1",
            (email,),
        ).fetchone()
    finally:
        db.close()


def test_a_neighbour_who_bought_the_flat_files_and_the_operator_applies(
    own_server: Served, open_page: OpenPage, tmp_path
) -> None:
    base, folder = own_server
    number, house, flat = _flat_of(folder, "resident@demo.ru")
    extract = tmp_path / "egrn.pdf"
    extract.write_bytes(PDF)

    buyer = open_page(java_script_enabled=False)  # plain form posts
    sign_in(buyer, base, "resident2@demo.ru")
    buyer.goto(base + "/tickets/new")
    buyer.get_by_role("link", name="Купили или унаследовали квартиру? Оформите лицевой счёт на себя").click()
    expect(buyer.locator("h1")).to_have_text("Смена собственника / плательщика")
    expect(buyer.locator("main")).to_contain_text("Долг прежнего собственника за содержание и коммунальные услуги")
    assert buyer.evaluate(NO_SIDEWAYS_SCROLL)
    _shot(buyer, "owner-390")
    wide = open_page(1280)
    sign_in(wide, base, "resident2@demo.ru")
    wide.goto(base + "/tickets/owner")
    _shot(wide, "owner-1280")
    buyer.fill("#f-account_number", number)
    buyer.select_option("#f-house", str(house))
    buyer.fill("#f-premise", flat)
    buyer.fill("#f-day", clock.today_local().isoformat())
    buyer.fill("#f-full_name", "Новикова Анна Сергеевна")
    buyer.set_input_files("#f-documents", str(extract))
    buyer.get_by_role("button", name="Отправить заявление").click()
    expect(buyer.locator("#e-consent")).to_contain_text("согласие на обработку персональных данных")
    expect(buyer.locator("#f-account_number")).to_have_value(number)
    expect(buyer.locator("#f-full_name")).to_have_value("Новикова Анна Сергеевна")
    assert buyer.evaluate(NO_SIDEWAYS_SCROLL)
    _shot(buyer, "owner-refused-390")
    buyer.check("#f-consent")
    buyer.set_input_files("#f-documents", str(extract))
    buyer.get_by_role("button", name="Отправить заявление").click()
    expect(buyer.locator(".flash")).to_contain_text("Заявление №")
    expect(buyer.locator("main")).to_contain_text("Право собственности перешло")
    expect(buyer.get_by_role("link", name="Документ 1 (PDF)")).to_be_visible()
    ticket_path = buyer.url.split(base, 1)[1]

    for width in (1280, 390):
        staff = open_page(width)
        sign_in(staff, base, "operator@demo.ru")
        staff.goto(base + "/staff" + ticket_path)
        staff.get_by_role("link", name="Рассмотреть заявление").click()
        expect(staff.locator("h1")).to_have_text("Смена собственника / плательщика")
        expect(staff.locator("main")).to_contain_text("Новикова Анна Сергеевна")
        expect(staff.locator("main")).to_contain_text("перенесите его корректировкой в биллинге")
        expect(staff.locator("#closing-debt")).to_contain_text("Задолженность старого счёта на дату закрытия")
        expect(staff.locator("#closing-debt")).to_contain_text("пересчитает расчётный отдел")
        expect(staff.get_by_role("link", name="Документ 1 (PDF)")).to_be_visible()
        assert staff.evaluate(NO_SIDEWAYS_SCROLL)
        _shot(staff, f"handover-{width}")
    staff.get_by_role("button", name="Применить").click()
    expect(staff.locator("#e-new_number")).to_contain_text("Заполните это поле")  # billing's number is asked for
    staff.fill("#f-new_number", "7700123456")
    staff.get_by_role("button", name="Применить").click()
    expect(staff.locator(".flash")).to_contain_text("Заявление применено")

    buyer.goto(base + "/accounts/link")
    expect(buyer.locator("main")).to_contain_text("7700123456")  # a new account: the old debt is not theirs
    expect(buyer.locator("main")).not_to_contain_text(number)
    previous = open_page()
    sign_in(previous, base, "resident@demo.ru")
    previous.goto(base + "/accounts/link")
    expect(previous.locator("main")).to_contain_text(number)  # their account, its history and its debt
    old_id = _account_id(folder, number)
    for width in (390, 1280):  # the closed account's page: what it owed on the day it closed, still payable
        closed = open_page(width)
        sign_in(closed, base, "resident@demo.ru")
        closed.goto(base + f"/accounts/{old_id}")
        expect(closed.locator("#closed-account")).to_contain_text("Счёт закрыт")
        expect(closed.locator("#closed-account")).to_contain_text("на дату закрытия")
        assert closed.evaluate(NO_SIDEWAYS_SCROLL)
        _shot(closed, f"closed-account-{width}")


def _account_id(folder, number: str) -> int:
    db = sqlite3.connect(folder / "live.sqlite")
    try:
        return db.execute("SELECT id FROM personal_account WHERE number = ?", (number,)).fetchone()[0]
    finally:
        db.close()
