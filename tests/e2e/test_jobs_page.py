"""The administrators' page of background jobs in a browser: the overview's warning of a failed job leads to it, and
at 390 and 1280 px the page holds its tables without scrolling sideways, in both languages."""

from __future__ import annotations

import sqlite3
from datetime import UTC
from datetime import datetime
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from tests.browser import OpenPage
from tests.browser import Served
from tests.browser import sign_in
from tests.browser import speaking
from tests.e2e.test_emergency_notice import SHOTS
from tests.e2e.test_staff_layout import SIDEWAYS

pytestmark = pytest.mark.browser

ERROR = "orphan files: nothing deleted in /srv/portal/files: 100% of the 120 files walked are no row's"


def _failed(served: Served) -> None:
    """Two jobs failed in the last hours, written where the live server keeps its jobs' runs (as Piccolo writes a
    moment): each job's row of its last run, and its failure."""
    started = datetime.now(UTC) - timedelta(hours=2)
    at, finished = started.isoformat(" "), (started + timedelta(minutes=1)).isoformat(" ")
    with sqlite3.connect(served[1] / "live.sqlite") as connection:
        for name, key, error in (("orphan-files", "2099-01-01", ERROR), ("payments-autopay", "autopay-x", "timeout")):
            failure = connection.execute(
                "INSERT INTO job_failure (name, key, started_at, last_at, times, error) VALUES (?, ?, ?, ?, 1, ?)",
                (name, key, at, finished, error),
            ).lastrowid
            connection.execute(
                "INSERT INTO job_state (name, key, status, started_at, finished_at, failed_at, error, failure) "
                "VALUES (?, ?, 'failed', ?, ?, ?, ?, ?) ON CONFLICT (name) DO UPDATE SET key = excluded.key, "
                "status = 'failed', failed_at = excluded.failed_at, error = excluded.error, failure = excluded.failure",
                (name, key, at, finished, finished, error, failure),
            )


@pytest.mark.parametrize("width", [390, 1280])
def test_the_warning_leads_to_the_page_which_fits_the_screen(
    own_server: Served, open_page: OpenPage, width: int
) -> None:
    url = own_server[0]
    if width == 390:
        _failed(own_server)
    page = open_page(width)
    sign_in(page, url, "admin@demo.ru")
    page.goto(url + "/staff")
    warning = page.get_by_role("link", name="2 задачи завершились с ошибкой за сутки")
    expect(warning).to_be_visible()
    warning.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Фоновые задачи")
    expect(page.locator("#failures")).to_be_visible()
    expect(page.get_by_text(ERROR).first).to_be_visible()
    assert page.evaluate(SIDEWAYS) == [], f"the page scrolls sideways at {width} px"
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"jobs-{width}.png"), full_page=True)
    with speaking(page, url, "en"):
        page.goto(url + "/staff/jobs")
        expect(page.get_by_role("heading", level=1)).to_have_text("Background jobs")
        assert page.evaluate(SIDEWAYS) == [], f"the English page scrolls sideways at {width} px"
        page.screenshot(path=str(SHOTS / f"jobs-{width}-en.png"), full_page=True)
