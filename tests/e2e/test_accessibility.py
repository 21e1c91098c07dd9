"""axe-core in Chromium on the pages the walker reaches for each demo role (residents at 390 px, staff at 1280 px):
no serious or critical violation and no console error. Each kind of page (its path with ids as placeholders) is
checked once, by the first role that reaches it, so the run stays short; files the walker reaches (a protocol's PDF,
a ballot's scan) are the browser's own viewer and are left out."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Browser
from playwright.sync_api import ConsoleMessage

from tests.browser import sign_in
from tests.conftest import ROOT
from tests.conftest import missing
from tests.walker import ROLES
from tests.walker import walk_all

pytestmark = pytest.mark.browser

AXE = ROOT / "static" / "vendor" / "axe.min.js"
RESIDENTS = ("resident@demo.ru", "resident2@demo.ru")
RUN_AXE = """async () => {
  const result = await axe.run(document, { resultTypes: ["violations"] });
  return result.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => ({ id: v.id, impact: v.impact, help: v.help,
                   nodes: v.nodes.slice(0, 3).map((n) => n.target.join(" ")) }));
}"""


def kind(url: str) -> str:
    """The kind of page: its path with ids, months and dates as placeholders (the query does not matter)."""
    return re.sub(r"/\d[\w-]*(?=/|$)", "/{n}", url.split("?")[0])


@pytest.fixture(scope="module")
def pages(live_server: str) -> dict[str, list[str]]:
    """The pages each role's browser checks: those its walk reached, each kind of page once over all roles."""
    walks = walk_all(live_server, ROLES, max_pages=40)
    seen: set[str] = set()
    chosen: dict[str, list[str]] = {}
    for login in ROLES:
        picks = chosen.setdefault(login, [])
        for url in walks[login].pages:
            if kind(url) not in seen:
                seen.add(kind(url))
                picks.append(url)
    return chosen


@pytest.mark.parametrize("login", ROLES)
def test_no_serious_accessibility_violation_nor_console_error(
    live_server: str, browser: Browser, pages: dict[str, list[str]], login: str
) -> None:
    if not AXE.exists():
        missing("axe-core", "make setup (npm ci and npm run vendor copy it into static/vendor)")
    width = 390 if login in RESIDENTS else 1280
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="ru-RU")
    page = context.new_page()
    errors: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            errors.append(f"{page.url}: {message.text}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: errors.append(f"{page.url}: {error}"))
    sign_in(page, live_server, login)
    problems: list[dict[str, Any]] = []
    for url in pages[login]:
        if not page.request.get(live_server + url).headers.get("content-type", "").startswith("text/html"):
            continue  # a protocol's PDF or a ballot's scan: the browser's own viewer, not a page of ours
        page.goto(live_server + url)
        page.wait_for_load_state("networkidle")
        page.add_script_tag(url="/static/vendor/axe.min.js")
        problems.extend({"page": url, **v} for v in page.evaluate(RUN_AXE))
    context.close()
    found = [f"{p['page']}: {p['impact']} {p['id']} ({p['help']}) at {p['nodes']}" for p in problems]
    assert not found, "\n".join(found)
    assert not errors, "\n".join(errors)
