"""Resident pages of requests: list, filing (with photos and current outages first), the applications of their
own forms (the recalculation of a temporary absence, people moved in or out, a meter's commissioning, a debt paid in
parts), the request
with its conversation (polled every 5 s), cancel, confirm, return the work, rate. Staff pages are in routes_staff.py."""

from __future__ import annotations

from collections.abc import Awaitable
from collections.abc import Callable
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import replace
from datetime import date
from datetime import datetime
from datetime import timedelta
from functools import partial
from typing import Any

from litestar import Controller
from litestar import Request
from litestar import Response
from litestar import get
from litestar import post
from litestar.params import FromQuery
from litestar.response import File
from litestar.response import Template

from portal.content import pinned
from portal.core import clock
from portal.core.calendar import is_holiday
from portal.core.calendar import is_working_day
from portal.core.home import register_section
from portal.core.i18n import gettext
from portal.core.i18n import ngettext
from portal.core.pagination import Paging
from portal.core.parse import parse_date
from portal.core.rating import read_rating
from portal.core.rating import typed_rating
from portal.core.security import Principal
from portal.core.security import client_ip
from portal.core.security import resident
from portal.core.security import signed_in
from portal.core.web import FormData
from portal.core.web import FormErrors
from portal.core.web import MultipartData
from portal.core.web import flash
from portal.core.web import form_value
from portal.core.web import question
from portal.core.web import render
from portal.core.web import see_other
from portal.housing.queries import closed_accounts
from portal.meters import words as meter_words
from portal.settings import get_settings
from portal.tickets import actions
from portal.tickets import deps
from portal.tickets import forms
from portal.tickets import queries
from portal.tickets import rules
from portal.tickets.deps import Caller
from portal.tickets.deps import LoadedPhoto
from portal.tickets.deps import LoadedTicket
from portal.tickets.view import TK
from portal.tickets.view import application_filed
from portal.tickets.view import form_answered
from portal.tickets.view import form_typed
from portal.tickets.view import message_posted
from portal.tickets.view import photo_file
from portal.tickets.view import ticket_page


class ResidentTickets(Controller):
    path = "/tickets"
    opt = resident()
    dependencies = deps.RESIDENT

    @get("/", name="tickets:list")
    async def index(self, request: Request, principal: Caller, paging: Paging) -> Template:
        tickets = await queries.resident_tickets(principal, paging)
        return render(request, "tickets/list.html", page=tickets, tk=TK, now=clock.now())

    @get("/new", name="tickets:new")
    async def new(self, request: Request, principal: Caller, category: FromQuery[str] = "") -> Template:
        context = await _new_form(principal, form={"category": category if category in rules.CATEGORY_BY_CODE else ""})
        return render(request, "tickets/new.html", **context)

    @post("/new", name="tickets:create", status_code=200)
    async def create(self, request: Request, principal: Caller, data: MultipartData) -> Response[Any] | Template:
        places = await queries.resident_places(principal)
        uploads = forms.files_of(data, "photos")
        draft, errors = forms.read_new_ticket(data, [p.account_id for p in places], len(uploads))
        photos = await actions.store_photos(uploads, errors)  # a photo refused is said with the rest, at once
        if draft is None or errors:
            form = form_typed(data)
            return render(request, "tickets/new.html", status_code=422, **await _new_form(principal, form, errors))
        opened = await actions.file_by_resident(principal, draft, photos, clock.now(), ip=client_ip(request))
        flash(request, *_filed_message(opened))
        return see_other(request, f"/tickets/{opened.id}")

    @get("/absence", name="tickets:absence")
    async def absence(self, request: Request, principal: Caller, account: FromQuery[str] = "") -> Template:
        return await ABSENCE.page(request, principal, {"account": account})

    @post("/absence", name="tickets:absence_apply", status_code=200)
    async def absence_apply(self, request: Request, principal: Caller, data: MultipartData) -> Response[Any] | Template:
        return await ABSENCE.apply(request, principal, data)

    @get("/residents", name="tickets:residents")
    async def residents(self, request: Request, principal: Caller, account: FromQuery[str] = "") -> Template:
        return await RESIDENTS.page(request, principal, {"account": account})

    @post("/residents", name="tickets:residents_report", status_code=200)
    async def residents_report(
        self, request: Request, principal: Caller, data: MultipartData
    ) -> Response[Any] | Template:
        return await RESIDENTS.apply(request, principal, data)

    @get("/meter-commissioning", name="tickets:meter_commissioning")
    async def meter_commissioning(self, request: Request, principal: Caller, account: FromQuery[str] = "") -> Template:
        return await COMMISSIONING.page(request, principal, {"account": account})

    @post("/meter-commissioning", name="tickets:meter_commissioning_apply", status_code=200)
    async def meter_commissioning_apply(
        self, request: Request, principal: Caller, data: MultipartData
    ) -> Response[Any] | Template:
        return await COMMISSIONING.apply(request, principal, data)

    @get("/lift", name="tickets:lift")
    async def lift(
        self, request: Request, principal: Caller, account: FromQuery[str] = "", day: FromQuery[str] = ""
    ) -> Template:
        return await LIFT.page(request, principal, {"account": account, "day": day})

    @post("/lift", name="tickets:lift_book", status_code=200)
    async def lift_book(self, request: Request, principal: Caller, data: FormData) -> Response[Any] | Template:
        return await LIFT.apply(request, principal, data)

    @get("/warranty", name="tickets:warranty")
    async def warranty(
        self, request: Request, principal: Caller, account: FromQuery[str] = "", where: FromQuery[str] = "",
        kind: FromQuery[str] = "",
    ) -> Template:  # fmt: skip
        return await WARRANTY.page(request, principal, {"account": account, "where": where, "kind": kind})

    @post("/warranty", name="tickets:warranty_report", status_code=200)
    async def warranty_report(
        self, request: Request, principal: Caller, data: MultipartData
    ) -> Response[Any] | Template:
        return await WARRANTY.apply(request, principal, data)

    @get("/instalment", name="tickets:instalment")
    async def instalment(self, request: Request, principal: Caller, account: FromQuery[str] = "") -> Template:
        return await INSTALMENT.page(request, principal, {"account": account})

    @post("/instalment", name="tickets:instalment_apply", status_code=200)
    async def instalment_apply(self, request: Request, principal: Caller, data: FormData) -> Response[Any] | Template:
        return await INSTALMENT.apply(request, principal, data)

    @get("/{ticket_id:int}", name="tickets:detail", opt=signed_in())
    async def detail(self, request: Request, principal: Caller, ticket: LoadedTicket) -> Template | Response[Any]:
        return await ticket_page(request, principal, ticket, staff=False)

    @post("/{ticket_id:int}/messages", name="tickets:message", status_code=200, opt=signed_in())
    async def message(
        self, request: Request, principal: Caller, ticket: LoadedTicket, data: MultipartData
    ) -> Response[Any] | Template:
        return await message_posted(request, principal, ticket, data, staff=False)

    @post("/{ticket_id:int}/cancel", name="tickets:cancel", status_code=200, opt=signed_in())
    async def cancel(
        self, request: Request, principal: Caller, ticket: LoadedTicket, data: FormData
    ) -> Response[Any] | Template:
        if form_value(data, "confirm") != "1":  # final: asked once more, by the dialog or, without it, by a page
            return question(request, "tickets/cancel.html", ticket=ticket, tk=TK)
        await actions.cancel_by_resident(principal, ticket, clock.now(), ip=client_ip(request))
        flash(request, gettext("The request is cancelled."))
        return see_other(request, f"/tickets/{ticket.id}")

    @post("/{ticket_id:int}/confirm", name="tickets:confirm", status_code=200)
    async def confirm(self, request: Request, principal: Caller, ticket: LoadedTicket) -> Response[Any]:
        await actions.confirm_by_resident(principal, ticket, clock.now(), ip=client_ip(request))
        flash(request, gettext("Thank you! The request is closed."))
        return see_other(request, f"/tickets/{ticket.id}")

    @post("/{ticket_id:int}/reopen", name="tickets:reopen", status_code=200)
    async def reopen(
        self, request: Request, principal: Caller, ticket: LoadedTicket, data: FormData
    ) -> Response[Any] | Template:
        def act(reason: str) -> Awaitable[int]:
            return actions.reopen_by_resident(principal, ticket, reason, clock.now(), ip=client_ip(request))

        done = gettext("The request is returned to the dispatcher.")
        read, typed = forms.read_reason(data), form_value(data, "reason")
        return await form_answered(request, principal, ticket, read, act, done, staff=False, reason=typed)

    @post("/{ticket_id:int}/rate", name="tickets:rate", status_code=200)
    async def rate(
        self, request: Request, principal: Caller, ticket: LoadedTicket, data: FormData
    ) -> Response[Any] | Template:
        def act(result: tuple[int, str]) -> Awaitable[int]:
            return actions.rate_ticket(principal, ticket, *result, now=clock.now(), ip=client_ip(request))

        done = gettext("Thank you for the rating!")
        rated = typed_rating(data)
        return await form_answered(request, principal, ticket, read_rating(data), act, done, staff=False, rated=rated)

    @get("/photos/{attachment_id:int}", name="tickets:photo")
    async def photo(self, request: Request, photo: LoadedPhoto) -> File | Template:
        return photo_file(request, photo)


async def _new_form(principal: Principal, form: dict[str, Any], errors: FormErrors | None = None) -> dict[str, Any]:
    places = await queries.resident_places(principal)
    outages = await queries.outages_affecting(places, clock.now())
    return {
        "places": places,
        "outages": outages,
        # The emergencies pinned for this resident (read for the banner already: no query of their own).
        "emergencies": rules.notices_beside(await pinned.for_principal(principal), {o.id for o in outages}),
        "tk": TK,
        "emergency_phone": get_settings().emergency_phone,
        "form": form,
        "errors": errors,
        "closed": await closed_accounts(principal, "tickets", places),
    }


@dataclass(frozen=True)
class OwnForm:
    """A resident's application on a form of its own (a temporary absence, people moved in or out, a meter's
    commissioning): its page with what it shows of the resident's accounts (``context``), how what was posted is
    read (``read``: the form, the page's context, how many files were chosen) and filed (``file``, an action), the
    files of its field ``files`` stored (photos, or with ``documents`` a photo or PDF of a paper). Refused, the page
    comes back with what was typed (422); filed, the request opens."""

    template: str
    context: Callable[[list[queries.Place], Mapping[str, Any]], Awaitable[dict[str, Any]]]
    read: Callable[[Mapping[str, Any], dict[str, Any], int], tuple[Any, FormErrors]]
    file: Callable[..., Awaitable[actions.OpenedTicket]]
    files: str = "photos"
    documents: bool = False
    # Where the form posts, and where the request opens once filed: the call centre's own pages for a caller.
    action: str = ""
    opened: str = "/tickets/{id}"

    async def _shown(
        self, principal: Principal, form: Mapping[str, Any], places: list[queries.Place] | None
    ) -> dict[str, Any]:
        places = await queries.resident_places(principal) if places is None else places
        closed = await closed_accounts(principal, "tickets", places)
        return {"places": places, "closed": closed, "tk": TK, "action": self.action, **await self.context(places, form)}

    async def page(
        self, request: Request, principal: Principal, form: dict[str, Any], places: list[queries.Place] | None = None
    ) -> Template:
        return render(request, self.template, form=form, errors=None, **await self._shown(principal, form, places))

    async def apply(
        self,
        request: Request,
        principal: Principal,
        data: Mapping[str, Any],
        places: list[queries.Place] | None = None,
    ) -> Response[Any] | Template:
        """``places``: the addresses it may be filed for (the caller's account); else the resident's own."""
        form = form_typed(data)
        shown = await self._shown(principal, form, places)
        uploads = forms.files_of(data, self.files)
        application, errors = self.read(data, shown, len(uploads))
        stored = await actions.store_photos(uploads, errors, name=self.files, documents=self.documents)
        if application is not None and not errors:
            try:
                opened = await self.file(principal, application, stored, clock.now(), ip=client_ip(request))
            except forms.FieldRefused as refused:  # taken a moment before: said at its field, with the page now
                errors.add(refused.name, refused.message)
                shown = await self._shown(principal, form, places)
            else:
                return application_filed(request, opened, self.opened)
        return render(request, self.template, status_code=422, form=form, errors=errors, **shown)


def _ids(shown: Mapping[str, Any]) -> list[int]:
    return [p.account_id for p in shown["places"]]


def _chosen_place(places: list[queries.Place], form: Mapping[str, Any]) -> queries.Place | None:
    """The address the form's account chooses; nothing chosen yet, the first one, as its choice shows it; a choice
    not the resident's, none."""
    chosen = form_value(form, "account")
    return next((p for p in places if str(p.account_id) == chosen), None) if chosen else next(iter(places), None)


async def _absence_limits(_places: list[queries.Place], _form: Mapping[str, Any]) -> dict[str, Any]:
    return {"min_days": rules.ABSENCE_MIN_FULL_DAYS, "filing_days": rules.ABSENCE_FILING_DAYS}


async def _residents_choices(_places: list[queries.Place], _form: Mapping[str, Any]) -> dict[str, Any]:
    movements = [(m.value, rules.MOVEMENT_LABELS(m)) for m in rules.Movement]
    return {"ahead_days": rules.RESIDENTS_AHEAD_DAYS, "movements": movements}


async def _meters_of(places: list[queries.Place], _form: Mapping[str, Any]) -> dict[str, Any]:
    """The water meters of the resident's accounts whose place a new meter may take (named with their account's
    number where there are several), a new place last, and the resources of a new one."""
    meters = await queries.water_meters_of([p.account_id for p in places])
    numbers = {p.account_id: p.account_number for p in places} if len(places) > 1 else {}
    options = [(str(m.id), _meter_option(m, numbers.get(m.account_id))) for m in meters]
    options.append((forms.NEW_PLACE, gettext("A new place (there was no meter)")))
    services = [(s, meter_words.service_label(s)) for s in queries.WATER]
    return {"meters": meters, "meter_options": options, "services": services, "ahead_days": rules.VISIT_AHEAD_DAYS}


def _meter_option(meter: queries.MeterPlace, account: str | None) -> str:
    """«Холодная вода № 123, санузел», after the account's number where the resident has several."""
    words = ", ".join(filter(None, [meter_words.meter_name(meter), meter.place]))
    return f"{account}: {words}" if account else words


ABSENCE = OwnForm(
    "tickets/absence.html",
    _absence_limits,
    lambda data, shown, files: forms.read_absence(data, _ids(shown), files, clock.today_local()),
    actions.apply_for_absence_recalculation,
)
RESIDENTS = OwnForm(
    "tickets/residents.html",
    _residents_choices,
    lambda data, shown, files: forms.read_residents_change(data, _ids(shown), files, clock.today_local()),
    actions.report_residents_change,
)


async def _lift_day(places: list[queries.Place], form: Mapping[str, Any]) -> dict[str, Any]:
    """The day a lift booking is made for (typed, else the first day with slots from today) at the address chosen,
    with its slots by the company's rules and those the entrance's bookings hold."""
    settings = get_settings()
    hours = rules.LiftHours(settings.lift_slot_hours, settings.lift_weekday_hours, settings.lift_saturday_hours)
    place = _chosen_place(places, form)
    today, now_local = clock.today_local(), clock.local(clock.now())
    typed = form_value(form, "day")
    day = parse_date(typed) if typed else _first_lift_day(today, now_local, hours)
    slots = rules.lift_slots(day, hours, is_working_day, is_holiday) if day else []
    taken = await queries.taken_hours(place.entrance_id, day) if place and place.entrance_id and day else set()
    lift = forms.LiftDay(
        place, day, slots, taken, rules.free_lift_slots(day, now_local, slots, taken) if day else [], hours.slot,
        rules.lift_day_problem(day, today, slots) if day else None,
    )  # fmt: skip
    carried = [(c.value, rules.CARRIED_LABELS(c)) for c in rules.Carried]
    said = forms.lift_day_message(lift.day_problem) if lift.day_problem else ""
    return {"lift": lift, "carried": carried, "slot_words": forms.slot_words, "ahead_days": rules.LIFT_AHEAD_DAYS,
            "day": day.isoformat() if day else typed, "day_said": said}  # fmt: skip


def _first_lift_day(today: date, now_local: datetime, hours: rules.LiftHours) -> date | None:
    """The first day from today with a slot not begun (the page's day until the resident chooses one)."""
    for ahead in range(rules.LIFT_AHEAD_DAYS + 1):
        day = today + timedelta(days=ahead)
        if rules.free_lift_slots(day, now_local, rules.lift_slots(day, hours, is_working_day, is_holiday), ()):
            return day
    return None


COMMISSIONING = OwnForm(
    "tickets/meter_commissioning.html",
    _meters_of,
    lambda data, shown, files: forms.read_meter_commissioning(
        data, _ids(shown), shown["meters"], files, clock.today_local()
    ),
    actions.apply_for_meter_commissioning,
    files="passport",
    documents=True,
)
LIFT = OwnForm(
    "tickets/lift.html",
    _lift_day,
    lambda data, shown, _files: forms.read_lift_booking(data, shown["lift"], clock.local(clock.now())),
    actions.book_lift,
)
# The call centre books the lift for a caller on the same form, the caller's account its one address.
CALLER_LIFT = replace(
    LIFT,
    file=partial(actions.book_lift, for_caller=True),
    action="/staff/tickets/lift/{account}",
    opened="/staff/tickets/{id}",
)


async def _warranty_terms(places: list[queries.Place], form: Mapping[str, Any]) -> dict[str, Any]:
    """The defects offered by group, and the warranty as it stands for the address chosen (the first one until the
    resident chooses): for the kind chosen, else for both groups (``rules.warranty_state``)."""
    place = _chosen_place(places, form)
    house = (await queries.house_warranties([place.house_id])).get(place.house_id) if place else None
    kind = form_value(form, "kind")
    groups = [rules.DEFECT_KINDS[kind]] if kind in rules.DEFECT_KINDS else list(rules.DefectGroup)
    today = clock.today_local()
    terms = [
        (rules.DEFECT_GROUP_LABELS(g), *rules.warranty_state(g, house.commissioned_on, today))
        for g in groups
        if house and house.commissioned_on
    ]
    kinds = rules.defect_kind_choices()
    wheres = [(w.value, rules.DEFECT_WHERE_LABELS(w)) for w in rules.DefectWhere]
    return {"house": house, "terms": terms, "kinds": kinds, "wheres": wheres, "years": rules.WARRANTY_YEARS}


WARRANTY = OwnForm(
    "tickets/warranty.html",
    _warranty_terms,
    lambda data, shown, files: forms.read_warranty_defect(data, _ids(shown), files, clock.today_local()),
    actions.report_warranty_defect,
)


async def _debts(places: list[queries.Place], _form: Mapping[str, Any]) -> dict[str, Any]:
    """The debt of each of the resident's accounts, and the terms an instalment plan may take."""
    low, high = rules.INSTALMENT_MONTHS
    months = [(n, ngettext("%(num)s month", "%(num)s months", n)) for n in range(low, high + 1)]
    return {"debts": await queries.debts_of(places), "months_options": months, "low": low, "high": high}


INSTALMENT = OwnForm(
    "tickets/instalment.html",
    _debts,
    lambda data, shown, _files: forms.read_instalment(data, shown["debts"]),
    actions.apply_for_instalment,
)


def _filed_message(opened: actions.OpenedTicket) -> tuple[str, str]:
    if opened.emergency:
        message = gettext(
            "Request No. %(number)s is filed and flagged as an emergency. If there is danger, call %(phone)s now.",
            number=opened.number,
            phone=get_settings().emergency_phone,
        )
        return message, "error"
    return gettext("Request No. %(number)s is filed.", number=opened.number), "success"


async def _home_section(principal: Principal) -> queries.HomeSection | None:
    section = await queries.home_section(principal, clock.now())
    return replace(section, tk=TK) if section else None


register_section("tickets", 30, "tickets/home_section.html", _home_section)


async def _home_emergency(principal: Principal) -> dict[str, str] | None:
    """The emergency number on a resident's home page, right under the balances (no query)."""
    if not principal.account_ids:
        return None
    return {"phone": get_settings().emergency_phone}


register_section("emergency_phone", 15, "tickets/_home_emergency.html", _home_emergency)


# Queries each page may run on an ordinary load (the principal read included), asserted on both engines by
# tests/billing/test_query_budgets.py: a change that adds a query to a page raises its number here, on purpose.
QUERY_BUDGETS: dict[str, int] = {
    "/tickets": 4,  # + the unread count at «Ещё» (the navigation)
    "/tickets/new": 5,  # + the unread count at «Ещё» (the navigation)
    "/tickets/{ticket_id:int}": 5,
}
