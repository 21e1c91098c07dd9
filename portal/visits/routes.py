"""Pages of visits to the client centre: the resident's booking (purpose, day, time, comment; phone first, plain
forms with HTMX refreshing the times when the day changes), the visit's page with what to bring, its calendar file
and its cancellation, «Мои записи»; the staff's day of a centre with its marks and cancellations."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from datetime import datetime
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from litestar import Controller
from litestar import Request
from litestar import Response
from litestar import get
from litestar import post
from litestar.di import NamedDependency
from litestar.di import Provide
from litestar.params import FromPath
from litestar.response import Template

from portal.accounts.queries import people_of_account
from portal.content.rules import EventFacts
from portal.content.rules import ics
from portal.core import clock
from portal.core import jobs
from portal.core import stale
from portal.core.exports import attachment
from portal.core.i18n import gettext
from portal.core.i18n import ngettext
from portal.core.parse import parse_date
from portal.core.parse import parse_id
from portal.core.rating import read_rating
from portal.core.rating import typed_rating
from portal.core.security import Principal
from portal.core.security import StaffRole
from portal.core.security import client_ip
from portal.core.security import resident
from portal.core.security import staff
from portal.core.web import FormData
from portal.core.web import FormErrors
from portal.core.web import Refused
from portal.core.web import among
from portal.core.web import flash
from portal.core.web import form_value
from portal.core.web import found
from portal.core.web import render
from portal.core.web import see_other
from portal.housing.deps import provide_account
from portal.housing.queries import AccountView
from portal.settings import get_settings
from portal.visits import actions
from portal.visits import deps
from portal.visits import forms
from portal.visits import queries
from portal.visits import rules
from portal.visits.deps import Caller
from portal.visits.deps import LoadedVisit
from portal.visits.queries import Centre
from portal.visits.queries import Choice
from portal.visits.queries import VisitView
from portal.visits.tables import VisitCentre


def _words() -> dict[str, Any]:
    return {
        "purposes": list(rules.Purpose),
        "purpose_labels": rules.PURPOSE_LABELS,
        "status_labels": rules.STATUS_LABELS,
        "bring": rules.BRING,
        "max_comment": rules.MAX_COMMENT,
    }


async def _times(chosen: Choice, typed: Mapping[str, str], visitor: int | None) -> dict[str, Any]:
    """The days with a free time at the chosen centre, the chosen day (or the first) and its free times, and how
    many upcoming visits the visitor holds."""
    now, zone = clock.now(), clock.zone()
    first, last = rules.window(now, zone)
    taken = await queries.taken(chosen.centre.id, clock.day_start(first), clock.day_start(last + timedelta(days=1)))
    slots = rules.free_slots(chosen.centre.hours, now, zone, taken)
    days = rules.days_of(slots, zone)
    day = among(parse_date(typed["day"]), days) or (days[0] if days else None)
    return {
        "days": days, "day": day,
        "times": [s for s in slots if s.starts_at.astimezone(zone).date() == day],
        "upcoming": await queries.upcoming_count(visitor, now) if visitor else 0,
    }  # fmt: skip


async def _booking_page(
    request: Request, principal: Principal, given: Mapping[str, Any], status_code: int = 200, **extra: Any
) -> Template:
    """The booking form: the resident's centres, the days with a free time and the free times of the chosen day,
    with what was typed kept."""
    choices = await queries.centres_for(principal)
    typed = forms.typed(given)
    chosen: Choice | None = None
    if choices:
        wanted = among(parse_id(typed["centre"]), [c.centre.id for c in choices])
        chosen = next((c for c in choices if c.centre.id == wanted), choices[0])
    context: dict[str, Any] = {
        "choices": choices, "chosen": chosen, "typed": typed, "days": [], "times": [], "day": None, "upcoming": 0,
        "centre_options": [(c.centre.id, c.centre.title) for c in choices], "action": "/visits/new",
    }  # fmt: skip
    if chosen is not None:
        context |= await _times(chosen, typed, principal.user_id)
    return render(
        request, "visits/book.html", status_code=status_code, block=extra.pop("block", "main"), **context,
        **_words(), **({"errors": FormErrors()} | extra),
    )  # fmt: skip


def calendar_file(visit: VisitView) -> bytes:
    """The visit as an .ics file for the resident's calendar, in their words."""
    settings = get_settings()
    facts = EventFacts(
        id=visit.id, title=gettext("Client centre: %(purpose)s", purpose=rules.PURPOSE_LABELS.shown(visit.purpose)),
        text=rules.BRING.shown(visit.purpose), starts_at=visit.starts_at, ends_at=visit.ends_at,
        place=visit.centre_address or visit.centre_title, link=f"{settings.base_url}/visits/{visit.id}",
    )  # fmt: skip
    host = urlsplit(settings.base_url).hostname or "portal"
    return ics(facts, zone=settings.time_zone, base_url=settings.base_url, stamp=clock.now(),
               uid=f"visit-{visit.id}@{host}")  # fmt: skip


def _visit_page(request: Request, visit: VisitView, status_code: int = 200, **refused: Any) -> Template:
    """The resident's visit: what to bring and its cancellation while booked, its rating once attended; ``refused``:
    the rating's form refused (its ``errors`` and what was typed)."""
    now = clock.now()
    return render(
        request, "visits/visit.html", status_code=status_code, visit=visit,
        may_cancel=rules.may_cancel(visit.status, visit.starts_at, now),
        upcoming=rules.is_upcoming(visit.status, visit.starts_at, now),
        may_rate=rules.may_rate(visit.status, visit.rating), **_words(), **({"errors": FormErrors()} | refused),
    )  # fmt: skip


class ResidentVisits(Controller):
    """The resident's visits to their complex's client centre."""

    path = "/visits"
    opt = resident()
    dependencies = deps.RESIDENT

    @get("/", name="visits:mine")
    async def mine(self, request: Request, principal: Caller) -> Template:
        visits = await queries.visits_of(principal.user_id) if principal.user_id else []
        now = clock.now()
        upcoming = [v for v in visits if rules.is_upcoming(v.status, v.starts_at, now)]
        past = [v for v in visits if v not in upcoming]
        return render(request, "visits/mine.html", upcoming=list(reversed(upcoming)), past=past, **_words())

    @get("/new", name="visits:new")
    async def new(self, request: Request, principal: Caller) -> Template:
        return await _booking_page(request, principal, request.query_params, block="times")

    @post("/new", name="visits:book", status_code=200)
    async def book(self, request: Request, principal: Caller, data: FormData) -> Any:
        if form_value(data, "show"):  # «show the free times»: the day (or centre) changed, nothing is booked
            return await _booking_page(request, principal, data, block="times")
        choices = await queries.centres_for(principal)
        booking, errors = forms.read_booking(data, [c.centre.id for c in choices], clock.zone())
        if booking is None:
            return await _booking_page(request, principal, data, 422, errors=errors)
        choice = next(c for c in choices if c.centre.id == booking.centre_id)
        try:
            visit_id = await actions.book(principal, choice, booking, clock.now(), ip=client_ip(request))
        except actions.SeatTaken as taken:
            errors.add("time", str(taken))
            return await _booking_page(request, principal, data, 409, errors=errors)
        flash(request, gettext("You are booked."))
        return see_other(request, f"/visits/{visit_id}")

    @get("/{visit_id:int}", name="visits:show")
    async def show(self, request: Request, visit: LoadedVisit) -> Template:
        return _visit_page(request, visit)

    @get("/{visit_id:int}/visit.ics", name="visits:ics")
    async def ics(self, visit: LoadedVisit) -> Response[bytes]:
        return attachment(calendar_file(visit), "text/calendar; charset=utf-8", f"visit-{visit.id}.ics")

    @post("/{visit_id:int}/rate", name="visits:rate", status_code=200)
    async def rate(self, request: Request, principal: Caller, visit: LoadedVisit, data: FormData) -> Any:
        rated, errors = read_rating(data)
        if rated is None:
            return _visit_page(request, visit, 422, errors=errors, rated=typed_rating(data))
        await actions.rate(principal, visit, *rated, clock.now(), ip=client_ip(request))
        flash(request, gettext("Thank you for the rating!"))
        return see_other(request, f"/visits/{visit.id}")

    @post("/{visit_id:int}/cancel", name="visits:cancel", status_code=200)
    async def cancel(self, request: Request, principal: Caller, visit: LoadedVisit) -> Response[Any]:
        await actions.cancel(principal, visit, clock.now(), ip=client_ip(request))
        flash(request, gettext("The visit is cancelled."))
        return see_other(request, "/visits")


# --- staff ----------------------------------------------------------------------------------------------------------

STAFF_ROLES = (StaffRole.OPERATOR, StaffRole.MANAGER)
ACCOUNT = {"account": Provide(provide_account)}  # within the staff member's houses: another's is 404
LoadedAccount = NamedDependency[AccountView]


async def _staff_page(
    request: Request, principal: Principal, query: Mapping[str, Any], status_code: int = 200, **extra: Any
) -> Template:
    centres = await queries.staff_centres(principal)
    centre = None
    if centres:
        wanted = among(parse_id(form_value(query, "centre")), [c.id for c in centres])
        centre = next((c for c in centres if c.id == wanted), centres[0])
    today = clock.today_local()
    day: date = parse_date(form_value(query, "day")) or today
    rows = (
        await queries.day_of(principal, centre.id, clock.day_start(day), clock.day_start(day + timedelta(days=1)))
        if centre
        else []
    )
    since = clock.now() - rules.RATINGS_OVER
    ratings = await queries.ratings_of(principal, centre.id, since) if centre else None
    return render(
        request, "visits/staff.html", status_code=status_code, centres=centres, centre=centre, day=day, today=today,
        ratings=ratings,
        rows=rows, before=day - timedelta(days=1), after=day + timedelta(days=1), now=clock.now(),
        hour=timedelta(hours=1), centre_options=[(c.id, c.title) for c in centres],
        open_hours=rules.open_hours(centre.hours, day) if centre else None, **_words(),
        **({"errors": FormErrors(), "errors_at": None, "typed": {}} | extra),
    )  # fmt: skip


async def _staff_booking_page(
    request: Request, account: AccountView, given: Mapping[str, Any], status_code: int = 200, **extra: Any
) -> Template:
    """The call centre's booking for a caller of ``account``: the account's people with a sign-in or a caller
    without one (their name and phone), what the visit is about, the free days and times of their complex's
    centre, a comment; what was typed kept."""
    typed = forms.typed(given)
    centre = None if account.closed_on else await queries.centre_of_house(account.house_id)
    visitors = await people_of_account(account.id) if centre else []
    visitor = among(parse_id(typed["visitor"]), [v.user_id for v in visitors])
    if visitor is None and len(visitors) == 1 and typed["visitor"] != forms.CALLER:
        visitor = visitors[0].user_id
    chosen = Choice(centre, account.id) if centre else None
    context: dict[str, Any] = {
        "choices": [chosen] if chosen else [], "chosen": chosen, "typed": typed, "days": [], "times": [],
        "day": None, "upcoming": 0, "centre_options": [], "staff_account": account, "visitors": visitors,
        "visitor": visitor or (forms.CALLER if typed["visitor"] == forms.CALLER or not visitors else None),
        "action": f"/staff/visits/accounts/{account.id}/new", "max_caller_name": rules.MAX_CALLER_NAME,
    }  # fmt: skip
    if chosen is not None:
        context |= await _times(chosen, typed, visitor)
    return render(
        request, "visits/book.html", status_code=status_code, block=extra.pop("block", "main"), **context,
        **_words(), **({"errors": FormErrors()} | extra),
    )  # fmt: skip


def _refused_at(refused: Exception, visitor: int | forms.Caller) -> str:
    """The field a refused staff booking is said at: the time taken meanwhile, or the visitor's limit."""
    if isinstance(refused, actions.SeatTaken):
        return "time"
    return "caller_phone" if isinstance(visitor, forms.Caller) else "visitor"


def _booked_words(visitor: int | forms.Caller) -> str:
    if isinstance(visitor, forms.Caller):
        return gettext("The visit is booked; the caller is told by SMS when, where and what to bring.")
    return gettext("The visit is booked; the resident is told when, where and what to bring.")


def _day_link(centre_id: int, moment: datetime) -> str:
    day = moment.astimezone(clock.zone()).date()
    return f"/staff/visits?centre={centre_id}&day={day.isoformat()}"


def _back(visit: VisitView) -> str:
    return _day_link(visit.centre_id, visit.starts_at)


class StaffVisits(Controller):
    """A centre's day for its staff: who comes when, and what became of each visit."""

    path = "/staff/visits"
    opt = staff(*STAFF_ROLES)
    dependencies = deps.STAFF

    @get("/", name="visits:staff")
    async def index(self, request: Request, principal: Caller) -> Template:
        return await _staff_page(request, principal, request.query_params)

    @get("/accounts/{account_id:int}/new", name="visits:staff_new", dependencies=ACCOUNT)
    async def new_for(self, request: Request, principal: Caller, account: LoadedAccount) -> Template:
        return await _staff_booking_page(request, account, request.query_params, block="times")

    @post("/accounts/{account_id:int}/new", name="visits:staff_book", status_code=200, dependencies=ACCOUNT)
    async def book_for(self, request: Request, principal: Caller, account: LoadedAccount, data: FormData) -> Any:
        """The call centre books a visit for a caller: a person of the account (told in their language, they see it
        in «Мои записи») or a caller without a sign-in (told by SMS), the same rules as a resident's own booking."""
        if form_value(data, "show"):
            return await _staff_booking_page(request, account, data, block="times")
        centre = None if account.closed_on else await queries.centre_of_house(account.house_id)
        if centre is None:
            return await _staff_booking_page(request, account, data, 409)
        visitors = [v.user_id for v in await people_of_account(account.id)]
        visitor, booking, errors = forms.read_booking_for(data, visitors, centre.id, clock.zone())
        if visitor is None or booking is None:
            return await _staff_booking_page(request, account, data, 422, errors=errors)
        try:
            visit_id = await actions.book(
                principal, Choice(centre, account.id), booking, clock.now(), ip=client_ip(request), visitor=visitor
            )
        except (actions.SeatTaken, Refused) as refused:  # the time taken meanwhile, or the visitor's limit
            errors.add(_refused_at(refused, visitor), str(refused))
            return await _staff_booking_page(request, account, data, 409, errors=errors)
        flash(request, _booked_words(visitor))
        return see_other(request, _day_link(centre.id, booking.starts_at) + f"#visit-{visit_id}")

    @post("/{visit_id:int}/attended", name="visits:attended", status_code=200)
    async def attended(self, request: Request, principal: Caller, visit: LoadedVisit) -> Response[Any]:
        await actions.mark(principal, visit, True, clock.now(), ip=client_ip(request))
        flash(request, gettext("Marked: came."))
        return see_other(request, _back(visit))

    @post("/{visit_id:int}/no-show", name="visits:no_show", status_code=200)
    async def no_show(self, request: Request, principal: Caller, visit: LoadedVisit) -> Response[Any]:
        await actions.mark(principal, visit, False, clock.now(), ip=client_ip(request))
        flash(request, gettext("Marked: did not come. The resident is told how to book again."))
        return see_other(request, _back(visit))

    @post("/{visit_id:int}/cancel", name="visits:staff_cancel", status_code=200)
    async def cancel(self, request: Request, principal: Caller, visit: LoadedVisit, data: FormData) -> Any:
        reason, errors = forms.read_reason(data)
        if reason is None:
            day = visit.starts_at.astimezone(clock.zone()).date().isoformat()
            typed = {"reason": form_value(data, "reason")}
            where = {"centre": str(visit.centre_id), "day": day}
            return await _staff_page(request, principal, where, 422, errors=errors, errors_at=visit.id, typed=typed)
        await actions.staff_cancel(principal, visit, reason, clock.now(), ip=client_ip(request))
        flash(request, gettext("The visit is cancelled; the resident is told why."))
        return see_other(request, _back(visit))


# --- a centre's settings ---------------------------------------------------------------------------------------------


async def provide_centre(principal: NamedDependency[Principal], centre_id: FromPath[int]) -> Centre:
    return found(await queries.staff_centre(principal, centre_id))


def _centre_values(centre: Centre) -> dict[str, str]:
    return {name: str(getattr(centre, name)) for name in forms.CENTRE_FIELDS}


def _centre_page(
    request: Request,
    centre: Centre,
    typed: Mapping[str, str],
    version: str | None,
    status_code: int = 200,
    errors: FormErrors | None = None,
) -> Template:
    return render(
        request, "visits/centre.html", status_code=status_code, centre=centre, typed=typed, version=version or "",
        errors=errors or FormErrors(), slot_bounds=rules.SLOT_MINUTES, desk_bounds=rules.DESKS,
    )  # fmt: skip


class CentreSettings(Controller):
    """A client centre's week, slot and desks, kept by the company's admin and the managers of its complex."""

    path = "/staff/visits/centres"
    opt = staff(StaffRole.MANAGER)
    dependencies = {"centre": Provide(provide_centre)}

    @get("/{centre_id:int}", name="visits:centre")
    async def show(self, request: Request, centre: NamedDependency[Centre]) -> Template:
        version = await stale.current(VisitCentre, centre.id)
        return _centre_page(request, centre, _centre_values(centre), version)

    @post("/{centre_id:int}", name="visits:centre_save", status_code=200)
    async def save(self, request: Request, principal: Caller, centre: NamedDependency[Centre], data: FormData) -> Any:
        values, errors = forms.read_centre(data)
        version = stale.typed(data)
        if values is None:
            return _centre_page(request, centre, forms.typed_centre(data), version, 422, errors)
        try:
            unfit = await actions.edit_centre(principal, centre, values, version, clock.now(), ip=client_ip(request))
        except stale.Stale as exc:  # shown again with the version now: saved once more, it is the user's choice
            stale.say(errors, exc.change, forms.CENTRE_FIELDS)
            now = await stale.current(VisitCentre, centre.id)
            return _centre_page(request, centre, forms.typed_centre(data), now, 409, errors)
        flash(request, gettext("The centre's settings are saved."))
        if unfit:
            flash(request, ngettext(
                "%(num)s booked visit does not fit the new hours or desks: it stays, call the resident if needed.",
                "%(num)s booked visits do not fit the new hours or desks: they stay, call the residents if needed.",
                unfit, num=unfit,
            ))  # fmt: skip
        return see_other(request, f"/staff/visits?centre={centre.id}")


# --- the reminder a day before ---------------------------------------------------------------------------------------


@jobs.register("visits-reminders", 900)
async def visits_reminders(now: datetime) -> int:
    """Every 15 minutes: the visits starting within a day are reminded to their residents (once a visit)."""
    return await actions.send_reminders(now)


JOBS = [visits_reminders]
