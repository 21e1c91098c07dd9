"""A change of payer from a day ahead, at 390 px and without JavaScript: the resident who pays two accounts picks
one by its number and address and names a new payer from ten days on; the operator (1280 px) presses
«Применить» at once, the request goes in work with the day said, and the payer changes on that day by the job
(tests/tickets/test_handover.py)."""

from __future__ import annotations

import os
from datetime import timedelta

import pytest
from playwright.sync_api import Page
from playwright.sync_api import expect

from portal.core import clock
from tests.browser import OpenPage
from tests.browser import Served
from tests.browser import sign_in

pytestmark = pytest.mark.browser

NO_SIDEWAYS_SCROLL = "() => document.documentElement.scrollWidth <= window.innerWidth"
SHOTS = os.environ.get("SHOTS_DIR", "")  # screenshots of the pages, where asked for


def _shot(page: Page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


def test_a_resident_of_two_accounts_names_one_for_a_new_payer_ahead_and_the_operator_decides_it_now(
    own_server: Served, open_page: OpenPage
) -> None:
    base, _ = own_server
    payer = open_page(java_script_enabled=False)  # 390 px, plain form posts
    sign_in(payer, base, "resident@demo.ru")
    payer.goto(base + "/tickets/payer")
    choices = payer.locator("#f-account option")
    expect(choices).to_have_count(2)
    for n in range(2):
        expect(choices.nth(n)).to_contain_text("Лицевой счёт ")
        expect(choices.nth(n)).to_contain_text("кв. ")
    assert payer.evaluate(NO_SIDEWAYS_SCROLL)
    _shot(payer, "payer-390")
    payer.select_option("#f-account", index=1)
    chosen = choices.nth(1).inner_text()
    day = clock.today_local() + timedelta(days=10)
    payer.fill("#f-day", day.isoformat())
    payer.fill("#f-full_name", "Иванова Мария Петровна")
    payer.check("#f-consent")
    payer.get_by_role("button", name="Отправить заявление").click()
    expect(payer.locator(".flash")).to_contain_text("Заявление №")
    ticket_path = payer.url.split(base, 1)[1]

    staff = open_page(1280)
    sign_in(staff, base, "operator@demo.ru")
    staff.goto(base + "/staff" + ticket_path)
    staff.get_by_role("link", name="Рассмотреть заявление").click()
    expect(staff.locator("main")).to_contain_text(chosen.split(" — ")[0].removeprefix("Лицевой счёт "))
    expect(staff.locator("main")).to_contain_text("День ещё не наступил")
    _shot(staff, "handover-ahead-1280")
    staff.get_by_role("button", name="Применить").click()
    expect(staff.locator(".flash")).to_contain_text("Решение принято: плательщик сменится " + day.strftime("%d.%m.%Y"))
    expect(staff.locator("main")).to_contain_text("В работе")
    for width in (1280, 390):
        page = open_page(width)
        sign_in(page, base, "operator@demo.ru")
        page.goto(base + "/staff" + ticket_path + "/handover")
        expect(page.locator("main")).to_contain_text("Решено")
        expect(page.get_by_role("button", name="Применить")).to_have_count(0)
        assert page.evaluate(NO_SIDEWAYS_SCROLL)
        _shot(page, f"handover-decided-{width}")
    payer.reload()
    expect(payer.locator("main")).to_contain_text("Плательщик сменится " + day.strftime("%d.%m.%Y"))
