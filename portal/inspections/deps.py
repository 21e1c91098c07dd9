"""Providers of the records in the rounds' URLs: each loads the record only if the caller may see it, and answers
404 for a missing one and a forbidden one alike."""

from __future__ import annotations

from litestar.di import NamedDependency
from litestar.di import Provide
from litestar.params import FromPath

from portal.core.security import Principal
from portal.core.web import found
from portal.inspections import queries
from portal.inspections.queries import PhotoRow
from portal.inspections.queries import Point
from portal.inspections.queries import RoundRow


async def provide_round(principal: NamedDependency[Principal], round_id: FromPath[int]) -> RoundRow:
    """A round of one of the staff member's houses."""
    return found(await queries.round_for_staff(principal, round_id))


async def provide_point(point_id: FromPath[int]) -> Point:
    return found(await queries.point(point_id))


async def provide_point_edit(point_id: FromPath[int]) -> queries.PointEdit:
    return found(await queries.point_edit(point_id))


async def provide_photo(principal: NamedDependency[Principal], inspection_photo_id: FromPath[int]) -> PhotoRow:
    return found(await queries.photo_for_staff(principal, inspection_photo_id))


Caller = NamedDependency[Principal]
LoadedRound = NamedDependency[RoundRow]
LoadedPoint = NamedDependency[Point]
LoadedPhoto = NamedDependency[PhotoRow]
LoadedPointEdit = NamedDependency[queries.PointEdit]

STAFF = {"inspection": Provide(provide_round), "point": Provide(provide_point), "photo": Provide(provide_photo)}
CHECKLIST = {"point": Provide(provide_point_edit)}
