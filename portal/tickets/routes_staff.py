"""Dispatch back office: the request list (tabs, filters in the URL, columns, print, export), the work page of a
request, call-centre filing, executors' own page, outages."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from litestar import Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.response import File, Stream, Template

from portal.core import storage
from portal.core.i18n import gettext
from portal.core.pagination import page_request
from portal.core.security import Principal, principal_of, staff
from portal.core.web import FormData, FormErrors, MultipartData, flash, form_value, render, see_other
from portal.housing.tables import Entrance, Riser
from portal.settings import get_settings
from portal.tickets import export, filters, forms, queries, rules
from portal.tickets.view import TK

ANY_STAFF = ("dispatcher", "operator", "manager", "executor")
MANAGERS = ("dispatcher", "operator", "manager")


async def store_photos(uploads: list[Any], errors: FormErrors) -> list[storage.StoredFile]:
    """Store every uploaded photo; a refused one adds an error (and nothing is kept when any is refused)."""
    stored: list[storage.StoredFile] = []
    for upload in uploads:
        try:
            stored.append(await storage.save_image(upload))
        except storage.UploadRefused as refused:
            errors.add("photos", forms.upload_message(refused.code, refused.name))
    if errors:
        for item in stored:
            storage.delete(item.key)
        return []
    return stored


async def _ticket_or_404(principal: Principal, ticket_id: int) -> dict[str, Any]:
    ticket = await queries.ticket_for_staff(principal, ticket_id)
    if ticket is None:
        raise NotFoundException()
    return ticket


async def _columns(principal: Principal, request: Request) -> list[str]:
    saved = await queries.saved_columns(principal.user_id or 0)
    return filters.read_columns(saved)


@get("/staff/tickets", name="tickets:staff_list", opt=staff(*ANY_STAFF))
async def staff_list(request: Request) -> Template:
    principal = await principal_of(request)
    tz = get_settings().time_zone
    f = filters.read_filters(request.query_params, tz)
    params = request.query_params
    page = await queries.staff_list(principal, f, page_request(params.get("page"), params.get("size")))
    printable = params.get("print") == "1"
    return render(
        request,
        "tickets/staff_print.html" if printable else "tickets/staff_list.html",
        block=None if printable else ("list" if params.get("part") == "list" else "main"),
        page=page,
        f=f,
        raw=_raw_filters(request),
        columns=await _columns(principal, request),
        houses=await queries.houses_for(principal),
        executors=await queries.executors(),
        counts=await queries.tab_counts(principal),
        may_export=principal.has_role(*MANAGERS),
        executor_only=queries.is_executor_only(principal),
        tk=TK,
        now=queries.utcnow(),
    )


def _raw_filters(request: Request) -> dict[str, Any]:
    """What was typed in the filter form (to show it back as typed)."""
    params = request.query_params
    return {key: params.getall(key) if len(params.getall(key)) > 1 else params.get(key) for key in params}


@get("/staff/tickets/export", name="tickets:export", opt=staff(*MANAGERS))
async def export_list(request: Request) -> Response[Any]:
    principal = await principal_of(request)
    tz = get_settings().time_zone
    f = filters.read_filters(request.query_params, tz)
    columns = list(filters.COLUMNS)  # the report carries every column, whatever the screen shows
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M")
    rows = queries.export_rows(principal, f)
    if request.query_params.get("format") == "xlsx":
        body = await export.xlsx_bytes(rows, columns, tz)
        return Response(
            body,
            media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            headers={"Content-Disposition": f'attachment; filename="requests-{stamp}.xlsx"'},
        )
    return Stream(
        export.csv_chunks(rows, columns, tz),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="requests-{stamp}.csv"'},
    )


@post("/staff/tickets/columns", name="tickets:columns", opt=staff(*ANY_STAFF), status_code=200)
async def save_columns(request: Request, data: FormData) -> Response[Any]:
    principal = await principal_of(request)
    chosen = data.get("column", [])
    await queries.save_columns(
        principal.user_id or 0, filters.read_columns(chosen if isinstance(chosen, list) else [chosen])
    )
    back = form_value(data, "back")
    return see_other(request, "/staff/tickets" + (back if back.startswith("?") else ""))


@get("/staff/tickets/new", name="tickets:staff_new", opt=staff(*MANAGERS))
async def staff_new(request: Request) -> Template:
    return render(request, "tickets/staff_new.html", form={"source": "phone"}, errors=None, tk=TK)


@post("/staff/tickets/new", name="tickets:staff_create", opt=staff(*MANAGERS), status_code=200)
async def staff_create(request: Request, data: FormData) -> Response[Any] | Template:
    principal = await principal_of(request)
    draft, errors = forms.read_staff_new(data)
    account = await queries.account_by_number(principal, draft.account_number) if draft else None
    if draft is not None and account is None:
        errors.add("account_number", gettext("No personal account with this number in your houses."))
    if draft is None or account is None or errors:
        return render(request, "tickets/staff_new.html", status_code=422, form=dict(data), errors=errors, tk=TK)
    opened = await queries.open_ticket(
        account_id=account["id"],
        place=draft.place,
        category=draft.category,
        ticket_type=draft.ticket_type or None,
        description=draft.description,
        source=draft.source,
        author_name=principal.name,
        created_by=principal.user_id,
        contact_name=draft.contact_name or account["payer_name"],
        contact_phone=draft.contact_phone,
        by_staff=True,
    )
    flash(request, gettext("Request No. %(number)s is filed.", number=opened.number))
    return see_other(request, f"/staff/tickets/{opened.id}")


def unchanged(request: Request, events: list[dict[str, Any]]) -> bool:
    """A poll of the conversation that has nothing newer than what the page shows (answered 204: no swap)."""
    params = request.query_params
    last = params.get("last", "")
    if params.get("part") != "conversation" or not last.isdigit():
        return False
    return (events[-1]["id"] if events else 0) <= int(last)


async def _detail(
    request: Request, ticket_id: int, *, errors: FormErrors | None = None, status: int = 200
) -> Template | Response[Any]:
    principal = await principal_of(request)
    ticket = await _ticket_or_404(principal, ticket_id)
    events = await queries.conversation(ticket_id, for_resident=False)
    if unchanged(request, events):
        return Response(content=b"", status_code=204)
    since_raw = request.query_params.get("since", "")
    since = int(since_raw) if since_raw.isdigit() else int(ticket["staff_seen_event"] or 0)
    if events:
        await queries.mark_seen(ticket_id, by_staff=True, event_id=events[-1]["id"])
    executor_only = queries.is_executor_only(principal)
    moves = rules.allowed_moves(ticket["status"])
    if executor_only:
        moves = [m for m in moves if m in rules.EXECUTOR_MOVES]
    polled = request.query_params.get("part") == "conversation"
    outages = [] if executor_only else await queries.staff_outages(principal)
    return render(
        request,
        "tickets/staff_detail.html",
        block="conversation" if polled else "main",
        status_code=status,
        ticket=ticket,
        events=events,
        since=since,
        moves=moves,
        executors=[] if executor_only else await queries.executors(),
        outages=[o for o in outages if o["house"] == ticket["house"]],
        executor_only=executor_only,
        errors=errors,
        tk=TK,
        now=queries.utcnow(),
        tz_info=ZoneInfo(get_settings().time_zone),
    )


@get("/staff/tickets/{ticket_id:int}", name="tickets:staff_detail", opt=staff(*ANY_STAFF))
async def staff_detail(request: Request, ticket_id: int) -> Template | Response[Any]:
    return await _detail(request, ticket_id)


@post("/staff/tickets/{ticket_id:int}/status", name="tickets:staff_status", opt=staff(*ANY_STAFF), status_code=200)
async def staff_status(request: Request, ticket_id: int, data: FormData) -> Response[Any]:
    principal = await principal_of(request)
    ticket = await _ticket_or_404(principal, ticket_id)
    target = form_value(data, "status")
    if queries.is_executor_only(principal) and target not in rules.EXECUTOR_MOVES:
        target = ""
    if target and await queries.change_status(
        ticket, principal, target, by_staff=True, comment=form_value(data, "comment")
    ):
        flash(request, gettext("Status changed: %(status)s.", status=TK.status(target)))
    else:
        flash(request, gettext("This status cannot be set now."), "error")
    return see_other(
        request,
        form_value(data, "back") if form_value(data, "back") == "/staff/my-tickets" else f"/staff/tickets/{ticket_id}",
    )


@post("/staff/tickets/{ticket_id:int}/assign", name="tickets:assign", opt=staff(*MANAGERS), status_code=200)
async def staff_assign(request: Request, ticket_id: int, data: FormData) -> Response[Any]:
    principal = await principal_of(request)
    ticket = await _ticket_or_404(principal, ticket_id)
    raw = form_value(data, "executor")
    executor_id = int(raw) if raw.isdigit() else None
    if executor_id is not None and executor_id not in {e["id"] for e in await queries.executors()}:
        flash(request, gettext("Choose an executor from the list."), "error")
        return see_other(request, f"/staff/tickets/{ticket_id}")
    if await queries.assign(ticket, principal, executor_id):
        flash(request, gettext("Executor assigned.") if executor_id else gettext("Executor removed."))
    return see_other(request, f"/staff/tickets/{ticket_id}")


@post("/staff/tickets/{ticket_id:int}/update", name="tickets:update", opt=staff(*MANAGERS), status_code=200)
async def staff_update(request: Request, ticket_id: int, data: FormData) -> Response[Any] | Template:
    principal = await principal_of(request)
    ticket = await _ticket_or_404(principal, ticket_id)
    changes, errors = forms.read_staff_update(data, get_settings().time_zone)
    if changes is None:
        return await _detail(request, ticket_id, errors=errors, status=422)
    if await queries.update_fields(ticket, principal, changes):
        flash(request, gettext("Changes saved."))
    return see_other(request, f"/staff/tickets/{ticket_id}")


@post("/staff/tickets/{ticket_id:int}/messages", name="tickets:staff_message", opt=staff(*ANY_STAFF), status_code=200)
async def staff_message(request: Request, ticket_id: int, data: MultipartData) -> Response[Any] | Template:
    principal = await principal_of(request)
    ticket = await _ticket_or_404(principal, ticket_id)
    uploads = forms.files_of(data, "photos")
    text, errors = forms.read_message(data, len(uploads))
    photos = await store_photos(uploads, errors) if text is not None else []
    if text is None or errors:
        return await _detail(request, ticket_id, errors=errors, status=422)
    internal = form_value(data, "internal") == "1"
    await queries.add_message(ticket, principal, text, photos, by_staff=True, internal=internal)
    back = form_value(data, "back")
    return see_other(request, back if back == "/staff/my-tickets" else f"/staff/tickets/{ticket_id}#conversation")


@post("/staff/tickets/{ticket_id:int}/outage", name="tickets:link_outage", opt=staff(*MANAGERS), status_code=200)
async def staff_link_outage(request: Request, ticket_id: int, data: FormData) -> Response[Any]:
    principal = await principal_of(request)
    ticket = await _ticket_or_404(principal, ticket_id)
    raw = form_value(data, "outage")
    outage = await queries.outage_for_staff(principal, int(raw)) if raw.isdigit() else None
    if raw and (outage is None or outage["house"] != ticket["house"]):
        flash(request, gettext("Choose an outage of this house."), "error")
    else:
        await queries.link_outage(ticket, principal, outage["id"] if outage else None)
        flash(request, gettext("Linked to the outage.") if outage else gettext("Unlinked from the outage."))
    return see_other(request, f"/staff/tickets/{ticket_id}")


@get("/staff/tickets/photos/{attachment_id:int}", name="tickets:staff_photo", opt=staff(*ANY_STAFF))
async def staff_photo(request: Request, attachment_id: int) -> File:
    principal = await principal_of(request)
    attachment = await queries.attachment_for(attachment_id)
    if attachment is None:
        raise NotFoundException()
    await _ticket_or_404(principal, attachment["ticket"])
    return storage.response_for(attachment["file_key"], attachment["content_type"])


@get("/staff/my-tickets", name="tickets:mine", opt=staff("executor"))
async def my_tickets(request: Request) -> Template:
    principal = await principal_of(request)
    f = filters.TicketFilters(tab="mine", statuses=sorted(rules.ACTIVE | {rules.Status.DONE}), sort="deadline")
    page = await queries.staff_list(principal, f, page_request(request.query_params.get("page"), 50))
    return render(request, "tickets/my_tickets.html", page=page, tk=TK, now=queries.utcnow(), errors=None)


# --- outages --------------------------------------------------------------------------------------------------


async def _outages_page(
    request: Request, *, form: dict | None = None, errors: FormErrors | None = None, status: int = 200
) -> Template:
    principal = await principal_of(request)
    houses = await queries.houses_for(principal)
    return render(
        request,
        "tickets/outages.html",
        status_code=status,
        outages=await queries.staff_outages(principal),
        houses=houses,
        form=form or {},
        errors=errors,
        tk=TK,
    )


@get("/staff/outages", name="tickets:outages", opt=staff(*MANAGERS))
async def outages(request: Request) -> Template:
    return await _outages_page(request)


@post("/staff/outages", name="tickets:outage_create", opt=staff(*MANAGERS), status_code=200)
async def create_outage(request: Request, data: FormData) -> Response[Any] | Template:
    principal = await principal_of(request)
    houses = [h["id"] for h in await queries.houses_for(principal)]
    values, errors = forms.read_outage(data, get_settings().time_zone, houses)
    if values is not None:
        if values["entrance_id"] and not await Entrance.exists().where(
            (Entrance.id == values["entrance_id"]) & (Entrance.house == values["house_id"])
        ):
            errors.add("entrance", gettext("This entrance is not in the chosen house."))
        if values["riser_id"] and not await Riser.exists().where(
            (Riser.id == values["riser_id"]) & (Riser.house == values["house_id"])
        ):
            errors.add("riser", gettext("This riser is not in the chosen house."))
    if values is None or errors:
        return await _outages_page(request, form=dict(data), errors=errors, status=422)
    await queries.create_outage(principal, **values)
    flash(request, gettext("The outage is recorded. Residents of the house see it before filing a request."))
    return see_other(request, "/staff/outages")


@post("/staff/outages/{outage_id:int}/close", name="tickets:outage_close", opt=staff(*MANAGERS), status_code=200)
async def close_outage(request: Request, outage_id: int, data: FormData) -> Response[Any]:
    principal = await principal_of(request)
    outage = await queries.outage_for_staff(principal, outage_id)
    if outage is None:
        raise NotFoundException()
    message = form_value(data, "message") or gettext("The outage is over, the service is restored.")
    done = await queries.close_outage(principal, outage_id, message)
    flash(request, gettext("The outage is closed; requests completed with it: %(n)s.", n=done))
    return see_other(request, "/staff/outages")


# Queries each page may run on an ordinary load (the principal read included), asserted on both engines by
# tests/billing/test_query_budgets.py: a change that adds a query to a page raises its number here, on purpose.
QUERY_BUDGETS: dict[str, int] = {
    "/staff/tickets": 8,
    "/staff/tickets?tab=active": 8,
    "/staff/tickets?house&status": 8,
}
