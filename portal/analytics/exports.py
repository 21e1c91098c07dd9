"""The dashboard's tables as one XLSX workbook, a sheet per table (cells made safe by billing's exporter)."""

from __future__ import annotations

import io
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from portal.analytics import rules
from portal.analytics.queries import Dashboard, KpiRecord
from portal.billing.exports import safe_cell
from portal.core.i18n import gettext as _


def money_table(board: Dashboard) -> list[list[Any]]:
    header = [
        _("Month"),
        _("Accounts"),
        _("Charged, ₽"),
        _("Paid, ₽"),
        _("Collection, %"),
        _("Receivables, ₽"),
        _("Of the previous month, %"),
        _("Receivables per m², ₽"),
    ]
    rows = [
        [rules.month_key(m.period), m.accounts, m.charged, m.paid, m.collection, m.debt, trend, m.debt_per_m2]
        for m, trend in board.debt_trend()
    ]
    return [header, *rows]


def tickets_table(board: Dashboard) -> list[list[Any]]:
    header = [
        _("Month"),
        _("Received"),
        _("Closed"),
        _("Closed on time"),
        _("On time, %"),
        _("Ratings"),
        _("CSI"),
        _("CSAT, %"),
    ]
    rows = [
        [rules.month_key(t.period), t.received, t.closed, t.on_time, t.on_time_share, t.rated, t.csi, t.csat]
        for t in board.tickets
    ]
    return [header, *rows]


def workbook(sheets: Sequence[tuple[str, Sequence[Sequence[Any]]]]) -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    for title, rows in sheets:
        sheet = book.create_sheet(title=title[:31])
        for row in rows:
            sheet.append([float(v) if isinstance(v, Decimal) else safe_cell(v) for v in row])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def dashboard_xlsx(board: Dashboard) -> bytes:
    return workbook([(_("Money"), money_table(board)), (_("Requests"), tickets_table(board))])


def payroll_table(record: KpiRecord) -> list[list[Any]]:
    header = [
        _("Staff member"),
        _("Position"),
        _("Maximum, ₽"),
        _("Efficiency, %"),
        _("To pay, ₽"),
    ]
    rows = [
        [line.name, line.position, line.maximum, line.efficiency or record.efficiency, line.bonus]
        for line in record.lines
    ]
    return [header, *rows, [_("Total"), "", "", record.efficiency, record.total]]


def payroll_xlsx(record: KpiRecord) -> bytes:
    return workbook([(_("KPI bonus %(month)s", month=rules.month_key(record.period)), payroll_table(record))])
