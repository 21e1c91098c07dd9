"""Providers of the records in the meetings' URLs: each loads the record only if the caller may see it (404
otherwise), and the names handlers declare them by."""

from __future__ import annotations

from litestar.di import NamedDependency
from litestar.di import Provide
from litestar.params import FromPath

from portal.core.security import Principal
from portal.meetings import queries


async def provide_meeting(meeting_id: FromPath[int], principal: NamedDependency[Principal]) -> queries.MeetingView:
    """A published meeting of the user's houses (404 otherwise)."""
    return await queries.meeting_for_resident(principal, meeting_id)


async def provide_initiative(
    initiative_id: FromPath[int], principal: NamedDependency[Principal]
) -> queries.InitiativeView:
    return await queries.initiative_for_resident(principal, initiative_id)


async def provide_staff_meeting(
    meeting_id: FromPath[int], principal: NamedDependency[Principal]
) -> queries.MeetingView:
    return await queries.meeting_for_staff(principal, meeting_id)


async def provide_ballot(ballot_id: FromPath[int], principal: NamedDependency[Principal]) -> queries.BallotRow:
    return (await queries.ballot_for_staff(principal, ballot_id))[1]


Caller = NamedDependency[Principal]
LoadedMeeting = NamedDependency[queries.MeetingView]
LoadedInitiative = NamedDependency[queries.InitiativeView]
LoadedBallot = NamedDependency[queries.BallotRow]

RESIDENT = {"meeting": Provide(provide_meeting), "initiative": Provide(provide_initiative)}
STAFF = {"meeting": Provide(provide_staff_meeting), "ballot": Provide(provide_ballot)}
