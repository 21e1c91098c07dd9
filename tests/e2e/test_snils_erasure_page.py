"""In a real browser, the staff page of a closed meeting under Order No. 266/пр says when the СНИЛС typed from its
paper ballots are erased and, once the daily job has erased them, that they were; its ballots' page opens their scans
before, and says after that each scan was deleted, as the scan's address does (410): shot at 390 and 1280 px, before
and after, into var/test/screenshots."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from datetime import UTC
from datetime import timedelta

import pytest

from portal.core import clock
from portal.core.i18n import format_day
from portal.core.i18n import in_locale
from portal.meetings import rules
from tests.browser import OpenPage
from tests.browser import Served
from tests.browser import sign_in
from tests.e2e.test_emergency_notice import SHOTS

pytestmark = pytest.mark.browser

SCAN = "2023/11/" + "e" * 32 + ".pdf"  # a paper ballot's scan, by a storage key

# The daily job's work, run as the worker would run it, on the live server's database.
ERASE = """
from portal.cli import run_async
from portal.core import clock
from portal.core.i18n import format_day
from portal.meetings import actions
print(run_async(lambda: actions.erase_snils(clock.now(), 3)))
"""


def _shoot(page, base: str, meeting: int, name: str) -> str:
    texts = []
    for width in (390, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(f"{base}/staff/meetings/{meeting}")
        documents = page.locator("#documents")
        texts.append(" ".join(documents.inner_text().split()))
        documents.scroll_into_view_if_needed()
        page.screenshot(path=str(SHOTS / f"meeting-snils-{name}-{width}.png"), full_page=True)
        assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert texts[0] == texts[1]
    return texts[0]


def _shoot_ballots(page, base: str, meeting: int, name: str) -> str:
    """The moderation page's list of the ballots checked, each with its scan (or what became of it)."""
    texts = []
    for width in (390, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(f"{base}/staff/meetings/{meeting}/moderation")
        checked = page.locator("table.data")
        texts.append(" ".join(checked.inner_text().split()))
        checked.scroll_into_view_if_needed()
        page.screenshot(path=str(SHOTS / f"meeting-scans-{name}-{width}.png"), full_page=True)
        assert page.evaluate("document.documentElement.scrollWidth") <= width
    return texts[1]


def test_the_staff_meeting_page_before_and_after_the_snils_are_erased(open_page: OpenPage, own_server: Served):
    base, folder = own_server
    SHOTS.mkdir(parents=True, exist_ok=True)
    database = folder / "live.sqlite"
    with sqlite3.connect(database) as conn:
        meeting, closed_at = conn.execute(
            "SELECT id, closed_at FROM meeting WHERE status = 'closed' AND starts_on >= '2025-09-01' ORDER BY id"
        ).fetchone()
        # The demo's closed meeting was voted online: its first ballot becomes a paper one, as the office enters it,
        # with the СНИЛС typed from it and its scan in storage.
        ballot = conn.execute("SELECT min(id) FROM ballot WHERE meeting = ?", (meeting,)).fetchone()[0]
        conn.execute(
            "UPDATE ballot SET source = 'paper', electronic_key = NULL, snils = '11223344595', scan_key = ?,"
            " scan_type = 'application/pdf' WHERE id = ?",
            (SCAN, ballot),
        )
    (folder / "uploads" / SCAN).parent.mkdir(parents=True, exist_ok=True)
    (folder / "uploads" / SCAN).write_bytes(b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n")
    page = open_page(1280)
    sign_in(page, base, "admin@demo.ru")
    before = _shoot(page, base, meeting, "before")
    assert "СНИЛС из бюллетеней будут удалены" in before and "по сроку хранения" in before, before
    ballots = _shoot_ballots(page, base, meeting, "before")
    assert "Открыть скан" in ballots and "Скан удалён" not in ballots, ballots
    assert page.request.get(f"{base}/staff/meetings/ballots/{ballot}/scan").status == 200

    # the protocol dated three years and a day ago: the term has ended, the daily job erases them
    today = clock.today_local()
    old = clock.day_start(rules.years_after(today, -3) - timedelta(days=1)) + timedelta(hours=12)
    with sqlite3.connect(database) as conn:
        stored = old.astimezone(UTC).isoformat(sep="T" if "T" in closed_at else " ")
        conn.execute("UPDATE meeting SET closed_at = ? WHERE id = ?", (stored, meeting))
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}", "PORTAL_VAR_DIR": str(folder)}
    done = subprocess.run([sys.executable, "-c", ERASE], env=env, capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "1", done
    with sqlite3.connect(database) as conn:
        assert conn.execute("SELECT count(*) FROM ballot WHERE meeting = ? AND snils != ''", (meeting,)).fetchone() == (
            0,
        )
    after = _shoot(page, base, meeting, "after")
    with in_locale("ru"):
        day = format_day(today)
    assert "будут удалены" not in after and f"СНИЛС из бюллетеней удалены {day} по сроку хранения" in after, after
    ballots = _shoot_ballots(page, base, meeting, "after")
    assert "Открыть скан" not in ballots and f"Скан удалён {day} по сроку хранения" in ballots, ballots
    assert not (folder / "uploads" / SCAN).exists()
    gone = page.request.get(f"{base}/staff/meetings/ballots/{ballot}/scan")
    assert gone.status == 410 and f"Скан удалён {day} по сроку хранения" in gone.text()
