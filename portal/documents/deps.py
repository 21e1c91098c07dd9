"""Providers of the documents in the URLs: each loads the document only if the caller may see it (404
otherwise)."""

from __future__ import annotations

from litestar.di import NamedDependency
from litestar.di import Provide
from litestar.params import FromPath

from portal.core.security import Principal
from portal.documents import queries


async def provide_document(
    house_document_id: FromPath[int], principal: NamedDependency[Principal]
) -> queries.DocumentRow:
    """A shown document of the resident's houses or of the company (404 otherwise)."""
    return await queries.document_for_resident(principal, house_document_id)


async def provide_staff_document(
    house_document_id: FromPath[int], principal: NamedDependency[Principal]
) -> queries.StaffDocument:
    """A document of the staff member's houses or of the company (404 otherwise)."""
    return await queries.document_for_staff(principal, house_document_id)


Caller = NamedDependency[Principal]
LoadedDocument = NamedDependency[queries.DocumentRow]
StaffDocument = NamedDependency[queries.StaffDocument]

RESIDENT = {"document": Provide(provide_document)}
STAFF = {"document": Provide(provide_staff_document)}
