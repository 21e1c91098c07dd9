"""HEAD answered for every page as its GET is, without the body (RFC 9110 §9.3.2): uptime monitors and link
checkers ask with HEAD, and Litestar answers 405 to HEAD on a route declared with ``@get`` — a declared HEAD
handler may return no body at all, so every GET would have to be declared twice. The app does it once, here.

A HEAD is only a question, though: a GET that writes on the side (a post or a message marked read, a listing's view
counted) asks ``is_head(request)`` and writes nothing for one — link checkers, previews and monitors read nothing."""

from __future__ import annotations

from typing import Any

from litestar import Litestar
from litestar.connection import ASGIConnection
from litestar.types import Message
from litestar.types import Receive
from litestar.types import Send

HEAD_SCOPE = "portal.head"  # in the scope of a HEAD run as its GET


def is_head(connection: ASGIConnection) -> bool:
    """True for a HEAD request, which the handlers see as its GET: nothing is to be marked or counted for it."""
    return bool(connection.scope.get(HEAD_SCOPE, False))


class Portal(Litestar):
    """Litestar, with a HEAD request run as its GET — the same status and headers, ``Content-Length`` among them
    — and the body left out."""

    async def __call__(self, scope: Any, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await super().__call__(scope, receive, send)
            return

        sent = {"started": False, "ended": False}

        async def headers_only(message: Message) -> None:
            if message["type"] == "http.response.body":
                if sent["ended"]:
                    return
                sent["ended"] = not message.get("more_body", False)
                message = {**message, "body": b""}  # type: ignore[typeddict-item]
            sent["started"] = sent["started"] or message["type"] == "http.response.start"
            await send(message)

        async def gone_once_started() -> Message:
            """A streamed body (a CSV export) stops as for a reader gone once its headers are out: nobody reads it."""
            return {"type": "http.disconnect"} if sent["started"] else await receive()  # type: ignore[return-value]

        # A copy: the server still knows the request was HEAD, and sends no body either.
        await super().__call__({**scope, "method": "GET", HEAD_SCOPE: True}, gone_once_started, headers_only)
        if sent["started"] and not sent["ended"]:
            await send({"type": "http.response.body", "body": b"", "more_body": False})
