"""Pages of analytics: the staff dashboard (admins; managers for their houses) and its XLSX export."""

from __future__ import annotations

from datetime import date
from typing import Any

from litestar import Controller, Request, Response, get
from litestar.di import NamedDependency
from litestar.response import Template

from portal.analytics import charts, exports, forms, queries, rules
from portal.core import clock
from portal.core.i18n import format_day
from portal.core.security import Principal, staff
from portal.core.web import render
from portal.housing.queries import complexes

STAFF = staff("manager")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


async def _dashboard(request: Request, principal: Principal) -> tuple[forms.DashboardFilter, queries.Dashboard]:
    chosen = forms.dashboard_filter(request.query_params)
    found = await queries.scope(principal, chosen.complex_id, chosen.house_id)
    latest = await queries.latest_period(found.ids) or clock.today_local().replace(day=1)
    period = rules.choose_period(chosen.start, chosen.end, latest)
    return chosen, await queries.dashboard(found, period, clock.now())


def _month_options(latest: date, count: int = rules.MAX_MONTHS + 12) -> list[tuple[str, str]]:
    months = [rules.add_months(latest, -n) for n in range(count)]
    return [(rules.month_key(m), format_day(m, "LLLL y")) for m in months]


class StaffAnalytics(Controller):
    path = "/staff/analytics"
    opt = STAFF

    @get("/", name="analytics:dashboard")
    async def dashboard(self, request: Request, principal: NamedDependency[Principal]) -> Template:
        chosen, board = await _dashboard(request, principal)
        months = board.period.months
        all_houses = await queries.scope(principal)
        return render(
            request,
            "analytics/dashboard.html",
            board=board,
            chosen=chosen,
            month_options=_month_options(max(months[-1], clock.today_local().replace(day=1))),
            complex_options=[(c.id, c.name) for c in await complexes(principal)],
            house_options=[(h.id, h.address) for h in all_houses.houses],
            debt_chart=charts.bars(months, [m.debt for m in board.money]),
            money_chart=charts.bars(months, [m.charged for m in board.money], [m.paid for m in board.money]),
            tickets_chart=charts.bars(months, [t.received for t in board.tickets], [t.closed for t in board.tickets]),
            month_key=rules.month_key,
            month_last=rules.month_last,
            query=_query(chosen),
        )

    @get("/dashboard.xlsx", name="analytics:dashboard_xlsx")
    async def dashboard_xlsx(self, request: Request, principal: NamedDependency[Principal]) -> Response[bytes]:
        _, board = await _dashboard(request, principal)
        name = f"dashboard-{rules.month_key(board.period.start)}-{rules.month_key(board.period.end)}.xlsx"
        return Response(
            exports.dashboard_xlsx(board),
            media_type=XLSX,
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )


def _query(chosen: forms.DashboardFilter) -> dict[str, Any]:
    """The filter as query parameters (for the export link)."""
    found: dict[str, Any] = {}
    if chosen.start:
        found["start"] = rules.month_key(chosen.start)
    if chosen.end:
        found["end"] = rules.month_key(chosen.end)
    if chosen.complex_id:
        found["complex"] = chosen.complex_id
    if chosen.house_id:
        found["house"] = chosen.house_id
    return found
