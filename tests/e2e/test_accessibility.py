"""axe-core in Chromium, WCAG 2 A and AA rules: no serious or critical violation and no console error.

- ``test_main_pages``: the main pages of a resident and of staff, each at 390 px (in Russian) and at 1280 px (in
  English), with a form answered with its errors. One browser context per role and width, all on one signed-in
  session per role.
- ``test_walked_pages``: the pages the walker reaches for each demo role (residents at 390 px, staff at 1280 px),
  with axe's best-practice rules too. Each kind of page (its path with ids as placeholders) is checked once, by the
  first role that reaches it; files the walker reaches (a protocol's PDF, a ballot's scan) are the browser's own
  viewer and are left out.

axe-core is a dev-only npm package (package.json's devDependencies, installed by ``make setup`` and ``make test``):
it is read from node_modules and put into each page by the browser, never served by the portal.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Browser
from playwright.sync_api import ConsoleMessage
from playwright.sync_api import Page

from tests.browser import OpenPage
from tests.browser import sign_in
from tests.browser import speaking
from tests.conftest import ROOT
from tests.conftest import missing
from tests.walker import ROLES
from tests.walker import walk_all

pytestmark = pytest.mark.browser

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
RESIDENTS = ("resident@demo.ru", "resident2@demo.ru")
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
RUN_AXE = """async (tags) => {
  const options = { resultTypes: ["violations"] };
  if (tags) options.runOnly = { type: "tag", values: tags };
  const result = await axe.run(document, options);
  return result.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .flatMap((v) => v.nodes.map((n) => ({ id: v.id, impact: v.impact, help: v.help, target: n.target.join(" ") })));
}"""

# The main pages, in the order they are opened. A path with a pattern is the first link matching it on the page
# named before it (the demo's ids are not fixed); "submit PATH" sends PATH's form empty, to be answered with errors.
MAIN_PAGES: dict[str, list[tuple[str, str]]] = {
    "resident@demo.ru": [
        ("home", "/"),
        ("account", r"home ^/accounts/\d+$"),
        ("receipt", r"account ^/accounts/\d+/receipts/[\w-]+$"),
        ("requests", "/tickets"),
        ("request", r"requests ^/tickets/\d+$"),
        ("new request", "/tickets/new"),
        ("new request answered with its errors", "submit /tickets/new"),
        ("meters", "/meters"),
        ("pay", "/pay"),
        ("meetings", "/meetings"),
        ("services", "/services"),
        ("news", "/news"),
        ("profile", "/profile"),
        ("notification settings", "/notifications/settings"),
        ("payments", "/payments"),
        ("more", "/more"),
    ],
    "admin@demo.ru": [
        ("overview", "/staff"),
        ("requests", "/staff/tickets"),
        ("request", r"requests ^/staff/tickets/\d+$"),
        ("new request answered with its errors", "submit /staff/tickets/new"),
        ("accounts", "/staff/accounts"),
        ("account", r"accounts ^/staff/accounts/\d+$"),
        ("billing", "/staff/billing"),
        ("payments", "/staff/payments"),
        ("audit log", "/staff/audit"),
        ("meters", "/staff/meters"),
        ("meetings", "/staff/meetings"),
        ("staff users", "/staff/users"),
        ("orders", "/staff/orders"),
        ("order", r"orders ^/staff/orders/\d+$"),
        ("new order", "/staff/orders/new"),
        ("catalogue", "/staff/catalog"),
        ("service editor", r"catalogue ^/staff/catalog/services/\d+$"),
        ("new service answered with its errors", "submit /staff/catalog/services/new"),
        ("section editor", r"catalogue ^/staff/catalog/categories/\d+$"),
    ],
}


def needs_axe() -> None:
    if not AXE.exists():
        missing("axe-core", "`make setup` installs it (npm ci, from package-lock.json)")


def axe_page(open_page: OpenPage, width: int, locale: str = "ru-RU", **options: Any) -> Page:
    """A page at ``width`` px in a browser of its own in which every page has axe (an init script, added before the
    first page is opened: no request, no CSP to pass)."""
    page = open_page(width, 900, locale=locale, **options)
    page.context.add_init_script(path=AXE)
    return page


def watch_console(page: Page) -> list[str]:
    errors: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        # A form answered with its errors is a 422 by design; the browser logs every 4xx of a page it loads.
        if message.type == "error" and "status of 422" not in message.text:
            errors.append(f"{page.url}: {message.text}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: errors.append(f"{page.url}: {error}"))
    return errors


def first_link(page: Page, pattern: str) -> str:
    hrefs = page.eval_on_selector_all("a[href]", "links => links.map((a) => a.getAttribute('href'))")
    found = next((href.split("#")[0] for href in hrefs if re.search(pattern, href.split("#")[0])), None)
    assert found, f"no link matching {pattern} on {page.url}"
    return found


@pytest.fixture(scope="module")
def sessions(live_server: str, browser: Browser) -> dict[str, Any]:
    """Each role of ``MAIN_PAGES`` signed in once; its contexts reuse the session (argon2 is slow on purpose)."""
    needs_axe()
    states: dict[str, Any] = {}
    for login in MAIN_PAGES:
        context = browser.new_context(locale="ru-RU")
        sign_in(context.new_page(), live_server, login)
        states[login] = context.storage_state()
        context.close()
    return states


@pytest.mark.parametrize(("width", "language"), [(390, "ru"), (1280, "en")])
@pytest.mark.parametrize("login", list(MAIN_PAGES))
def test_main_pages(
    live_server: str, open_page: OpenPage, sessions: dict[str, Any], login: str, width: int, language: str
) -> None:
    page = axe_page(open_page, width, locale=language, storage_state=sessions[login])
    errors = watch_console(page)
    seen: dict[str, str] = {}
    found: list[str] = []
    # The person reads the portal in ``language`` (chosen with the switch: their saved language, every page's).
    with speaking(page, live_server, language):
        for name, where in MAIN_PAGES[login]:
            action, _, path = where.rpartition(" ")
            if action and action != "submit":
                page.goto(live_server + seen[action])
                path = first_link(page, path)
            page.goto(live_server + path)
            assert "/login" not in page.url, f"{login} cannot open {path}"
            assert page.locator("html").get_attribute("lang") == language
            if action == "submit":
                with page.expect_response(lambda r, path=path: r.url.endswith(path) and r.request.method == "POST"):
                    page.locator(f'form[action="{path}"] [type=submit]').first.click()
                page.locator(".error-summary").wait_for()
            page.wait_for_load_state("networkidle")
            seen[name] = path
            for v in page.evaluate(RUN_AXE, WCAG):
                found.append(f"{width} px {name} {path}: {v['impact']} {v['id']} ({v['help']}) at {v['target']}")
    assert not found, "\n".join(found)
    assert not errors, "\n".join(errors)


@pytest.fixture(scope="module")
def walked(live_server: str) -> dict[str, list[str]]:
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


def kind(url: str) -> str:
    """The kind of page: its path with ids, months and dates as placeholders (the query does not matter)."""
    return re.sub(r"/\d[\w-]*(?=/|$)", "/{n}", url.split("?")[0])


@pytest.mark.parametrize("login", ROLES)
def test_walked_pages(live_server: str, open_page: OpenPage, walked: dict[str, list[str]], login: str) -> None:
    needs_axe()
    page = axe_page(open_page, 390 if login in RESIDENTS else 1280)
    errors = watch_console(page)
    sign_in(page, live_server, login)
    found: list[str] = []
    for url in walked[login]:
        if not page.request.get(live_server + url).headers.get("content-type", "").startswith("text/html"):
            continue  # a protocol's PDF or a ballot's scan: the browser's own viewer, not a page of ours
        page.goto(live_server + url)
        page.wait_for_load_state("networkidle")
        found.extend(f"{url}: {v['impact']} {v['id']} ({v['help']}) at {v['target']}" for v in page.evaluate(RUN_AXE))
    assert not found, "\n".join(found)
    assert not errors, "\n".join(errors)
