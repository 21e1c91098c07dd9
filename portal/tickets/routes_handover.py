"""A new owner or payer of a flat, without a visit to the office: the resident's two applications (a new owner
names the account by its number and address and attaches the extract of the register; an owner or payer names a
new payer) and the staff page that applies or refuses one. The documents open to the applicant and to the
operators and managers of the house alone."""

from __future__ import annotations

from typing import Any

from litestar import Controller
from litestar import Request
from litestar import Response
from litestar import get
from litestar import post
from litestar.di import NamedDependency
from litestar.di import Provide
from litestar.params import FromPath
from litestar.response import File
from litestar.response import Template

from portal.billing import ledger
from portal.core import clock
from portal.core import limits
from portal.core import stale
from portal.core import storage
from portal.core.i18n import gettext
from portal.core.security import Principal
from portal.core.security import client_ip
from portal.core.security import signed_in
from portal.core.security import staff
from portal.core.web import FormData
from portal.core.web import FormErrors
from portal.core.web import MultipartData
from portal.core.web import flash
from portal.core.web import form_value
from portal.core.web import found
from portal.core.web import gone
from portal.core.web import render
from portal.core.web import see_other
from portal.housing.tables import PersonalAccount
from portal.tickets import actions
from portal.tickets import deps
from portal.tickets import forms
from portal.tickets import queries
from portal.tickets import rules
from portal.tickets.deps import Caller
from portal.tickets.deps import LoadedTicket
from portal.tickets.view import TK
from portal.tickets.view import application_filed
from portal.tickets.view import form_typed

DECIDERS = ("operator", "manager")


async def provide_handover(ticket: LoadedTicket) -> queries.HandoverRow:
    """The application of a request the caller may see (``deps``), or 404 for any other request."""
    return found(await queries.handover_of(ticket.id))


LoadedHandover = NamedDependency[queries.HandoverRow]


class ResidentHandover(Controller):
    path = "/tickets"
    opt = signed_in()  # a new owner may have no account on the portal yet
    dependencies = {**deps.RESIDENT, "handover": Provide(provide_handover)}

    @get("/owner", name="tickets:owner")
    async def owner_form(self, request: Request, principal: Caller) -> Template:
        return render(request, "tickets/owner.html", **await _owner_form(principal, {}))

    @post("/owner", name="tickets:owner_apply", status_code=200)
    async def owner_apply(self, request: Request, principal: Caller, data: MultipartData) -> Response[Any] | Template:
        context = await _owner_form(principal, form_typed(data))
        uploads = forms.files_of(data, "documents")
        houses = [h.id for h in context["houses"]]
        change, errors = forms.read_owner_change(data, houses, len(uploads), clock.today_local())
        account = await _named(request, principal, change, errors)
        documents = await actions.store_photos(uploads, errors, name="documents", documents=True)
        if change is None or account is None or errors:
            return render(request, "tickets/owner.html", status_code=422, **{**context, "errors": errors})
        opened = await actions.apply_for_owner_change(
            principal, change, account, documents, clock.now(), ip=client_ip(request)
        )
        return application_filed(request, opened)

    @get("/payer", name="tickets:payer")
    async def payer_form(self, request: Request, principal: Caller) -> Template:
        return render(request, "tickets/payer.html", **await _payer_form(principal, {}))

    @post("/payer", name="tickets:payer_apply", status_code=200)
    async def payer_apply(self, request: Request, principal: Caller, data: FormData) -> Response[Any] | Template:
        context = await _payer_form(principal, form_typed(data))
        ids = [p.account_id for p in context["places"]]
        change, errors = forms.read_payer_change(data, ids, clock.today_local())
        if change is None or errors:
            return render(request, "tickets/payer.html", status_code=422, **{**context, "errors": errors})
        opened = await actions.apply_for_payer_change(principal, change, clock.now(), ip=client_ip(request))
        return application_filed(request, opened)

    @get("/{ticket_id:int}/documents/{n:int}", name="tickets:handover_document")
    async def document(self, request: Request, handover: LoadedHandover, n: FromPath[int]) -> File | Template:
        return _document(request, handover, n)


class StaffHandover(Controller):
    path = "/staff/tickets/{ticket_id:int}/handover"
    opt = staff(*DECIDERS)
    dependencies = {**deps.STAFF, "handover": Provide(provide_handover)}

    @get("/", name="tickets:handover")
    async def page(self, request: Request, ticket: LoadedTicket, handover: LoadedHandover) -> Template:
        return render(request, "tickets/handover.html", **await _handover_page(ticket, handover))

    @post("/", name="tickets:handover_apply", status_code=200)
    async def apply(
        self, request: Request, principal: Caller, ticket: LoadedTicket, handover: LoadedHandover, data: FormData
    ) -> Response[Any] | Template:
        context = await _handover_page(ticket, handover)
        decision = forms.read_handover_decision(data, [s.id for s in context["shares"]])
        try:
            said = await actions.apply_handover(
                principal, ticket, handover, decision, clock.now(), ip=client_ip(request)
            )
        except forms.FieldRefused as refused:  # billing's number missing or taken: said at it, what was typed kept
            errors = FormErrors()
            errors.add(refused.name, refused.message)
            typed = {"new_number": decision.new_number}
            return render(
                request, "tickets/handover.html", status_code=422, **{**context, "errors": errors, "form": typed}
            )
        flash(request, said, "success")
        return see_other(request, f"/staff/tickets/{ticket.id}")

    @post("/refuse", name="tickets:handover_refuse", status_code=200)
    async def refuse(
        self, request: Request, principal: Caller, ticket: LoadedTicket, handover: LoadedHandover, data: FormData
    ) -> Response[Any] | Template:
        reason = form_value(data, "reason")[: rules.MAX_MESSAGE]
        if not reason:
            errors = FormErrors()
            errors.add("reason", gettext("Write why the application is refused: the applicant reads it."))
            context = await _handover_page(ticket, handover)
            return render(request, "tickets/handover.html", status_code=422, **{**context, "errors": errors})
        await actions.refuse_handover(principal, ticket, handover, reason, clock.now(), ip=client_ip(request))
        flash(request, gettext("The application is refused."))
        return see_other(request, f"/staff/tickets/{ticket.id}")

    @get("/documents/{n:int}", name="tickets:staff_handover_document")
    async def document(self, request: Request, handover: LoadedHandover, n: FromPath[int]) -> File | Template:
        return _document(request, handover, n)


def _document(request: Request, handover: queries.HandoverRow, n: int) -> File | Template:
    """The application's ``n``-th document; 410 saying when, once they were deleted at the end of their keeping
    term (``actions.erase_request_files``)."""
    keys = handover.document_keys
    key = found(keys[n - 1] if 0 < n <= len(keys) else None)
    if handover.documents_erased_at is not None:
        return gone(request, TK.documents_erased(handover.documents_erased_at))
    name = storage.download_name(f"document-{handover.ticket}-{n}", key)
    return storage.response_for(key, storage.content_type_of(key), name)


async def _named(
    request: Request, principal: Principal, change: forms.OwnerChange | None, errors: FormErrors
) -> queries.AccountRef | None:
    """The account the new owner named, or None with the one answer for a wrong pair and a missing account."""
    if change is None:
        return None
    found_account = await actions.named_account(limits.counter(request), principal, change)
    if found_account is False:
        errors.add("account_number", gettext("Too many attempts. Try again in 15 minutes."))
    elif found_account is None:
        message = gettext("There is no personal account with this number at this address. Check both on a receipt.")
        errors.add("account_number", message)
    return found_account if isinstance(found_account, queries.AccountRef) else None


async def _owner_form(principal: Principal, form: dict[str, Any]) -> dict[str, Any]:
    houses = await queries.company_houses()
    payer = any(principal.may_on_account(a, "pay") for a in principal.account_ids)
    limit = {"max_documents": rules.MAX_HANDOVER_DOCUMENTS}
    return {"houses": houses, "form": form, "errors": None, "tk": TK, "payer_link": payer, **limit}


async def _payer_form(principal: Principal, form: dict[str, Any]) -> dict[str, Any]:
    places = [p for p in await queries.resident_places(principal) if principal.may_on_account(p.account_id, "pay")]
    return {"places": places, "form": form, "errors": None, "tk": TK}


async def _handover_page(ticket: queries.TicketDetail, handover: queries.HandoverRow) -> dict[str, Any]:
    """What staff decide on: the application, its documents, the account's payer now with its version, the shares
    standing on the day and, for a new owner, what the old account owes on the day it closes (the ledger's)."""
    account = await queries.account_ref(ticket.account or 0)
    owner = handover.kind == rules.Handover.OWNER
    shares = await queries.shares_standing(account.premise_id, handover.day) if account and owner else []
    version = await stale.current(PersonalAccount, account.id) if account else ""
    closing = rules.day_before(handover.day)
    return {
        "closing": closing,
        "debt": await ledger.balance_on(account.id, closing) if account and owner else None,
        "ticket": ticket,
        "handover": handover,
        "account": account,
        "shares": shares,
        "version": version,
        "tk": TK,
        "errors": None,
        "form": {},
        "open": ticket.status in rules.ACTIVE and handover.applied_at is None,
        "due": rules.may_apply_handover(handover.day, clock.today_local()),
        "not_owner": owner and not rules.applicant_is_owner(handover.full_name, ticket.author_name or ""),
    }
