"""Arrows drawn by CSS (the «›» of each «Ещё» menu line, the «▸» of a folded list) are decoration: a screen reader
read «Профиль ›», «Уведомления, 1 непрочитанное ›» and «▸ Начисления» as the names of the links and the buttons
that open a list. Each arrow has empty alternative text (``content: "›" / ""``)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page
from playwright.sync_api import expect

from tests.browser import sign_in

pytestmark = pytest.mark.browser

ARROWS = re.compile("[›▸▾▴]")


def _names(page: Page, roles: set[str]) -> list[str]:
    """The names Chromium itself gives the page's links and buttons (its accessibility tree)."""
    tree = page.context.new_cdp_session(page).send("Accessibility.getFullAXTree")
    return [
        n["name"]["value"]
        for n in tree["nodes"]
        if n.get("role", {}).get("value") in roles and n.get("name", {}).get("value")
    ]


def test_the_arrows_of_the_more_menu_and_of_folded_lists_are_not_read(page: Page, live_server: str) -> None:
    sign_in(page, live_server, "resident@demo.ru")
    page.goto(live_server + "/more")
    profile = page.locator("main .menu-list a[href='/profile']")
    assert profile.evaluate("a => getComputedStyle(a, '::after').content").startswith('"›"')  # still drawn
    menu = _names(page, {"link"})
    assert {"Профиль", "Персональные данные"} <= set(menu)
    assert not [name for name in menu if ARROWS.search(name)]
    page.goto(live_server + "/")
    page.locator("main a[href^='/accounts/']").first.click()
    expect(page).to_have_url(re.compile(r"/accounts/\d+$"))
    expect(page.locator("main details > summary").first).to_be_visible()
    folded = _names(page, {"DisclosureTriangle", "button"})
    assert "Те же данные таблицей" in folded
    assert not [name for name in folded if ARROWS.search(name)]
