"""A walker that uses the portal as a signed-in person does: it follows the links from the role's home page and
asks for every page both whole and as the HTMX fragments the page's own controls ask for.

``walk(base, login)`` signs in through the sign-in form, visits pages breadth-first (same origin, GET only, no
sign-out, no downloads), at most ``per_shape`` addresses of one shape (``/staff/tickets/{n}`` with the same query
keys) and ``max_pages`` pages in all, and reports every problem a person would meet:

- a 5xx, on a page or on a fragment (a Jinja error is a 500),
- a link to a page the role cannot open (401, 403, a redirect to the sign-in page) or to a page that is not there,
- a fragment that lacks the element its control selects (``hx-select``) or swaps (``hx-target``),
- a sort, page or page-size link of a filtered list that drops one of the filters.

The pages it saw (``Walk.pages``) feed the browser checks (axe-core) as well.
"""

from __future__ import annotations

import re
import time
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from dataclasses import field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qsl
from urllib.parse import urlencode
from urllib.parse import urljoin
from urllib.parse import urlsplit

import httpx

PASSWORD = "demo12345"
ROLES = (
    "resident@demo.ru",
    "resident2@demo.ru",
    "admin@demo.ru",
    "manager@demo.ru",
    "dispatcher@demo.ru",
    "executor@demo.ru",
    "accountant@demo.ru",
    "moderator@demo.ru",
    "operator@demo.ru",
)
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
# How a list is shown rather than what it holds: one of them at a time is walked, not their combinations.
PRESENTATION = {"page", "size", "sort", "print", "month"}
NOT_PAGES = re.compile(r"(/logout$|^/static/|\.(csv|xlsx|pdf|zip|png|jpe?g|svg)$|/export\b|/photos/)")


class Node:
    def __init__(self, tag: str, attrs: dict[str, str], parent: Node | None) -> None:
        self.tag, self.attrs, self.parent = tag, attrs, parent
        self.children: list[Node] = []
        self.text = ""

    def get(self, name: str) -> str | None:
        return self.attrs.get(name)

    def inherited(self, name: str) -> tuple[str | None, Node | None]:
        """An hx-* attribute as htmx 2 reads it: on the element or the nearest ancestor that has it."""
        node: Node | None = self
        while node is not None:
            if name in node.attrs:
                return node.attrs[name], node
            node = node.parent
        return None, None

    def walk(self) -> Any:
        for child in self.children:
            yield child
            yield from child.walk()


class Tree(HTMLParser):
    """The page as a tree of elements (enough of one for our own well-formed templates)."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#document", {}, None)
        self.stack = [self.root]
        self.ids: set[str] = set()
        self.feed(text)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag, {k: v if v is not None else "" for k, v in attrs}, self.stack[-1])
        self.stack[-1].children.append(node)
        if "id" in node.attrs:
            self.ids.add(node.attrs["id"])
        if tag not in VOID:
            self.stack.append(node)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.stack.pop()

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self.stack) - 1, 0, -1):
            if self.stack[i].tag == tag:
                del self.stack[i:]
                return

    def handle_data(self, data: str) -> None:
        self.stack[-1].text += data

    def elements(self) -> Any:
        return self.root.walk()


def form_values(form: Node) -> list[tuple[str, str]]:
    """What the form sends when submitted as it stands (no button pressed)."""
    values: list[tuple[str, str]] = []
    for node in form.walk():
        name = node.get("name")
        if not name or "disabled" in node.attrs:
            continue
        if node.tag == "input":
            kind = (node.get("type") or "text").lower()
            if kind in ("submit", "button", "reset", "image", "file"):
                continue
            if kind in ("checkbox", "radio") and "checked" not in node.attrs:
                continue
            values.append((name, node.get("value") or ("on" if kind in ("checkbox", "radio") else "")))
        elif node.tag == "select":
            options = [o for o in node.walk() if o.tag == "option"]
            chosen = [o for o in options if "selected" in o.attrs]
            if not chosen and options and "multiple" not in node.attrs:
                chosen = options[:1]
            values.extend((name, o.get("value") if o.get("value") is not None else o.text.strip()) for o in chosen)
        elif node.tag == "textarea":
            values.append((name, node.text))
    return values


def with_query(url: str, pairs: list[tuple[str, str]]) -> str:
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True) + pairs
    return parts.path + ("?" + urlencode(query) if query else "")


def shape(url: str) -> str:
    """``/staff/tickets/123?tab=all&page=2`` -> ``/staff/tickets/{n}?page&tab`` (ids, months, dates alike)."""
    parts = urlsplit(url)
    path = re.sub(r"/\d[\w-]*(?=/|$)", "/{n}", parts.path)
    keys = sorted({k for k, _ in parse_qsl(parts.query, keep_blank_values=True)})
    return path + ("?" + "&".join(keys) if keys else "")


@dataclass
class Request:
    """One HTMX request a control of a page makes."""

    url: str
    headers: dict[str, str]
    selects: str | None  # the id the response must contain (hx-select, or a swapped target)
    control: str


@dataclass
class Walk:
    login: str
    home: str = ""
    pages: list[str] = field(default_factory=list)
    fragments: int = 0
    problems: list[str] = field(default_factory=list)
    seconds: float = 0.0


def sign_in(client: httpx.Client, login: str) -> str:
    """Sign in through the form; the address the role lands on."""
    client.get("/login")
    r = client.post(
        "/login", data={"login": login, "password": PASSWORD, "_csrf_token": client.cookies.get("csrftoken", "")}
    )
    if r.status_code not in (302, 303):
        raise AssertionError(f"{login} could not sign in: {r.status_code}")
    return urlsplit(r.headers["location"]).path or "/"


def controls(tree: Tree, page_url: str) -> list[Request]:
    """The HTMX GET requests the page's controls make: hx-get elements and GET forms (boosted or hx-get)."""
    found: list[Request] = []
    for node in tree.elements():
        hx_get = node.get("hx-get")
        is_get_form = node.tag == "form" and (node.get("method") or "get").lower() == "get"
        if hx_get is None and not is_get_form:
            continue
        url = urljoin(page_url, hx_get if hx_get else (node.get("action") or page_url))
        if urlsplit(url).netloc not in ("", urlsplit(page_url).netloc):
            continue
        url = urlsplit(url)._replace(scheme="", netloc="").geturl()
        if node.tag == "form":
            url = with_query(urlsplit(url).path, form_values(node))
        target, holder = node.inherited("hx-target")
        if target == "this":
            target_id = (holder.get("id") if holder else None) or ""
        elif target and target.startswith("#"):
            target_id = target[1:]
        else:
            target_id = ""
        boost, _ = node.inherited("hx-boost")
        headers = {"HX-Request": "true", "HX-Current-URL": page_url}
        if hx_get is None:  # a boosted form: htmx swaps the whole body with the answer
            if boost != "true":
                continue
            headers["HX-Boosted"] = "true"
        else:
            if target_id:
                headers["HX-Target"] = target_id
            if node.get("id"):
                headers["HX-Trigger"] = node.get("id") or ""
        selects = node.inherited("hx-select")[0]
        wanted = selects[1:] if selects and selects.startswith("#") else None
        swap = node.inherited("hx-swap")[0] or "innerHTML"
        if wanted is None and hx_get is not None and swap.startswith("outerHTML") and target_id:
            wanted = target_id
        found.append(Request(url, headers, wanted, f"<{node.tag} id={node.get('id') or ''}>"))
    return found


def links(tree: Tree, page_url: str) -> list[tuple[str, bool]]:
    """Same-origin links of the page: (address, is a page to walk on from)."""
    found = []
    for node in tree.elements():
        href = node.get("href")
        if node.tag != "a" or href is None or href.startswith(("#", "mailto:", "tel:", "javascript:")):
            continue
        if "download" in node.attrs:
            continue
        url = urljoin(page_url, href)
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or parts.netloc != urlsplit(page_url).netloc:
            continue
        path = parts.path + ("?" + parts.query if parts.query else "")
        if NOT_PAGES.search(parts.path) or "format=" in parts.query:
            continue
        found.append((path, node.inherited("hx-boost")[0] != "false"))
    return found


def dropped_filters(tree: Tree, page_url: str) -> list[str]:
    """Sort, page and page-size links of a filtered list that lose one of its filters (multi-value ones too)."""
    parts = urlsplit(page_url)
    filters = [(k, v) for k, v in parse_qsl(parts.query) if v and k not in PRESENTATION]
    if not filters:
        return []
    page = {k: {v for key, v in filters if key == k} for k, _ in filters}
    shown = {(k, v) for k, v in parse_qsl(parts.query) if k in PRESENTATION}
    lost = []
    for node in tree.elements():
        href = node.get("href")
        if node.tag != "a" or not href:
            continue
        link = urlsplit(urljoin(page_url, href))
        params = parse_qsl(link.query)
        # A link that changes nothing of how the list is shown (a chip removing a filter keeps the sort, and leaves
        # the page) is no sort, page or page-size link: dropping a filter is what it is for.
        if link.path != parts.path or {(k, v) for k, v in params if k in PRESENTATION} <= shown:
            continue
        # A link may set a filter to another value (a tab, another entrance); it must not lose one, or some of
        # the values of a multi-value one.
        chosen = {k: {v for key, v in params if key == k} for k, _ in filters}
        missing = [f"{k}={v}" for k, v in filters if (k, v) not in params and (not chosen[k] or chosen[k] < page[k])]
        if missing:
            lost.append(f"{href} drops {', '.join(missing)}")
    return lost


def walk(base: str, login: str, *, max_pages: int = 40, per_shape: int = 1, timeout: float = 30) -> Walk:
    """Walk the portal as ``login`` from the page the sign-in lands on."""
    started = time.monotonic()
    result = Walk(login)
    with httpx.Client(base_url=base, follow_redirects=False, timeout=timeout) as client:
        home = sign_in(client, login)
        result.home = home
        queue: deque[tuple[str, str, bool]] = deque([(home, "sign-in", True)])
        seen_urls: set[str] = {home}
        shapes: dict[str, int] = {}
        fragments_done: set[tuple[str, str]] = set()
        while queue and len(result.pages) < max_pages:
            url, source, follow = queue.popleft()
            r = client.get(url)
            hops = 0
            while r.status_code in (301, 302, 303, 307, 308) and hops < 5:
                location = urlsplit(urljoin(base + url, r.headers["location"]))
                target = location.path + ("?" + location.query if location.query else "")
                if target.startswith("/login") or target.startswith("/consent"):
                    break
                url, hops = target, hops + 1
                r = client.get(url)
            seen_urls.add(url)
            where = f"{url} (linked from {source})"
            if r.status_code >= 500:
                result.problems.append(f"{login}: {r.status_code} on {where}")
                continue
            if r.status_code in (301, 302, 303, 307, 308):
                result.problems.append(f"{login}: {where} sends to {r.headers['location']}: the role cannot open it")
                continue
            if r.status_code in (401, 403):
                result.problems.append(f"{login}: {r.status_code} on {where}: the role cannot open it")
                continue
            if r.status_code >= 400:
                result.problems.append(f"{login}: {r.status_code} on {where}")
                continue
            if url in result.pages:  # reached again through a redirect
                continue
            result.pages.append(url)
            if not follow or not r.headers.get("content-type", "").startswith("text/html"):
                continue
            tree = Tree(r.text)
            for lost in dropped_filters(tree, base + url):
                result.problems.append(f"{login}: on {url}: {lost}")
            for request in controls(tree, base + url):
                key = (request.url, request.headers.get("HX-Target", ""))
                if key in fragments_done:
                    continue
                fragments_done.add(key)
                result.fragments += 1
                f = client.get(request.url, headers=request.headers)
                what = f"{request.control} of {url} asking {request.url} ({request.headers})"
                if f.status_code >= 500 or f.status_code in (401, 403):
                    result.problems.append(f"{login}: {f.status_code} from {what}")
                elif f.status_code == 200 and f.headers.get("content-type", "").startswith("text/html"):
                    answer = Tree(f.text)
                    if request.selects and request.selects not in answer.ids:
                        result.problems.append(f"{login}: no #{request.selects} in the answer to {what}")
                    for lost in dropped_filters(answer, base + request.url):
                        result.problems.append(f"{login}: in the answer to {what}: {lost}")
            for link, boosted in links(tree, base + url):
                if link in seen_urls:
                    continue
                seen_urls.add(link)
                key = shape(link)
                if shapes.get(key, 0) >= per_shape or len(PRESENTATION.intersection(key.split("?")[-1].split("&"))) > 1:
                    continue
                shapes[key] = shapes.get(key, 0) + 1
                queue.append((link, url, boosted))
    result.seconds = time.monotonic() - started
    return result


def walk_all(base: str, logins: tuple[str, ...] = ROLES, *, workers: int = 3, **options: Any) -> dict[str, Walk]:
    """Every role's walk, a few at a time (the server answers one while the walker reads another)."""
    with ThreadPoolExecutor(max_workers=workers) as pool:
        walks = dict(zip(logins, pool.map(lambda login: walk(base, login, **options), logins), strict=True))
    return walks
