"""A heading or a paragraph does not end with a word alone on its last line: the address under «У кого есть доступ
к лицевому счёту» at 390 px read «г. Симферополь, ул. Киевская, д. 189, кв.» and then «1» on a line of its own."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from portal.core.typography import ABBREVIATIONS
from portal.core.typography import SHORT_WORDS
from tests.browser import sign_in

pytestmark = pytest.mark.browser

# The text of the last line of a block: the words whose boxes stand on the block's lowest line.
LAST_LINE = """block => {
  const range = document.createRange(), words = [];
  const walker = document.createTreeWalker(block, NodeFilter.SHOW_TEXT);
  for (let node; (node = walker.nextNode()); ) {
    for (const match of node.data.matchAll(/\\S+/g)) {
      range.setStart(node, match.index); range.setEnd(node, match.index + match[0].length);
      const box = [...range.getClientRects()].pop();
      if (box) words.push([box.bottom, match[0]]);
    }
  }
  const bottom = Math.max(...words.map(([b]) => b));
  return words.filter(([b]) => Math.abs(b - bottom) < 2).map(([, w]) => w).join(" ");
}"""


def test_an_address_does_not_leave_its_flat_number_alone_on_a_line(page: Page, live_server: str) -> None:
    sign_in(page, live_server, "resident@demo.ru")
    page.goto(live_server + "/")
    page.locator("main a[href$='/people']").first.click()
    address = page.locator("main h1 + p.muted")
    assert address.inner_text().endswith("кв. 1")
    assert address.evaluate(LAST_LINE) != "1"
    assert len(address.evaluate(LAST_LINE).split()) >= 2


# The last word of each line of a block, as it stands on the screen.
LINE_ENDS = """block => {
  const range = document.createRange(), ends = {};
  const walker = document.createTreeWalker(block, NodeFilter.SHOW_TEXT);
  for (let node; (node = walker.nextNode()); ) {
    for (const match of node.data.matchAll(/[^ \\n\\t\\u00a0]+/g)) {
      range.setStart(node, match.index); range.setEnd(node, match.index + match[0].length);
      for (const box of range.getClientRects()) {
        const line = Math.round(box.bottom);
        if (!(line in ends) || ends[line][0] < box.right) ends[line] = [box.right, match[0]];
      }
    }
  }
  return Object.values(ends).map(([, word]) => word);
}"""
SHORT = {*SHORT_WORDS, *(f"{a}." for a in ABBREVIATIONS)}


def test_a_posts_line_never_ends_with_a_short_word_on_a_phone(page: Page, live_server: str) -> None:
    """«Приглашаем на общее собрание собственников: повестка в / разделе «Собрания»» at 390 px: «в» goes down with
    the word it belongs to."""
    sign_in(page, live_server, "resident@demo.ru")
    page.goto(live_server + "/news")
    page.locator("main a", has_text="Собрание собственников").first.click()
    body = page.locator(".post-body")
    assert "повестка в разделе" in " ".join(body.inner_text().split())
    ends = body.evaluate(LINE_ENDS)
    assert len(ends) >= 2, ends  # the paragraph does break at 390 px


def test_an_emergency_title_in_the_strip_never_ends_a_line_with_a_short_word_on_a_phone(
    page: Page, live_server: str
) -> None:
    """«Аварийное: Нет холодной воды на / стояке ХВС-1»: «на» goes down with «стояке» at 390 px and on narrower
    phones (the demo's title falls so at 300 px; where it falls at 390 depends on the riser's code)."""
    sign_in(page, live_server, "resident@demo.ru")
    page.goto(live_server + "/")
    strip = page.locator(".pinned-emergencies .pinned").first
    assert "воды на стояке" in " ".join(strip.inner_text().split())
    for width in range(390, 299, -10):
        page.set_viewport_size({"width": width, "height": 844})
        ends = strip.evaluate(LINE_ENDS)
        assert len(ends) >= 2, (width, ends)  # the strip does break on a phone
        assert not [word for word in ends if word.lower() in SHORT], (width, ends)
