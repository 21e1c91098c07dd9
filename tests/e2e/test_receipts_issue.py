"""An accountant issues a month's receipts in Chromium, at 1280 and 390 px: the page answers at once with the run's
progress («Выпуск квитанций за …: N из M», a status region), the progress moves without a reload, and the page
ends with the counts; pressing the button again meanwhile shows the running issue, not a second one. Pressed from the
keyboard, a screen reader hears the progress now and then (not at every 2 s poll) and always the counts at the end,
by the page's lasting live region (#announcer): the polled status is a new live region at each poll, never read.
``PORTAL_SCREENSHOTS=folder`` keeps the screenshots of the progress."""

from __future__ import annotations

import itertools
import os
import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser import OpenPage
from tests.browser import sign_in
from tests.browser import tab_to
from tests.conftest import portal_server

pytestmark = pytest.mark.browser
SHOTS = os.environ.get("PORTAL_SCREENSHOTS")
RUNNING = re.compile(r"Выпуск квитанций за [а-я]+: [\d\s]+ из [\d\s]+")
# What the announcer says, as it says it (the same words again are said again), with when (ms), across boosted pages.
HEAR = """() => {
  window.heard = [];
  new MutationObserver(() => {
    const said = document.getElementById("announcer")?.textContent.trim();
    if (said) window.heard.push({said, at: performance.now()});
  }).observe(document.body, {childList: true, subtree: true, characterData: true});
}"""


@pytest.fixture(scope="module")
def served() -> Iterator[tuple[str, Path]]:
    """A server of its own whose job issues one account per transaction, so that its progress is seen to move."""
    with portal_server("live-receipts-issue", RECEIPTS_BATCH="1") as found:
        yield found


@pytest.mark.parametrize("width", [1280, 390])
def test_issuing_the_receipts_shows_its_progress_then_the_counts(
    served: tuple[str, Path], open_page: OpenPage, width: int
) -> None:
    url, folder = served
    with sqlite3.connect(folder / "live.sqlite") as db:
        accounts = db.execute("SELECT count(*) FROM personal_account").fetchone()[0]
    page = open_page(width)
    sign_in(page, url, "admin@demo.ru")
    page.goto(url + "/staff/billing/receipts")
    page.evaluate(HEAR)
    tab_to(page, page.get_by_role("button", name="Выпустить квитанции"))
    page.keyboard.press("Enter")
    status = page.locator("#issue-runs[role=status]")
    expect(status).to_contain_text(RUNNING, timeout=10_000)
    assert status.get_attribute("aria-live") == "polite"
    first = status.inner_text()
    started = page.evaluate("performance.now()")
    if SHOTS:
        page.screenshot(path=str(Path(SHOTS) / f"receipts-progress-{width}.png"), full_page=True)

    page.get_by_role("button", name="Выпустить квитанции").click()  # again, while it runs
    expect(page.locator("main")).to_contain_text("Эти квитанции уже выпускаются")

    page.evaluate("window.stillThisPage = true")
    expect(status).to_contain_text("Выпущено квитанций за", timeout=60_000)
    assert page.evaluate("window.stillThisPage === true"), "the counts came by the polled fragment, not a reload"
    expect(page.locator("#announcer")).to_contain_text("Выпущено квитанций за")
    heard = page.evaluate("window.heard")
    # The progress now and then (every 15 s), not at each poll (every 2 s): the page showed it first, so none in its
    # first seconds. A machine busy with other tests delays a poll's answer by several seconds, bringing two
    # announcements closer than 15 s; at each poll they would come 2 s apart.
    progress = [started] + [h["at"] for h in heard if RUNNING.search(h["said"])]
    assert all(b - a > 5_000 for a, b in itertools.pairwise(progress)), (started, heard)
    assert "Выпущено квитанций за" in heard[-1]["said"], heard
    done = _digits(status.inner_text())
    issued, skipped = (int(n) for n in re.findall(r": (\d+)", done)[:2])
    assert issued + skipped == accounts and issued > 0, (done, accounts)
    assert f"из {accounts}" in _digits(first), (first, accounts)


def _digits(text: str) -> str:
    """The text with its numbers' group separators taken out («20 000» → «20000»)."""
    return re.sub(r"(?<=\d)[\s\xa0\u202f](?=\d)", "", text)
