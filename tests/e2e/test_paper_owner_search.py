"""A moderator enters a paper ballot of an owner far down a register of the demo's hundreds of lines: the surname
typed narrows the lines while typing (or, without JavaScript, on «Найти»), the owner's line is picked with the
keyboard, and the ballot goes to moderation; the page has no serious accessibility fault and never scrolls sideways
on a phone."""

from __future__ import annotations

import re
import sqlite3
from datetime import datetime
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from tests.browser import OpenPage
from tests.browser import sign_in
from tests.conftest import _RUN
from tests.e2e.test_accessibility import AXE
from tests.e2e.test_accessibility import RUN_AXE
from tests.e2e.test_accessibility import WCAG

pytestmark = pytest.mark.browser

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF"


def _far_line(offset: int) -> tuple[int, str]:
    """The voting meeting of the live server's demo and the owner's name of a person's line far down its register
    (beyond the lines the page lists before a search)."""
    with sqlite3.connect(_RUN / "live" / "live.sqlite") as conn:
        meeting = conn.execute("SELECT id FROM meeting WHERE status = 'published' ORDER BY id LIMIT 1").fetchone()[0]
        name = conn.execute(
            "SELECT r.owner_name FROM register_entry r JOIN owner o ON o.id = r.owner"
            " WHERE r.meeting = ? AND o.kind = 'person' ORDER BY r.id LIMIT 1 OFFSET ?",
            (meeting, offset),
        ).fetchone()[0]
    return meeting, name


@pytest.mark.parametrize(("javascript", "width"), [(True, 1280), (False, 390)], ids=["htmx-1280", "no-javascript-390"])
def test_the_owner_far_down_the_register_is_found_by_the_surname_and_the_ballot_is_entered(
    open_page: OpenPage, live_server: str, javascript: bool, width: int
):
    meeting, name = _far_line(40 if javascript else 60)
    surname = name.split()[0]
    page = open_page(width, 900, java_script_enabled=javascript)
    if javascript:
        page.context.add_init_script(path=AXE)  # axe-core, for the accessibility check below (from the first page on)
    sign_in(page, live_server, "moderator@demo.ru")
    page.goto(f"{live_server}/staff/meetings/{meeting}/paper")
    lines = page.locator("#found label.choice")
    expect(lines.filter(has_text=name)).to_have_count(0)  # not among the first lines listed
    expect(page.locator("#found")).to_contain_text(re.compile(r"Найден.{0,2} ещё \d+ строк"))
    page.get_by_label("Собственник из реестра").fill(surname)  # with HTMX, found while typing
    if not javascript:
        page.get_by_role("button", name="Найти").click()
        expect(page).to_have_url(re.compile(r"/paper\?q="))
    expect(lines.filter(has_text=name).first).to_be_visible()
    assert all(surname.lower() in t.lower() for t in lines.all_inner_texts())
    if javascript:
        assert page.evaluate(RUN_AXE, WCAG) == [], "no serious accessibility fault"
    assert page.evaluate("document.documentElement.scrollWidth") <= width, "a phone never scrolls sideways"

    # the keyboard: Tab from the search to the lines found, the arrows and Space among them
    page.locator("#f-entry").focus()
    page.keyboard.press("Space")
    target = lines.filter(has_text=name).first.locator("input")
    for _ in range(lines.count()):
        if target.is_checked():
            break
        page.keyboard.press("ArrowDown")
    expect(target).to_be_checked()
    received = datetime.now(ZoneInfo("Europe/Moscow")) - timedelta(hours=1)
    page.locator("#f-snils").fill("112-233-445 95")  # a natural person's decision under Order No. 266/пр carries it
    page.locator("#f-received_at").fill(received.strftime("%Y-%m-%dT%H:%M"))
    page.locator("#f-scan").set_input_files({"name": "ballot.pdf", "mimeType": "application/pdf", "buffer": PDF})
    for answer in page.get_by_label("За", exact=True).all():
        answer.check()
    page.get_by_role("button", name="Отправить на модерацию").click()
    expect(page.get_by_text("Бумажное решение передано на модерацию.")).to_be_visible()
    page.goto(f"{live_server}/staff/meetings/{meeting}/moderation")
    expect(page.locator(".moderation-item", has_text=name).first).to_be_visible()
