"""The staff catalogue's sections at 390 px: each section's ✎ (edit the section) stands on its chip's line, right
after it; the chips wrapped on their own and left a ✎ alone at the start of the next line, beside another chip."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser import OpenPage
from tests.browser import sign_in
from tests.browser import speaking

pytestmark = pytest.mark.browser

# Each ✎ with the chip of its section: where either is drawn.
PAIRS = """() => Array.from(document.querySelectorAll("main a[href^='/staff/catalog/categories/']"))
  .filter((edit) => /\\/categories\\/\\d+$/.test(edit.getAttribute("href")))
  .map((edit) => {
    const id = edit.getAttribute("href").split("/").pop();
    const chip = document.querySelector(`main a.chip[href='/staff/catalog?section=${id}']`);
    const [c, e] = [chip.getBoundingClientRect(), edit.getBoundingClientRect()];
    return {section: chip.textContent.trim(), chip: [c.right, c.top, c.bottom], edit: [e.left, e.top, e.bottom]};
  })"""


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_each_sections_edit_link_keeps_to_its_chip_on_a_phone(live_server: str, open_page: OpenPage, lang: str):
    page = open_page()
    with speaking(page, live_server, lang):
        sign_in(page, live_server, "admin@demo.ru")
        page.goto(live_server + "/staff/catalog")
        expect(page.locator("main a.chip").nth(3)).to_be_visible()
        pairs = page.evaluate(PAIRS)
        assert len(pairs) >= 6, pairs  # the demo's sections: enough of them to wrap at 390 px
        apart = []
        for p in pairs:
            (c_right, c_top, c_bottom), (e_left, e_top, e_bottom) = p["chip"], p["edit"]
            on_its_line = c_top - 1 <= (e_top + e_bottom) / 2 <= c_bottom + 1
            right_after = 0 <= e_left - c_right <= 16
            if not (on_its_line and right_after):
                apart.append(p)
        assert apart == [], f"a ✎ stands apart from its section's chip at 390 px ({lang})"
