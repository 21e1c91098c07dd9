"""The export of a period's readings to the billing system, as CSV (streamed) or XLSX; the format is documented in
README.md ("Export of readings"). Texts a spreadsheet would run as formulas are guarded as in every staff export.

With the readings go the month's recalculations for outages beyond the permitted interruption (billing:
``outage_reductions``): the second sheet of the XLSX, or a CSV of their own.
"""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any

from openpyxl import Workbook

from portal.billing.outage_reductions import Reduction
from portal.core import clock
from portal.core import csv_stream
from portal.core.exports import safe_cell
from portal.core.exports import to_csv
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


def csv_chunks(rows: AsyncIterator[ExportRow]) -> AsyncIterator[bytes]:
    """UTF-8 with a BOM, ``;`` between cells, decimal comma (as Russian Excel and 1C read it); 500 rows a chunk."""
    return csv_stream.csv_chunks(COLUMNS, ([_csv(v) for v in cells(row)] async for row in rows), rows_per_chunk=500)


RECALCULATION_COLUMNS: tuple[str, ...] = (
    "period",
    "account_number",
    "service",
    "outage",
    "started_at",
    "ended_at",
    "outage_hours",
    "permitted_hours",
    "hours_beyond",
    "percent",
    "charge",
    "reduction",
)


def recalculation_cells(row: Reduction) -> list[Any]:
    """One recalculation for an outage: the charge and the reduction in roubles stay empty until the month's
    charge of the service is imported (the billing system applies ``percent`` to its own figure)."""
    return [
        f"{row.period:%Y-%m}",
        row.account_number,
        row.service,
        row.outage,
        clock.local(row.started_at).strftime("%d.%m.%Y %H:%M"),
        clock.local(row.ended_at).strftime("%d.%m.%Y %H:%M"),
        row.outage_hours,
        row.permitted_hours if row.permitted_hours is not None else "",
        row.hours_beyond,
        row.percent,
        row.charge if row.charge is not None else "",
        row.amount if row.amount is not None else "",
    ]


def recalculations_csv(rows: list[Reduction]) -> bytes:
    """The recalculations in the CSV dialect of the readings (BOM, ``;``, decimal comma)."""
    return to_csv([RECALCULATION_COLUMNS, *(recalculation_cells(row) for row in rows)])


async def xlsx_bytes(rows: AsyncIterator[ExportRow], recalculations: list[Reduction] | None = None) -> bytes:
    """The same columns in the first sheet of an XLSX, numbers as numbers; the recalculations for outages in the
    second sheet."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title="readings")
    sheet.append(list(COLUMNS))
    async for row in rows:
        sheet.append(cells(row))
    extra = book.create_sheet(title="recalculations")
    extra.append(list(RECALCULATION_COLUMNS))
    for reduction in recalculations or []:
        extra.append(recalculation_cells(reduction))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
