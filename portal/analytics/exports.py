"""The dashboard's tables as one XLSX workbook, a sheet per table (cells made safe by billing's exporter)."""

from __future__ import annotations

import io
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from portal.analytics import rules
from portal.analytics.queries import CHANNELS
from portal.analytics.queries import Breakdown
from portal.analytics.queries import Dashboard
from portal.analytics.queries import KpiRecord
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


def channels_table(board: Dashboard) -> list[list[Any]]:
    names = {"card": _("portal card"), "sbp": _("SBP"), "autopay": _("autopay"), "other": _("other")}
    header = [_("Month")]
    for channel in CHANNELS:
        header += [_("%(channel)s, payments", channel=names[channel]), _("%(channel)s, ₽", channel=names[channel])]
    header += [_("Total, ₽"), _("Through the portal, %")]
    rows = []
    for c in board.channels:
        row: list[Any] = [rules.month_key(c.period)]
        for channel in CHANNELS:
            row += [c.counts[channel], c.sums[channel]]
        rows.append([*row, c.total, c.portal_share])
    return [header, *rows]


def autopay_table(board: Dashboard) -> list[list[Any]]:
    header = [_("Month"), _("Payments"), _("Sum, ₽")]
    return [header, *([rules.month_key(c.period), c.counts["autopay"], c.sums["autopay"]] for c in board.channels)]


def uptake_table(board: Dashboard) -> list[list[Any]]:
    header = [
        _("Month"),
        _("Requests filed"),
        _("Service orders"),
        _("Readings passed"),
        _("Readings passed, %"),
        _("Payments, ₽"),
        _("Owners connected"),
        _("Owners connected, %"),
    ]
    rows = [
        [
            rules.month_key(u.period), u.requests, u.orders, u.portal_readings, u.readings_share, u.paid, u.connected,
            u.connected_share,
        ]
        for u in board.uptake
    ]  # fmt: skip
    return [header, *rows]


def breakdown_table(rows: Sequence[Breakdown], title: str) -> list[list[Any]]:
    header = [title, _("Received"), _("Closed"), _("On time, %"), _("Ratings"), _("CSI")]
    return [
        header,
        *(
            [
                r.label if r.key is not None else _("Without executor"),
                r.received,
                r.closed,
                r.on_time_share,
                r.rated,
                r.csi,
            ]
            for r in rows
        ),
    ]


def nps_table(board: Dashboard) -> list[list[Any]]:
    header = [_("Wave"), _("Answers"), _("Promoters (9–10)"), _("Passives (7–8)"), _("Detractors (0–6)"), _("NPS")]
    rows = [
        [w.opens_on.isoformat(), w.result.responses, w.result.promoters, w.result.passives, w.result.detractors,
         w.result.nps]
        for w in board.waves
    ]  # fmt: skip
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
    return workbook(
        [
            (_("Money"), money_table(board)),
            (_("Payments by channel"), channels_table(board)),
            (_("Autopay"), autopay_table(board)),
            (_("Portal uptake"), uptake_table(board)),
            (_("Requests"), tickets_table(board)),
            (_("By category"), breakdown_table(board.by_category, _("Category"))),
            (_("By executor"), breakdown_table(board.by_executor, _("Executor"))),
            (_("NPS"), nps_table(board)),
        ]
    )


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
