"""«Скачать отчёт»: the filtered request list as CSV (streamed) or XLSX, guarded against formula injection."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from collections.abc import Sequence
from datetime import date
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from openpyxl import Workbook

from portal.core import csv_stream
from portal.core.exports import safe_cell
from portal.core.i18n import gettext
from portal.tickets import rules
from portal.tickets.queries import TicketRow
from portal.tickets.view import TK


def cell(row: TicketRow, column: str, tz: str) -> Any:
    """The value of one column of one row, as a reader of the report sees it."""
    zone = ZoneInfo(tz)

    def moment(value: datetime | None) -> str:
        return value.astimezone(zone).strftime("%d.%m.%Y %H:%M") if value else ""

    def day(value: date | None) -> str:
        return value.strftime("%d.%m.%Y") if value else ""

    values: dict[str, Any] = {
        "number": row.number,
        "created": moment(row.created_at),
        "address": TK.address(row),
        "account": row.account_number or "",
        "owner": row.owner_name or "",
        "category": rules.category_label(row.category),
        "type": TK.type(row.type),
        "status": TK.status(row.status),
        "internal_status": TK.internal(row.internal_status) if row.internal_status else "",
        "executor": row.executor_name or "",
        "deadline": moment(row.deadline),
        "control": day(row.control_date),
        "completed": moment(row.completed_at),
        "source": TK.source(row.source),
        "rating": row.rating if row.rating is not None else "",
        "flags": ", ".join(TK.flag(f) for f in row.flags),
        "description": row.description or "",
    }
    return safe_cell(values[column])


def csv_chunks(rows: AsyncIterator[TicketRow], columns: Sequence[str], tz: str) -> AsyncIterator[bytes]:
    """CSV for Excel (``core.csv_stream``), one chunk per 200 rows."""
    lines = ([cell(row, c, tz) for c in columns] async for row in rows)
    return csv_stream.csv_chunks([TK.column(c) for c in columns], lines, rows_per_chunk=200)


async def xlsx_bytes(rows: AsyncIterator[TicketRow], columns: Sequence[str], tz: str) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=gettext("Requests"))
    sheet.append([TK.column(c) for c in columns])
    async for row in rows:
        sheet.append([cell(row, c, tz) for c in columns])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
