"""A mystery resident on a 390 px phone, with the keyboard only: the invitation on the home page, its consent read
and accepted, the month's check graded point by point with the arrow keys (a low grade asks what is wrong; sent
without it, the form says so and keeps the grades), sent: its remark filed as a request, the page thanking them; the
house's manager sees the remark with its request and not who sent it."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page
from playwright.sync_api import expect

from tests.browser import OpenPage
from tests.browser import Served
from tests.browser import sign_in

pytestmark = pytest.mark.browser

GRADES = {  # point → grade, in the form's order
    "entrance_clean": 4,
    "entrance_light": 5,
    "lift": 1,
    "yard_clean": 4,
    "garbage": 3,
    "playground": 5,
    "politeness": 5,
    "timeliness": 4,
}


def _grade(page: Page, grade: int) -> None:
    """The radio group focused (its first button): Space takes 1, each arrow to the right one more."""
    if grade == 1:
        page.keyboard.press("Space")
    for _ in range(grade - 1):
        page.keyboard.press("ArrowRight")


def test_a_checker_accepts_and_sends_the_months_check_with_the_keyboard(own_server: Served, open_page: OpenPage):
    base, _ = own_server
    page = open_page()
    sign_in(page, base, "resident2@demo.ru")
    page.goto(base + "/")
    invitation = page.get_by_role("link", name="Прочитать и ответить")
    invitation.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Приглашение: проверяйте свой дом")).to_be_visible()
    expect(page.get_by_text("не показываются сотрудникам дома")).to_be_visible()
    page.get_by_role("button", name="Согласен проверять дом").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#flashes")).to_contain_text("Вы проверяете дом")
    expect(page.get_by_role("heading", name="Проверка дома за", exact=False).first).to_be_visible()

    page.locator("#f-grade_entrance_clean").focus()
    for point, grade in GRADES.items():
        expect(page.locator(f"input[name=grade_{point}]").first).to_be_focused()
        _grade(page, grade)
        comment = page.locator(f"#f-comment_{point}")
        if grade <= 2:  # «what is wrong» is asked once the grade is low: the next stop of the keyboard
            expect(comment).to_be_visible()
            page.keyboard.press("Tab")
            expect(comment).to_be_focused()
        else:
            expect(comment).to_be_hidden()
        page.keyboard.press("Tab")  # to the next point
    page.get_by_role("button", name="Отправить проверку").focus()
    page.keyboard.press("Enter")

    summary = page.locator(".error-summary")
    expect(summary).to_contain_text("Лифт: Напишите, что не так")
    expect(page.locator("input[name=grade_lift][value='1']")).to_be_checked()  # the grades given are kept
    expect(page.locator("input[name=grade_garbage][value='3']")).to_be_checked()
    page.locator("#f-comment_lift").focus()
    page.keyboard.type("Лифт во втором подъезде стоит с понедельника")
    page.get_by_role("button", name="Отправить проверку").focus()
    page.keyboard.press("Enter")

    expect(page.locator("#flashes")).to_contain_text("1 замечание передано диспетчерам без вашего имени")
    expect(page.get_by_text("Отправлено. Спасибо!")).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the mystery resident's page is {width} px wide on a 390 px phone"

    staff = open_page(width=1280)
    sign_in(staff, base, "manager@demo.ru")
    staff.goto(base + "/staff/mystery")
    remark = staff.get_by_role("row").filter(has_text="Лифт во втором подъезде стоит с понедельника")
    expect(remark.get_by_role("link", name="№")).to_be_visible()
    expect(staff.get_by_text("Наталья Викторовна Егорова")).to_have_count(0)  # the manager never sees who checks
