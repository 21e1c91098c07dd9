"""The portal's pages on a phone over mobile data: the bytes each page takes over the wire on a first visit (an
empty cache) and on a repeat visit, by kind (HTML, CSS, JS, fonts, images), and the time until the page is usable,
in headless Chromium with the network throttled to 1.6 Mbit/s down, 750 kbit/s up and 150 ms round trip
(``tests.browser.SLOW_PHONE_NETWORK``). A measurement, not a test: see bench/README.md.

    .venv/bin/python bench/page_weight.py [--url http://127.0.0.1:8000] [--json var/bench/page-weight.json]

Without ``--url`` it starts a portal with the demo data of the browser tests (SQLite). "Usable" is the end of
``DOMContentLoaded``: the HTML is parsed and the deferred scripts (htmx, the portal's) have run, so a link or a
button does what it says; "load" also waits for every image and the icon.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import sys
from contextlib import ExitStack
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from playwright.sync_api import Browser  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402

from tests import conftest  # noqa: E402
from tests.browser import SLOW_PHONE_NETWORK  # noqa: E402
from tests.browser import WireLog  # noqa: E402
from tests.browser import sign_in  # noqa: E402

RESIDENT = "resident@demo.ru"
DISPATCHER = "dispatcher@demo.ru"
MANAGER = "manager@demo.ru"
# (name, who, address or (the page to look on, the first link there matching this pattern))
PAGES: list[tuple[str, str, str | tuple[str, str]]] = [
    ("home", RESIDENT, "/"),
    ("account", RESIDENT, ("/", r"^/accounts/\d+$")),
    ("receipt", RESIDENT, ("/", r"^/accounts/\d+/receipts/[\d-]+$")),
    ("requests list", RESIDENT, "/tickets"),
    ("one request", RESIDENT, ("/tickets", r"^/tickets/\d+$")),
    ("new request", RESIDENT, "/tickets/new"),
    ("meters", RESIDENT, "/meters"),
    ("pay", RESIDENT, "/pay"),
    ("meetings", RESIDENT, "/meetings"),
    ("services", RESIDENT, "/services"),
    ("news", RESIDENT, "/news"),
    ("staff request list", DISPATCHER, "/staff/tickets"),
    ("staff dashboard", MANAGER, "/staff/analytics/"),
]
KINDS = {"Document": "html", "Stylesheet": "css", "Script": "js", "Font": "font", "Image": "img"}
TIMES = """() => { const n = performance.getEntriesByType("navigation")[0];
  return { usable: n.domContentLoadedEventEnd, load: n.loadEventEnd }; }"""


def address(page: Any, base: str, where: str | tuple[str, str]) -> str:
    if isinstance(where, str):
        return where
    on, pattern = where
    page.goto(base + on)
    hrefs = page.eval_on_selector_all("a[href]", "links => links.map(a => a.getAttribute('href'))")
    found = next((h for h in hrefs if re.match(pattern, h)), None)
    if found is None:
        raise SystemExit(f"no link matching {pattern} on {on}")
    return found


def visit(page: Any, wire: WireLog, url: str) -> dict[str, Any]:
    wire.watch()
    page.goto(url, wait_until="load")
    page.wait_for_load_state("networkidle")
    times = page.evaluate(TIMES)
    kinds: dict[str, int] = {}
    for kind, size in wire.by_kind().items():
        key = KINDS.get(kind, "other")
        kinds[key] = kinds.get(key, 0) + size
    return {"bytes": wire.total(), "kinds": kinds, "usable_ms": round(times["usable"]), "load_ms": round(times["load"])}


def measure(browser: Browser, base: str, name: str, who: str, where: str | tuple[str, str]) -> dict[str, Any]:
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="ru-RU")
    try:
        page = context.new_page()
        sign_in(page, base, who)
        url = base + address(page, base, where)
        page.goto("about:blank")
        wire = WireLog(page, SLOW_PHONE_NETWORK)
        wire.forget_cache()
        first = visit(page, wire, url)
        page.goto("about:blank")
        repeat = visit(page, wire, url)
        return {"page": name, "path": url.removeprefix(base), "first": first, "repeat": repeat}
    finally:
        context.close()


def kb(size: int) -> str:
    return f"{size / 1024:.1f}"


def table(results: list[dict[str, Any]]) -> str:
    lines = [
        "| page | first visit KB | html | css | js | img | other | usable ms | load ms | repeat KB | repeat usable |",
        "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for r in results:
        f, k = r["first"], r["first"]["kinds"]
        lines.append(
            f"| {r['page']} | {kb(f['bytes'])} | {kb(k.get('html', 0))} | {kb(k.get('css', 0))} | "
            f"{kb(k.get('js', 0))} | {kb(k.get('img', 0) + k.get('font', 0))} | {kb(k.get('other', 0))} | "
            f"{f['usable_ms']} | {f['load_ms']} | {kb(r['repeat']['bytes'])} | {r['repeat']['usable_ms']} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", help="a running portal with the demo data (default: start one)")
    parser.add_argument("--pages", help="only the pages whose names contain one of these (comma-separated)")
    parser.add_argument("--json", type=Path, default=ROOT / "var" / "bench" / "page-weight.json")
    args = parser.parse_args()
    pages = PAGES
    if args.pages:
        wanted = [w.strip() for w in args.pages.split(",")]
        pages = [p for p in PAGES if any(w in p[0] for w in wanted)]
    with ExitStack() as stack, sync_playwright() as playwright:
        base = args.url or stack.enter_context(conftest.portal_server("page-weight"))[0]
        stack.callback(shutil.rmtree, conftest._RUN, ignore_errors=True)
        browser = playwright.chromium.launch(executable_path=conftest.CHROMIUM, args=conftest.CHROMIUM_ARGS)
        results = [measure(browser, base.rstrip("/"), *page) for page in pages]
        browser.close()
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(results, indent=2))
    print(table(results))


if __name__ == "__main__":
    main()
