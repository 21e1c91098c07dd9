"""A service's title in the catalogue's cards (two columns on a phone) breaks a long word only where it may: at a
soft hyphen («Дополнитель-/ный»), at a hyphen or a space. Headless Chromium has no Russian hyphenation
dictionary, so ``hyphens: auto`` did nothing and ``overflow-wrap`` broke «посудомоечно / й», «задолженност / и»."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser import OpenPage
from tests.browser import sign_in

pytestmark = pytest.mark.browser

# Each pair of letters side by side in a title's text that stand on different lines: a word cut with no hyphen.
CUT_WORDS = """titles => titles.flatMap(title => {
  const cut = [], range = document.createRange(), walker = document.createTreeWalker(title, NodeFilter.SHOW_TEXT);
  for (let node; (node = walker.nextNode()); ) {
    let before = null;
    for (let i = 0; i < node.data.length; i++) {
      range.setStart(node, i); range.setEnd(node, i + 1);
      const letter = /\\p{L}/u.test(node.data[i]), box = [...range.getClientRects()].filter(r => r.width).pop();
      if (letter && before && box && Math.abs(box.top - before.top) > 2) cut.push(title.textContent.trim());
      before = letter ? box : null;
    }
  }
  return cut;
})"""


@pytest.mark.parametrize("width", [360, 390])
@pytest.mark.parametrize("locale", ["ru-RU", "en-GB"])
def test_service_titles_break_no_word_without_a_hyphen(live_server: str, open_page: OpenPage, width: int, locale: str):
    page = open_page(width, 900, locale=locale)
    sign_in(page, live_server, "resident@demo.ru")
    page.goto(live_server + "/services")
    titles = page.locator(".service-title")
    expect(titles.first).to_be_visible()
    assert titles.count() > 20
    assert titles.evaluate_all(CUT_WORDS) == []
