"""The pay page on a phone: the note on the bank's commission and the secure payment page («Без комиссии…») can
be read while scrolling. The bar with «Оплатить» sticks to the bottom of the screen, and the note stood just above
the bar's place in the page: the bar covered it at every scroll but the very end of the page."""

from __future__ import annotations

import pytest

from tests.browser import OpenPage
from tests.browser import sign_in

pytestmark = pytest.mark.browser

# At each scroll of the page from the top to the end: where the note is and where the bar is, when the note is on
# screen above the bottom navigation (a phone's) or the window's bottom.
COVERED = """([note, bar]) => {
  const nav = document.querySelector("nav.bottomnav");
  const floor = nav && nav.offsetHeight ? nav.getBoundingClientRect().top : innerHeight;
  const covered = [];
  const last = document.documentElement.scrollHeight - innerHeight;
  for (let y = 0; y <= last + 10; y += 10) {
    window.scrollTo(0, Math.min(y, last));
    const n = note.getBoundingClientRect(), b = bar.getBoundingClientRect();
    if (n.bottom > 0 && n.top < floor && n.bottom > b.top + 0.5 && n.top < b.bottom - 0.5) covered.push(scrollY);
  }
  return covered;
}"""


@pytest.mark.parametrize("width", [390, 1280])
def test_the_fee_note_is_never_under_the_pay_bar(live_server: str, open_page: OpenPage, width: int) -> None:
    page = open_page(width, 844)
    sign_in(page, live_server, "resident@demo.ru")
    page.goto(live_server + "/pay")
    note, bar = page.locator("p.pay-note"), page.locator(".pay-bar")
    assert "Без комиссии" in note.inner_text()
    covered = page.evaluate(COVERED, [note.element_handle(), bar.element_handle()])
    assert not covered, f"the note is under the pay bar at these scrolls: {covered}"
    note.scroll_into_view_if_needed()  # brought in as the browser does for a reader
    seen, covering = note.bounding_box(), bar.bounding_box()
    assert (
        seen
        and covering
        and (seen["y"] >= covering["y"] + covering["height"] - 0.5 or seen["y"] + seen["height"] <= covering["y"] + 0.5)
    ), (seen, covering)
