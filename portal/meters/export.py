"""The export of a period's readings to the billing system, as CSV (streamed) or XLSX; the format is documented in
README.md ("Export of readings"). Texts a spreadsheet would run as formulas are guarded as in every staff export.

With the readings go the month's recalculations for outages beyond the permitted interruption (billing:
``outage_reductions``): the second sheet of the XLSX, or a CSV of their own.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from portal.billing.outage_reductions import Reduction
from portal.core import csv_stream
from portal.core.exports import RUSSIAN
from portal.core.exports import Count
from portal.core.exports import Money
from portal.core.exports import Percent
from portal.core.exports import Quantity
from portal.core.exports import Workbook
from portal.core.exports import safe_cell
from portal.core.exports import to_csv
from portal.core.threads import written
from portal.meters.queries import ExportRow
from portal.meters.rules import Basis

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
    "basis",
    "months_without_reading",
    "coefficient",
    "average",
    "recount",
)

# The billing system's words for a basis (its own files say «norm»).
BASIS_WORDS = {Basis.METERED: "metered", Basis.AVERAGE: "average", Basis.NORMATIVE: "norm"}


def cells(row: ExportRow) -> list[Any]:
    """One line of the export: numbers as ``Decimal``, the moment as a ``datetime`` (written by ``core.exports``)."""
    return [
        f"{row.period:%Y-%m}",
        row.account_number,
        safe_cell(row.address),
        safe_cell(row.premise_number),
        safe_cell(row.serial),
        row.service,
        Count(row.zones),
        row.zone,
        Quantity.of(row.value),
        Quantity.of(row.consumption),
        row.submitted_at,
        row.source,
        int(row.rollover),
        row.review,
        BASIS_WORDS[Basis(row.basis)],
        Count.of(row.months_without_reading),
        Quantity(row.coefficient),
        Quantity.of(row.average),
        int(row.recount),
    ]


# The file is read by the billing system, not by the person who downloads it: its dialect is the one its format
# (README.md) documents — ``;``, a decimal comma, ``20.11.2026 09:15`` — whatever the language of the page.
DIALECT = RUSSIAN


def csv_chunks(rows: AsyncIterator[ExportRow]) -> AsyncIterator[bytes]:
    """UTF-8 with a BOM, ``;`` between cells, decimal comma (as Russian Excel and 1C read it); 500 rows a chunk."""
    lines = (cells(row) async for row in rows)
    return csv_stream.csv_chunks(COLUMNS, lines, rows_per_chunk=500, d=DIALECT)


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
        row.started_at,
        row.ended_at,
        Quantity(row.outage_hours),
        Quantity.of(row.permitted_hours),
        Quantity(row.hours_beyond),
        Percent(row.percent),
        Money.of(row.charge),
        Money.of(row.amount),
    ]


def recalculations_csv(rows: list[Reduction]) -> bytes:
    """The recalculations in the CSV dialect of the readings (BOM, ``;``, decimal comma)."""
    return to_csv([RECALCULATION_COLUMNS, *(recalculation_cells(row) for row in rows)], DIALECT)


async def xlsx_bytes(rows: AsyncIterator[ExportRow], recalculations: list[Reduction] | None = None) -> bytes:
    """The same columns in the first sheet of an XLSX, numbers as numbers and moments as date cells; the
    recalculations for outages in the second sheet."""
    book = await Workbook.opened(DIALECT)
    sheet = book.sheet("readings")
    sheet.append(COLUMNS)
    await sheet.extend(cells(row) async for row in rows)
    extra = book.sheet("recalculations")
    extra.append(RECALCULATION_COLUMNS)
    await written(extra.append_all, [recalculation_cells(reduction) for reduction in recalculations or []])
    return await book.written()
