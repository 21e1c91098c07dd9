"""The addresses of the static files with their versions: ``/static/css/portal.css?v=3f2a9c1e07`` (the start of
the hash of the file's content). A browser keeps a versioned file for a year without asking again, and still
gets a changed stylesheet or script at once, as a changed file has a new address; an address without a version
(the icon of the address bar, the service worker) is asked about again each time (``no-cache``: a 304 when
unchanged)."""

from __future__ import annotations

import hashlib
from time import monotonic

from litestar.types import ASGIApp
from litestar.types import Message
from litestar.types import Receive
from litestar.types import Scope
from litestar.types import Send

from portal.settings import ROOT

STATIC = ROOT / "static"
IMMUTABLE = b"public, max-age=31536000, immutable"
REVALIDATE = b"no-cache"
BODY_HEADERS = (b"content-length", b"content-type", b"content-encoding")  # a 304 has no body to describe

# How long a file's address is given without looking at the file again: a page names a dozen (every icon names
# the icons' sprite), and a look each was a path built and a system call per name.
RECHECK_SECONDS = 1.0

_versions: dict[str, tuple[float, tuple[int, int], str]] = {}  # path → (looked at, (time, size), address)


def asset(path: str) -> str:
    """The address of the static file ``path`` (``css/portal.css``) with its content's version. The file's time and
    size are looked at again once ``RECHECK_SECONDS`` have passed, its hash read again only when they changed (a
    file edited while the server runs has its new address within a second)."""
    now = monotonic()
    known = _versions.get(path)
    if known is not None and now - known[0] < RECHECK_SECONDS:
        return known[2]
    file = STATIC / path
    try:
        stat = file.stat()
    except OSError:
        return f"/static/{path}"
    seen = (stat.st_mtime_ns, stat.st_size)
    if known is None or known[1] != seen:
        address = f"/static/{path}?v={hashlib.sha256(file.read_bytes()).hexdigest()[:10]}"
    else:
        address = known[2]
    _versions[path] = (now, seen, address)
    return address


def _opaque(etag: bytes) -> bytes:
    """An entity tag without its weakness (``W/``): If-None-Match compares them weakly (RFC 9110 §13.1.2)."""
    return etag.strip().removeprefix(b"W/")


def unchanged(if_none_match: bytes, etag: bytes | None) -> bool:
    """Whether a browser's ``If-None-Match`` names the file it has as ``etag``."""
    if not etag or not if_none_match:
        return False
    asked = [_opaque(tag) for tag in if_none_match.split(b",")]
    return b"*" in asked or _opaque(etag) in asked


def cache_by_version(app: ASGIApp) -> ASGIApp:
    """The static files' middleware: a versioned address (``?v=…``) is cached as immutable, any other revalidated,
    and answered 304 without its body when the browser has it already (its ``If-None-Match``)."""

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        query = scope.get("query_string", b"")
        versioned = any(part.startswith(b"v=") for part in query.split(b"&"))
        if_none_match = dict(scope.get("headers", [])).get(b"if-none-match", b"")
        not_modified = False

        async def sending(message: Message) -> None:
            nonlocal not_modified
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"cache-control"]
                headers.append((b"cache-control", IMMUTABLE if versioned else REVALIDATE))
                etag = next((v for k, v in headers if k.lower() == b"etag"), None)
                if message["status"] == 200 and unchanged(if_none_match, etag):
                    not_modified = True
                    message["status"] = 304
                    headers = [(k, v) for k, v in headers if k.lower() not in BODY_HEADERS]
                message["headers"] = headers
            elif message["type"] == "http.response.body" and not_modified:
                if message.get("more_body", False):
                    return
                message = {"type": "http.response.body", "body": b"", "more_body": False}
            await send(message)

        await app(scope, receive, sending)

    return middleware
