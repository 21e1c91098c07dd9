"""The staff pages of the house's documents: the list with its filters, putting a document up, its page with its
files, replacing its file, hiding and showing it. Administrators and managers change them; any staff member reads
those of their houses and the company's."""

from __future__ import annotations

from typing import Any

from litestar import Controller
from litestar import Request
from litestar import Response
from litestar import get
from litestar import post
from litestar.params import FromPath
from litestar.response import File
from litestar.response import Template

from portal.core import clock
from portal.core import stale
from portal.core import storage
from portal.core.i18n import gettext
from portal.core.pagination import Paging
from portal.core.parse import parse_id
from portal.core.security import Principal
from portal.core.security import client_ip
from portal.core.security import staff
from portal.core.web import FormData
from portal.core.web import FormErrors
from portal.core.web import MultipartData
from portal.core.web import flash
from portal.core.web import form_value
from portal.core.web import found
from portal.core.web import render
from portal.core.web import see_other
from portal.documents import actions
from portal.documents import forms
from portal.documents import queries
from portal.documents import rules
from portal.documents.deps import STAFF
from portal.documents.deps import Caller
from portal.documents.deps import StaffDocument
from portal.documents.routes import LABELS
from portal.documents.tables import DocumentKind
from portal.housing.queries import houses_in_scope

EDIT = ("manager",)


async def _form_page(
    request: Request,
    principal: Principal,
    form: forms.DocumentForm,
    status_code: int = 200,
    document: queries.StaffDocument | None = None,
    version: str | None = None,
) -> Template:
    """The form of a new document, or of ``document``'s details (with the version it was read at)."""
    return render(
        request,
        "documents/staff_new.html",
        form=form,
        document=document,
        version=version,
        every_house=principal.house_ids is None,
        status_code=status_code,
        **await _options(principal),
    )


async def _options(principal: Principal) -> dict[str, Any]:
    """The choices of the forms and filters: the staff member's houses by address, the kinds in their order."""
    houses = [(h.id, h.address) for h in await houses_in_scope(principal)]
    return {"house_options": houses, "kind_options": [(k.value, forms.kind_label(k)) for k in DocumentKind], **LABELS}


def _detail(
    request: Request,
    document: queries.StaffDocument,
    errors: FormErrors | None = None,
    status_code: int = 200,
    version: str | None = None,
) -> Template:
    version = version if version is not None else stale.carried(document)
    return render(
        request,
        "documents/staff_detail.html",
        document=document,
        errors=errors or FormErrors(),
        version=version,
        status_code=status_code,
        **LABELS,
    )


async def _stored(data: dict[str, Any], errors: FormErrors) -> storage.StoredFile | None:
    """The uploaded PDF stored, or None with the reason at the field ``file``."""
    missing = gettext("Attach the document as a PDF file.")
    return await storage.required_file(data, "file", errors, missing=missing, refusal=forms.upload_refusal,
                                       save=storage.save_pdf)  # fmt: skip


class StaffDocuments(Controller):
    path = "/staff/documents"
    opt = staff()
    dependencies = STAFF

    @get("/", name="documents:staff_list")
    async def index(self, request: Request, principal: Caller, paging: Paging) -> Template:
        house, kind = parse_id(request.query_params.get("house")), request.query_params.get("kind", "")
        chosen = DocumentKind(kind) if kind in set(DocumentKind) else None
        page = await queries.staff_list(principal, paging, house, chosen)
        return render(
            request, "documents/staff_list.html", page=page, house=house, kind=chosen, **await _options(principal)
        )

    @get("/new", name="documents:staff_new", opt=staff(*EDIT))
    async def new(self, request: Request, principal: Caller) -> Template:
        form = forms.DocumentForm(typed={"issued_on": clock.today_local().strftime("%d.%m.%Y")})
        return await _form_page(request, principal, form)

    @post("/new", name="documents:staff_create", opt=staff(*EDIT), status_code=200)
    async def create(self, request: Request, principal: Caller, data: MultipartData) -> Template | Response[Any]:
        scope = [h.id for h in await houses_in_scope(principal)]
        form = forms.read_document(data, scope, principal.house_ids is None, clock.today_local())
        stored = None if form.errors else await _stored(data, form.errors)
        if stored is None:
            return await _form_page(request, principal, form, status_code=422)
        name = getattr(data["file"], "filename", "") or ""
        document_id = await actions.put_up(principal, form, stored, name, ip=client_ip(request))
        flash(
            request,
            gettext("The document is up: residents see it.")
            if not form.notify
            else gettext("The document is up, and its residents are told."),
        )
        return see_other(request, f"/staff/documents/{document_id}")

    @get("/{house_document_id:int}", name="documents:staff_detail")
    async def detail(self, request: Request, document: StaffDocument) -> Template:
        return _detail(request, document)

    @get("/{house_document_id:int}/files/{file_id:int}", name="documents:staff_file")
    async def file(self, document: StaffDocument, file_id: FromPath[int]) -> File:
        version = found(await queries.file_of(document.id, file_id))
        return storage.response_for(version.key, "application/pdf", rules.file_name(document.title))

    @get("/{house_document_id:int}/edit", name="documents:staff_edit", opt=staff(*EDIT))
    async def edit(self, request: Request, principal: Caller, document: StaffDocument) -> Template:
        d = document
        form = forms.typed_from(d.title, d.kind, d.issued_on, d.company_wide, d.house_ids)
        return await _form_page(request, principal, form, document=document, version=stale.carried(document))

    @post("/{house_document_id:int}/edit", name="documents:staff_update", opt=staff(*EDIT), status_code=200)
    async def update(self, request: Request, principal: Caller, document: StaffDocument, data: FormData) -> Any:
        scope = [h.id for h in await houses_in_scope(principal)]
        form, typed = (
            forms.read_document(data, scope, principal.house_ids is None, clock.today_local()),
            stale.typed(data),
        )
        try:
            if not form.errors:
                await actions.edit(principal, document, form, version=typed, ip=client_ip(request))
        except stale.Stale as exc:
            stale.say(form.errors, exc.change, ("title", "kind", "issued_on", "houses"), {"company_wide": "houses"})
            document = await queries.document_for_staff(principal, document.id)
            return await _form_page(request, principal, form, 409, document, stale.carried(document))
        if form.errors:
            return await _form_page(request, principal, form, 422, document, typed)
        flash(request, gettext("The document's details are saved."))
        return see_other(request, f"/staff/documents/{document.id}")

    @post("/{house_document_id:int}/replace", name="documents:staff_replace", opt=staff(*EDIT), status_code=200)
    async def replace(self, request: Request, principal: Caller, document: StaffDocument, data: MultipartData) -> Any:
        errors, typed = FormErrors(), stale.typed(data)
        stored = await _stored(data, errors)
        if stored is None:
            return _detail(request, document, errors, status_code=422, version=typed)
        name, notify = getattr(data["file"], "filename", "") or "", bool(form_value(data, "notify"))
        try:
            await actions.replace_file(
                principal, document, stored, name, notify=notify, version=typed, ip=client_ip(request)
            )
        except stale.Stale as exc:
            errors.general.append(exc.change.message())
            return _detail(request, await queries.document_for_staff(principal, document.id), errors, 409)
        flash(request, gettext("The file is replaced: residents open the new one."))
        return see_other(request, f"/staff/documents/{document.id}")

    @post("/{house_document_id:int}/visibility", name="documents:staff_visibility", opt=staff(*EDIT), status_code=200)
    async def visibility(self, request: Request, principal: Caller, document: StaffDocument, data: FormData) -> Any:
        hidden = form_value(data, "hidden") == "1"
        try:
            await actions.set_hidden(principal, document, hidden, version=stale.typed(data), ip=client_ip(request))
        except stale.Stale as exc:
            errors = FormErrors(general=[exc.change.message()])
            return _detail(request, await queries.document_for_staff(principal, document.id), errors, 409)
        flash(request, gettext("Hidden from residents.") if hidden else gettext("Shown to residents."))
        return see_other(request, f"/staff/documents/{document.id}")
