"""A report streamed as CSV for Excel: UTF-8 with a BOM (so Excel reads Cyrillic), «;» between cells (the Russian
locale's list separator), CRLF line ends, sent a chunk of rows at a time so that a long report is never held whole.

    return Stream(csv_chunks(header, (cells(row) async for row in rows), rows_per_chunk=500), media_type=...)
"""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterable
from collections.abc import AsyncIterator
from collections.abc import Sequence
from typing import Any


async def csv_chunks(
    header: Sequence[Any], lines: AsyncIterable[Sequence[Any]], *, rows_per_chunk: int = 500
) -> AsyncIterator[bytes]:
    """The header, then every line of ``lines``, as encoded chunks of ``rows_per_chunk`` rows (the BOM first)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    buffer.write("\ufeff")
    writer.writerow(header)
    count = 0
    async for line in lines:
        writer.writerow(line)
        count += 1
        if count % rows_per_chunk == 0:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")
