"""HEAD answered for every page as its GET is, without the body (RFC 9110 §9.3.2): uptime monitors and link
checkers ask with HEAD, and Litestar answers 405 to HEAD on a route declared with ``@get`` — a declared HEAD
handler may return no body at all, so every GET would have to be declared twice. The app does it once, here."""

from __future__ import annotations

from typing import Any

from litestar import Litestar
from litestar.types import Message
from litestar.types import Receive
from litestar.types import Send


class Portal(Litestar):
    """Litestar, with a HEAD request run as its GET — the same status and headers, ``Content-Length`` among them
    — and the body left out."""

    async def __call__(self, scope: Any, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await super().__call__(scope, receive, send)
            return

        async def headers_only(message: Message) -> None:
            if message["type"] == "http.response.body":
                message = {**message, "body": b""}  # type: ignore[typeddict-item]
            await send(message)

        # A copy: the server still knows the request was HEAD, and sends no body either.
        await super().__call__({**scope, "method": "GET"}, receive, headers_only)
