"""What a phone downloads for a page, over the wire in Chromium (compressed as sent, headers included): a first
visit with an empty cache stays within the budget bench/page_weight.py's figures set (bench/README.md), and a
repeat visit takes the page itself and nothing else (every stylesheet, script and icon kept from the first)."""

from __future__ import annotations

import pytest

from tests.browser import OpenPage
from tests.browser import WireLog
from tests.browser import sign_in

pytestmark = pytest.mark.browser

# First visit, bytes over the wire: measured 62-64 KB on these pages (bench/README.md), 196-230 KB before the
# pages, stylesheet and scripts were compressed.
BUDGET = 72_000


@pytest.mark.parametrize(("login", "path"), [("resident@demo.ru", "/"), ("resident@demo.ru", "/tickets/new")])
def test_a_first_visit_stays_within_the_budget_and_a_repeat_visit_takes_only_the_page(
    live_server: str, open_page: OpenPage, login: str, path: str
) -> None:
    page = open_page()
    sign_in(page, live_server, login)
    page.goto("about:blank")
    wire = WireLog(page)
    wire.forget_cache()
    wire.watch()
    page.goto(live_server + path)
    page.wait_for_load_state("networkidle")
    first = wire.by_kind()
    assert {"Document", "Stylesheet", "Script"} <= first.keys()
    assert wire.total() < BUDGET, first

    page.goto("about:blank")
    wire.watch()
    page.goto(live_server + path)
    page.wait_for_load_state("networkidle")
    assert wire.by_kind().keys() == {"Document"}, wire.by_kind()
