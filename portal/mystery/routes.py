"""Pages of the mystery resident: the resident's invitation and month's check (phone first), their stop, the home
page's prompt; the staff's scorecard of a house by month with its trend, remarks and requests, and the invitation of
a resident; the reminder job of the 20th."""

from __future__ import annotations

from datetime import date
from datetime import datetime
from typing import Any

from litestar import Controller
from litestar import Request
from litestar import Response
from litestar import get
from litestar import post
from litestar.response import Template

from portal.core import clock
from portal.core import jobs
from portal.core import storage
from portal.core.home import register_section
from portal.core.i18n import format_day
from portal.core.i18n import gettext
from portal.core.i18n import ngettext
from portal.core.security import Principal
from portal.core.security import StaffRole
from portal.core.security import client_ip
from portal.core.security import resident
from portal.core.security import staff
from portal.core.web import FormData
from portal.core.web import FormErrors
from portal.core.web import MultipartData
from portal.core.web import flash
from portal.core.web import form_value
from portal.core.web import render
from portal.core.web import see_other
from portal.housing.queries import houses_in_scope
from portal.mystery import actions
from portal.mystery import deps
from portal.mystery import forms
from portal.mystery import queries
from portal.mystery import rules
from portal.mystery.deps import Caller
from portal.mystery.deps import LoadedChecker
from portal.tickets.actions import store_photos
from portal.tickets.forms import files_of

MONTHS_OFFERED = 12  # months the staff's scorecard offers, this one the last


def _this_month() -> date:
    return rules.month_of(clock.today_local())


def _words() -> dict[str, Any]:
    return {
        "places": rules.by_place(),
        "place_labels": rules.PLACE_LABELS,
        "status_labels": rules.STATUS_LABELS,
        "points": rules.POINTS,
        "point_by_code": rules.POINT_BY_CODE,
        "max_photos": rules.MAX_PHOTOS,
        "low": rules.LOW,
    }


async def _resident_page(request: Request, principal: Principal, status_code: int = 200, **extra: Any) -> Template:
    checkers = await queries.live_of(principal.user_id)
    month = _this_month()
    return render(
        request, "mystery/resident.html", status_code=status_code, checkers=checkers, month=month,
        due={c.id: rules.is_due(c.status, c.last_month, month) for c in checkers}, **_words(),
        **({"errors": FormErrors(), "typed": {}, "errors_at": None} | extra),
    )  # fmt: skip


class ResidentMystery(Controller):
    """The resident's invitation to check their house, their month's check and their stop."""

    path = "/mystery"
    opt = resident()
    dependencies = deps.RESIDENT

    @get("/", name="mystery:home")
    async def home(self, request: Request, principal: Caller) -> Template:
        return await _resident_page(request, principal)

    @post("/{checker_id:int}/accept", name="mystery:accept", status_code=200)
    async def accept(self, request: Request, principal: Caller, checker: LoadedChecker) -> Response[Any]:
        await actions.accept(principal, checker, clock.now(), ip=client_ip(request))
        flash(request, gettext("Thank you! You check the house from this month: the form is below."))
        return see_other(request, "/mystery")

    @post("/{checker_id:int}/decline", name="mystery:decline", status_code=200)
    async def decline(self, request: Request, principal: Caller, checker: LoadedChecker) -> Response[Any]:
        await actions.decline(principal, checker, clock.now(), ip=client_ip(request))
        flash(request, gettext("The invitation is declined. Thank you for your answer."))
        return see_other(request, "/")

    @post("/{checker_id:int}/stop", name="mystery:stop", status_code=200)
    async def stop(self, request: Request, principal: Caller, checker: LoadedChecker) -> Response[Any]:
        await actions.stop(principal, checker, clock.now(), ip=client_ip(request))
        flash(request, gettext("You no longer check the house. Thank you for your help!"))
        return see_other(request, "/mystery")

    @post("/{checker_id:int}", name="mystery:submit", status_code=200)
    async def submit(self, request: Request, principal: Caller, checker: LoadedChecker, data: MultipartData) -> Any:
        uploads = files_of(data, "photos")
        graded, errors = forms.read_report(data, len(uploads))
        photos = await store_photos(uploads, errors)
        if graded is None or errors:
            return await _resident_page(request, principal, 422, errors=errors, typed=forms.typed(data),
                                        errors_at=checker.id)  # fmt: skip
        with storage.dropped_unless_saved(*[p.key for p in photos]):
            numbers = await actions.submit(
                principal, checker, _this_month(), graded, photos, clock.now(), ip=client_ip(request)
            )
        flash(request, _sent_message(numbers))
        return see_other(request, "/mystery")


def _sent_message(numbers: list[int]) -> str:
    if not numbers:
        return gettext("Thank you! The check is sent.")
    return ngettext(
        "Thank you! The check is sent; %(num)s remark is passed to dispatch without your name.",
        "Thank you! The check is sent; %(num)s remarks are passed to dispatch without your name.",
        len(numbers),
    )


async def _home_section(principal: Principal) -> dict[str, Any] | None:
    """The home page's prompt: an invitation to answer, or the month's check to send (one indexed read; nothing for
    staff, nor for a resident who checks nothing)."""
    if principal.is_staff or not principal.is_resident:
        return None
    month = _this_month()
    shown = [
        c for c in await queries.live_of(principal.user_id)
        if c.status == rules.Status.INVITED or rules.is_due(c.status, c.last_month, month)
    ]  # fmt: skip
    return {"checkers": shown, "month": month} if shown else None


register_section("mystery", 26, "mystery/_home.html", _home_section)


# --- staff ----------------------------------------------------------------------------------------------------------


def _months() -> list[date]:
    return rules.last_months(_this_month(), MONTHS_OFFERED)


class StaffMystery(Controller):
    """The scorecards of the staff member's houses and the invitation of their checkers."""

    path = "/staff/mystery"
    opt = staff(StaffRole.MANAGER)

    @get("/", name="mystery:staff")
    async def index(self, request: Request, principal: Caller) -> Template:
        return await _staff_page(request, principal, request.query_params)

    @post("/invite", name="mystery:invite", status_code=200)
    async def invite(self, request: Request, principal: Caller, data: FormData) -> Any:
        houses = [h.id for h in await houses_in_scope(principal)]
        chosen, errors = forms.read_invite(data, houses)
        if chosen is None:
            return await _staff_page(request, principal, data, 422, errors=errors)
        house_id, user_id = chosen
        await actions.invite(principal, house_id, user_id, clock.now(), ip=client_ip(request))
        flash(request, gettext("The invitation is on the resident's home page."))
        return see_other(request, f"/staff/mystery?house={house_id}")

    @post("/{checker_id:int}/withdraw", name="mystery:withdraw", status_code=200, dependencies=deps.STAFF)
    async def withdraw(self, request: Request, principal: Caller, checker: LoadedChecker) -> Response[Any]:
        """Take a checker off the checks of the house (``actions.withdraw``): they are told."""
        await actions.withdraw(principal, checker, clock.now(), ip=client_ip(request))
        flash(request, gettext("The resident no longer checks the house and is told so."))
        return see_other(request, f"/staff/mystery?house={checker.house_id}")


async def _staff_page(
    request: Request, principal: Principal, query: Any, status_code: int = 200, **extra: Any
) -> Template:
    houses = await houses_in_scope(principal)
    months = _months()
    ids = [h.id for h in houses]
    checked = () if form_value(query, "house") else await queries.checked_houses(ids)
    house_id, month = forms.read_filters(query, ids, months, checked)
    context: dict[str, Any] = {
        "house_options": [(h.id, h.address) for h in houses], "house_id": house_id, "month": month,
        "month_options": [(m.isoformat()[:7], format_day(m, "LLLL y")) for m in reversed(months)],
    }  # fmt: skip
    if house_id is not None:
        trend_months = rules.last_months(month)
        grades = await queries.grades_of(house_id, trend_months)
        by_month = {m: rules.scorecard((g.report_id, g.point, g.grade) for g in grades if g.month == m)
                    for m in trend_months}  # fmt: skip
        before = rules.add_months(month, -1)
        if not form_value(query, "month") and not by_month[month].checks and by_month[before].checks:
            month = context["month"] = before  # early in a month nobody has answered yet: the last month's card
        checkers = await queries.checkers_of(house_id)
        this = _this_month()
        late = [c for c in checkers if rules.is_due(c.status, c.last_month, this)]
        context |= {
            "card": by_month[month], "trend": [(m, by_month[m]) for m in trend_months], "checkers": checkers,
            "late": late, "names": StaffRole.ADMIN in principal.staff_roles,
            "remarks": await queries.remarks(house_id, month),
            "resident_options": [(p.user_id, p.name) for p in await queries.residents_of(house_id)],
            "seats_left": rules.SEATS - len(checkers), "this_month": this,
        }  # fmt: skip
    return render(
        request, "mystery/staff.html", status_code=status_code, **context, **_words(),
        **({"errors": FormErrors()} | extra),
    )  # fmt: skip


# --- the reminder of the 20th ---------------------------------------------------------------------------------------


@jobs.register("mystery-reminders", 3600)
async def mystery_reminders(now: datetime) -> int:
    """Every hour: from the 20th, the active checkers who have not sent the month's check are reminded (once a
    checker and month)."""
    return await actions.send_reminders(now)


JOBS = [mystery_reminders]
