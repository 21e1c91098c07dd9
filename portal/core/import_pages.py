"""The staff page of a checked import (``core.imports``), written once: the form, the upload, the check with its
progress and preview, then the apply of what the preview checked.

A domain describes its page as an ``ImportPage`` and serves ``page.router()`` from its routes module:

    GET  <path>                       the form (route names: ``names``, in this order)
    POST <path>                       the upload: the check starts, its page follows
    GET  <path>/[<kind>/]<token>      the check: its progress, then the preview or the file's problems
    POST <path>/apply                 the apply, in one transaction; the domain says what was done and where to go

With one importer the upload answers with the check's page at once; with several the form chooses the kind (the
first is the default), the kind is part of the check's path and the upload sends the browser on to it.
"""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from litestar import Request
from litestar import Response
from litestar import Router
from litestar import get
from litestar import post
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Template

from portal.core import imports
from portal.core.security import Principal
from portal.core.security import client_ip
from portal.core.web import FormData
from portal.core.web import MultipartData
from portal.core.web import flash
from portal.core.web import form_value
from portal.core.web import found
from portal.core.web import render
from portal.core.web import see_other


@dataclass(frozen=True)
class ImportPage:
    """One import page: where it is, who may use it, its route names, its template and what it imports."""

    path: str
    access: dict[str, Any]  # the page's access rule, ``core.security.staff(...)``
    names: tuple[str, str, str, str]  # the routes of the form, the upload, the check and the apply
    template: str
    words: Callable[[], dict[str, Any]]  # what the template shows besides the check (columns, labels)
    importers: Mapping[str, imports.Importer[Any]]  # by kind
    max_bytes: int  # the largest file read
    no_file: Callable[[], str]  # the problem of a form without a file
    applied: Callable[[str, Any], tuple[str, str]]  # (kind, report) -> the message shown and the page that follows
    no_kind: Callable[[], str] = str  # the problem of a kind that is not offered (with several importers)

    @property
    def chosen(self) -> bool:
        """Whether the form chooses what the file holds."""
        return len(self.importers) > 1

    @property
    def first(self) -> str:
        return next(iter(self.importers))

    def show(self, request: Request, kind: str, status_code: int = 200, **context: Any) -> Template:
        for name, default in (("report", None), ("checking", None), ("problems", []), ("token", ""), ("filename", "")):
            context.setdefault(name, default)
        return render(request, self.template, status_code=status_code, kind=kind, **self.words(), **context)

    def checked(self, request: Request, principal: Principal, kind: str, token: str) -> Template:
        checking = found(imports.status(found(self.importers.get(kind)), token, principal))
        if checking.state == "failed":
            return self.show(request, kind, 422, problems=checking.problems, filename=checking.filename)
        shown = {"checking": checking, "report": checking.report, "token": token, "filename": checking.filename}
        return self.show(request, kind, **shown)

    def router(self) -> Router:
        form_name, upload_name, check_name, apply_name = self.names
        opt = {**self.access, "import_page": self}
        return Router(
            path=self.path,
            route_handlers=[
                get("/", name=form_name, opt=opt)(form),
                post("/", name=upload_name, opt=opt, status_code=200)(upload),
                get("/{kind:str}/{token:str}" if self.chosen else "/{token:str}", name=check_name, opt=opt)(check),
                post("/apply", name=apply_name, opt=opt, status_code=200)(apply),
            ],
        )


def table_words(
    columns: Any, required: Any, entities: Any, entity_labels: Callable[[], dict[str, str]]
) -> Callable[[], dict[str, Any]]:
    """The words of a page importing one table: its columns, the required ones, the records it writes and their
    names."""
    return lambda: {"columns": columns, "required": required, "entities": entities, "entity_labels": entity_labels()}


def _page(request: Request) -> ImportPage:
    page: ImportPage = request.route_handler.opt["import_page"]
    return page


async def form(request: Request) -> Template:
    page = _page(request)
    return page.show(request, page.first)


async def upload(
    request: Request, principal: NamedDependency[Principal], data: MultipartData
) -> Response[Any] | Template:
    """First step: check the file off the event loop; the check's page shows the progress, then the preview."""
    page = _page(request)
    kind = str(data.get("kind") or page.first) if page.chosen else page.first
    file = data.get("file")
    if kind not in page.importers:
        return page.show(request, page.first, 422, problems=[page.no_kind()])
    if not isinstance(file, UploadFile) or not file.filename:
        return page.show(request, kind, 422, problems=[page.no_file()])
    content = await file.read(page.max_bytes + 1)
    token = await imports.start(page.importers[kind], file.filename, content, principal)
    if page.chosen:
        return see_other(request, f"{page.path}/{kind}/{token}")
    return page.checked(request, principal, kind, token)


async def check(request: Request, principal: NamedDependency[Principal], token: FromPath[str]) -> Template:
    """How the check of an uploaded file goes (the page asks again every second until it is done)."""
    page = _page(request)
    return page.checked(request, principal, request.path_params.get("kind", page.first), token)


async def apply(request: Request, principal: NamedDependency[Principal], data: FormData) -> Response[Any] | Template:
    """Second step: write what the preview checked, in one transaction."""
    page = _page(request)
    kind = form_value(data, "kind") if page.chosen else page.first
    report = await imports.apply(
        found(page.importers.get(kind)), form_value(data, "token"), principal, client_ip(request)
    )
    if report.problems:
        return page.show(request, kind, 422, problems=report.problems)
    message, following = page.applied(kind, report)
    flash(request, message)
    return see_other(request, following)
