"""Providers of the records in the catalog's URLs: each loads the record only if the caller may see it, and
answers 404 for a missing one and a forbidden one alike."""

from __future__ import annotations

from litestar.di import NamedDependency
from litestar.di import Provide
from litestar.params import FromPath

from portal.catalog import queries
from portal.catalog.queries import DocumentView
from portal.catalog.queries import OrderDetail
from portal.catalog.queries import ServiceView
from portal.core.security import Principal
from portal.core.web import found


async def provide_resident_order(principal: NamedDependency[Principal], order_id: FromPath[int]) -> OrderDetail:
    """An order of one of the resident's accounts."""
    return found(await queries.order_for_resident(principal, order_id))


async def provide_staff_order(principal: NamedDependency[Principal], order_id: FromPath[int]) -> OrderDetail:
    """An order of the staff member's houses."""
    return found(await queries.order_for_staff(principal, order_id))


async def provide_resident_document(principal: NamedDependency[Principal], document_id: FromPath[int]) -> DocumentView:
    """A document of an order the resident may see."""
    document = found(await queries.document(document_id))
    await provide_resident_order(principal, document.order_id)
    return document


async def provide_staff_document(principal: NamedDependency[Principal], document_id: FromPath[int]) -> DocumentView:
    document = found(await queries.document(document_id))
    await provide_staff_order(principal, document.order_id)
    return document


async def provide_service(service_id: FromPath[int]) -> ServiceView:
    """A service of the catalogue (staff editing it)."""
    return found(await queries.service(service_id))


async def provide_category(category_id: FromPath[int]) -> queries.CategoryView:
    return found(await queries.category(category_id))


Caller = NamedDependency[Principal]
LoadedOrder = NamedDependency[OrderDetail]
LoadedDocument = NamedDependency[DocumentView]
LoadedService = NamedDependency[ServiceView]
LoadedCategory = NamedDependency[queries.CategoryView]

RESIDENT = {"order": Provide(provide_resident_order), "document": Provide(provide_resident_document)}
STAFF = {"order": Provide(provide_staff_order), "document": Provide(provide_staff_document)}
CATALOGUE = {"service": Provide(provide_service), "category": Provide(provide_category)}
