"""In a real browser at 390 px, with the keyboard: an owner saves the answers for the first of two premises and is
back at that ballot, not at the top of the long meeting page. The boosted form used to follow the 303 inside htmx's
request, which drops «#line-…»: the page showed its top and the «Ответы сохранены» line was 1,800 px below."""

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
    expect(page).to_have_url(re.compile(r"/meetings/\d+#line-\d+$"))
    saved = page.locator("section.ballot").first
    expect(saved).to_be_focused()  # the keyboard goes on from the ballot saved
    expect(saved.get_by_text("Ответы сохранены, но ещё не подтверждены.")).to_be_in_viewport()
    expect(page.get_by_role("navigation").get_by_role("link", name="Ещё")).to_be_visible()  # the whole page came
    assert page.evaluate("window.scrollY") > 1000
    # The other premise is named on the confirmation, apart from the button that asks for the code.
    page.get_by_role("link", name="Проверить и подтвердить голос").click()
    notice = page.locator("section.notice", has_text="Не войдут в это подтверждение")
    expect(notice.get_by_role("link", name=re.compile("Ответить за машино-место"))).to_be_visible()
    button = page.get_by_role("button", name="Получить код подтверждения")
    gap = button.bounding_box()["y"] - (notice.bounding_box()["y"] + notice.bounding_box()["height"])
    assert gap >= 12, gap
    # «Изменить ответы» under the button stands apart from it, not touching it.
    change = page.get_by_role("link", name="Изменить ответы")
    below = change.bounding_box()["y"] - (button.bounding_box()["y"] + button.bounding_box()["height"])
    assert below >= 12, below
