"""In a real browser, the meeting pages staff work from, as they looked at 390 and 1280 px: the tally's buttons
stood touching one another («4 paper ballots to check» against «Enter a paper ballot»), and the owners page's
e-mail box was a bare 20-px input far under a touch target, its «Show» button against the first owner's card; beside
the facts' side column at 1280 px the tally's questions read three words a line in a fifth of its table."""

from __future__ import annotations

import re
import sqlite3
from datetime import timedelta

import pytest
from playwright.sync_api import Locator

from portal.core import clock
from tests.browser import OpenPage
from tests.browser import Served
from tests.browser import sign_in

pytestmark = pytest.mark.browser


def _box(locator: Locator) -> dict[str, float]:
    box = locator.bounding_box()
    assert box is not None
    return box


def _apart(a: dict[str, float], b: dict[str, float]) -> bool:
    """Two boxes neither overlap nor touch: at least 4 px between them across or down."""
    across = max(b["x"] - (a["x"] + a["width"]), a["x"] - (b["x"] + b["width"]))
    down = max(b["y"] - (a["y"] + a["height"]), a["y"] - (b["y"] + b["height"]))
    return max(across, down) >= 4


def test_the_tally_buttons_and_the_owners_page_at_both_widths(open_page: OpenPage, own_server: Served):
    base, folder = own_server
    with sqlite3.connect(folder / "live.sqlite") as conn:
        voting = conn.execute("SELECT id FROM meeting WHERE status = 'published' ORDER BY id LIMIT 1").fetchone()[0]
    page = open_page(1280)
    sign_in(page, base, "admin@demo.ru")
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(f"{base}/staff/meetings/{voting}")
        table = _box(page.locator("table.results-table"))
        question = _box(page.locator("table.results-table td.col-question").first)
        assert question["width"] >= table["width"] / 2, (width, question, table)
        buttons = page.locator("section[aria-labelledby=tally-h] a.button").all()
        assert len(buttons) >= 3
        boxes = [_box(b) for b in buttons]
        for i, a in enumerate(boxes):
            for b in boxes[i + 1 :]:
                assert _apart(a, b), (width, a, b)
        if width == 390:
            # on a phone they fill their lines, not a ragged stack of widths, and a decision's badge is one line
            assert len({round(b["x"] + b["width"]) for b in boxes}) == 1, boxes
            badge = _box(page.locator("td.col-decision .badge").first)
            assert badge["height"] < 32, badge
            page.goto(f"{base}/staff/meetings/{voting}/moderation")
            first = page.locator(".moderation-item").first
            accept, reject = (_box(first.get_by_role("button", name=n)) for n in ("Принять", "Отклонить"))
            assert abs(accept["width"] - reject["width"]) <= 1, (accept, reject)

        page.goto(f"{base}/staff/meetings/owners")
        email = page.locator("input[type=email]").first
        assert _box(email)["height"] >= 44, width
        show = _box(page.get_by_role("button", name="Показать"))
        first_owner = _box(page.locator("table.data tbody tr").first)
        assert first_owner["y"] - (show["y"] + show["height"]) >= 8, width
        assert page.locator("table.data tbody tr").count() <= 30  # a page of owners, not the whole house
        assert page.evaluate("document.documentElement.scrollWidth") <= width


def test_on_a_draft_the_announcement_stands_apart_from_the_question_form(open_page: OpenPage, own_server: Served):
    """«Add the question» touched the words that explain announcing, which read as the button's own caption."""
    base, _ = own_server
    page = open_page(390, 900)
    sign_in(page, base, "admin@demo.ru")
    page.goto(f"{base}/staff/meetings/new")
    page.locator("#f-house").select_option(index=1)
    page.locator("#f-title").fill("Замена лифтов")
    today = clock.today_local()
    page.locator("#f-starts_on").fill((today + timedelta(days=12)).isoformat())
    page.locator("#f-voting_ends").fill((today + timedelta(days=30)).isoformat())
    page.locator("#f-register_on").fill(today.isoformat())
    page.get_by_role("button", name="Создать черновик").click()
    page.wait_for_url(re.compile(r"/staff/meetings/\d+$"))
    for width in (390, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        add = _box(page.get_by_role("button", name="Добавить вопрос"))
        told = _box(page.locator("form[action$='/publish'] p").first)
        assert told["y"] - (add["y"] + add["height"]) >= 12, width


def test_every_reason_for_rejecting_reads_whole_in_the_closed_box_on_a_phone(open_page: OpenPage, own_server: Served):
    """«По этой собственности уже учте…» was what the closed select showed at 390 px: the moderator chose a reason
    they could not read. Each option's text fits the box (its width less the padding and the arrow's room); the
    full reason is what the ballot's line says once chosen."""
    base, folder = own_server
    with sqlite3.connect(folder / "live.sqlite") as conn:
        voting = conn.execute("SELECT id FROM meeting WHERE status = 'published' ORDER BY id LIMIT 1").fetchone()[0]
    page = open_page(390, 900)
    sign_in(page, base, "admin@demo.ru")
    page.goto(f"{base}/staff/meetings/{voting}/moderation")
    select = page.locator(".moderation-item select[name=reason]").first
    room, widths = select.evaluate(
        """s => {
            const style = getComputedStyle(s);
            const pen = document.createElement("canvas").getContext("2d");
            pen.font = style.font;
            const room = s.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
            return [room, [...s.options].filter(o => o.value).map(o => [o.text, pen.measureText(o.text).width])];
        }"""
    )
    assert len(widths) == 5
    cut = [(text, round(width)) for text, width in widths if width > room]
    assert cut == [], (room, cut)
