"""Providers of the registry's records in a path (``{house_id}``, ``{premise_id}``, ``{account_id}``,
``{owner_id}``): each is loaded only within the staff member's houses, and a missing record and a forbidden one
alike answer 404. The registry's pages and the staff meter pages take them from here."""

from __future__ import annotations

from litestar.di import NamedDependency
from litestar.di import Provide
from litestar.params import FromPath

from portal.core.security import Principal
from portal.core.web import found
from portal.housing import queries


async def provide_house(principal: NamedDependency[Principal], house_id: FromPath[int]) -> queries.HouseView:
    return found(await queries.get_house(principal, house_id))


async def provide_premise(principal: NamedDependency[Principal], premise_id: FromPath[int]) -> queries.PremiseView:
    return found(await queries.get_premise(principal, premise_id))


async def provide_account(principal: NamedDependency[Principal], account_id: FromPath[int]) -> queries.AccountView:
    return found(await queries.get_account(principal, account_id))


async def provide_owner(principal: NamedDependency[Principal], owner_id: FromPath[int]) -> queries.OwnerView:
    return found(await queries.get_owner(principal, owner_id))


# What a controller of staff pages declares to load the records of its paths.
RECORDS = {
    "house": Provide(provide_house),
    "premise": Provide(provide_premise),
    "account": Provide(provide_account),
    "owner": Provide(provide_owner),
}
