"""Providers of the records in the paths of meters' pages: each loads the record only if the caller may see it (a
meter of the resident's accounts; a reading or meter of the staff member's houses; the registry's account, premise
and house come from ``housing.deps``), and answers 404 for a missing one and a forbidden one alike."""

from __future__ import annotations

from typing import Any

from litestar import Response
from litestar.di import NamedDependency
from litestar.di import Provide
from litestar.params import FromPath
from litestar.response import Template

from portal.core.security import Principal
from portal.core.web import found
from portal.housing import deps as registry
from portal.housing import queries as housing
from portal.meters import exporting
from portal.meters import queries
from portal.meters.tables import Meter


async def provide_resident_meter(meter_id: FromPath[int], principal: NamedDependency[Principal]) -> Meter:
    """A meter on an account the resident passes readings for."""
    return found(await queries.resident_meter(principal, meter_id))


async def provide_reading(reading_id: FromPath[int], principal: NamedDependency[Principal]) -> queries.StaffReading:
    return found(await queries.staff_reading(principal, reading_id))


async def provide_meter(meter_id: FromPath[int], principal: NamedDependency[Principal]) -> queries.StaffMeter:
    return found(await queries.staff_meter(principal, meter_id))


async def provide_house_meter(
    house_meter_id: FromPath[int], principal: NamedDependency[Principal]
) -> queries.StaffHouseMeter:
    return found(await queries.staff_house_meter(principal, house_meter_id))


async def provide_export(export_id: FromPath[int], principal: NamedDependency[Principal]) -> exporting.Run:
    """An export for billing whose file the staff member may have now (every house it covers is theirs)."""
    return found(await exporting.loaded(export_id, principal))


# What a handler declares to receive: the caller, and the record of its path; what a form's handler answers.
Caller = NamedDependency[Principal]
ResidentMeter = NamedDependency[Meter]
LoadedReading = NamedDependency[queries.StaffReading]
LoadedMeter = NamedDependency[queries.StaffMeter]
LoadedHouseMeter = NamedDependency[queries.StaffHouseMeter]
LoadedAccount = NamedDependency[housing.AccountView]
LoadedPremise = NamedDependency[housing.PremiseView]
LoadedHouse = NamedDependency[housing.HouseView]
LoadedExport = NamedDependency[exporting.Run]
Answer = Response[Any] | Template

RESIDENT = {"meter": Provide(provide_resident_meter)}
STAFF = {
    "reading": Provide(provide_reading),
    "account": registry.RECORDS["account"],
    "premise": registry.RECORDS["premise"],
    "meter": Provide(provide_meter),
    "house_meter": Provide(provide_house_meter),
    "export": Provide(provide_export),
    "house": registry.RECORDS["house"],
}
