"""Resident pages of meters: see the meters of your accounts and pass readings."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from litestar import Request, Response, get, post
from litestar.response import Template

from portal.core.home import register_section
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


@post("/meters", name="meters:submit", opt=resident(), status_code=200)
async def submit_readings(request: Request, data: FormData) -> Template | Response[Any]:
    """All meters in one form: empty fields are skipped; nothing is stored unless every value passes."""
    principal = await principal_of(request)
    accounts = _meter_accounts(principal)
    today = _today()
    meters = {m.id: m for m in await queries.meters_of(accounts, rules.period_of_reading(today, WINDOW))}
    errors: dict[int, FormErrors] = {}
    typed: dict[int, dict[str, str]] = {}
    wanted: dict[int, dict[int, Decimal]] = {}
    for meter in meters.values():
        for zone in range(1, meter.zones + 1):
            text = form_value(data, f"m{meter.id}z{zone}")
            typed.setdefault(meter.id, {})[f"zone{zone}"] = text
            if not text:
                continue
            value = rules.parse_value(text)
            if value is None:
                errors.setdefault(meter.id, FormErrors()).add(
                    f"{meter.id}-zone{zone}", gettext("Enter the numbers the meter shows, e.g. 123,456.")
                )
            else:
                wanted.setdefault(meter.id, {})[zone] = value
    if not wanted and not errors:
        errors[0] = FormErrors(general=[gettext("Enter at least one reading.")])
    if not errors:
        tables = {m.id: m for m in await queries.meters_by_id(list(wanted), accounts)}
        checks = queries.check_all(
            tables,
            wanted,
            {m.id: m.last for m in meters.values()},
            today=today,
            averages={m.id: m.average for m in meters.values()},
        )
        for meter_id, zones in checks.items():
            for zone, check in zones.items():
                if check.error:
                    errors.setdefault(meter_id, FormErrors()).add(
                        f"{meter_id}-zone{zone}",
                        error_message(check.error, meters[meter_id].last.get(zone), meters[meter_id].digits),
                    )
        if not errors:
            await queries.store_all(
                tables, wanted, checks, user_id=principal.user_id, now=datetime.now(UTC), today=today, window=WINDOW
            )
    if errors:
        return await _page(request, principal, errors=errors, typed=typed, status_code=422)
    flash(request, gettext("Readings passed. Thank you!"))
    return see_other(request, "/meters")


async def _home_section(principal: Principal) -> dict[str, Any] | None:
    """«Передайте показания до 25 ноября» while the window is open and a meter still waits for this month."""
    accounts = _meter_accounts(principal)
    today = _today()
    if not accounts or not WINDOW.is_open(today):
        return None
    meters = await queries.meters_of(accounts, rules.period_of_reading(today, WINDOW))
    waiting = [m for m in meters if not m.this_period and not m.failed]
    if not waiting:
        return None
    return {"waiting": len(waiting), "until": today.replace(day=WINDOW.end_day)}


register_section("meters", 20, "meters/_home.html", _home_section)


ROUTES = [meters_index, submit_readings]
