"""The resident's pages of the house's documents: the list by kind, and each document opened as a PDF."""

from __future__ import annotations

from typing import Any

from litestar import Controller
from litestar import Request
from litestar import get
from litestar.response import File
from litestar.response import Template

from portal.core import clock
from portal.core import storage
from portal.core.home import register_section
from portal.core.security import Principal
from portal.core.security import resident
from portal.core.web import render
from portal.documents import forms
from portal.documents import memos as newcomer
from portal.documents import queries
from portal.documents import rules
from portal.documents.deps import RESIDENT
from portal.documents.deps import Caller
from portal.documents.deps import LoadedDocument


async def _home_newcomer(principal: Principal) -> dict[str, Any] | None:
    """For a resident's first days (``rules.is_newcomer``, told by the principal: no query for others), a line to
    the newcomer's memo and the house rules: the memo itself when the house has exactly one."""
    if not principal.is_resident or not rules.is_newcomer(principal.resident_since, clock.now()):
        return None
    memos = await newcomer.newcomer_memos(principal)
    return {"link": f"/documents/{memos[0]}" if len(memos) == 1 else "/documents"}


register_section("documents_newcomer", 2, "documents/_home_newcomer.html", _home_newcomer)

# Words the templates of the domain need.
LABELS: dict[str, Any] = {"kind_label": forms.kind_label, "size_label": forms.size_label}


class ResidentDocuments(Controller):
    path = "/documents"
    opt = resident()
    dependencies = RESIDENT

    @get("/", name="documents:index")
    async def index(self, request: Request, principal: Caller) -> Template:
        groups = await queries.resident_documents(principal)
        return render(request, "documents/index.html", groups=groups, **LABELS)

    @get("/{house_document_id:int}", name="documents:file")
    async def file(self, document: LoadedDocument) -> File:
        return storage.response_for(document.file_key, "application/pdf", rules.file_name(document.title))
