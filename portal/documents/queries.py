"""Reads of the house's documents: a resident's documents (of the houses of their kept accounts and the company's),
one document only if the caller may see it, the staff list within the staff member's houses. Bounded and indexed."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from datetime import datetime

from litestar.exceptions import NotFoundException

from portal.accounts.queries import houses_of_accounts
from portal.core import orphans
from portal.core.clauses import every
from portal.core.db import from_row
from portal.core.paged import read_page
from portal.core.pagination import Page
from portal.core.pagination import PageRequest
from portal.core.rows import columns_of
from portal.core.security import Principal
from portal.documents import rules
from portal.documents.tables import DocumentFile
from portal.documents.tables import DocumentHouse
from portal.documents.tables import DocumentKind
from portal.documents.tables import HouseDocument

# A company keeps tens of documents a house; a resident's page shows at most so many (the newest).
RESIDENT_LIMIT = 200
VERSIONS_SHOWN = 50


@dataclass(frozen=True)
class DocumentRow:
    """A document as a resident sees it in the list and opens it."""

    id: int
    kind: str
    title: str
    issued_on: date
    file_key: str
    file_size: int


@dataclass(frozen=True)
class KindGroup:
    """The documents of one kind, newest first."""

    kind: DocumentKind
    documents: list[DocumentRow]


async def resident_houses(principal: Principal) -> list[int]:
    """The houses of the resident's kept accounts (a closed account's former family member keeps none)."""
    return [h.house_id for h in await houses_of_accounts(principal)]


def _visible_to(houses: Sequence[int]) -> object:
    """Documents a resident of ``houses`` sees: shown, and for the whole company or for one of those houses."""
    of_houses = HouseDocument.id.is_in(
        DocumentHouse.select(DocumentHouse.document).where(DocumentHouse.house.is_in(list(houses) or [-1]))
    )
    return (HouseDocument.hidden == False) & ((HouseDocument.company_wide == True) | of_houses)  # noqa: E712


async def resident_documents(principal: Principal) -> list[KindGroup]:
    """The documents the resident sees, grouped by kind in the order of ``DocumentKind``, newest first in each."""
    houses = await resident_houses(principal)
    if not houses:
        return []
    rows = (
        await HouseDocument.select(*columns_of(HouseDocument, DocumentRow))
        .where(_visible_to(houses))
        .order_by(HouseDocument.issued_on, ascending=False)
        .order_by(HouseDocument.id, ascending=False)
        .limit(RESIDENT_LIMIT)
    )
    documents = [from_row(DocumentRow, r) for r in rows]
    groups = [KindGroup(kind, [d for d in documents if d.kind == kind]) for kind in DocumentKind]
    return [g for g in groups if g.documents]


async def document_for_resident(principal: Principal, document_id: int) -> DocumentRow:
    """A document the resident sees, or 404: another house's, a hidden one and a missing one look alike."""
    houses = await resident_houses(principal)
    row = (
        await HouseDocument.select(*columns_of(HouseDocument, DocumentRow))
        .where((HouseDocument.id == document_id) & _visible_to(houses))
        .first()
        if houses
        else None
    )
    if row is None:
        raise NotFoundException()
    return from_row(DocumentRow, row)


async def newcomer_memos(principal: Principal) -> list[int]:
    """The newcomer's memos the resident sees, newest first (two at most: the home page links to one if it is the
    only one)."""
    houses = await resident_houses(principal)
    if not houses:
        return []
    rows = (
        await HouseDocument.select(HouseDocument.id)
        .where((HouseDocument.kind == DocumentKind.NEWCOMER) & _visible_to(houses))
        .order_by(HouseDocument.issued_on, ascending=False)
        .limit(2)
    )
    return [r["id"] for r in rows]


# --- staff ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StaffRow:
    id: int
    kind: str
    title: str
    issued_on: date
    company_wide: bool
    hidden: bool
    file_size: int
    houses: list[str] = field(default_factory=list)  # the addresses, for a document of houses


@dataclass(frozen=True)
class FileVersion:
    id: int
    key: str
    size: int
    name: str
    uploaded_at: datetime
    uploaded_by: str


@dataclass(frozen=True)
class StaffDocument:
    """A document on its staff page: its houses, every file it has had (newest first), whether the caller may
    change it, and its version for the forms that change it."""

    id: int
    kind: str
    title: str
    issued_on: date
    company_wide: bool
    hidden: bool
    file_key: str
    file_size: int
    author_name: str
    created_at: datetime
    updated_at: datetime
    house_ids: list[int] = field(default_factory=list)
    houses: list[str] = field(default_factory=list)
    versions: list[FileVersion] = field(default_factory=list)
    changeable: bool = False


def _staff_scope(principal: Principal) -> object | None:
    """The documents a staff member sees: every one for staff of every house; else the company's and those of
    any of their houses."""
    if principal.house_ids is None:
        return None
    of_houses = HouseDocument.id.is_in(
        DocumentHouse.select(DocumentHouse.document).where(
            DocumentHouse.house.is_in(sorted(principal.house_ids) or [-1])
        )
    )
    return (HouseDocument.company_wide == True) | of_houses  # noqa: E712


async def _addresses(document_ids: Sequence[int]) -> dict[int, list[tuple[int, str]]]:
    """The houses of the documents, by address (a page's documents at once)."""
    if not document_ids:
        return {}
    rows = (
        await DocumentHouse.select(
            DocumentHouse.document, DocumentHouse.house, DocumentHouse.house.address.as_alias("address")
        )
        .where(DocumentHouse.document.is_in(list(document_ids)))
        .order_by(DocumentHouse.house.address)
    )
    found: dict[int, list[tuple[int, str]]] = {}
    for r in rows:
        found.setdefault(r["document"], []).append((r["house"], r["address"]))
    return found


async def staff_list(
    principal: Principal, page: PageRequest, house_id: int | None = None, kind: DocumentKind | None = None
) -> Page[StaffRow]:
    """The documents the staff member sees, newest first; ``house_id``: those for that house (the company's
    too, as its residents see them), ``kind``: of that kind."""
    for_house = None
    if house_id is not None:
        for_house = (HouseDocument.company_wide == True) | HouseDocument.id.is_in(  # noqa: E712
            DocumentHouse.select(DocumentHouse.document).where(DocumentHouse.house == house_id)
        )
    where = every([_staff_scope(principal), for_house, (HouseDocument.kind == kind) if kind else None])
    if where is None:
        where = HouseDocument.id > 0
    columns = columns_of(HouseDocument, StaffRow)
    rows, total = await read_page(
        HouseDocument, columns, where, page, newest=(HouseDocument.issued_on, HouseDocument.id)
    )
    houses = await _addresses([r["id"] for r in rows])
    items = [from_row(StaffRow, r, houses=[a for _, a in houses.get(r["id"], [])]) for r in rows]
    return Page(items=items, total=total, number=page.number, size=page.size)


async def document_for_staff(principal: Principal, document_id: int) -> StaffDocument:
    """A document the staff member sees (404 otherwise), with its houses and files."""
    row = (
        await HouseDocument.select(*columns_of(HouseDocument, StaffDocument))
        .where(every([HouseDocument.id == document_id, _staff_scope(principal)]))
        .first()
    )
    if row is None:
        raise NotFoundException()
    houses = (await _addresses([document_id])).get(document_id, [])
    versions = (
        await DocumentFile.select(*columns_of(DocumentFile, FileVersion))
        .where(DocumentFile.document == document_id)
        .order_by(DocumentFile.id, ascending=False)
        .limit(VERSIONS_SHOWN)
    )
    house_ids = [h for h, _ in houses]
    return from_row(
        StaffDocument,
        row,
        house_ids=house_ids,
        houses=[a for _, a in houses],
        versions=[from_row(FileVersion, v) for v in versions],
        changeable=rules.may_change(principal.house_ids, row["company_wide"], house_ids),
    )


async def file_of(document_id: int, file_id: int) -> FileVersion | None:
    """One file of a document (the caller has loaded the document already)."""
    row = (
        await DocumentFile.select(*columns_of(DocumentFile, FileVersion))
        .where((DocumentFile.id == file_id) & (DocumentFile.document == document_id))
        .first()
    )
    return from_row(FileVersion, row) if row else None


orphans.kept_in("documents", HouseDocument.file_key, DocumentFile.key)  # the file shown now, and every earlier one
