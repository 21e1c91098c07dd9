"""Resident pages of meters: the meters of your accounts, passing (and correcting) readings with a photo, a meter's
history, and a request to verify a meter past its date."""

from __future__ import annotations

from datetime import date
from typing import Any

from litestar import Controller
from litestar import Request
from litestar import Response
from litestar import get
from litestar import post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import File
from litestar.response import Template

from portal.core import clock
from portal.core import storage
from portal.core.home import register_section
from portal.core.i18n import gettext
from portal.core.security import Principal
from portal.core.security import client_ip
from portal.core.security import resident
from portal.core.web import MultipartData
from portal.core.web import flash
from portal.core.web import render
from portal.core.web import see_other
from portal.housing.queries import closed_accounts
from portal.meters import actions
from portal.meters import deps
from portal.meters import forms
from portal.meters import queries
from portal.meters import reminders
from portal.meters import rules
from portal.meters import words
from portal.meters.deps import Answer
from portal.meters.deps import Caller
from portal.meters.deps import ResidentMeter
from portal.meters.tables import MeterReading

JOBS = [reminders.meter_reminders]  # the reminder job registers itself with the routes


def period_now() -> date:
    return rules.period_of_reading(clock.today_local(), reminders.window())


# Words and names the meters templates build their labels and fields from.
HELPERS: dict[str, Any] = {
    "service_label": words.service_label,
    "zone_label": words.zone_label,
    "zones_label": words.zones_label,
    "unit": words.unit,
    "source_label": words.source_label,
    "status_label": words.status_label,
    "review_label": words.review_label,
    "review_badge": words.review_badge,
    "field_name": forms.field_name,
    "photo_name": forms.photo_name,
    "confirm_name": forms.confirm_name,
    "asks_rollover": rules.asks_rollover,
    "average_months": rules.average_months,
}


def refusal_messages(meters: list[Any], passed: actions.Passed, form: forms.ReadingsForm) -> None:
    """The action's refusals as the form's errors, each next to its field (and the rollover question asked)."""
    by_id = {m.id: m for m in meters}
    for r in passed.refusals:
        if forms.field_name(r.meter_id, r.zone) in form.errors.fields:
            continue  # the value could not be read: that is what its field says
        m = by_id[r.meter_id]
        message = words.error_message(r.error, m.last.get(r.zone), m.digits, m.decimals)
        if r.error in rules.METER_REFUSALS:  # the meter takes no reading: said once, where its fields would stand
            form.add_error(r.meter_id, 1, message, words.meter_name(m))
        else:
            form.add_error(r.meter_id, r.zone, message, words.reading_label(m, r.zone))
        if rules.asks_rollover(r.error):
            form.asked.add(r.meter_id)
    for meter_id in passed.others:  # passed meanwhile from another phone of the household: shown, not overwritten
        form.add_error(
            meter_id, 1, words.passed_by_another(by_id[meter_id], period_now()), words.meter_name(by_id[meter_id])
        )
    for meter_id, code in passed.photo_errors.items():
        form.errors.add(forms.photo_name(meter_id), forms.upload_message(storage.UploadRefused(code)))
    name_fields(meters, form)


def checked_beside(meters: list[Any], form: forms.ReadingsForm, period: date | None = None) -> None:
    """A form with a value it could not read stores nothing; the values it could read are checked all the same,
    so every refusal is said at once (not a lower reading only after the typo beside it is fixed). Each field
    with an error is named for the summary. ``period``: the one readings go to (house meters': their window's)."""
    if form.errors and form.values:
        checks = rules.check_submission(
            {m.id: m for m in meters}, form.values, today=clock.today_local(), period=period or period_now(),
            confirmed=form.confirmed,
        )  # fmt: skip
        refused = [actions.Refusal(m, z, c.error) for m, zones in checks.items() for z, c in zones.items() if c.error]
        refusal_messages(meters, actions.Passed(refusals=refused), form)
    name_fields(meters, form)


def name_fields(meters: list[Any], form: forms.ReadingsForm) -> None:
    """Name each field with an error by its meter and zone («Горячая вода № ГВ000001») in the summary above the
    form: the form reads the values without knowing the meters' names. The summary reads top to bottom as the page
    does (its meters by account, then as listed), not typos first and the refusals of the values after them."""
    on_page: list[str] = []
    # as a page groups them by account (``groupby``: a stable sort); a house's meters are one group
    for m in sorted(meters, key=lambda m: getattr(m, "account_number", "")):
        on_page += [*(forms.field_name(m.id, zone) for zone in range(1, m.zones + 1)), forms.photo_name(m.id)]
    form.errors.order(on_page)
    for m in meters:
        for zone in range(1, m.zones + 1):
            name = forms.field_name(m.id, zone)
            if name in form.errors.fields:
                form.errors.labels.setdefault(name, words.reading_label(m, zone))
        if forms.photo_name(m.id) in form.errors.fields:  # «Файл не является фотографией» of which of the meters
            form.errors.labels.setdefault(forms.photo_name(m.id), words.meter_name(m))


class ResidentMeters(Controller):
    path = "/meters"
    opt = resident()
    dependencies = deps.RESIDENT

    @get("/", name="meters:index")
    async def index(self, request: Request, principal: Caller) -> Template:
        return await _page(request, principal, forms.ReadingsForm())

    @post("/", name="meters:submit", status_code=200)
    async def submit(self, request: Request, principal: Caller, data: MultipartData) -> Answer:
        """All meters in one form: empty ones are skipped; nothing is stored unless every value passes."""
        meters = await queries.meters_of(queries.meter_accounts(principal), period_now())
        form, passed = forms.read_readings(data, [(m.id, m.zones) for m in meters]), actions.Passed()
        checked_beside(meters, form)
        if not form.errors:
            passed = await actions.pass_readings(
                principal, form.values, today=clock.today_local(), now=clock.now(), window=reminders.window(),
                confirmed=form.confirmed, photos=form.photos, seen=form.seen,
            )  # fmt: skip
            refusal_messages(meters, passed, form)
        if passed.others:  # the page again with their values: sent once more, the correction is the user's choice
            return await _page(request, principal, form, meters=meters, status_code=409)
        if form.errors:  # shown again for a mistake: with the readings its page had shown
            return await _page(request, principal, form, meters=meters, status_code=422, seen=form.seen)
        flash(request, _thanks(passed, meters), "info" if passed.flagged else "success")
        return see_other(request, "/meters")

    @get("/{meter_id:int}", name="meters:history")
    async def history(self, request: Request, meter: ResidentMeter) -> Template:
        rows = await queries.history_of(meter.id, meter.decimals)
        period = period_now()
        return render(
            request,
            "meters/history.html",
            meter=meter,
            rows=rows,
            chart=words.bar_chart(queries.chart_points(rows, period)),
            period=period,
            **HELPERS,
        )

    @post("/{meter_id:int}/verification", name="meters:verification", status_code=200)
    async def verification(self, request: Request, principal: Caller, meter: ResidentMeter) -> Response[Any]:
        """File a request to verify or replace the meter (a request in the tickets domain)."""
        number = await actions.request_verification(
            principal, meter.id, today=clock.today_local(), now=clock.now(), ip=client_ip(request)
        )
        flash(request, gettext("Request No. %(number)s is filed: we will call you to agree a time.", number=number))
        return see_other(request, "/meters")

    @get("/photos/{reading_id:int}", name="meters:photo")
    async def photo(self, principal: Caller, reading_id: FromPath[int]) -> File:
        """The photo sent with one of the resident's own readings."""
        accounts = queries.meter_accounts(principal)
        row = await (
            MeterReading.select(MeterReading.photo)
            .where((MeterReading.id == reading_id) & MeterReading.meter.account.is_in(accounts or [0]))
            .first()
        )
        if not row or not row["photo"]:
            raise NotFoundException()
        return storage.response_for(row["photo"])


def _thanks(passed: actions.Passed, meters: list[queries.MeterView]) -> str:
    if passed.flagged:
        # Named, so that a resident who typed 9999 for 399,9 knows which reading to look at again.
        return gettext(
            "Readings passed. Much more than usual: %(meters)s. Check the digits below; if they are right, we will "
            "check them and tell you if anything is wrong.",
            meters=", ".join(words.meter_name(m) for m in meters if m.id in passed.flagged),
        )
    if passed.corrected:
        return gettext("Readings corrected. Thank you!")
    return gettext("Readings passed. Thank you!")


async def _page(
    request: Request,
    principal: Principal,
    form: forms.ReadingsForm,
    *,
    meters: list[queries.MeterView] | None = None,
    status_code: int = 200,
    seen: frozenset[int] | None = None,
) -> Template:
    """The account's meters; the form carries the period's readings it shows (``seen``: those it had shown)."""
    today, window = clock.today_local(), reminders.window()
    period = rules.period_of_reading(today, window)
    accounts = queries.meter_accounts(principal)
    if meters is None:
        meters = await queries.meters_of(accounts, period)
    return render(
        request,
        "meters/index.html",
        meters=meters,
        closed=await closed_accounts(principal, "meters", accounts),
        seen=forms.seen_of(meters) if seen is None else ",".join(str(i) for i in sorted(seen)),
        window=window,
        window_open=window.is_open(today),
        next_period=period != rules.first_of_month(today),
        period=period,
        closes=window.closes(period),
        today=today,
        status_code=status_code,
        **form.shown(),
        **HELPERS,
    )


async def _home_section(principal: Principal) -> queries.HomeReminder | None:
    return await queries.home_reminder(principal, clock.today_local(), reminders.window())


register_section("meters", 20, "meters/_home.html", _home_section)


# Queries each page may run on an ordinary load (the principal read included), asserted on both engines by
# tests/billing/test_query_budgets.py: a change that adds a query to a page raises its number here, on purpose.
QUERY_BUDGETS: dict[str, int] = {
    "/meters": 4,  # + the unread count at «Ещё» (the navigation)
}
