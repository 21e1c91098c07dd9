"""Dispatch back office: the work queue (tabs, saved views, filters as chips, columns, actions from the row, bulk
assignment, print, export), the work page of a request, call-centre filing, executors' own page, outages."""

from __future__ import annotations

from collections.abc import Awaitable
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl
from urllib.parse import urlencode

from litestar import Controller
from litestar import Request
from litestar import Response
from litestar import get
from litestar import post
from litestar.datastructures import MultiDict
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.params import FromQuery
from litestar.response import File
from litestar.response import Template

from portal.core import clock
from portal.core.csv_stream import Streamed
from portal.core.head import is_head
from portal.core.i18n import gettext
from portal.core.pagination import PageRequest
from portal.core.pagination import Paging
from portal.core.pagination import page_of
from portal.core.pagination import page_request
from portal.core.parse import parse_id
from portal.core.security import Principal
from portal.core.security import client_ip
from portal.core.security import staff
from portal.core.web import FormData
from portal.core.web import FormErrors
from portal.core.web import MultipartData
from portal.core.web import flash
from portal.core.web import form_value
from portal.core.web import is_fragment_request
from portal.core.web import links_start_from
from portal.core.web import question
from portal.core.web import render
from portal.core.web import see_other
from portal.tickets import actions
from portal.tickets import deps
from portal.tickets import export
from portal.tickets import filters
from portal.tickets import forms
from portal.tickets import queries
from portal.tickets import rules
from portal.tickets.deps import Caller
from portal.tickets.deps import LoadedOutage
from portal.tickets.deps import LoadedPhoto
from portal.tickets.deps import LoadedTicket
from portal.tickets.queries import TicketDetail
from portal.tickets.routes import CALLER_LIFT
from portal.tickets.view import LAST_LIST
from portal.tickets.view import MY_QUEUE
from portal.tickets.view import TK
from portal.tickets.view import executor_by_id
from portal.tickets.view import filter_chips
from portal.tickets.view import form_answered
from portal.tickets.view import message_posted
from portal.tickets.view import photo_file
from portal.tickets.view import ticket_page

ANY_STAFF = ("dispatcher", "operator", "manager", "executor", "accountant")
MANAGERS = ("dispatcher", "operator", "manager")


class StaffTickets(Controller):
    path = "/staff/tickets"
    opt = staff(*ANY_STAFF)
    dependencies = deps.STAFF

    @get("/", name="tickets:staff_list")
    async def index(self, request: Request, principal: Caller, paging: Paging) -> Template:
        context = await _list_context(request, principal, paging)
        if request.query_params.get("print") == "1":
            return render(request, "tickets/staff_print.html", block=None, **context)
        block = "list" if request.query_params.get("part") == "list" else "main"
        return render(request, "tickets/staff_list.html", block=block, **context)

    @get("/counts", name="tickets:menu_counts")
    async def counts(self, request: Request, principal: Caller) -> Template:
        counts = await queries.menu_counts(principal, clock.now())
        return render(request, "tickets/_menu_counts.html", block=None, counts=counts)

    @get("/today", name="tickets:today")
    async def today(self, request: Request, principal: Caller) -> Template | Response[Any]:
        """The day's work for the staff overview (asked for by the overview after it loads); opened as a page (an
        address typed or kept), it is the overview, not the bare block without the menu or styles."""
        if not is_fragment_request(request):
            return see_other(request, "/staff")
        counts = await queries.today_counts(principal, clock.now(), clock.zone().key)
        return render(request, "tickets/_today.html", block=None, counts=counts)

    @get("/export", name="tickets:export", opt=staff(*MANAGERS))
    async def download(self, request: Request, principal: Caller) -> Response[Any]:
        tz, now = clock.zone().key, clock.now()
        rows = queries.export_rows(principal, (await _read_filters(request.query_params, principal))[0], now)
        columns = list(filters.REPORT_COLUMNS)  # the report carries every column, whatever the screen shows
        name = f"requests-{clock.local(now):%Y%m%d-%H%M}"
        if request.query_params.get("format") == "xlsx":
            return Response(
                await export.xlsx_bytes(rows, columns, tz, now),
                media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                headers={"Content-Disposition": f'attachment; filename="{name}.xlsx"'},
            )
        return Streamed(
            export.csv_chunks(rows, columns, tz, now),
            media_type="text/csv",
            headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
        )

    @post("/columns", name="tickets:columns", status_code=200)
    async def columns(self, request: Request, principal: Caller, data: FormData) -> Response[Any]:
        chosen = data.get("column", [])
        await actions.save_columns(principal, filters.read_columns(chosen if isinstance(chosen, list) else [chosen]))
        return see_other(request, _back_to_list(data))

    @get(["/views", "/assign"], name="tickets:list_again")
    async def list_again(self, request: Request) -> Response[Any]:
        """A link of the list shown again to a refused form of it (``_list_refused``), which a browser without htmx
        shows at the form's address (``/staff/tickets/views?tab=…``), leads to the list itself."""
        query = request.url.query
        return see_other(request, "/staff/tickets" + (f"?{query}" if query else ""))

    @post("/views", name="tickets:save_view", status_code=200)
    async def save_view(self, request: Request, principal: Caller, data: FormData) -> Response[Any] | Template:
        name, errors = forms.read_view_name(data)
        query = filters.view_query(form_value(data, "query"))
        if name is None:  # the list again, its form open with the message and the name as typed
            typed = form_value(data, "name")
            return await _list_refused(request, principal, query, view_errors=errors, view_name=typed)
        await actions.save_view(principal, name, query, clock.now())
        flash(request, gettext("The view “%(name)s” is saved above the tabs.", name=name))
        return see_other(request, "/staff/tickets?" + query)

    @post("/views/{view_id:int}/delete", name="tickets:delete_view", status_code=200)
    async def delete_view(
        self, request: Request, principal: Caller, view_id: FromPath[int], data: FormData
    ) -> Response[Any]:
        """Back to the list as it was (``back``), not the bare list: the dispatcher was working through it."""
        await actions.delete_view(principal, view_id)
        flash(request, gettext("The view is deleted."))
        return see_other(request, _back_to_list(data))

    @post("/assign", name="tickets:assign_many", opt=staff(*MANAGERS), status_code=200)
    async def assign_many(self, request: Request, principal: Caller, data: FormData) -> Response[Any] | Template:
        """The ticked requests to one executor: those they may take are assigned, the others named (not dropped).
        Nothing ticked or no executor chosen: the list again, the ticks and the executor chosen kept."""
        ticked = forms.read_selected(data)
        tickets = await queries.tickets_for_staff(principal, ticked)
        executor_id = parse_id(form_value(data, "executor"))
        if executor_id is None or not tickets:
            errors = FormErrors()
            errors.add("executor", gettext("Tick the requests and choose an executor."))
            chosen = {"bulk_errors": errors, "bulk_executor": form_value(data, "executor"), "ticked": set(ticked)}
            return await _list_refused(request, principal, _back_query(data) or "", **chosen)
        takers = await queries.assignable(t.house for t in tickets)
        done = await actions.assign_ticked(principal, tickets, executor_id, takers, clock.now(), ip=client_ip(request))
        for message, kind in forms.ticked_assigned(done.changed, done.refused, done.finished):
            flash(request, message, kind)
        return see_other(request, _back_to_list(data))

    @get("/new", name="tickets:staff_new", opt=staff(*MANAGERS))
    async def new(self, request: Request, principal: Caller, account_number: FromQuery[str] = "") -> Template:
        """The call-centre form. ``account_number`` (an account page's link, or the words typed: HTMX asks for the
        matches as the operator types) lists the accounts it names, to confirm or choose from."""
        found = await queries.caller_account(principal, account_number, None)
        form = {"source": "phone", "account_number": account_number}
        nothing = forms.nothing_found(found.phone)
        return render(request, "tickets/staff_new.html", form=form, errors=None, tk=TK, found=found, nothing=nothing)

    @post("/new", name="tickets:staff_create", opt=staff(*MANAGERS), status_code=200)
    async def create(self, request: Request, principal: Caller, data: FormData) -> Response[Any] | Template:
        typed, picked = form_value(data, "account_number"), parse_id(form_value(data, "account_id"))
        found = await queries.caller_account(principal, typed, picked)
        problem = "" if found.account else forms.caller_account_problem(found.typed, len(found.matches), found.phone)
        now = clock.now()  # one moment for the whole filing: the form's checks and the request's registration
        draft, errors = forms.read_staff_new(data, problem, tz=clock.zone().key, now=now)
        confirm = forms.unconfirmed(found.account is not None, picked is not None)
        if draft is None or found.account is None or errors or confirm:
            context = {"form": dict(data), "errors": errors, "tk": TK, "found": found, "confirm": confirm}
            return render(request, "tickets/staff_new.html", status_code=422 if errors else 200, **context)
        opened = await actions.file_by_staff(principal, draft, found.account, now, ip=client_ip(request))
        flash(request, gettext("Request No. %(number)s is filed.", number=opened.number))
        return see_other(request, f"/staff/tickets/{opened.id}")

    @get("/{ticket_id:int}", name="tickets:staff_detail")
    async def detail(self, request: Request, principal: Caller, ticket: LoadedTicket) -> Template | Response[Any]:
        return await ticket_page(request, principal, ticket, staff=True)

    @get("/{ticket_id:int}/row", name="tickets:staff_row")
    async def row(
        self, request: Request, principal: Caller, ticket: LoadedTicket, back: FromQuery[str] = ""
    ) -> Response[Any] | Template:
        """The request's row of the list, as it is now: a row's «No» to cancelling answers with it, saying the request
        stays (which takes the keyboard there, as the row's other answers do)."""
        if not is_fragment_request(request):
            return see_other(request, f"/staff/tickets/{ticket.id}")
        return await _row(request, principal, ticket.id, back, done=gettext("The request is not cancelled."))

    @post("/{ticket_id:int}/status", name="tickets:staff_status", status_code=200)
    async def status(
        self, request: Request, principal: Caller, ticket: LoadedTicket, data: FormData
    ) -> Response[Any] | Template:
        target, comment = forms.read_status(data)
        if not target:
            return await _refused_at(request, principal, ticket, data, "status", forms.no_status_message())
        if target == rules.Status.CANCELLED and form_value(data, "confirm") != "1":
            return await _confirm_cancel(request, principal, ticket, data)
        await actions.move_status(principal, ticket, target, comment, clock.now(), ip=client_ip(request))
        done = gettext("Status changed: %(status)s.", status=TK.status(target))
        return await _after_row_action(request, principal, ticket, data, done, "status")

    @get("/lift/{account_id:int}", name="tickets:caller_lift", opt=staff(*MANAGERS))
    async def caller_lift(
        self, request: Request, principal: Caller, account_id: FromPath[int], day: FromQuery[str] = ""
    ) -> Template:
        return await CALLER_LIFT.page(request, principal, {"day": day}, await _caller_places(principal, account_id))

    @post("/lift/{account_id:int}", name="tickets:caller_lift_book", opt=staff(*MANAGERS), status_code=200)
    async def caller_lift_book(
        self, request: Request, principal: Caller, account_id: FromPath[int], data: FormData
    ) -> Response[Any] | Template:
        return await CALLER_LIFT.apply(request, principal, data, await _caller_places(principal, account_id))

    @post("/{ticket_id:int}/lift", name="tickets:lift_answer", opt=staff(*MANAGERS), status_code=200)
    async def lift_answer(
        self, request: Request, principal: Caller, ticket: LoadedTicket, data: FormData
    ) -> Response[Any] | Template:
        confirmed, reason = form_value(data, "decision") == "confirm", form_value(data, "reason")
        if not confirmed and len(reason) < 3:
            errors = FormErrors()
            errors.add("reason", forms.lift_refusal_needs_reason())
            return await ticket_page(
                request, principal, ticket, staff=True, errors=errors, status_code=422, reason=reason
            )
        await actions.answer_lift(principal, ticket, confirmed, reason[: rules.MAX_MESSAGE], clock.now(),
                                  ip=client_ip(request))  # fmt: skip
        done = gettext("The booking is confirmed.") if confirmed else gettext("The booking is refused.")
        flash(request, done, "success")
        return see_other(request, f"/staff/tickets/{ticket.id}")

    @post("/{ticket_id:int}/forward", name="tickets:forward", opt=staff(*MANAGERS), status_code=200)
    async def forward(self, request: Request, principal: Caller, ticket: LoadedTicket) -> Response[Any]:
        await actions.forward_to_developer(principal, ticket, clock.now(), ip=client_ip(request))
        flash(request, gettext("The claim is forwarded to the developer."), "success")
        return see_other(request, f"/staff/tickets/{ticket.id}")

    @post("/{ticket_id:int}/developer-answer", name="tickets:developer_answer", opt=staff(*MANAGERS), status_code=200)
    async def developer_answer(
        self, request: Request, principal: Caller, ticket: LoadedTicket, data: FormData
    ) -> Response[Any] | Template:
        """The developer's answer to a forwarded claim; a missing day or reason: the request's page again (422) with
        what was typed."""
        answer, errors = forms.read_developer_answer(data, clock.today_local())
        if answer is None:
            typed = {"until": form_value(data, "until"), "reason": form_value(data, "reason")}
            return await ticket_page(request, principal, ticket, staff=True, errors=errors, status_code=422, **typed)
        await actions.record_developer_answer(principal, ticket, answer, clock.now(), ip=client_ip(request))
        flash(request, gettext("The developer's answer is recorded."), "success")
        return see_other(request, f"/staff/tickets/{ticket.id}")

    @post("/{ticket_id:int}/hand-back", name="tickets:hand_back", opt=staff("executor"), status_code=200)
    async def hand_back(
        self, request: Request, principal: Caller, ticket: LoadedTicket, data: FormData
    ) -> Response[Any] | Template:
        """An executor gives a request of theirs back to the dispatchers, saying why; without a reason, the request's
        page again (422) with what was typed."""
        reason, errors = forms.read_hand_back(data)
        if reason is None:
            typed = form_value(data, "why")
            return await ticket_page(request, principal, ticket, staff=True, errors=errors, status_code=422, why=typed)
        await actions.hand_back(principal, ticket, reason, clock.now(), ip=client_ip(request))
        flash(request, gettext("Request No. %(number)s is handed back to the dispatcher.", number=ticket.number))
        return see_other(request, "/staff/my-tickets")

    @post("/{ticket_id:int}/assign", name="tickets:assign", opt=staff(*MANAGERS), status_code=200)
    async def assign(
        self, request: Request, principal: Caller, ticket: LoadedTicket, data: FormData
    ) -> Response[Any] | Template:
        executors = await queries.executors_for([ticket.house])
        choice = forms.read_executor(data, [e.id for e in executors])
        if not choice.valid:
            return await _refused_at(request, principal, ticket, data, "executor", forms.executor_elsewhere_message())
        executor = executor_by_id(executors, choice.executor_id)
        await actions.assign_executor(principal, ticket, executor, clock.now(), ip=client_ip(request))
        done = gettext("Assigned: %(name)s.", name=executor.name) if executor else gettext("Executor removed.")
        return await _after_row_action(request, principal, ticket, data, done, "executor")

    @post("/{ticket_id:int}/update", name="tickets:update", opt=staff(*MANAGERS), status_code=200)
    async def update(
        self, request: Request, principal: Caller, ticket: LoadedTicket, data: FormData
    ) -> Response[Any] | Template:
        def act(changes: dict[str, Any]) -> Awaitable[list[int]]:
            return actions.update_fields(principal, ticket, changes, clock.now(), ip=client_ip(request))

        read = forms.read_staff_update(data, clock.zone().key, filed_at=ticket.created_at)
        names = (*rules.EDITABLE, *(f"was_{n}" for n in rules.EDITABLE), "deadline_reason")
        typed = {name: form_value(data, name) for name in names}
        done = gettext("Changes saved.")
        return await form_answered(request, principal, ticket, read, act, done, staff=True, edit=typed)

    @post("/{ticket_id:int}/messages", name="tickets:staff_message", status_code=200)
    async def message(
        self, request: Request, principal: Caller, ticket: LoadedTicket, data: MultipartData
    ) -> Response[Any] | Template:
        return await message_posted(request, principal, ticket, data, staff=True)

    @post("/{ticket_id:int}/outage", name="tickets:link_outage", opt=staff(*MANAGERS), status_code=200)
    async def link_outage(
        self, request: Request, principal: Caller, ticket: LoadedTicket, data: FormData
    ) -> Response[Any]:
        raw = form_value(data, "outage")
        outage = await queries.outage_for_staff(principal, parse_id(raw) or 0) if raw else None
        if raw and outage is None:
            flash(request, gettext("Choose an outage of this house."), "error")
            return see_other(request, f"/staff/tickets/{ticket.id}")
        await actions.link_outage(principal, ticket, outage, clock.now(), ip=client_ip(request))
        flash(request, gettext("Linked to the outage.") if outage else gettext("Unlinked from the outage."))
        return see_other(request, f"/staff/tickets/{ticket.id}")

    @get("/photos/{attachment_id:int}", name="tickets:staff_photo")
    async def photo(self, request: Request, photo: LoadedPhoto) -> File | Template:
        return photo_file(request, photo)


DONE_SHOWN = 10  # the executor's latest requests reported done, under the work to do


class ExecutorTickets(Controller):
    path = "/staff/my-tickets"
    opt = staff("executor")

    @get("/", name="tickets:mine")
    async def index(self, request: Request, principal: Caller, page: FromQuery[str] = "") -> Template:
        """The work to do first, by deadline (the most urgent on top); below it the latest requests reported done
        that wait for the resident's confirmation, so that they do not push the work off a phone's screen."""
        now = clock.now()
        to_do = filters.TicketFilters(tab="mine", statuses=sorted(rules.ACTIVE), sort="deadline")
        tickets = await queries.staff_list(principal, to_do, page_request(page, 50), now)
        reported = filters.TicketFilters(tab="mine", statuses=[rules.Status.DONE], sort="-completed")
        done = await queries.staff_list(principal, reported, page_request("", DONE_SHOWN), now)
        door = await queries.at_the_door(principal, [t.id for t in tickets.items])
        photos = await queries.photo_counts([t.id for t in (*tickets.items, *done.items)])
        if not is_head(request):  # a request opened from here leads back here
            request.session[LAST_LIST] = MY_QUEUE
        return render(request, "tickets/my_tickets.html", page=tickets, done=done, door=door, photos=photos, tk=TK,
                      now=now)  # fmt: skip


class Outages(Controller):
    path = "/staff/outages"
    opt = staff(*MANAGERS)
    dependencies = deps.OUTAGES

    @get("/", name="tickets:outages")
    async def index(self, request: Request, principal: Caller) -> Template:
        return await _outages_page(request, principal)

    @post("/", name="tickets:outage_create", status_code=200)
    async def create(self, request: Request, principal: Caller, data: FormData) -> Response[Any] | Template:
        houses = [h.id for h in await queries.houses_for(principal)]
        house, number, code = forms.outage_place_typed(data)
        entrance, riser, wrong = (
            await queries.outage_place(house, number, code) if house in houses else (None, None, [])
        )
        now = clock.now()  # one moment for the form's checks, the outage and its notice
        values, errors = forms.read_outage(data, clock.zone().key, houses, wrong, now=now)
        if values is None:
            return await _outages_page(request, principal, form=dict(data), errors=errors, status_code=422)
        await actions.record_outage(
            principal, values | {"entrance_id": entrance, "riser_id": riser}, now, ip=client_ip(request)
        )
        flash(request, gettext("The outage is recorded. Residents of the house see it before filing a request."))
        return see_other(request, "/staff/outages")

    @post("/{outage_id:int}/close", name="tickets:outage_close", status_code=200)
    async def close(self, request: Request, principal: Caller, outage: LoadedOutage, data: FormData) -> Response[Any]:
        message = form_value(data, "message") or gettext("The outage is over, the service is restored.")
        temperature, error = forms.read_room_temperature(data)
        if error:  # the list again (422): the message at the outage's field, what was typed in its form kept
            errors = FormErrors()
            errors.add("room_temperature", error)
            typed = {"id": outage.id, **{name: form_value(data, name) for name in ("message", "room_temperature")}}
            return await _outages_page(request, principal, closing=typed, close_errors=errors, status_code=422)
        done = await actions.close_outage(principal, outage, message, clock.now(), temperature, ip=client_ip(request))
        flash(request, gettext("The outage is closed; requests completed with it: %(n)s.", n=done))
        return see_other(request, "/staff/outages")


# --- the list -----------------------------------------------------------------------------------------------------


async def _read_filters(
    params: Mapping[str, Any], principal: Principal
) -> tuple[filters.TicketFilters, list[queries.Option], list[queries.Executor]]:
    """The list's filters, with the houses and the executors to choose from (``filters.within``)."""
    houses, executors = await queries.houses_for(principal), await queries.executors(principal)
    f = filters.read_filters(params, clock.zone().key)
    return filters.within(f, {h.id for h in houses}, {e.option.id for e in executors}), houses, executors


async def _list_context(
    request: Request, principal: Principal, paging: PageRequest, params: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """What the list shows for its query (``params``: the request's own, or those a refused form of it names)."""
    params = request.query_params if params is None else params
    now = clock.now()
    f, houses, executors = await _read_filters(params, principal)
    typed, problems = filters.unread(params, f, {h.id for h in houses}, clock.zone().key)
    applied = filters.applied(params, f)
    links_start_from(request, applied)  # a filter not applied is not carried on by the page's links
    page = await queries.staff_list(principal, f, paging, now)
    query_string = filters.view_query(urlencode(applied, doseq=True))
    if not is_head(request):  # a request's page leads back to the list as it was last shown (a HEAD shows nothing)
        request.session[LAST_LIST] = query_string
    return {
        "typed": typed,
        "problems": problems,
        "page": page,
        "assignable": queries.assignable_among(executors, (t.house for t in page.items)),
        "f": f,
        "raw": {key: params.getall(key)[-1] for key in params},
        "chips": filter_chips(f, applied, houses, [e.option for e in executors]),
        "clear_href": "/staff/tickets?" + urlencode({"tab": f.tab}),
        "columns": await queries.saved_columns(principal.user_id or 0),
        "views": await queries.saved_views(principal.user_id or 0),
        "query_string": query_string,
        "houses": houses,
        "executors": [e.option for e in executors],
        # The tab listed with no other filter is counted by the page's own count: its badge is that number.
        "counts": await queries.tab_counts(principal, now, shown=None if f.any else {f.tab: page.total}),
        "may_manage": principal.has_role(*MANAGERS),
        "answers_only": queries.answers_only(principal),
        "actor": queries.staff_actor(principal),
        "tk": TK,
        "now": now,
    }


async def _list_refused(request: Request, principal: Principal, query: str, **refused: Any) -> Template:
    """The list a form of it was sent from (``query``: the filters it was showing), again with that form refused
    (422): its message at its field, what was typed kept, nothing taken (``static/js/drafts.js`` keeps its draft)."""
    params = MultiDict(parse_qsl(query, keep_blank_values=True))
    context = await _list_context(request, principal, page_of(params), params)
    return render(request, "tickets/staff_list.html", status_code=422, **context, **refused)


def _back_query(data: dict[str, Any]) -> str | None:
    """The query of the list a form came from (its ``back``: a query string or a list address), or None."""
    back = form_value(data, "back")
    if back.startswith("?"):
        return filters.view_query(back[1:])
    if back.startswith("/staff/tickets?"):
        return filters.view_query(back.split("?", 1)[1])
    return None


def _back_to_list(data: dict[str, Any]) -> str:
    """The list with the filters it was showing."""
    query = _back_query(data)
    return "/staff/tickets" if query is None else "/staff/tickets?" + query


async def _after_row_action(
    request: Request, principal: Principal, ticket: TicketDetail, data: dict[str, Any], done: str, done_in: str
) -> Response[Any] | Template:
    """After an action from a row of the list: the row redrawn in place with the outcome (HTMX), or the page the
    form came from (the list with its filters, the executor's page, or the request's page)."""
    if is_fragment_request(request) and form_value(data, "row") == "1":
        return await _row(request, principal, ticket.id, form_value(data, "back"), done=done, done_in=done_in)
    back = form_value(data, "back")
    # Back on a list (the queue, the executor's cards), the message says which request it was about.
    flash(request, gettext("Request No. %(number)s: %(done)s", number=ticket.number, done=done) if back else done)
    if back == "/staff/my-tickets":
        return see_other(request, back)
    return see_other(request, _back_to_list(data) if back else f"/staff/tickets/{ticket.id}")


async def _row(request: Request, principal: Principal, ticket_id: int, back: str, **extra: Any) -> Template:
    """One row of the list, redrawn with the outcome of an action (or a question) shown in place."""
    row = await queries.staff_row(principal, ticket_id)
    return render(
        request,
        "tickets/_staff_row.html",
        block=None,
        t=row,
        columns=await queries.saved_columns(principal.user_id or 0),
        assignable=await queries.assignable([row.house] if row else []),
        may_manage=principal.has_role(*MANAGERS),
        actor=queries.staff_actor(principal),
        query_string=filters.view_query(back.lstrip("?")),
        tk=TK,
        now=clock.now(),
        **extra,
    )


async def _caller_places(principal: Principal, account_id: int) -> list[queries.Place]:
    """The caller's account the call centre books the lift for, if it is in the staff member's houses (else 404)."""
    place = await queries.caller_place(principal, account_id)
    if place is None:
        raise NotFoundException()
    return [place]


async def _refused_at(
    request: Request, principal: Principal, ticket: TicketDetail, data: dict[str, Any], name: str, message: str
) -> Template | Response[Any]:
    """A form of the request that does not read (no status chosen; an executor who would not see the request):
    nothing changes; the row (HTMX) or the request's page says so at the field ``name``, with 422, and the
    status form keeps the comment as typed."""
    if is_fragment_request(request) and form_value(data, "row") == "1":
        template = await _row(request, principal, ticket.id, form_value(data, "back"), refused=message)
        template.status_code = 422
        return template
    errors = FormErrors()
    errors.add(name, message)
    comment = form_value(data, "comment")
    return await ticket_page(request, principal, ticket, staff=True, errors=errors, status_code=422, comment=comment)


async def _confirm_cancel(
    request: Request, principal: Principal, ticket: TicketDetail, data: dict[str, Any]
) -> Template:
    """Cancelling asks once more: in place of the row (HTMX) or on a page of its own."""
    if is_fragment_request(request) and form_value(data, "row") == "1":
        return await _row(request, principal, ticket.id, form_value(data, "back"), confirm_cancel=True)
    return question(
        request,
        "tickets/staff_cancel.html",
        ticket=ticket,
        back=form_value(data, "back"),
        comment=form_value(data, "comment"),
        tk=TK,
    )


async def _outages_page(
    request: Request,
    principal: Principal,
    *,
    form: dict | None = None,
    errors: FormErrors | None = None,
    status_code: int = 200,
    **closing: Any,
) -> Template:
    """The outages and the form of a new one; ``closing``: an outage's refused close form (``closing``: its id and
    what was typed, ``close_errors``)."""
    return render(
        request,
        "tickets/outages.html",
        status_code=status_code,
        outages=await queries.staff_outages(principal),
        houses=await queries.houses_for(principal),
        form=form or {},
        errors=errors,
        tk=TK,
        **closing,
    )


# Queries each page may run on an ordinary load (the principal read included), asserted on both engines by
# tests/billing/test_query_budgets.py: a change that adds a query to a page raises its number here, on purpose.
# The work queue: the principal, the page and its count, houses, the executors of the filter with those each shown
# request may be given (one statement for both), the chosen columns, the saved views and the counts of three tabs
# (active, without executor, overdue) in one statement — but for the tab shown with no other filter, whose count is
# the page's.
QUERY_BUDGETS: dict[str, int] = {
    "/staff/tickets": 8,
    "/staff/tickets?tab=active": 8,
    "/staff/tickets?house&status": 8,
    # The executor's cards: the principal, the work to do and its count, the latest done and theirs, where to go
    # for the open ones, and (one more, on purpose) the photo counts of every card shown in one grouped query.
    "/staff/my-tickets": 7,
}
