"""Resident pages of meters: see the meters of your accounts and pass readings."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.response import Template

from portal.core import clock
from portal.core.home import register_section
from portal.core.i18n import format_number, gettext
from portal.core.security import Principal, resident
from portal.core.web import FormData, flash, render, see_other
from portal.meters import actions, forms, queries, rules
from portal.meters.tables import Service

WINDOW = rules.Window()


def service_label(service: str) -> str:
    return {
        Service.COLD_WATER: gettext("Cold water"),
        Service.HOT_WATER: gettext("Hot water"),
        Service.ELECTRICITY: gettext("Electricity"),
        Service.HEATING: gettext("Heating"),
    }.get(service, service)


def zone_label(zones: int, zone: int) -> str:
    if zones == 1:
        return gettext("Reading")
    return {1: gettext("T1 (day)"), 2: gettext("T2 (night)"), 3: gettext("T3 (half-peak)")}[zone]


def error_message(error: rules.ReadingError, previous: Decimal | None, digits: int) -> str:
    prev = format_number(previous, 3, fixed=True) if previous is not None else ""
    return {
        rules.ReadingError.LESS_THAN_PREVIOUS: gettext(
            "The reading is less than the previous one (%(previous)s). Check the digits.", previous=prev
        ),
        rules.ReadingError.VERIFICATION_EXPIRED: gettext(
            "The meter's verification date has passed, so readings cannot be accepted; this month is charged by the "
            "average. Order a verification in the Requests section."
        ),
        rules.ReadingError.METER_FAILED: gettext(
            "The meter is marked as failed; this month is charged by the average. File a request to replace it."
        ),
        rules.ReadingError.TOO_MANY_DIGITS: gettext(
            "The meter shows at most %(digits)s digits before the comma. Check the reading.", digits=digits
        ),
        rules.ReadingError.TOO_PRECISE: gettext("Too many digits after the comma. Check the reading."),
        rules.ReadingError.NEGATIVE: gettext("A reading cannot be negative."),
    }[error]


class ResidentMeters(Controller):
    path = "/meters"
    opt = resident()

    @get("/", name="meters:index")
    async def index(self, request: Request, principal: NamedDependency[Principal]) -> Template:
        return await _page(request, principal, forms.ReadingsForm())

    @post("/", name="meters:submit", status_code=200)
    async def submit(
        self, request: Request, principal: NamedDependency[Principal], data: FormData
    ) -> Template | Response[Any]:
        """All meters in one form: empty fields are skipped; nothing is stored unless every value passes."""
        meters = await queries.meters_of(queries.meter_accounts(principal), _period())
        form = forms.read_readings(data, [(m.id, m.zones) for m in meters])
        if not form.errors:
            refusals = await actions.pass_readings(
                principal, form.values, today=clock.today_local(), now=clock.now(), window=WINDOW
            )
            by_id = {m.id: m for m in meters}
            for r in refusals:
                form.add_error(
                    r.meter_id,
                    r.zone,
                    error_message(r.error, by_id[r.meter_id].last.get(r.zone), by_id[r.meter_id].digits),
                )
        if form.errors:
            return await _page(request, principal, form, meters=meters, status_code=422)
        flash(request, gettext("Readings passed. Thank you!"))
        return see_other(request, "/meters")


def _period() -> Any:
    return rules.period_of_reading(clock.today_local(), WINDOW)


async def _page(
    request: Request,
    principal: Principal,
    form: forms.ReadingsForm,
    *,
    meters: list[queries.MeterView] | None = None,
    status_code: int = 200,
) -> Template:
    today = clock.today_local()
    if meters is None:
        meters = await queries.meters_of(queries.meter_accounts(principal), _period())
    return render(
        request,
        "meters/index.html",
        meters=meters,
        window=WINDOW,
        window_open=WINDOW.is_open(today),
        next_period=_period() != rules.first_of_month(today),
        today=today,
        errors=form.errors,
        typed=form.typed,
        field_name=forms.field_name,
        service_label=service_label,
        zone_label=zone_label,
        status_code=status_code,
    )


async def _home_section(principal: Principal) -> queries.HomeReminder | None:
    return await queries.home_reminder(principal, clock.today_local(), WINDOW)


register_section("meters", 20, "meters/_home.html", _home_section)


# Queries each page may run on an ordinary load (the principal read included), asserted on both engines by
# tests/billing/test_query_budgets.py: a change that adds a query to a page raises its number here, on purpose.
QUERY_BUDGETS: dict[str, int] = {
    "/meters": 3,
}
