"""A report streamed as CSV for Excel, in the reader's language as every export (``core.exports``: UTF-8 with a
BOM, CRLF line ends, Russian «;» and a decimal comma, English «,» and a decimal point), sent a chunk of rows at a
time so that a long report is never held whole.

    return Streamed(csv_chunks(header, (cells(row) async for row in rows), rows_per_chunk=500), media_type=...)

A reader who leaves mid-download (a tab closed, a HEAD answered once its headers are out) makes Litestar cancel the
stream at whatever it awaits; a chunk cancelled in the middle of its query, or of the export's closing transaction,
left that transaction open on a connection never given back to the pool (Piccolo's transaction does not release it
when its own rollback is cancelled): a few such readers and every page waits for a connection. ``Streamed`` reads
each chunk to its end whoever has left, then closes the source at its ``yield`` (its ``finally`` and transactions
end as written); a HEAD reads nothing.
"""

from __future__ import annotations

import io
from collections.abc import AsyncIterable
from collections.abc import AsyncIterator
from collections.abc import Sequence
from typing import Any

import anyio
from litestar import Request
from litestar.background_tasks import BackgroundTask
from litestar.response import Stream
from litestar.response.base import ASGIResponse

from portal.core.exports import Dialect
from portal.core.exports import csv_cell
from portal.core.exports import csv_writer
from portal.core.exports import dialect
from portal.core.head import is_head


def csv_chunks(
    header: Sequence[Any], lines: AsyncIterable[Sequence[Any]], *, rows_per_chunk: int = 500, d: Dialect | None = None
) -> AsyncIterator[bytes]:
    """The header, then every line of ``lines``, as encoded chunks of ``rows_per_chunk`` rows (the BOM first). The
    dialect is the reader's language when called (or ``d``), not when the stream is read."""
    return _chunks(header, lines, rows_per_chunk, d or dialect())


async def _chunks(
    header: Sequence[Any], lines: AsyncIterable[Sequence[Any]], rows_per_chunk: int, d: Dialect
) -> AsyncIterator[bytes]:
    buffer = io.StringIO()
    writer = csv_writer(buffer, d)
    buffer.write("\ufeff")
    writer.writerow([csv_cell(v, d) for v in header])
    count = 0
    async for line in lines:
        writer.writerow([csv_cell(v, d) for v in line])
        count += 1
        if count % rows_per_chunk == 0:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")


class _WholeChunks:
    """The chunks of ``source``, each read to its end though the reader left meanwhile (the cancellation waits for
    the next ``send``), and ``aclose`` ending the source where it stopped, whoever cancelled whom."""

    def __init__(self, source: AsyncIterator[bytes]) -> None:
        self._source = source

    def __aiter__(self) -> _WholeChunks:
        return self

    async def __anext__(self) -> bytes:
        with anyio.CancelScope(shield=True):
            return await anext(self._source)

    async def aclose(self) -> None:
        close = getattr(self._source, "aclose", None)
        if close is not None:
            with anyio.CancelScope(shield=True):
                await close()


class Streamed(Stream):
    """A streamed download from the database (``Stream``'s arguments): no query of it is cut off by the reader
    leaving, and its source is closed once the response ends, read to the end or not (Litestar runs the background
    task after a disconnect too)."""

    def __init__(self, chunks: AsyncIterator[bytes], **kwargs: Any) -> None:
        whole = _WholeChunks(chunks)
        super().__init__(whole, background=BackgroundTask(whole.aclose), **kwargs)

    def to_asgi_response(self, app: Any, request: Request[Any, Any, Any], **kwargs: Any) -> ASGIResponse:
        if is_head(request):  # the headers alone: the source is never started, only closed
            self.iterator = _nothing()
        return super().to_asgi_response(app, request, **kwargs)


async def _nothing() -> AsyncIterator[bytes]:
    return
    yield b""  # pragma: no cover (an async generator yielding nothing)
