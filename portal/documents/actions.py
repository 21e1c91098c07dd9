"""What staff do with the house's documents, one transaction each with its audit row: put a document up, correct
its title, kind, date and houses, replace its file (the old one kept for the audit), hide it from residents or show
it again; residents may be told through the news and notices (``content.actions.announce``)."""

from __future__ import annotations

from portal.content import actions as content
from portal.core import audit
from portal.core import clock
from portal.core import stale
from portal.core import storage
from portal.core.db import atomic
from portal.core.i18n import gettext
from portal.core.i18n import in_russian_and_english
from portal.core.security import Principal
from portal.core.web import Refused
from portal.documents import forms
from portal.documents import memos
from portal.documents import queries
from portal.documents import rules
from portal.documents.tables import DocumentFile
from portal.documents.tables import DocumentHouse
from portal.documents.tables import HouseDocument
from portal.notifications.rules import Audience

ENTITY = "document"


def _may_change(principal: Principal, company_wide: bool, houses: list[int]) -> None:
    if not rules.may_change(principal.house_ids, company_wide, houses):
        raise Refused(gettext("This document is also for houses you do not work with: you may not change it."))


async def _tell(
    principal: Principal, document_id: int, title: str, kind: str, company_wide: bool, houses: list[int], ip: str
) -> None:
    """A notice to the document's residents, in the feed and by their channels for notices."""
    audience = Audience.of(company=True) if company_wide else Audience.of(houses=houses)
    link = f"/documents/{document_id}"

    def body() -> str:
        kind_words = forms.kind_label(kind)
        told = gettext(
            "The management company has put up the document “%(title)s” (%(kind)s).", title=title, kind=kind_words
        )
        return told + "\n\n[" + gettext("Open the document") + f"]({link})"

    words = (lambda: gettext("New document: %(title)s", title=title), body)
    (title_ru, title_en), (body_ru, body_en) = (in_russian_and_english(w) for w in words)
    await content.announce(
        principal, title_ru, body_ru, audience, clock.now(), title_en=title_en, body_en=body_en, ip=ip
    )


async def put_up(
    principal: Principal, form: forms.DocumentForm, stored: storage.StoredFile, name: str, *, ip: str = ""
) -> int:
    """A new document with its first file, for the houses chosen or the whole company; residents told if asked."""
    assert form.kind is not None and form.issued_on is not None
    now = clock.now()
    with storage.dropped_unless_saved(stored.key):
        _may_change(principal, form.company_wide, form.houses)
        async with atomic():
            document = HouseDocument(
                kind=form.kind,
                title=form.title,
                issued_on=form.issued_on,
                company_wide=form.company_wide,
                file_key=stored.key,
                file_size=stored.size,
                author=principal.user_id,
                author_name=principal.name,
                created_at=now,
                updated_at=now,
            )
            await document.save()
            document_id = int(document.id)
            if form.houses:
                await DocumentHouse.insert(*[DocumentHouse(document=document_id, house=h) for h in form.houses])
            await DocumentFile.insert(
                DocumentFile(
                    document=document_id,
                    key=stored.key,
                    size=stored.size,
                    name=name[:255],
                    uploaded_at=now,
                    uploaded_by=principal.name,
                )
            )
            changes = {
                "title": form.title,
                "kind": form.kind,
                "issued_on": form.issued_on,
                "company_wide": form.company_wide,
                "houses": form.houses,
            }
            await audit.record(principal, "document.create", ENTITY, document_id, changes, ip, now=now)
            if form.notify:
                await _tell(principal, document_id, form.title, form.kind, form.company_wide, form.houses, ip)
    memos.forget()  # committed: a newcomer's home page reads the memos again
    return document_id


async def edit(
    principal: Principal,
    document: queries.StaffDocument,
    form: forms.DocumentForm,
    *,
    version: str | None = None,
    ip: str = "",
) -> bool:
    """The document's title, kind, date and houses become the form's; the audit row tells each change, old → new.
    A resident of a house taken off the document no longer sees it. False when nothing changed (nothing written)."""
    assert form.kind is not None and form.issued_on is not None
    if not rules.may_edit(
        principal.house_ids, document.company_wide, document.house_ids, form.company_wide, form.houses
    ):
        raise Refused(gettext("This document is also for houses you do not work with: you may not change it."))
    now = clock.now()
    before = {
        "title": document.title,
        "kind": document.kind,
        "issued_on": document.issued_on,
        "company_wide": bool(document.company_wide),
        "houses": sorted(document.house_ids),
    }
    after = {
        "title": form.title,
        "kind": str(form.kind),
        "issued_on": form.issued_on,
        "company_wide": form.company_wide,
        "houses": sorted(form.houses),
    }
    changes = audit.diff(before, after)
    if not changes:
        return False
    async with atomic():
        await stale.check(HouseDocument, document.id, ENTITY, version)
        await HouseDocument.update(
            {
                HouseDocument.title: form.title,
                HouseDocument.kind: form.kind,
                HouseDocument.issued_on: form.issued_on,
                HouseDocument.company_wide: form.company_wide,
                HouseDocument.updated_at: now,
            }
        ).where(HouseDocument.id == document.id)
        if "houses" in changes:
            await DocumentHouse.delete().where(DocumentHouse.document == document.id)
            if form.houses:
                await DocumentHouse.insert(*[DocumentHouse(document=document.id, house=h) for h in form.houses])
        await audit.record(principal, "document.edit", ENTITY, document.id, changes, ip, now=now)
    memos.forget()
    return True


async def replace_file(
    principal: Principal,
    document: queries.StaffDocument,
    stored: storage.StoredFile,
    name: str,
    *,
    notify: bool = False,
    version: str | None = None,
    ip: str = "",
) -> None:
    """The document's file becomes ``stored``: residents open the new one, the old one stays among its files."""
    now = clock.now()
    with storage.dropped_unless_saved(stored.key):
        _may_change(principal, document.company_wide, document.house_ids)
        async with atomic():
            await stale.check(HouseDocument, document.id, ENTITY, version)
            await HouseDocument.update(
                {
                    HouseDocument.file_key: stored.key,
                    HouseDocument.file_size: stored.size,
                    HouseDocument.updated_at: now,
                }
            ).where(HouseDocument.id == document.id)
            await DocumentFile.insert(
                DocumentFile(
                    document=document.id,
                    key=stored.key,
                    size=stored.size,
                    name=name[:255],
                    uploaded_at=now,
                    uploaded_by=principal.name,
                )
            )
            await audit.record(principal, "document.replace", ENTITY, document.id, {"file": name[:255]}, ip, now=now)
            if notify and not document.hidden:
                await _tell(
                    principal, document.id, document.title, document.kind, document.company_wide, document.house_ids, ip
                )


async def set_hidden(
    principal: Principal, document: queries.StaffDocument, hidden: bool, *, version: str | None = None, ip: str = ""
) -> bool:
    """Hide the document from residents, or show it again; False when it already was so (nothing written)."""
    _may_change(principal, document.company_wide, document.house_ids)
    now = clock.now()
    async with atomic():
        if not await stale.changes(HouseDocument, document.id, {"hidden": hidden}):
            return False
        await stale.check(HouseDocument, document.id, ENTITY, version)
        await HouseDocument.update({HouseDocument.hidden: hidden, HouseDocument.updated_at: now}).where(
            HouseDocument.id == document.id
        )
        action = "document.hide" if hidden else "document.show"
        await audit.record(principal, action, ENTITY, document.id, {"hidden": hidden}, ip, now=now)
    memos.forget()
    return True
