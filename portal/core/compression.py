"""Pages, stylesheets, scripts and text exports reach the browser gzip-compressed when it asks for that
(``Accept-Encoding: gzip``, as every browser does), whether or not a proxy stands in front: on a phone over mobile
data a page's HTML, the stylesheet and htmx shrink four to six times.

What is compressed already (JPEG photos, PDF, XLSX — a zip) or too small to gain (under ``MINIMUM_SIZE`` bytes, an
htmx fragment, a redirect) goes out as it is, as does an event stream (each event is sent at once) and a part of a
file (206). A compressed answer says ``Vary: Accept-Encoding``, its ``Content-Length`` is the compressed size (or it
is chunked when streamed), and its ``ETag`` becomes weak (``W/"…"``): the same file in another encoding is not the
same bytes, yet a conditional request still matches it and is answered 304."""

from __future__ import annotations

from typing import Literal

from litestar.config.compression import CompressionConfig
from litestar.datastructures import MutableScopeHeaders
from litestar.enums import CompressionEncoding
from litestar.middleware.compression import CompressionMiddleware
from litestar.types import Message
from litestar.types import Scope
from litestar.types import Send

from portal.core.head import HEAD_SCOPE

# Level 6 compresses the portal's pages within a few per cent of level 9 for far less CPU (bench/README.md).
LEVEL = 6
# An answer that fits in one network packet gains no round trip by being compressed.
MINIMUM_SIZE = 1024
COMPRESSIBLE = ("text/", "application/javascript", "application/json", "image/svg+xml", "application/xml")
NOT_COMPRESSED = ("text/event-stream",)


def compressible(start: Message) -> bool:
    """Whether the answer that ``start`` begins is worth compressing: text of a kind, not encoded already, not
    known to be shorter than ``MINIMUM_SIZE`` (a redirect, an htmx fragment)."""
    headers = MutableScopeHeaders(start)
    kind = headers.get("content-type", "").lower()
    length = headers.get("content-length", "")
    return (
        start["status"] not in (206, 304)
        and "content-encoding" not in headers
        and kind.startswith(COMPRESSIBLE)
        and not kind.startswith(NOT_COMPRESSED)
        and not (length.isdigit() and int(length) < MINIMUM_SIZE)
    )


def streamed(start: Message) -> bool:
    """Whether the answer that ``start`` begins is streamed (a CSV export): its length is not known ahead."""
    return "content-length" not in MutableScopeHeaders(start)


class TextCompression(CompressionMiddleware):
    """Litestar's compression, for the answers ``compressible`` names; their ``ETag`` made weak. The compressor
    (zlib's state, some 270 KB to set up) is made once an answer is known to be compressed, not for every request
    that accepts gzip."""

    def create_compression_send_wrapper(
        self,
        send: Send,
        compression_encoding: Literal[CompressionEncoding.BROTLI, CompressionEncoding.GZIP] | str,
        scope: Scope,
    ) -> Send:
        async def weakened(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableScopeHeaders(message)
                etag = headers.get("etag")
                if "content-encoding" in headers and etag and not etag.startswith("W/"):
                    headers["etag"] = "W/" + etag
            await send(message)

        compressing = super().create_compression_send_wrapper
        chosen: Send | None = None

        async def choose(message: Message) -> None:
            nonlocal chosen
            if message["type"] == "http.response.start":
                chosen = send
                if compressible(message):
                    if scope.get(HEAD_SCOPE) and streamed(message):
                        # Litestar holds a start back until the first chunk; a HEAD's headers go at once, as its
                        # GET's would, so the stream stops there instead of reading its first batch for nobody.
                        headers = MutableScopeHeaders(message)
                        headers["Content-Encoding"] = compression_encoding
                        headers.extend_header_value("vary", "Accept-Encoding")
                        await weakened(message)
                        return
                    chosen = compressing(weakened, compression_encoding, scope)
            await (chosen or send)(message)

        return choose


def compression_config() -> CompressionConfig:
    return CompressionConfig(
        backend="gzip",
        gzip_compress_level=LEVEL,
        minimum_size=MINIMUM_SIZE,
        middleware_class=TextCompression,
    )
