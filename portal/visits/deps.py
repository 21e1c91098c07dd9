"""Providers of the visits in the URLs: a resident's only to them, a staff member's only of the centres of their
complexes; 404 to anyone else (missing and forbidden look alike)."""

from __future__ import annotations

from litestar.di import NamedDependency
from litestar.di import Provide
from litestar.params import FromPath

from portal.core.security import Principal
from portal.core.web import found
from portal.visits import queries
from portal.visits.queries import VisitView


async def provide_visit(principal: NamedDependency[Principal], visit_id: FromPath[int]) -> VisitView:
    return found(await queries.visit_for(principal, visit_id))


async def provide_staff_visit(principal: NamedDependency[Principal], visit_id: FromPath[int]) -> VisitView:
    return found(await queries.staff_visit(principal, visit_id))


Caller = NamedDependency[Principal]
LoadedVisit = NamedDependency[VisitView]

RESIDENT = {"visit": Provide(provide_visit)}
STAFF = {"visit": Provide(provide_staff_visit)}
