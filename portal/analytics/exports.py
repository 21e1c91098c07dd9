"""The dashboard's tables as one XLSX workbook, a sheet per table (written by core.exports, cells made safe)."""

from __future__ import annotations

from collections.abc import Iterable
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from portal.analytics import rules
from portal.analytics.queries import CHANNELS
from portal.analytics.queries import Breakdown
from portal.analytics.queries import Dashboard
from portal.analytics.queries import KpiRecord
from portal.core.exports import Count
from portal.core.exports import Money
from portal.core.exports import Month
from portal.core.exports import Percent
from portal.core.exports import Quantity
from portal.core.exports import to_xlsx
from portal.core.i18n import gettext as _
from portal.core.i18n import lazy

TITLES = {
    "period": lazy("Month"),
    "received": lazy("Received"),
    "closed": lazy("Closed"),
    "on_time": lazy("Closed on time"),
    "on_time_share": lazy("On time, %"),
    "rated": lazy("Ratings"),
    "csi": lazy("CSI"),
    "csat": lazy("CSAT, %"),
    "requests": lazy("Requests filed"),
    "orders": lazy("Service orders"),
    "portal_readings": lazy("Readings passed"),
    "readings_share": lazy("Readings passed, %"),
    "paid": lazy("Payments, ₽"),
    "connected": lazy("Owners connected"),
    "connected_share": lazy("Owners connected, %"),
    "name": lazy("Staff member"),
    "position": lazy("Position"),
    "maximum": lazy("Maximum, ₽"),
    "efficiency": lazy("Efficiency, %"),
    "bonus": lazy("To pay, ₽"),
}  # the title of each figure a sheet shows as a column
KINDS: dict[str, Any] = {
    "received": Count.of,
    "closed": Count.of,
    "on_time": Count.of,
    "on_time_share": Percent.of,
    "rated": Count.of,
    "csi": Quantity.of,  # a mean rating of two places
    "csat": Percent.of,
    "requests": Count.of,
    "orders": Count.of,
    "portal_readings": Count.of,
    "readings_share": Percent.of,
    "paid": Money.of,
    "connected": Count.of,
    "connected_share": Percent.of,
    "maximum": Money.of,
    "efficiency": Percent.of,
    "bonus": Money.of,
}  # what each figure is, for the number format of its cells (``core.exports``); a text figure is none of these
TICKET_FIGURES = ("received", "closed", "on_time", "on_time_share", "rated", "csi", "csat")
UPTAKE_FIGURES = ("requests", "orders", "portal_readings", "readings_share", "paid", "connected", "connected_share")


def table(figures: Sequence[str], items: Iterable[Any]) -> list[list[Any]]:
    """A sheet: the figures' titles, then one row per item with its figures (the period as a month's cell)."""
    header = [TITLES[f]() for f in figures]
    return [header, *([_figure(item, f) for f in figures] for item in items)]


def _figure(item: Any, name: str) -> Any:
    value = getattr(item, name)
    if name == "period":
        return Month.of(value)
    return KINDS[name](value) if name in KINDS else value


def money_table(board: Dashboard) -> list[list[Any]]:
    header = [
        _("Month"),
        _("Accounts"),
        _("Charged, ₽"),
        _("Balance corrections, ₽"),
        _("Paid, ₽"),
        _("Collection, %"),
        _("Receivables, ₽"),
        _("Of the previous month, %"),
        _("Receivables per m², ₽"),
    ]
    rows = [
        [
            Month.of(m.period),
            Count(m.accounts),
            Money(m.charged),
            Money(m.corrections),
            Money(m.paid),
            Percent.of(m.collection),
            Money(m.debt),
            Percent.of(trend),
            Money(m.debt_per_m2),
        ]
        for m, trend in board.debt_trend()
    ]
    return [header, *rows]


def tickets_table(board: Dashboard) -> list[list[Any]]:
    return table(("period", *TICKET_FIGURES), board.tickets)


def channels_table(board: Dashboard) -> list[list[Any]]:
    names = {"card": _("portal card"), "sbp": _("SBP"), "autopay": _("autopay"), "other": _("other")}
    header = [_("Month")]
    for channel in CHANNELS:
        header += [_("%(channel)s, payments", channel=names[channel]), _("%(channel)s, ₽", channel=names[channel])]
    header += [_("Total, ₽"), _("Through the portal, %")]
    rows = []
    for c in board.channels:
        row: list[Any] = [Month.of(c.period)]
        for channel in CHANNELS:
            row += [Count(c.counts[channel]), Money(c.sums[channel])]
        rows.append([*row, Money(c.total), Percent.of(c.portal_share)])
    return [header, *rows]


def autopay_table(board: Dashboard) -> list[list[Any]]:
    header = [_("Month"), _("Payments"), _("Sum, ₽")]
    rows = ([Month.of(c.period), Count(c.counts["autopay"]), Money(c.sums["autopay"])] for c in board.channels)
    return [header, *rows]


def uptake_table(board: Dashboard) -> list[list[Any]]:
    return table(("period", *UPTAKE_FIGURES), board.uptake)


def breakdown_table(rows: Sequence[Breakdown], title: str) -> list[list[Any]]:
    header, *lines = table(("received", "closed", "on_time_share", "rated", "csi"), rows)
    labels = [r.label if r.key is not None else _("Without executor") for r in rows]
    return [[title, *header], *([label, *line] for label, line in zip(labels, lines, strict=True))]


def nps_table(board: Dashboard) -> list[list[Any]]:
    header = [_("Wave"), _("Answers"), _("Promoters (9–10)"), _("Passives (7–8)"), _("Detractors (0–6)"), _("NPS")]
    rows = [
        [w.opens_on, Count(w.result.responses), Count(w.result.promoters), Count(w.result.passives),
         Count(w.result.detractors), Quantity.of(w.result.nps)]
        for w in board.waves
    ]  # fmt: skip
    return [header, *rows]


def dashboard_xlsx(board: Dashboard) -> bytes:
    return to_xlsx(
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
    # A line's own efficiency, or the complex's where none was entered (an own 0 % is an efficiency, not a blank).
    lines = [
        replace(line, efficiency=record.efficiency if line.efficiency is None else line.efficiency)
        for line in record.lines
    ]
    figures = ("name", "position", "maximum", "efficiency", "bonus")
    return [*table(figures, lines), [_("Total"), "", "", Percent.of(record.efficiency), Money(record.total)]]


def payroll_xlsx(record: KpiRecord) -> bytes:
    """The month's bonuses for the payroll; until the month is approved its sheet says it is a draft (a file
    downloaded before approval must not pass for the approved one)."""
    month = rules.month_key(record.period)
    title = _("KPI bonus %(month)s", month=month) if record.approved else _("KPI bonus %(month)s, draft", month=month)
    return to_xlsx([(title, payroll_table(record))])


def payroll_name(record: KpiRecord) -> str:
    """The payroll file's name: «kpi-3-2026-03.xlsx», and «kpi-3-2026-03-черновик.xlsx» until approved."""
    name = f"kpi-{record.complex_id}-{rules.month_key(record.period)}"
    if record.approved:
        return f"{name}.xlsx"
    draft = _("draft")  # outside the f-string, where the catalogs' extraction does not see it
    return f"{name}-{draft}.xlsx"
