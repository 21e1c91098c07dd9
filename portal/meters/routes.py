"""Resident pages of meters: see the meters of your accounts and pass readings."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from litestar import Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Template

from portal.core.i18n import format_number, gettext
from portal.core.security import Principal, principal_of, resident
from portal.core.web import FormData, FormErrors, flash, form_value, render, see_other
from portal.meters import queries, rules
from portal.settings import get_settings

WINDOW = rules.Window()


def service_label(service: str) -> str:
    return {
        "cold_water": gettext("Cold water"),
        "hot_water": gettext("Hot water"),
        "electricity": gettext("Electricity"),
        "heating": gettext("Heating"),
    }.get(service, service)


def zone_label(zones: int, zone: int) -> str:
    if zones == 1:
        return gettext("Reading")
    return {1: gettext("T1 (day)"), 2: gettext("T2 (night)"), 3: gettext("T3 (half-peak)")}[zone]


def error_message(error: rules.ReadingError, previous: Decimal | None, digits: int) -> str:
    prev = format_number(previous, 3) if previous is not None else ""
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


def _today() -> Any:
    return datetime.now(ZoneInfo(get_settings().time_zone)).date()


def _meter_accounts(principal: Principal) -> list[int]:
    return sorted(a for a in principal.account_ids if principal.may_on_account(a, "meters"))


async def _page(
    request: Request,
    principal: Principal,
    *,
    errors: dict[int, FormErrors] | None = None,
    typed: dict[int, dict[str, str]] | None = None,
    status_code: int = 200,
) -> Template:
    today = _today()
    meters = await queries.meters_of(_meter_accounts(principal), rules.period_of_reading(today, WINDOW))
    return render(
        request,
        "meters/index.html",
        meters=meters,
        window=WINDOW,
        window_open=WINDOW.is_open(today),
        next_period=rules.period_of_reading(today, WINDOW) != rules.first_of_month(today),
        today=today,
        errors=errors or {},
        typed=typed or {},
        service_label=service_label,
        zone_label=zone_label,
        status_code=status_code,
    )


@get("/meters", name="meters:index", opt=resident())
async def meters_index(request: Request) -> Template:
    return await _page(request, await principal_of(request))


@post("/meters/{meter_id:int}", name="meters:submit", opt=resident(), status_code=200)
async def submit_reading(request: Request, meter_id: FromPath[int], data: FormData) -> Template | Response[Any]:
    principal = await principal_of(request)
    meter = await queries.meter_for(meter_id, _meter_accounts(principal))
    if meter is None:
        raise NotFoundException()
    form_errors = FormErrors()
    values: dict[int, Decimal] = {}
    typed: dict[str, str] = {}
    for zone in range(1, meter.zones + 1):
        name = f"zone{zone}"
        text = form_value(data, name)
        typed[name] = text
        value = rules.parse_value(text)
        if value is None:
            form_errors.add(f"{meter.id}-{name}", gettext("Enter the numbers the meter shows, e.g. 123,456."))
        else:
            values[zone] = value
    if not form_errors:
        checks = await queries.submit(
            meter, values, user_id=principal.user_id, now=datetime.now(UTC), today=_today(), window=WINDOW
        )
        views = await queries.meters_of([meter.account], rules.period_of_reading(_today(), WINDOW))
        last = next((v.last for v in views if v.id == meter.id), {})
        for zone, check in checks.items():
            if check.error:
                form_errors.add(f"{meter.id}-zone{zone}", error_message(check.error, last.get(zone), meter.digits))
    if form_errors:
        return await _page(request, principal, errors={meter.id: form_errors}, typed={meter.id: typed}, status_code=422)
    flash(request, gettext("Readings passed. Thank you!"))
    return see_other(request, "/meters")


ROUTES = [meters_index, submit_reading]
