"""Providers of the records in the mystery resident's URLs: a checker only to the person it is (to staff, only of
their houses), 404 to anyone else (missing and forbidden look alike)."""

from __future__ import annotations

from litestar.di import NamedDependency
from litestar.di import Provide
from litestar.params import FromPath

from portal.core.security import Principal
from portal.core.web import found
from portal.mystery import queries
from portal.mystery.queries import CheckerRow


async def provide_checker(principal: NamedDependency[Principal], checker_id: FromPath[int]) -> CheckerRow:
    return found(await queries.checker_for(principal, checker_id))


async def provide_staff_checker(principal: NamedDependency[Principal], checker_id: FromPath[int]) -> CheckerRow:
    return found(await queries.checker_for_staff(principal, checker_id))


Caller = NamedDependency[Principal]
LoadedChecker = NamedDependency[CheckerRow]

RESIDENT = {"checker": Provide(provide_checker)}
STAFF = {"checker": Provide(provide_staff_checker)}
