"""Staff pages of meters (menu «Показания»): the period's readings with filters, the review of implausible ones,
accounts without readings, the call centre entering readings by phone, the export to the billing system, meters
per premise and their import, house (ОДПУ) meters with their monthly readings.

Every record in a path is loaded only within the user's houses (404 for a missing one and a forbidden one alike).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from collections.abc import Awaitable
from collections.abc import Callable
from datetime import date
from typing import Any

from litestar import Controller
from litestar import Request
from litestar import Response
from litestar import get
from litestar import post
from litestar.exceptions import NotFoundException
from litestar.params import FromQuery
from litestar.response import File
from litestar.response import Template

from portal.billing import outage_reductions
from portal.core import clock
from portal.core import stale
from portal.core import storage
from portal.core.csv_stream import Streamed
from portal.core.head import is_head
from portal.core.i18n import format_day
from portal.core.i18n import gettext
from portal.core.import_pages import ImportPage
from portal.core.import_pages import table_words
from portal.core.pagination import Paging
from portal.core.pagination import page_request
from portal.core.parse import parse_id
from portal.core.security import Principal
from portal.core.security import client_ip
from portal.core.security import staff
from portal.core.threads import written
from portal.core.web import FormData
from portal.core.web import Refused
from portal.core.web import flash
from portal.core.web import form_value
from portal.core.web import is_fragment_request
from portal.core.web import render
from portal.core.web import see_other
from portal.housing import queries as housing
from portal.meters import actions
from portal.meters import deps
from portal.meters import export
from portal.meters import exporting
from portal.meters import forms
from portal.meters import imports
from portal.meters import queries
from portal.meters import reminders
from portal.meters import rules
from portal.meters import words
from portal.meters.deps import Answer
from portal.meters.deps import Caller
from portal.meters.deps import LoadedAccount
from portal.meters.deps import LoadedExport
from portal.meters.deps import LoadedHouse
from portal.meters.deps import LoadedHouseMeter
from portal.meters.deps import LoadedMeter
from portal.meters.deps import LoadedPremise
from portal.meters.deps import LoadedReading
from portal.meters.routes import HELPERS
from portal.meters.routes import checked_beside
from portal.meters.routes import period_now
from portal.meters.routes import refusal_messages
from portal.meters.tables import Review
from portal.meters.tables import Service
from portal.meters.tables import Source
from portal.notifications.channels import deliver_soon
from portal.tickets import queries as ticket_queries

READERS = staff("manager", "operator", "accountant")
WRITERS = staff("manager", "operator")
REGISTRY = staff("manager")
EXPORTERS = staff("manager", "accountant")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _options(houses: list[housing.HouseRef] = (), places: list[housing.ComplexView] = ()) -> dict[str, Any]:  # type: ignore[assignment]
    return {
        "house_options": [(h.id, h.address) for h in houses],
        "complex_options": [(c.id, c.name) for c in places],
        "service_options": [(s.value, words.service_label(s)) for s in Service],
        "source_options": [(s.value, words.source_label(s)) for s in Source],
        "state_options": [
            ("missing", gettext("Without a reading")),
            ("implausible", gettext("Implausible")),
            ("pending", gettext("Awaiting review")),
            ("recount", gettext("To recount in billing")),
        ],
        "period_options": [(f"{p:%Y-%m}", format_day(p, "LLLL y")) for p in _months()],
        "period_key": lambda p: f"{p:%Y-%m}",
        "meter_state": words.meter_state,
        **HELPERS,
    }


def _months() -> list[date]:
    """The months the lists offer: the current one and the twelve before it."""
    return [rules.months_back(period_now(), n) for n in range(13)]


async def _filter(
    request: Request, principal: Principal
) -> tuple[forms.ListFilter, list[housing.HouseRef], list[housing.ComplexView]]:
    """The list's filters, with the houses and complexes of the user's to choose from."""
    houses, places = await housing.houses_in_scope(principal), await housing.complexes(principal)
    f = forms.read_filter(request.query_params, _months(), [h.id for h in houses], [c.id for c in places])
    return f, houses, places


async def _export_filter(request: Request, principal: Principal) -> forms.ListFilter:
    """The month and house a file for billing is of. One the address names that is none of those offered (a link
    kept from long ago) is refused, not exported as the current month or every house: the export would be recorded
    for a month not asked for, and clear that month's marks to recount."""
    f, _, _ = await _filter(request, principal)
    if forms.list_filter_problems(request.query_params, f, ("period", "house", "complex"))[1]:
        raise Refused(
            gettext("No file is made: the address names a month or a house that is not on the list; choose them here."),
            back="/staff/meters",
        )
    if not f.one_house:
        raise Refused(
            gettext("Files for billing are made for one house or for every house: choose one house, or none."),
            back="/staff/meters",
        )
    return f


class StaffMeters(Controller):
    """The staff pages of meters: the period's readings, the accounts without them, the review, the export; the call
    centre; the meters of a premise; house meters."""

    path = "/staff/meters"
    opt = READERS
    dependencies = deps.STAFF

    @get("/", name="meters:staff")
    async def readings(self, request: Request, principal: Caller, paging: Paging) -> Template:
        f, houses, places = await _filter(request, principal)
        page = await queries.readings_page(principal, f, paging)
        pending = await queries.pending_count(principal, f.period)
        recount = await queries.recount_count(principal, f.period)
        _, problems = forms.list_filter_problems(request.query_params, f)
        made = await _made_export(principal, f)
        return render(
            request, "meters/staff_list.html", page=page, f=f, pending=pending, recount=recount, problems=problems,
            redrawn=is_fragment_request(request), made=made, **_options(houses, places),
        )  # fmt: skip

    @get("/missing", name="meters:missing")
    async def missing(self, request: Request, principal: Caller, paging: Paging) -> Template:
        f, houses, places = await _filter(request, principal)
        page = await queries.missing_accounts_page(principal, f, paging)
        _, problems = forms.list_filter_problems(request.query_params, f, ("period", "house", "complex", "service"))
        return render(
            request, "meters/staff_missing.html", page=page, f=f, problems=problems,
            redrawn=is_fragment_request(request), **_options(houses, places),
        )  # fmt: skip

    @get("/review", name="meters:review")
    async def review(self, request: Request, principal: Caller, paging: Paging) -> Template:
        page = await queries.review_queue(principal, paging)
        return render(request, "meters/staff_queue.html", page=page, **_options())

    @get("/readings/{reading_id:int}", name="meters:reading")
    async def reading(self, request: Request, principal: Caller, reading: LoadedReading) -> Template:
        return _reading_page(request, principal, reading, forms.ReviewForm())

    @get("/readings/{reading_id:int}/photo", name="meters:staff_photo")
    async def photo(self, reading: LoadedReading) -> File:
        if not reading.photo:
            raise NotFoundException()
        return storage.response_for(reading.photo)

    @post("/readings/{reading_id:int}/accept", name="meters:accept", opt=WRITERS, status_code=200)
    async def accept(self, request: Request, principal: Caller, reading: LoadedReading) -> Answer:
        if await actions.accept_reading(principal, reading, now=clock.now(), ip=client_ip(request)):
            form = forms.ReviewForm()
            form.errors.general.append(
                gettext("A later reading is lower: this one cannot be accepted as it is. Correct or reject it.")
            )
            return _reading_page(request, principal, reading, form, status_code=422)
        return _told(request, gettext("The reading is accepted."), _next_review(request))

    @post("/readings/{reading_id:int}/correct", name="meters:correct", opt=WRITERS, status_code=200)
    async def correct(self, request: Request, principal: Caller, reading: LoadedReading, data: FormData) -> Answer:
        form = forms.read_review(data, len(reading.values), values=True, note_required=True)
        form.typed[stale.FIELD] = version = stale.typed(data)
        try:
            refusals = (
                []
                if form.errors
                else await actions.correct_reading(
                    principal, reading, form.values, form.note, now=clock.now(), ip=client_ip(request), version=version
                )
            )
        except stale.Stale as exc:  # the form again, with what was typed and the reading's version now
            _say_stale(form, exc.change, reading)
            return _reading_page(request, principal, reading, form, status_code=409)
        for r in refusals:
            message = words.error_message(r.error, reading.facts.last.get(r.zone), reading.facts.digits)
            form.errors.add(f"z{r.zone}", message)
        if form.errors:
            return _reading_page(request, principal, reading, form, status_code=422)
        deliver_soon()
        return _told(request, gettext("The reading is corrected; the resident is told why."), _next_review(request))

    @post("/readings/{reading_id:int}/reject", name="meters:reject", opt=WRITERS, status_code=200)
    async def reject(self, request: Request, principal: Caller, reading: LoadedReading, data: FormData) -> Answer:
        form = forms.read_review(data, len(reading.values), values=False, note_required=True, note_field="reason")
        if form.errors:
            return _reading_page(request, principal, reading, form, status_code=422)
        await actions.reject_reading(principal, reading, form.note, now=clock.now(), ip=client_ip(request))
        deliver_soon()
        return _told(
            request, gettext("The reading is rejected; the resident is asked to pass it again."), _next_review(request)
        )

    @get("/export.csv", name="meters:export_csv", opt=EXPORTERS)
    async def export_csv(self, request: Request, principal: Caller) -> Streamed:
        f = await _export_filter(request, principal)
        return Streamed(
            export.csv_chunks(_exported(request, principal, f)),
            media_type="text/csv",
            headers={"Content-Disposition": f'attachment; filename="readings-{f.period:%Y-%m}.csv"'},
        )

    @post("/export.xlsx", name="meters:export_xlsx", opt=EXPORTERS, status_code=200)
    async def export_xlsx(self, request: Request, principal: Caller) -> Response[Any]:
        """Start the XLSX of the filter's month and house (a minute at 20,000 accounts: a job, not the request);
        the export's page shows its progress, then offers the file."""
        f = await _export_filter(request, principal)
        run, started = await exporting.start(principal, f.period, f.export_house, ip=client_ip(request))
        if not started:
            flash(request, gettext("This file is being prepared already; its progress is below."), "info")
        return see_other(request, f"/staff/meters/exports/{run.id}")

    @get("/exports/{export_id:int}", name="meters:export", opt=EXPORTERS)
    async def export_page(self, request: Request, principal: Caller, export: LoadedExport) -> Template:
        """The export's progress (the fragment the page polls while it runs), then its file, or its failure."""
        houses = {h.id: h.address for h in await housing.houses_in_scope(principal)}
        block = "export" if is_fragment_request(request) else "main"
        return render(request, "meters/staff_export.html", block=block, run=export, now=clock.now(),
                      where=houses.get(export.house_id or 0, ""), **_options())  # fmt: skip

    @get("/exports/{export_id:int}/file", name="meters:export_file", opt=EXPORTERS)
    async def export_file(self, export: LoadedExport) -> File:
        """The file, to staff who may export every house it covers now, within the day it is kept."""
        if not export.offered(clock.now()):
            raise NotFoundException()
        return File(path=exporting.path_of(export.file), filename=export.file_name, media_type=XLSX)

    @get("/export-recalculations.csv", name="meters:export_recalculations", opt=EXPORTERS)
    async def export_recalculations(self, request: Request, principal: Caller) -> Response[bytes]:
        """The month's recalculations for outages, the CSV that goes with the readings' CSV."""
        f = await _export_filter(request, principal)
        rows = await outage_reductions.of_period(f.period, rules.export_houses(principal.house_ids, f.export_house))
        disposition = f'attachment; filename="recalculations-{f.period:%Y-%m}.csv"'
        return Response(
            await written(export.recalculations_csv, rows),
            media_type="text/csv",
            headers={"Content-Disposition": disposition},
        )

    # --- the call centre: an operator finds the caller's account and enters the readings they dictate ----------

    @get("/entry", name="meters:entry", opt=WRITERS)
    async def entry(self, request: Request, principal: Caller) -> Template:
        q = form_value(request.query_params, "q")[:100]
        found = await housing.list_accounts(principal, page_request(1, 10), q) if q else None
        return render(request, "meters/staff_entry.html", q=q, found=found, **HELPERS)

    @get("/accounts/{account_id:int}", name="meters:account", opt=WRITERS)
    async def account_form(self, request: Request, account: LoadedAccount) -> Template:
        return await _account_page(request, account, forms.ReadingsForm())

    @post("/accounts/{account_id:int}", name="meters:account_enter", opt=WRITERS, status_code=200)
    async def enter(self, request: Request, principal: Caller, account: LoadedAccount, data: FormData) -> Answer:
        meters = await queries.meters_of([account.id], period_now())
        form = forms.read_readings(data, [(m.id, m.zones) for m in meters])
        checked_beside(meters, form)
        if not form.errors:
            passed = await actions.enter_readings(
                principal, account.id, form.values, today=clock.today_local(), now=clock.now(),
                window=reminders.window(), confirmed=form.confirmed, ip=client_ip(request),
            )  # fmt: skip
            refusal_messages(meters, passed, form)
        if form.errors:
            return await _account_page(request, account, form, meters=meters, status_code=422)
        return _told(
            request,
            gettext("Readings of account %(number)s are entered.", number=account.number),
            "/staff/meters/entry",
        )

    # --- the meters of a premise (through its accounts): the list, a new meter, its card, a replacement --------

    @get("/premises/{premise_id:int}", name="meters:premise")
    async def premise_page(
        self, request: Request, premise: LoadedPremise, application: FromQuery[str] = ""
    ) -> Template:
        applied = await _applied(application, premise_id=premise.id)
        return await _premise_page(request, premise, forms.MeterForm(typed=applied))

    @post("/premises/{premise_id:int}", name="meters:premise_add", opt=REGISTRY, status_code=200)
    async def add(self, request: Request, principal: Caller, premise: LoadedPremise, data: FormData) -> Answer:
        form = forms.read_meter(data, with_status=False)
        accounts = {a.id: a for a in await housing.accounts_of_premise(premise.id)}
        account = _chosen_account(data, accounts, form)
        if form.errors or account is None:
            return await _premise_page(request, premise, form, status_code=422)
        meter_id = await actions.create_meter(principal, account, form.values, now=clock.now(), ip=client_ip(request))
        return _told(request, gettext("The meter is added."), f"/staff/meters/meter/{meter_id}")

    @get("/meter/{meter_id:int}", name="meters:meter")
    async def meter_page(
        self, request: Request, principal: Caller, meter: LoadedMeter, application: FromQuery[str] = ""
    ) -> Template:
        form, new = forms.MeterForm(typed=_typed(meter)), forms.MeterForm(typed=await _applied(application, meter.id))
        return await _meter_page(request, principal, meter, form, new, version=stale.carried(meter))

    @post("/meter/{meter_id:int}", name="meters:meter_save", opt=REGISTRY, status_code=200)
    async def save(self, request: Request, principal: Caller, meter: LoadedMeter, data: FormData) -> Answer:
        form, typed = forms.read_meter(data), stale.typed(data)  # shown again for a mistake: the version it had
        if form.errors:
            return await _meter_page(request, principal, meter, form, forms.MeterForm(), status_code=422, version=typed)
        try:
            await actions.update_meter(principal, meter, form.values, today=clock.today_local(), now=clock.now(),
                                       ip=client_ip(request), version=typed)  # fmt: skip
        except stale.Stale as exc:  # the card again, with what was typed and the meter's version now
            stale.say(form.errors, exc.change)
            return await _meter_page(request, principal, meter, form, forms.MeterForm(), status_code=409,
                                     version=stale.carried(meter))  # fmt: skip
        return _told(request, gettext("The meter is saved."), f"/staff/meters/meter/{meter.id}")

    @post("/meter/{meter_id:int}/verification", name="meters:verify", opt=REGISTRY, status_code=200)
    async def verify(self, request: Request, principal: Caller, meter: LoadedMeter, data: FormData) -> Answer:
        last_change = (await queries.last_changes([meter.id])).get(meter.id)
        card = forms.MeterForm(typed=_typed(meter))

        async def page(form: forms.VerificationForm, status_code: int, version: str | None) -> Template:
            return await _meter_page(request, principal, meter, card, forms.MeterForm(), form, status_code, version)

        form, path = _verification_form(data, meter, last_change), f"/staff/meters/meter/{meter.id}"
        return await _verification_recorded(request, principal, meter, form, data, actions.record_verification, page,
                                            path)  # fmt: skip

    @post("/meter/{meter_id:int}/replace", name="meters:replace", opt=REGISTRY, status_code=200)
    async def replace(self, request: Request, principal: Caller, meter: LoadedMeter, data: FormData) -> Answer:
        new = forms.read_meter(data, with_status=False)
        if new.errors:
            current = forms.MeterForm(typed=_typed(meter))
            return await _meter_page(request, principal, meter, current, new, status_code=422)
        new_id = await actions.replace_meter(
            principal, meter, new.values, today=clock.today_local(), now=clock.now(), ip=client_ip(request)
        )
        return _told(
            request,
            gettext("The meter is replaced; the new one takes the readings from now on."),
            f"/staff/meters/meter/{new_id}",
        )

    # --- house meters (ОДПУ) and the month's readings entered by staff -----------------------------------------

    @get("/house-meter/{house_meter_id:int}", name="meters:house_meter")
    async def house_meter_page(self, request: Request, house_meter: LoadedHouseMeter) -> Template:
        return _house_meter_page(request, house_meter)

    @post("/house-meter/{house_meter_id:int}/verification", name="meters:house_verify", opt=REGISTRY, status_code=200)
    async def house_verify(
        self, request: Request, principal: Caller, house_meter: LoadedHouseMeter, data: FormData
    ) -> Answer:

        async def page(form: forms.VerificationForm, status_code: int, version: str | None) -> Template:
            return _house_meter_page(request, house_meter, form, status_code, version)

        form = _verification_form(data, house_meter, None)  # a house meter keeps no history of its dates
        path = f"/staff/meters/house-meter/{house_meter.id}"
        return await _verification_recorded(request, principal, house_meter, form, data,
                                            actions.record_house_verification, page, path)  # fmt: skip

    @get("/houses", name="meters:houses")
    async def houses(self, request: Request, principal: Caller) -> Template:
        return render(request, "meters/staff_houses.html", houses=await housing.houses_in_scope(principal))

    @get("/houses/{house_id:int}", name="meters:house")
    async def house_page(self, request: Request, house: LoadedHouse) -> Template:
        return await _house_page(request, house, forms.ReadingsForm(), forms.MeterForm())

    @post("/houses/{house_id:int}/readings", name="meters:house_readings", opt=WRITERS, status_code=200)
    async def house_readings(self, request: Request, principal: Caller, house: LoadedHouse, data: FormData) -> Answer:
        today = clock.today_local()
        period = rules.period_of_reading(today, reminders.house_window())
        meters = {m.id: m for m in await queries.house_meters(house.id, period)}
        form = forms.read_readings(data, [(m.id, m.zones) for m in meters.values()])
        checked_beside(list(meters.values()), form, period)
        if not form.errors:
            refusals = await actions.enter_house_readings(
                principal,
                meters,
                form.values,
                period=period,
                today=today,
                now=clock.now(),
                confirmed=form.confirmed,
                ip=client_ip(request),
            )
            refusal_messages(list(meters.values()), actions.Passed(refusals=refusals), form)
        if form.errors:
            return await _house_page(request, house, form, forms.MeterForm(), status_code=422)
        return _told(request, gettext("The house meters' readings are saved."), f"/staff/meters/houses/{house.id}")

    @post("/houses/{house_id:int}/meters", name="meters:house_meter_add", opt=REGISTRY, status_code=200)
    async def add_house_meter(self, request: Request, principal: Caller, house: LoadedHouse, data: FormData) -> Answer:
        form = forms.read_meter(data, with_status=False)
        if form.errors:
            return await _house_page(request, house, forms.ReadingsForm(), form, status_code=422)
        await actions.create_house_meter(principal, house.id, form.values, now=clock.now(), ip=client_ip(request))
        return _told(request, gettext("The house meter is added."), f"/staff/meters/houses/{house.id}")


async def _made_export(principal: Principal, f: forms.ListFilter) -> exporting.Run | None:
    """The XLSX of the list's month and house being prepared, or ready, for a staff member who exports."""
    if not f.one_house or not principal.has_role("manager", "accountant"):
        return None
    return await exporting.latest(principal, f.period, f.export_house, clock.now())


def _told(request: Request, message: str, path: str) -> Response[Any]:
    """After a change: the message shown once at the top of the page the user is sent on to."""
    flash(request, message)
    return see_other(request, path)


def _exported(request: Request, principal: Principal, f: forms.ListFilter) -> AsyncIterator[queries.ExportRow]:
    """The lines of a file for billing. Once written, the month is recorded as exported and its marks to recount are
    cleared; a HEAD (a link checker's, a monitor's) runs the same GET, and reads the lines without either."""
    if is_head(request):
        return queries.export_rows(principal, f.period, f.export_house)
    houses = rules.export_houses(principal.house_ids, f.export_house)
    return actions.exported_rows(principal, f.period, f.export_house, houses, now=clock.now(), ip=client_ip(request))


def _say_stale(form: forms.ReviewForm, change: stale.Change, reading: queries.StaffReading) -> None:
    """A correction refused as stale: who changed the reading and when, «changed» at its values (audited as
    ``zone N``), and the form carrying the reading's version now."""
    zones = {f"zone {z}": f"z{z}" for z in reading.values}
    stale.say(form.errors, change, zones.values(), zones)
    form.typed[stale.FIELD] = reading.version


def _next_review(request: Request) -> str:
    back = form_value(request.query_params, "back")
    return back if back in ("/staff/meters/review", "/staff/meters") else "/staff/meters/review"


def _reading_page(
    request: Request,
    principal: Principal,
    reading: queries.StaffReading,
    form: forms.ReviewForm,
    status_code: int = 200,
) -> Template:
    return render(
        request,
        "meters/staff_reading.html",
        r=reading,
        form=form,
        errors=form.errors,
        may_review=principal.has_role("manager", "operator"),
        from_list=_next_review(request) == "/staff/meters",
        status_code=status_code,
        **HELPERS,
    )


async def _account_page(
    request: Request,
    account: housing.AccountView,
    form: forms.ReadingsForm,
    *,
    meters: list[queries.MeterView] | None = None,
    status_code: int = 200,
) -> Template:
    period = period_now()
    if meters is None:
        meters = await queries.meters_of([account.id], period)
    return render(
        request,
        "meters/staff_account.html",
        account=account,
        meters=meters,
        period=period,
        today=clock.today_local(),
        status_code=status_code,
        **form.shown(),
        **HELPERS,
    )


async def _applied(ticket: str, meter_id: int | None = None, *, premise_id: int | None = None) -> dict[str, str]:
    """The new meter form prefilled from a resident's application for a meter's commissioning (the request
    ``ticket``): its resource, serial number, place and next verification, installed on the day the request was done
    (the visit that sealed it), on the account it was filed for. Only the application of this meter's replacement
    (``meter_id``) or of a new place of this premise (``premise_id``) prefills it; any other, nothing."""
    from portal.tickets.queries import meter_application

    ticket_id = parse_id(ticket)
    application = await meter_application(ticket_id) if ticket_id is not None else None
    if application is None or application.meter != meter_id:
        return {}
    if premise_id is not None and application.premise_id != premise_id:
        return {}
    done = application.completed_at.astimezone(clock.zone()).date() if application.completed_at else None
    return {
        "service": application.service,
        "serial": application.serial,
        "place": application.place,
        "next_verification": application.next_verification.isoformat(),
        "installed_on": done.isoformat() if done else "",
        "account": str(application.account_id or ""),
    }


def _chosen_account(data: Any, accounts: dict[int, Any], form: forms.MeterForm) -> int | None:
    wanted = form_value(data, "account")
    form.typed["account"] = wanted
    if len(accounts) == 1 and not wanted:
        return next(iter(accounts))
    chosen = next((a for a in accounts if str(a) == wanted), None)
    if chosen is None:
        form.errors.add("account", gettext("Choose the account the meter's readings go to."))
    return chosen


def _typed(meter: queries.StaffMeter) -> dict[str, str]:
    values = meter.as_values()
    return {
        k: (v.strftime("%Y-%m-%d") if isinstance(v, date) else "" if v is None else str(v)) for k, v in values.items()
    }


async def _premise_page(
    request: Request, premise: housing.PremiseView, form: forms.MeterForm, status_code: int = 200
) -> Template:
    accounts = await housing.accounts_of_premise(premise.id)
    return render(
        request,
        "meters/staff_premise.html",
        premise=premise,
        accounts=accounts,
        account_options=[(a.id, f"{a.number} — {a.payer_name}") for a in accounts],
        meters=await queries.meters_of_premise(premise.id),
        today=clock.today_local(),
        form=form,
        errors=form.errors,
        status_code=status_code,
        **_options(),
    )


# The fields of a verification form, marked when a stale one is refused (the audit log names more of a meter's).
VERIFICATION_FIELDS = ("verified_on", "next_verification")


async def _meter_page(
    request: Request,
    principal: Principal,
    meter: queries.StaffMeter,
    form: forms.MeterForm,
    new: forms.MeterForm,
    verification: forms.VerificationForm | None = None,
    status_code: int = 200,
    version: str | None = None,
) -> Template:
    """The meter's card; its edit form carries ``version`` (the meter's as read, or the one the form had)."""
    rows = await queries.history_of(meter.id, meter.decimals)
    today = clock.today_local()
    verification = verification or forms.VerificationForm(typed={"verified_on": today.isoformat()})
    asked = [meter.verification_ticket] if meter.verification_ticket else []
    return render(
        request,
        "meters/staff_meter.html",
        meter=meter,
        rows=rows,
        chart=words.bar_chart(queries.chart_points(rows, period_now())),
        form=form,
        version=version if version is not None else stale.carried(meter),
        new=new,
        errors=form.errors,
        new_errors=new.errors,
        verification=verification,
        today=today,
        status_options=[(s, words.status_label(s)) for s in ("active", "failed", "removed")],
        may_edit=principal.has_role("manager"),
        openable=await ticket_queries.openable_for_staff(principal, asked),
        status_code=status_code,
        **_options(),
    )


def _verification_form(
    data: FormData, meter: queries.MeterPassport, last_change: date | None
) -> forms.VerificationForm:
    """A verification typed on a meter's card, a flat's or a house's, checked against the meter's dates."""
    bounds = {"installed_on": meter.installed_on, "previous": meter.verified_on, "last_change": last_change}
    return forms.read_verification(data, today=clock.today_local(), bounds=bounds)


async def _verification_recorded(
    request: Request,
    principal: Principal,
    meter: Any,
    form: forms.VerificationForm,
    data: FormData,
    record: Callable[..., Awaitable[None]],
    page: Callable[[forms.VerificationForm, int, str | None], Awaitable[Template]],
    path: str,
) -> Answer:
    """A verification typed from the technician's paper, recorded on a flat's meter or a house meter (``record``):
    refused, ``page`` (the meter's card) comes back with the dates typed and the version the form had (422); read
    at another version, with the meter's version now and the fields changed meanwhile (409); recorded, ``path``."""
    typed = stale.typed(data)
    if form.errors or form.verified_on is None or form.next_verification is None:
        return await page(form, 422, typed)
    try:
        await record(principal, meter, verified_on=form.verified_on, next_verification=form.next_verification,
                     now=clock.now(), ip=client_ip(request), version=typed)  # fmt: skip
    except stale.Stale as exc:
        stale.say(form.errors, exc.change, VERIFICATION_FIELDS)
        return await page(form, 409, None)
    return _told(request, gettext("The verification is recorded."), path)


def _house_meter_page(
    request: Request,
    meter: queries.StaffHouseMeter,
    verification: forms.VerificationForm | None = None,
    status_code: int = 200,
    version: str | None = None,
) -> Template:
    """A house meter's card; its verification form carries ``version`` (the meter's as read, or the one it had)."""
    today = clock.today_local()
    verification = verification or forms.VerificationForm(typed={"verified_on": today.isoformat()})
    version = version if version is not None else stale.carried(meter)
    return render(request, "meters/staff_house_meter.html", meter=meter, verification=verification, today=today,
                  status_code=status_code, version=version, **_options())  # fmt: skip


async def _house_page(
    request: Request,
    house: housing.HouseView,
    readings: forms.ReadingsForm,
    new: forms.MeterForm,
    status_code: int = 200,
) -> Template:
    today = clock.today_local()
    period = rules.period_of_reading(today, reminders.house_window())
    meters = await queries.house_meters(house.id, period)
    return render(
        request,
        "meters/staff_house.html",
        house=house,
        meters=meters,
        charts_of={m.id: words.bar_chart(_house_points(m, period)) for m in meters},
        period=period,
        window=reminders.house_window(),
        today=today,
        new=new,
        new_errors=new.errors,
        status_code=status_code,
        **readings.shown(),
        **_options(),
    )


def _house_points(meter: queries.HouseMeterView, period: date) -> list[rules.Point]:
    rows = [
        queries.HistoryRow(p, z, v, u, clock.now(), Source.STAFF, Review.NONE, "", 0) for p, z, v, u in meter.history
    ]
    return queries.chart_points(rows, period)


# --- the import of meters ----------------------------------------------------------------------------------------


def _meters_applied(kind: str, report: Any) -> tuple[str, str]:
    changes = sum(report.created.values()) + sum(report.updated.values())
    return gettext(
        "Meters imported. Rows: %(rows)s; changes: %(n)s.", rows=report.rows, n=changes
    ), "/staff/meters/import"


# Meters from a CSV or XLSX file: check and preview first, then apply what was previewed.
meter_import = ImportPage(
    path="/staff/meters/import",
    access=REGISTRY,
    names=("meters:import", "meters:import_check", "meters:import_status", "meters:import_apply"),
    template="meters/staff_import.html",
    words=table_words(imports.COLUMNS, imports.REQUIRED_COLUMNS, imports.ENTITIES, imports.entity_labels),
    importers={"meters": imports.METERS},
    max_bytes=imports.MAX_BYTES,
    no_file=lambda: gettext("Choose a CSV or XLSX file."),
    applied=_meters_applied,
).router()
