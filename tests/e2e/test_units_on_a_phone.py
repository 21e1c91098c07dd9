"""Numbers inside sentences on a 390 px phone: «на 30 дней», «больше чем на 5 дней», «в течение 10 рабочих дней» stay
on one line with their word (a no-break space in the catalog, or from ``i18n.fill``), never «30» at the end of a line
and «дней» at the start of the next. Screenshots go to screenshots/."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from portal.core.i18n import UNIT_WORDS
from tests.browser import sign_in
from tests.conftest import ROOT

pytestmark = pytest.mark.browser

# Every number in <main> followed by a space and the word it counts, where the number's last digit and the word's
# first letter are on different lines.
PARTED = """(units) => {
  const found = [], re = new RegExp('\\\\d[ \\u00a0](?=' + units + ')', 'giu');
  const walker = document.createTreeWalker(document.querySelector('main'), NodeFilter.SHOW_TEXT);
  const top = (node, at) => { const r = document.createRange(); r.setStart(node, at); r.setEnd(node, at + 1);
    return r.getBoundingClientRect(); };
  while (walker.nextNode()) {
    const node = walker.currentNode;
    for (const m of node.data.matchAll(re)) {
      const digit = top(node, m.index), word = top(node, m.index + 2);
      if (digit.height && word.height && Math.abs(digit.top - word.top) > 2) found.push(node.data.trim());
    }
  }
  return found;
}"""


def parted(page: Page) -> list[str]:
    return page.evaluate(PARTED, UNIT_WORDS)


# A line just wide enough for «на 30»: the words after it wrap, after «30» or (with a no-break space) after «на».
PROBE = """(text) => {
  const probe = document.createElement('p'), measure = document.createElement('span');
  measure.textContent = 'на 30';
  document.querySelector('main').append(measure);
  probe.style.width = (measure.getBoundingClientRect().width + 2) + 'px';
  measure.remove();
  probe.id = 'probe';
  probe.textContent = text;
  document.querySelector('main').append(probe);
}"""


def test_the_check_sees_a_number_parted_from_its_word(page: Page, live_server: str) -> None:
    page.goto(live_server + "/login")
    page.evaluate(PROBE, "на 30 дней")
    assert parted(page) == ["на 30 дней"]
    page.evaluate("() => document.getElementById('probe').remove()")
    page.evaluate(PROBE, "на 30\u00a0дней")
    assert parted(page) == []


def test_on_a_phone_a_number_in_a_sentence_stays_with_its_word(page: Page, live_server: str) -> None:
    page.goto(live_server + "/login")
    page.screenshot(path=str(ROOT / "screenshots" / "login-390.png"), full_page=True)
    assert page.get_by_text("на этом устройстве на 30\u00a0дней").count() == 1
    assert parted(page) == []
    sign_in(page, live_server, "resident@demo.ru")
    for path in ("/tickets/new", "/tickets/owner", "/tickets/absence"):
        page.goto(live_server + path)
        assert parted(page) == [], path
    page.goto(live_server + "/tickets/new")
    page.screenshot(path=str(ROOT / "screenshots" / "new-request-390.png"), full_page=True)
    assert page.get_by_text("больше чем на 5\u00a0дней").count() == 1
