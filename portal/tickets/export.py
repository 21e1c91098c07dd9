"""«Скачать отчёт»: the filtered request list as CSV (streamed) or XLSX, guarded against formula injection."""

from __future__ import annotations

from collections.abc import AsyncIterator
from collections.abc import Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from portal.core import csv_stream
from portal.core.exports import Code
from portal.core.exports import Count
from portal.core.exports import Workbook
from portal.core.exports import safe_cell
from portal.core.i18n import gettext
from portal.tickets import rules
from portal.tickets.filters import REPORT_COLUMNS
from portal.tickets.queries import TicketRow
from portal.tickets.view import TK


def cell(row: TicketRow, column: str, tz: str, now: datetime) -> Any:
    """The value of one column of one row: texts as a reader of the report sees them, moments (in ``tz``) and
    dates as values, which ``core.exports`` writes in the reader's language (CSV) or as date cells (XLSX), the
    account number as a ``Code`` (text in either), overdue as of ``now`` as the list marks it, a yes or no."""
    zone = ZoneInfo(tz)

    def moment(value: datetime | None) -> datetime | None:
        return value.astimezone(zone) if value else None

    values: dict[str, Any] = {
        "number": row.number,
        "created": moment(row.created_at),
        "damage": moment(row.damage_at),
        "address": TK.address(row),
        "account": Code(row.account_number or ""),  # digits as text: leading zeros kept, never 1,2E+10
        "owner": row.owner_name or "",
        "category": rules.category_label(row.category),
        "type": TK.type(row.type),
        "status": TK.status(row.status),
        "internal_status": TK.internal(row.internal_status) if row.internal_status else "",
        "executor": row.executor_name or "",
        "deadline": moment(row.deadline),
        "overdue": TK.overdue(row, now),
        "control": row.control_date,
        "completed": moment(row.completed_at),
        "source": TK.source(row.source),
        "rating": Count.of(row.rating),  # a mark of 1 to 5
        "flags": ", ".join(TK.flag(f) for f in row.flags),
        "description": row.description or "",
    }
    return safe_cell(values[column])


def csv_chunks(rows: AsyncIterator[TicketRow], columns: Sequence[str], tz: str, now: datetime) -> AsyncIterator[bytes]:
    """CSV for Excel in the reader's language (``core.csv_stream``), one chunk per 200 rows."""
    lines = ([cell(row, c, tz, now) for c in columns] async for row in rows)
    return csv_stream.csv_chunks([REPORT_COLUMNS.shown(c) for c in columns], lines, rows_per_chunk=200)


async def xlsx_bytes(rows: AsyncIterator[TicketRow], columns: Sequence[str], tz: str, now: datetime) -> bytes:
    """The same columns as an XLSX (``core.exports``): dates as date cells, numbers as numbers."""
    book = await Workbook.opened()
    sheet = book.sheet(gettext("Requests"))
    sheet.append([REPORT_COLUMNS.shown(c) for c in columns])
    await sheet.extend([cell(row, c, tz, now) for c in columns] async for row in rows)
    return await book.written()
