"""The walker fails when a page is broken the ways the request list once was: a site over real HTTP, whole or with
its filter fragment answering 500 (as a Jinja undefined does), a sort link dropping the filters and a menu link to
a page the role cannot open. The same site, mended, walks clean."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from http.server import ThreadingHTTPServer
from urllib.parse import urlsplit

import pytest

from tests.walker import Tree
from tests.walker import dropped_filters
from tests.walker import walk

HOME = """<!doctype html><html><body>
<nav><a href="/list?status=new&amp;house=1">Requests</a> <a href="{admin}">Users</a></nav></body></html>"""
LIST = """<!doctype html><html><body>
<form method="get" action="/list" hx-get="/list" hx-target="#list" hx-select="#list">
<input name="status" value="new"><input name="house" value="1"><button>Show</button></form>
<div id="list"><a href="{sort}">Deadline</a><table><tr><td>No. 1</td></tr></table></div></body></html>"""


def site(broken: bool) -> type[BaseHTTPRequestHandler]:
    class Site(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def answer(self, status: int, body: str = "", location: str = "") -> None:
            self.send_response(status)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            if location:
                self.send_header("Location", location)
            self.end_headers()
            self.wfile.write(body.encode())

        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            self.answer(303, location="/home")

        def do_GET(self) -> None:
            path = urlsplit(self.path).path
            if path == "/login":
                self.answer(200, "<form method=post><input name=login><input name=password></form>")
            elif path == "/home":
                self.answer(200, HOME.format(admin="/admin/users" if broken else "/profile"))
            elif path == "/list" and broken and self.headers.get("HX-Request"):
                self.answer(500, "UndefinedError: 'between' is undefined")
            elif path == "/list":
                sort = "?sort=deadline" if broken else "?status=new&amp;house=1&amp;sort=deadline"
                self.answer(200, LIST.format(sort=sort))
            elif path == "/profile":
                self.answer(200, "<!doctype html><p>Me</p>")
            else:
                self.answer(403, "Forbidden")

    return Site


@pytest.fixture(params=[True, False], ids=["broken", "mended"])
def served(request: pytest.FixtureRequest) -> Iterator[tuple[str, bool]]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), site(request.param))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", request.param
    finally:
        server.shutdown()
        server.server_close()


def test_the_walker_reports_a_broken_fragment_a_lost_filter_and_a_forbidden_link(served: tuple[str, bool]) -> None:
    base, broken = served
    result = walk(base, "dispatcher@demo.ru", max_pages=10)
    assert "/list?status=new&house=1" in result.pages, result.pages
    if not broken:
        assert result.problems == []
        return
    found = "\n".join(result.problems)
    assert "500 from <form id=> of /list?status=new&house=1" in found, found
    assert "?sort=deadline drops status=new, house=1" in found, found
    assert "403 on /admin/users (linked from /home)" in found, found
    assert len(result.problems) == 3, found


def test_a_chip_removing_a_filter_keeps_the_sort_and_is_no_sort_link() -> None:
    """The list narrowed to an outage and sorted: its chip «Отключение: № 1 ×» goes to the list sorted alike without
    the outage, as it should; the walker took it for a sort link losing the filter. A sort, page or page-size link
    that loses it is still found."""
    page = "http://portal/staff/tickets?tab=all&sort=-created&outage=1&page=2"
    tree = Tree(
        '<a class="filter-chip" href="/staff/tickets?tab=all&amp;sort=-created">Отключение: № 1 ×</a>'
        '<a href="/staff/tickets?tab=all&amp;sort=-created&amp;outage=1&amp;page=3">3</a>'
        '<a href="/staff/tickets?tab=all&amp;sort=deadline">Срок</a>'
        '<a href="/staff/tickets?tab=all&amp;sort=-created&amp;page=1">1</a>'
    )
    assert dropped_filters(tree, page) == [
        "/staff/tickets?tab=all&sort=deadline drops outage=1",
        "/staff/tickets?tab=all&sort=-created&page=1 drops outage=1",
    ]
