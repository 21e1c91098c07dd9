"""Demanding a meeting in the browser: a form sent without its agenda is answered by the portal's own error
summary, in the portal's words and language, keeping the title typed, as every other resident form does
(not by the browser's bubble in the browser's language)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser import OpenPage
from tests.browser import sign_in

pytestmark = pytest.mark.browser


def test_a_demand_without_its_agenda_gets_the_portals_error_summary(live_server: str, open_page: OpenPage) -> None:
    page = open_page()
    sign_in(page, live_server, "owner@demo.ru")
    page.goto(live_server + "/meetings/initiatives/new")
    page.locator("#f-title").fill("Ремонт детской площадки")
    page.get_by_role("button", name="Начать сбор подписей").click()
    summary = page.locator(".error-summary")
    expect(summary).to_contain_text("Напишите вопросы повестки, по одному в строке.")
    expect(summary).to_be_focused()
    expect(page.locator("#f-title")).to_have_value("Ремонт детской площадки")


def test_a_demands_agenda_reads_one_question_a_line_as_it_was_typed(live_server: str, open_page: OpenPage) -> None:
    """The form asks for one question per line; the demand's page ran them into one line («…во двор. 2. Утвердить
    смету…»), its paragraph's class named no rule of the stylesheet."""
    page = open_page()
    sign_in(page, live_server, "resident2@demo.ru")
    page.goto(live_server + "/meetings")
    page.get_by_role("link", name="Установить шлагбаум во дворе").click()
    agenda = page.get_by_role("heading", name="Предлагаемая повестка").locator("xpath=following-sibling::p")
    expect(agenda).to_contain_text("2. Утвердить смету")
    lines = agenda.evaluate(
        "p => { const r = document.createRange(); r.selectNodeContents(p);"
        " return new Set(Array.from(r.getClientRects(), (x) => Math.round(x.top))).size; }"
    )
    second = agenda.evaluate(
        "p => { const r = document.createRange(); const t = p.firstChild; const at = t.data.indexOf('2.');"
        " r.setStart(t, at); r.setEnd(t, at + 2);"
        " return r.getBoundingClientRect().left - p.getBoundingClientRect().left; }"
    )
    assert lines >= 2 and second < 2, (lines, second)  # «2. …» starts a line of its own
