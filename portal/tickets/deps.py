"""Providers of the records in request URLs: each loads the record only if the caller may see it, and answers 404
for a missing one and a forbidden one alike."""

from __future__ import annotations

from litestar.di import NamedDependency
from litestar.di import Provide
from litestar.exceptions import NotFoundException
from litestar.params import FromPath

from portal.core.security import Principal
from portal.core.web import found
from portal.tickets import queries
from portal.tickets.queries import Attachment
from portal.tickets.queries import OutageRow
from portal.tickets.queries import TicketDetail


async def provide_resident_ticket(principal: NamedDependency[Principal], ticket_id: FromPath[int]) -> TicketDetail:
    """A request of one of the resident's accounts with the "tickets" right."""
    return found(await queries.ticket_for_resident(principal, ticket_id))


async def provide_staff_ticket(principal: NamedDependency[Principal], ticket_id: FromPath[int]) -> TicketDetail:
    """A request of the staff member's houses (an executor's own)."""
    return found(await queries.ticket_for_staff(principal, ticket_id))


async def provide_resident_photo(principal: NamedDependency[Principal], attachment_id: FromPath[int]) -> Attachment:
    """A photo the resident may see, of a request they may see."""
    photo = await queries.attachment(attachment_id)
    if photo is None or not photo.visible_to_resident:
        raise NotFoundException()
    await provide_resident_ticket(principal, photo.ticket)
    return photo


async def provide_staff_photo(principal: NamedDependency[Principal], attachment_id: FromPath[int]) -> Attachment:
    photo = found(await queries.attachment(attachment_id))
    await provide_staff_ticket(principal, photo.ticket)
    return photo


async def provide_outage(principal: NamedDependency[Principal], outage_id: FromPath[int]) -> OutageRow:
    """An outage of the staff member's houses."""
    return found(await queries.outage_for_staff(principal, outage_id))


# What a handler declares to receive: the caller, and the request, photo or outage of its path.
Caller = NamedDependency[Principal]
LoadedTicket = NamedDependency[TicketDetail]
LoadedPhoto = NamedDependency[Attachment]
LoadedOutage = NamedDependency[OutageRow]

RESIDENT = {"ticket": Provide(provide_resident_ticket), "photo": Provide(provide_resident_photo)}
STAFF = {"ticket": Provide(provide_staff_ticket), "photo": Provide(provide_staff_photo)}
OUTAGES = {"outage": Provide(provide_outage)}
