"""The addresses of the static files with their versions: ``/static/css/portal.css?v=3f2a9c1e07`` (the start of
the hash of the file's content). A browser keeps a versioned file for a year without asking again, and still
gets a changed stylesheet or script at once, as a changed file has a new address; an address without a version
(an icon written into a template) is asked about again each time (``no-cache``: a 304 when unchanged)."""

from __future__ import annotations

import hashlib

from litestar.types import ASGIApp
from litestar.types import Message
from litestar.types import Receive
from litestar.types import Scope
from litestar.types import Send

from portal.settings import ROOT

STATIC = ROOT / "static"
IMMUTABLE = b"public, max-age=31536000, immutable"
REVALIDATE = b"no-cache"

_versions: dict[str, tuple[tuple[int, int], str]] = {}


def asset(path: str) -> str:
    """The address of the static file ``path`` (``css/portal.css``) with its content's version; the hash is read
    again only when the file's time or size changed (a file edited while the server runs)."""
    file = STATIC / path
    try:
        stat = file.stat()
    except OSError:
        return f"/static/{path}"
    seen = (stat.st_mtime_ns, stat.st_size)
    known = _versions.get(path)
    if known is None or known[0] != seen:
        known = _versions[path] = (seen, hashlib.sha256(file.read_bytes()).hexdigest()[:10])
    return f"/static/{path}?v={known[1]}"


def cache_by_version(app: ASGIApp) -> ASGIApp:
    """The static files' middleware: a versioned address (``?v=…``) is cached as immutable, any other revalidated."""

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        query = scope.get("query_string", b"")
        versioned = any(part.startswith(b"v=") for part in query.split(b"&"))

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"cache-control"]
                message["headers"] = [*headers, (b"cache-control", IMMUTABLE if versioned else REVALIDATE)]
            await send(message)

        await app(scope, receive, sending)

    return middleware
