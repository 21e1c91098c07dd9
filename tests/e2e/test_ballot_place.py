"""In a real browser at 390 px: an owner saves the answers for the first of two premises and lands on that ballot's
«Ответы сохранены, но голос ещё не подан» with «Проверить и подтвердить голос» in it, in view and not under the bottom
menu. The boosted form used to follow the 303 inside htmx's request, which drops the «#…»: the page showed its top and
the saved line was 1,800 px below; then it landed on the ballot while the button to vote was below every ballot, under
the bottom menu, and saving looked like voting."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser import OpenPage
from tests.browser import Served
from tests.browser import sign_in

pytestmark = pytest.mark.browser


def test_saving_a_ballot_with_the_keyboard_stays_at_that_ballot(open_page: OpenPage, own_server: Served):
    base, _ = own_server
    page = open_page()
    sign_in(page, base, "owner@demo.ru")
    page.goto(base + "/meetings")
    page.get_by_role("link", name=re.compile("Внеочередное собрание")).click()
    ballot = page.locator("section.ballot").first
    questions = ballot.locator("fieldset")
    questions.first.get_by_label("За", exact=True).focus()
    for _ in range(questions.count()):
        page.keyboard.press("Space")  # the group's first answer, «За»
        page.keyboard.press("Tab")  # on to the next question, then to the button
    expect(ballot.get_by_role("button", name=re.compile("Сохранить ответы на все вопросы"))).to_be_focused()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/meetings/\d+#saved-\d+$"))
    saved = page.locator("section.ballot").first.locator(".ballot-saved")
    expect(saved).to_be_focused()  # the keyboard goes on from what saving did: the way to vote is its next stop
    expect(saved.get_by_text("Ответы сохранены, но голос ещё не подан")).to_be_in_viewport()
    expect(page.get_by_role("navigation").get_by_role("link", name="Ещё")).to_be_visible()  # the whole page came
    assert page.evaluate("window.scrollY") > 1000
    # The other premise is named on the confirmation, apart from the button that asks for the code.
    page.keyboard.press("Tab")
    expect(saved.get_by_role("link", name="Проверить и подтвердить голос")).to_be_focused()
    page.keyboard.press("Enter")
    notice = page.locator("section.notice", has_text="Не войдут в это подтверждение")
    expect(notice.get_by_role("link", name=re.compile("Ответить за машино-место"))).to_be_visible()
    button = page.get_by_role("button", name="Получить код подтверждения")
    gap = button.bounding_box()["y"] - (notice.bounding_box()["y"] + notice.bounding_box()["height"])
    assert gap >= 12, gap
    # «Изменить ответы» under the button stands apart from it, not touching it.
    change = page.get_by_role("link", name="Изменить ответы")
    below = change.bounding_box()["y"] - (button.bounding_box()["y"] + button.bounding_box()["height"])
    assert below >= 12, below


@pytest.mark.parametrize("script", [True, False], ids=["htmx", "no-js"])
def test_after_saving_the_button_to_vote_is_in_view_and_not_under_the_bottom_menu(
    open_page: OpenPage, own_server: Served, script: bool
):
    base, _ = own_server
    page = open_page(java_script_enabled=script)
    sign_in(page, base, "owner@demo.ru")
    page.goto(base + "/meetings")
    page.goto(base + page.get_by_role("link", name=re.compile("Внеочередное собрание")).get_attribute("href"))
    ballot = page.locator("section.ballot").first
    for question in ballot.locator("fieldset").all():
        question.get_by_label("Против", exact=True).check()
    ballot.get_by_role("button", name=re.compile("Сохранить ответы на все вопросы")).click()
    expect(page).to_have_url(re.compile(r"/meetings/\d+#saved-\d+$"))
    assert page.evaluate("window.scrollY") > 1000  # landed down the long page, on the ballot just saved
    confirm = ballot.locator(".ballot-saved").get_by_role("link", name="Проверить и подтвердить голос")
    expect(confirm).to_be_in_viewport(ratio=1)
    bar = page.locator(".bottomnav")
    expect(bar).to_be_visible()
    # What a thumb touches at the button's centre is the button, not the fixed bottom menu over it.
    on_top = confirm.evaluate(
        """(link) => { const box = link.getBoundingClientRect();
          return link.contains(document.elementFromPoint(box.left + box.width / 2, box.top + box.height / 2)); }"""
    )
    assert on_top
    assert confirm.bounding_box()["y"] + confirm.bounding_box()["height"] <= bar.bounding_box()["y"]
