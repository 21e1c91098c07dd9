"""Resident pages of requests: list, filing (with photos and current outages first), the request with its
conversation (polled every 5 s), cancel, confirm, reject the closure, rate. Staff routes are in routes_staff.py."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.response import File, Template

from portal.core import storage
from portal.core.home import register_section
from portal.core.i18n import gettext
from portal.core.pagination import page_request
from portal.core.security import Principal, principal_of, resident
from portal.core.web import FormData, FormErrors, MultipartData, flash, render, see_other
from portal.settings import get_settings
from portal.tickets import forms, queries, rules
from portal.tickets.routes_staff import store_photos, unchanged
from portal.tickets.view import TK


async def _ticket_or_404(principal: Principal, ticket_id: int) -> dict[str, Any]:
    ticket = await queries.ticket_for_resident(principal, ticket_id)
    if ticket is None:
        raise NotFoundException()
    return ticket


@get("/tickets", name="tickets:list", opt=resident())
async def ticket_list(request: Request, page: int = 1, size: int = 30) -> Template:
    principal = await principal_of(request)
    tickets = await queries.resident_tickets(principal, page_request(page, size))
    return render(request, "tickets/list.html", page=tickets, tk=TK, now=queries.utcnow())


async def _new_form(request: Request, principal: Principal, **context: Any) -> dict[str, Any]:
    places = await queries.resident_places(principal)
    outages = await queries.outages_affecting(places, queries.utcnow())
    return {
        "places": places,
        "outages": outages,
        "tk": TK,
        "emergency_phone": get_settings().emergency_phone,
        "form": {},
        "errors": None,
        **context,
    }


@get("/tickets/new", name="tickets:new", opt=resident())
async def new_ticket(request: Request) -> Template:
    principal = await principal_of(request)
    context = await _new_form(request, principal)
    if not context["places"]:
        flash(request, gettext("Your access to the accounts does not include requests. Ask the owner."), "error")
    preset = request.query_params.get("category", "")
    context["form"] = {"category": preset if preset in rules.CATEGORY_BY_CODE else ""}
    return render(request, "tickets/new.html", **context)


@post("/tickets/new", name="tickets:create", opt=resident(), status_code=200)
async def create_ticket(request: Request, data: MultipartData) -> Response[Any] | Template:
    principal = await principal_of(request)
    places = await queries.resident_places(principal)
    uploads = forms.files_of(data, "photos")
    draft, errors = forms.read_new_ticket(data, [p.account_id for p in places], len(uploads))
    photos = await store_photos(uploads, errors) if draft is not None else []
    if draft is None or errors:
        form = {k: v for k, v in data.items() if isinstance(v, str)}
        context = await _new_form(request, principal, form=form, errors=errors)
        return render(request, "tickets/new.html", status_code=422, **context)
    opened = await queries.open_ticket(
        account_id=draft.account_id,
        place=draft.place,
        category=draft.category,
        description=draft.description,
        source="portal",
        author_id=principal.user_id,
        author_name=principal.name,
        photos=photos,
    )
    if opened.emergency:
        flash(
            request,
            gettext(
                "Request No. %(number)s is filed and flagged as an emergency. If there is danger, call %(phone)s now.",
                number=opened.number,
                phone=get_settings().emergency_phone,
            ),
            "error",
        )
    else:
        flash(request, gettext("Request No. %(number)s is filed.", number=opened.number))
    return see_other(request, f"/tickets/{opened.id}")


async def _detail(
    request: Request, ticket_id: int, *, errors: FormErrors | None = None, status: int = 200, **extra: Any
) -> Template | Response[Any]:
    principal = await principal_of(request)
    ticket = await _ticket_or_404(principal, ticket_id)
    events = await queries.conversation(ticket_id, for_resident=True)
    if unchanged(request, events):
        return Response(content=b"", status_code=204)
    since_raw = request.query_params.get("since", "")
    since = int(since_raw) if since_raw.isdigit() else int(ticket["resident_seen_event"] or 0)
    if events:
        await queries.mark_seen(ticket_id, by_staff=False, event_id=events[-1]["id"])
    now = queries.utcnow()
    polled = request.query_params.get("part") == "conversation"
    return render(
        request,
        "tickets/detail.html",
        block="conversation" if polled else "main",
        status_code=status,
        ticket=ticket,
        events=events,
        since=since,
        tk=TK,
        now=now,
        errors=errors,
        emergency_phone=get_settings().emergency_phone,
        may_cancel=rules.resident_may_cancel(ticket["status"]),
        may_confirm=rules.resident_may_confirm(ticket["status"], ticket["completed_at"], now),
        may_reopen=rules.resident_may_reopen(ticket["status"], ticket["completed_at"], now),
        may_rate=rules.resident_may_rate(ticket["status"], ticket["rating"]),
        confirm_days=rules.CONFIRM_DAYS,
        **extra,
    )


@get("/tickets/{ticket_id:int}", name="tickets:detail", opt=resident())
async def ticket_detail(request: Request, ticket_id: int) -> Template | Response[Any]:
    return await _detail(request, ticket_id)


@post("/tickets/{ticket_id:int}/messages", name="tickets:message", opt=resident(), status_code=200)
async def post_message(request: Request, ticket_id: int, data: MultipartData) -> Response[Any] | Template:
    principal = await principal_of(request)
    ticket = await _ticket_or_404(principal, ticket_id)
    uploads = forms.files_of(data, "photos")
    text, errors = forms.read_message(data, len(uploads))
    photos = await store_photos(uploads, errors) if text is not None else []
    if text is None or errors:
        return await _detail(request, ticket_id, errors=errors, status=422, message=data.get("text", ""))
    await queries.add_message(ticket, principal, text, photos, by_staff=False)
    return see_other(request, f"/tickets/{ticket_id}#conversation")


@post("/tickets/{ticket_id:int}/cancel", name="tickets:cancel", opt=resident(), status_code=200)
async def cancel_ticket(request: Request, ticket_id: int) -> Response[Any]:
    principal = await principal_of(request)
    ticket = await _ticket_or_404(principal, ticket_id)
    if rules.resident_may_cancel(ticket["status"]) and await queries.change_status(
        ticket, principal, rules.Status.CANCELLED, by_staff=False, comment=gettext("Cancelled by the resident")
    ):
        flash(request, gettext("The request is cancelled."))
    else:
        flash(
            request,
            gettext("The request is already in work and cannot be cancelled. Write to the dispatcher."),
            "error",
        )
    return see_other(request, f"/tickets/{ticket_id}")


@post("/tickets/{ticket_id:int}/confirm", name="tickets:confirm", opt=resident(), status_code=200)
async def confirm_ticket(request: Request, ticket_id: int) -> Response[Any]:
    principal = await principal_of(request)
    ticket = await _ticket_or_404(principal, ticket_id)
    now = queries.utcnow()
    if rules.resident_may_confirm(ticket["status"], ticket["completed_at"], now) and await queries.change_status(
        ticket, principal, rules.Status.CLOSED, by_staff=False, comment=gettext("The resident confirmed the work")
    ):
        flash(request, gettext("Thank you! The request is closed."))
    else:
        flash(request, gettext("This request cannot be confirmed now."), "error")
    return see_other(request, f"/tickets/{ticket_id}")


@post("/tickets/{ticket_id:int}/reopen", name="tickets:reopen", opt=resident(), status_code=200)
async def reopen_ticket(request: Request, ticket_id: int, data: FormData) -> Response[Any] | Template:
    principal = await principal_of(request)
    ticket = await _ticket_or_404(principal, ticket_id)
    reason, errors = forms.read_reason(data)
    if reason is None:
        return await _detail(request, ticket_id, errors=errors, status=422)
    now = queries.utcnow()
    if rules.resident_may_reopen(ticket["status"], ticket["completed_at"], now) and await queries.change_status(
        ticket, principal, rules.Status.REOPENED, by_staff=False, comment=reason, mark_repeated=True
    ):
        flash(request, gettext("The request is returned to the dispatcher."))
    else:
        flash(request, gettext("The time to return this request has passed. File a new one."), "error")
    return see_other(request, f"/tickets/{ticket_id}")


@post("/tickets/{ticket_id:int}/rate", name="tickets:rate", opt=resident(), status_code=200)
async def rate_ticket(request: Request, ticket_id: int, data: FormData) -> Response[Any] | Template:
    principal = await principal_of(request)
    ticket = await _ticket_or_404(principal, ticket_id)
    result, errors = forms.read_rating(data)
    if result is None:
        return await _detail(request, ticket_id, errors=errors, status=422)
    if not rules.resident_may_rate(ticket["status"], ticket["rating"]):
        flash(request, gettext("This request cannot be rated now."), "error")
        return see_other(request, f"/tickets/{ticket_id}")
    await queries.rate(ticket, principal, result[0], result[1])
    flash(request, gettext("Thank you for the rating!"))
    return see_other(request, f"/tickets/{ticket_id}")


@get("/tickets/photos/{attachment_id:int}", name="tickets:photo", opt=resident())
async def resident_photo(request: Request, attachment_id: int) -> File:
    principal = await principal_of(request)
    attachment = await queries.attachment_for(attachment_id)
    if attachment is None or not attachment["visible_to_resident"]:
        raise NotFoundException()
    await _ticket_or_404(principal, attachment["ticket"])
    return storage.response_for(attachment["file_key"], attachment["content_type"])


async def _home_section(principal: Principal) -> dict[str, Any] | None:
    section = await queries.home_section(principal)
    if section is not None:
        section["tk"] = TK
    return section


register_section("tickets", 30, "tickets/home_section.html", _home_section)


# Queries each page may run on an ordinary load (the principal read included), asserted on both engines by
# tests/billing/test_query_budgets.py: a change that adds a query to a page raises its number here, on purpose.
QUERY_BUDGETS: dict[str, int] = {
    "/tickets": 3,
    "/tickets/new": 4,
    "/tickets/{ticket_id:int}": 5,
}
