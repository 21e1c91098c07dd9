"""The months under the account's chart of charges and a meter's chart of consumption read at 14 px on a phone and
on a wide screen (UI.md: never smaller for body text on a phone), as page text that keeps its size however wide the
drawing is scaled (they were 10 px inside the SVG), and never run into each other: at 390 px every other month is
named, counted back from the latest, which is always named; at 1280 px all twelve."""

from __future__ import annotations

import itertools
import re

import pytest
from playwright.sync_api import Browser

from tests.browser import sign_in

pytestmark = pytest.mark.browser

# Each chart's month labels as the eye sees them: the visible ones' text boxes, font size and words.
LABELS = """() => [...document.querySelectorAll('figure .bar-labels')].map(ol => [...ol.children].map(li => {
  const range = document.createRange(); range.selectNodeContents(li); const r = range.getBoundingClientRect();
  return {text: li.textContent, left: r.left, right: r.right, size: parseFloat(getComputedStyle(li).fontSize),
          shown: getComputedStyle(li).visibility !== 'hidden' && r.width > 0};
}))"""


@pytest.mark.parametrize("width", [390, 1280])
def test_the_months_of_the_charts_read_at_14_px_and_apart(browser: Browser, live_server: str, width: int) -> None:
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="ru-RU")
    page = context.new_page()
    sign_in(page, live_server, "resident@demo.ru")
    account = re.match(r"/accounts/\d+", page.locator("main a[href^='/accounts/']").first.get_attribute("href") or "")
    page.goto(live_server + "/meters")
    meter = page.locator("main a[href^='/meters/']").evaluate_all(
        "links => links.map(a => a.getAttribute('href')).find(h => /^\\/meters\\/\\d+$/.test(h))"
    )
    assert account and meter, "the demo resident has an account and a meter"
    for path in (account.group(0), meter):
        page.goto(live_server + path)
        charts = page.evaluate(LABELS)
        assert len(charts) == 1, path
        labels = charts[0]
        assert len(labels) == 12 and all(not re.fullmatch(r"\d+", label["text"]) for label in labels), labels
        shown = [label for label in labels if label["shown"]]
        assert all(label["size"] >= 14 for label in shown), shown
        assert labels[-1]["shown"], "the latest month is always named"
        assert len(shown) == 12 if width == 1280 else len(shown) >= 4, (path, shown)
        for before, after in itertools.pairwise(shown):
            assert after["left"] - before["right"] >= 2, (path, before, after)
    context.close()
