"""A report streamed as CSV for Excel, in the reader's language as every export (``core.exports``: UTF-8 with a
BOM, CRLF line ends, Russian «;» and a decimal comma, English «,» and a decimal point), sent a chunk of rows at a
time so that a long report is never held whole.

    return Stream(csv_chunks(header, (cells(row) async for row in rows), rows_per_chunk=500), media_type=...)
"""

from __future__ import annotations

import io
from collections.abc import AsyncIterable
from collections.abc import AsyncIterator
from collections.abc import Sequence
from typing import Any

from portal.core.exports import Dialect
from portal.core.exports import csv_cell
from portal.core.exports import csv_writer
from portal.core.exports import dialect


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
