"""Pages of analytics: the staff dashboard (admins; managers for their houses) and its XLSX export, the opening of
an NPS wave; the resident's NPS survey and its home-page prompt. The scheduled job opens the waves that are due."""

from __future__ import annotations

import itertools
from dataclasses import replace
from datetime import date
from datetime import datetime
from typing import Any

from litestar import Controller
from litestar import Request
from litestar import Response
from litestar import get
from litestar import post
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Template

from portal.analytics import actions
from portal.analytics import aggregates
from portal.analytics import charts
from portal.analytics import exports
from portal.analytics import forms
from portal.analytics import queries
from portal.analytics import rules
from portal.core import clock
from portal.core import jobs
from portal.core import stale
from portal.core.address import house_choices
from portal.core.exports import XLSX
from portal.core.exports import attachment
from portal.core.home import register_section
from portal.core.i18n import format_day
from portal.core.i18n import gettext as _
from portal.core.i18n import ngettext
from portal.core.parse import parse_id
from portal.core.security import Principal
from portal.core.security import client_ip
from portal.core.security import resident
from portal.core.security import staff
from portal.core.threads import written
from portal.core.web import FormData
from portal.core.web import FormErrors
from portal.core.web import among
from portal.core.web import flash
from portal.core.web import found
from portal.core.web import is_fragment_request
from portal.core.web import render
from portal.core.web import see_other
from portal.housing.queries import ComplexView
from portal.housing.queries import complexes

STAFF = staff("manager")


async def _dashboard(
    request: Request, principal: Principal, mine: list[ComplexView], houses: list[queries.HouseOfComplex]
) -> tuple[forms.DashboardFilter, queries.Dashboard]:
    """The figures of the filters read. A house of the user's (``houses``) wins over the complex asked with it: its
    own complex is taken as chosen, so that one submit choosing a house counts it, whatever complex the form still
    held. A complex none of the user's (``mine``), or a house none of theirs, is not read (``core.web.among``): the
    figures are shown without it, alike whether it is someone else's or not there at all."""
    this_month = clock.today_local().replace(day=1)
    chosen = forms.dashboard_filter(request.query_params, _offered(this_month))
    complex_of = {h.id: h.complex_id for h in houses}
    house = among(chosen.house_id, complex_of)
    complex_id = complex_of[house] if house is not None else among(chosen.complex_id, [c.id for c in mine])
    chosen = replace(chosen, complex_id=complex_id, house_id=house)
    found = await queries.scope(principal, chosen.complex_id, chosen.house_id)
    latest = await queries.newest_month(found) or this_month
    period = rules.choose_period(chosen.start, chosen.end, rules.last_complete(latest, this_month))
    return chosen, await queries.dashboard(found, period, clock.now())


def _house_groups(houses: list[queries.HouseOfComplex]) -> list[tuple[str, list[tuple[int, str]]]]:
    """The house filter's options: every house of the user's in its complex's ``<optgroup>``, each address without
    the locality they all share (``house_choices``)."""
    short = dict(house_choices(houses))
    return [
        (name, [(h.id, short[h.id]) for h in group])
        for name, group in itertools.groupby(houses, key=lambda h: h.complex_name)
    ]


def _offered(latest: date, count: int = rules.MAX_MONTHS + 12) -> list[date]:
    """The months a month dropdown offers: ``latest`` and those before it."""
    return [rules.add_months(latest, -n) for n in range(count)]


def _month_options(latest: date) -> list[tuple[str, str]]:
    return [(rules.month_key(m), format_day(m, "LLLL y")) for m in _offered(latest)]


def _charts(board: queries.Dashboard) -> dict[str, Any]:
    """The dashboard's charts, each drawn as SVG from the same figures as its table."""
    months = board.period.months
    return {
        "debt_chart": charts.bars(months, [m.debt for m in board.money]),
        "money_chart": charts.bars(months, [m.charged for m in board.money], [m.paid for m in board.money]),
        "tickets_chart": charts.bars(months, [t.received for t in board.tickets], [t.closed for t in board.tickets]),
        "channels_chart": charts.bars(months, *([c.sums[name] for c in board.channels] for name in queries.CHANNELS)),
        "autopay_chart": charts.bars(months, [c.sums["autopay"] for c in board.channels]),
        "uptake_chart": charts.bars(months, [u.connected_share for u in board.uptake]),
        "nps_chart": charts.diverging([w.opens_on for w in board.waves], [w.result.nps for w in board.waves]),
    }


class StaffAnalytics(Controller):
    path = "/staff/analytics"
    opt = STAFF

    @get("/", name="analytics:dashboard")
    async def dashboard(self, request: Request, principal: NamedDependency[Principal]) -> Template:
        mine, houses = await complexes(principal), await queries.houses_by_complex(principal)
        chosen, board = await _dashboard(request, principal, mine, houses)
        return render(
            request,
            "analytics/dashboard.html",
            board=board,
            chosen=chosen,
            problems=forms.dashboard_problems(request.query_params, chosen),
            month_options=_month_options(clock.today_local().replace(day=1)),  # the months read (``_dashboard``)
            complex_options=[(c.id, c.name) for c in mine],
            house_groups=_house_groups(houses),
            **_charts(board),
            channels=queries.CHANNELS,
            month_key=rules.month_key,
            month_last=rules.month_last,
            query=_query(chosen),
        )

    @get("/houses", name="analytics:houses")
    async def houses(self, request: Request, principal: NamedDependency[Principal]) -> Template | Response[Any]:
        """The house field again for the complex chosen (HTMX, as the complex changes): that complex's houses of the
        user's, or all of them for any other choice; the house chosen stays chosen while it is among them. Opened
        as a page (an address typed or kept), it is the dashboard of that choice, not a bare field."""
        mine, q = await queries.houses_by_complex(principal), request.query_params
        if not is_fragment_request(request):
            return see_other(request, "/staff/analytics" + (f"?{request.url.query}" if request.url.query else ""))
        offered = [h for h in mine if h.complex_id == parse_id(q.get("complex"))] or mine
        house = among(parse_id(q.get("house")), [h.id for h in offered])
        return render(
            request,
            "analytics/_house_field.html",
            block=None,
            chosen=forms.DashboardFilter(house_id=house),
            house_groups=_house_groups(offered),
            problems=FormErrors(),
        )

    @get("/dashboard.xlsx", name="analytics:dashboard_xlsx")
    async def dashboard_xlsx(self, request: Request, principal: NamedDependency[Principal]) -> Response[bytes]:
        houses = await queries.houses_by_complex(principal)
        _, board = await _dashboard(request, principal, await complexes(principal), houses)
        name = f"dashboard-{rules.month_key(board.period.start)}-{rules.month_key(board.period.end)}.xlsx"
        return attachment(await written(exports.dashboard_xlsx, board), XLSX, name)

    @post("/nps/waves", name="analytics:open_wave", status_code=200)
    async def open_wave(self, request: Request, principal: NamedDependency[Principal], data: FormData) -> Response[Any]:
        complex_id = forms.complex_choice(data)
        mine = {c.id for c in await complexes(principal)}
        if complex_id is None or complex_id not in mine:
            flash(request, _("Choose a complex you work with."), "error")
            return see_other(request, "/staff/analytics")
        await actions.open_wave(principal, complex_id, clock.today_local(), ip=client_ip(request))
        flash(
            request,
            ngettext(
                "The survey is open for residents for %(num)s day.",
                "The survey is open for residents for %(num)s days.",
                rules.WAVE_DAYS,
            ),
        )
        return see_other(request, "/staff/analytics")

    # --- KPI and bonus ---------------------------------------------------------------------------------------

    @get("/kpi", name="analytics:kpi")
    async def kpi(self, request: Request, principal: NamedDependency[Principal]) -> Template:
        complex_id, period = forms.kpi_choice(request.query_params)
        period = among(period, _offered(clock.today_local().replace(day=1)))  # a month not offered is not read
        mine = await complexes(principal)
        complex_id = among(complex_id, [c.id for c in mine])  # nor a complex none of the user's, or not there at all
        problems = forms.kpi_choice_problems(request.query_params, complex_id, period)
        return await _kpi_page(request, principal, complex_id, period, problems=problems, mine=mine)

    @post("/kpi", name="analytics:kpi_save", status_code=200)
    async def kpi_save(self, request: Request, principal: NamedDependency[Principal], data: FormData) -> Any:
        complex_id, period = forms.kpi_choice(data)
        found = await queries.scope(principal, complex_id) if complex_id else None
        if found is None or not found.ids:
            raise NotFoundException()
        month = among(period, _offered(clock.today_local().replace(day=1)))  # as the page reads its month
        if month is None:  # missing, unreadable or not offered: the page again, what was typed kept, and why
            errors = FormErrors()
            errors.add("period", forms.month_not_offered(data), _("Month"))
            return await _kpi_page(request, principal, complex_id, None, errors=errors, values=dict(data))
        staff_ids = {s.id for s in await queries.staff_of(found.ids)}
        draft, errors = forms.read_kpi(data, staff_ids)
        if draft is None:
            return await _kpi_page(request, principal, complex_id, month, errors=errors, values=dict(data))
        measured = await queries.measured(found.ids, month)
        return await _saved_kpi(request, principal, complex_id, month, (measured, draft), data)

    @post("/kpi/{kpi_id:int}/approve", name="analytics:kpi_approve", status_code=200)
    async def kpi_approve(self, request: Request, principal: NamedDependency[Principal], kpi_id: FromPath[int]) -> Any:
        record = found(await queries.kpi_by_id(principal, kpi_id))
        await actions.approve_kpi(principal, kpi_id, clock.now(), ip=client_ip(request))
        flash(request, _("The month is approved for the payroll."))
        return see_other(
            request, f"/staff/analytics/kpi?complex={record.complex_id}&period={rules.month_key(record.period)}"
        )

    @get("/kpi/{kpi_id:int}/payroll.xlsx", name="analytics:kpi_payroll")
    async def kpi_payroll(self, principal: NamedDependency[Principal], kpi_id: FromPath[int]) -> Response[bytes]:
        record = found(await queries.kpi_by_id(principal, kpi_id))
        return attachment(await written(exports.payroll_xlsx, record), XLSX, exports.payroll_name(record))


async def _saved_kpi(
    request: Request,
    principal: Principal,
    complex_id: int,
    month: date,
    entered: tuple[queries.Measured, forms.KpiDraft],
    data: FormData,
) -> Any:
    """Save the month's draft (what was measured, what the manager entered); read before another manager's save,
    the page again (409) with what was typed, who saved it and when, and the month as it is now (core.stale)."""
    measured, draft = entered
    try:
        await actions.save_kpi(principal, complex_id, month, measured, draft, clock.now(), ip=client_ip(request),
                               version=stale.typed(data))  # fmt: skip
    except stale.Stale as exc:
        errors = FormErrors()
        stale.say(errors, exc.change, ())
        values = {k: v for k, v in dict(data).items() if k != stale.FIELD}  # the version now, what was typed
        return await _kpi_page(request, principal, complex_id, month, errors=errors, values=values, status_code=409)
    flash(request, _("The month's KPI is saved."))
    return see_other(request, f"/staff/analytics/kpi?complex={complex_id}&period={rules.month_key(month)}")


async def _kpi_page(
    request: Request,
    principal: Principal,
    complex_id: int | None,
    period: date | None,
    *,
    errors: FormErrors | None = None,
    values: dict[str, Any] | None = None,
    problems: FormErrors | None = None,
    mine: list[ComplexView] | None = None,
    status_code: int | None = None,
) -> Template:
    mine = await complexes(principal) if mine is None else mine
    if complex_id is None and mine:
        complex_id = mine[0].id
    found = await queries.scope(principal, complex_id) if complex_id else queries.Scope(houses=[])
    this_month = clock.today_local().replace(day=1)
    period = period or rules.last_complete(await queries.latest_period(found.ids) or this_month, this_month)
    record = await queries.kpi_record(complex_id, period) if found.ids and complex_id else None
    measured = await queries.measured(found.ids, period) if found.ids else None
    staff = await queries.staff_of(found.ids)
    return render(
        request,
        "analytics/kpi.html",
        status_code=status_code or (422 if errors else 200),
        complex_id=complex_id if found.ids else None,
        version=(values or {}).get(stale.FIELD, stale.version_of(record.updated_at) if record else ""),
        period=period,
        record=record,
        measured=measured,
        staff=staff,
        staff_choices=[(m.id, m.name) for m in staff],
        complex_options=[(c.id, c.name) for c in mine],
        month_options=_month_options(this_month),
        month_key=rules.month_key,
        weights=rules.WEIGHTS,
        threshold=rules.THRESHOLD,
        kpis=list(rules.Kpi),
        errors=errors or FormErrors(),
        problems=problems or FormErrors(),
        values=values or {},
        blank_lines=max(2, len(staff) - len(record.lines) if record else len(staff)),
    )


# --- the resident's survey ----------------------------------------------------------------------------------


async def _open_wave(principal: Principal) -> queries.OpenWave:
    return found(await queries.open_wave_for(principal, clock.today_local()))


class ResidentSurveys(Controller):
    path = "/surveys"
    opt = resident()

    @get("/nps", name="analytics:nps")
    async def nps(self, request: Request, principal: NamedDependency[Principal]) -> Template:
        wave = await _open_wave(principal)
        return render(request, "analytics/nps.html", wave=wave, errors=FormErrors(), values={})

    @post("/nps", name="analytics:nps_answer", status_code=200)
    async def nps_answer(self, request: Request, principal: NamedDependency[Principal], data: FormData) -> Any:
        wave = await _open_wave(principal)
        draft, errors = forms.read_nps(data)
        if draft is None:
            values = {"score": forms.form_value(data, "score"), "comment": forms.form_value(data, "comment")}
            return render(request, "analytics/nps.html", wave=wave, errors=errors, values=values, status_code=422)
        await actions.answer(principal, wave, draft.score, draft.comment, clock.now())
        flash(request, _("Thank you! Your answer is saved."))
        return see_other(request, "/")


async def _home_survey(principal: Principal) -> dict[str, Any] | None:
    """The prompt to answer the NPS survey while a wave is open and the resident has not answered."""
    if principal.is_staff or not principal.is_resident:
        return None
    wave = await queries.open_wave_for(principal, clock.today_local())
    return {"wave": wave} if wave is not None and wave.score is None else None


register_section("nps_survey", 5, "analytics/_home_survey.html", _home_survey)


@jobs.register("nps-waves", 86400, key=lambda now: clock.local(now).date().isoformat())
async def nps_waves(now: datetime) -> None:
    """The scheduled job: a wave in each complex whose last one is six months old (or that never had one)."""
    await actions.open_due_waves(clock.local(now).date())


@jobs.register("analytics-aggregates", 3600, key=lambda now: clock.local(now).strftime("%Y-%m-%dT%H"))
async def analytics_aggregates(now: datetime) -> None:
    """The scheduled job: the dashboard's aggregates of the running month and the one before counted again every
    hour (idempotent per month), and every month of the last year that was never counted."""
    await aggregates.refresh_due(clock.local(now).date())


@jobs.register("analytics-aggregates-nightly", 86400, key=lambda now: clock.local(now).date().isoformat())
async def analytics_aggregates_nightly(now: datetime) -> None:
    """The scheduled job: every month the dashboard offers counted again once a day, so that a request reopened
    or rated after its month was counted, or a late correction, reaches that month's figures."""
    await aggregates.refresh_due(clock.local(now).date(), every=True)


JOBS = [nps_waves, analytics_aggregates, analytics_aggregates_nightly]


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
