"""The export of a period's readings to the billing system, as CSV (streamed) or XLSX; the format is documented in
README.md ("Export of readings"). Texts a spreadsheet would run as formulas are guarded as in every staff export."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any

from openpyxl import Workbook

from portal.billing.exports import safe_cell
from portal.core import clock
from portal.meters.queries import ExportRow

COLUMNS: tuple[str, ...] = (
    "period",
    "account_number",
    "house_address",
    "premise_number",
    "meter_serial",
    "resource",
    "zones",
    "zone",
    "reading",
    "consumption",
    "received_at",
    "source",
    "rollover",
    "review",
)


def cells(row: ExportRow) -> list[Any]:
    """One line of the export: numbers as ``Decimal`` (the CSV writes them with a decimal comma)."""
    return [
        f"{row.period:%Y-%m}",
        row.account_number,
        safe_cell(row.address),
        safe_cell(row.premise_number),
        safe_cell(row.serial),
        row.service,
        row.zones,
        row.zone,
        row.value,
        row.consumption if row.consumption is not None else "",
        clock.local(row.submitted_at).strftime("%d.%m.%Y %H:%M"),
        row.source,
        int(row.rollover),
        row.review,
    ]


def _csv(value: Any) -> Any:
    return str(value).replace(".", ",") if isinstance(value, Decimal) else value


async def csv_chunks(rows: AsyncIterator[ExportRow]) -> AsyncIterator[bytes]:
    """UTF-8 with a BOM, ``;`` between cells, decimal comma (as Russian Excel and 1C read it); 500 rows a chunk."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    buffer.write("\ufeff")
    writer.writerow(COLUMNS)
    count = 0
    async for row in rows:
        writer.writerow([_csv(v) for v in cells(row)])
        count += 1
        if count % 500 == 0:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")


async def xlsx_bytes(rows: AsyncIterator[ExportRow]) -> bytes:
    """The same columns in the first sheet of an XLSX, numbers as numbers."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title="readings")
    sheet.append(list(COLUMNS))
    async for row in rows:
        sheet.append(cells(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
