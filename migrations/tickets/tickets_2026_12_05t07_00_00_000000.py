"""Finished emergencies typed «Плановая» or «Платная» get their legal deadline. An emergency category keeps its
legal term whatever the request's type (``deadlines.term_category``, DOMAIN §5), but a request of one stored typed as
works by agreement before staff could no longer do so has no deadline, and one done and closed before the data
migration of open ones (2026-12-05T01:30) kept none: the dispatch statistics counted it done on time however late,
and its page said «по договорённости». Done and closed such requests get the deadline of their category's rule,
counted from their registration, from the damage for the repair of an emergency's damage where staff typed it, or
from their last return to work; the type and flags they were finished with stand, as their history does, and the
new deadline is written in their staff history as the portal's (no author). Cancelled ones are never overdue and
keep none.

``CHUNK`` requests at a time in the order of their ids, one transaction each: the chunk, the returns of its
requests, one update a request, the history. Run again, it finds nothing left to change."""

from __future__ import annotations

from datetime import UTC
from datetime import datetime
from typing import Any

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-12-05T07:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "finished emergencies typed as planned or paid works get their legal deadline"

CHUNK = 200
FINISHED = ("done", "closed")


def _wanted() -> Any:
    from portal.tickets import deadlines
    from portal.tickets.tables import Ticket

    return (
        Ticket.category.is_in(sorted(deadlines.LEGAL_TERM_CATEGORIES))
        & Ticket.status.is_in(list(FINISHED))
        & Ticket.type.is_in(sorted(deadlines.BY_AGREEMENT))
        & Ticket.deadline.is_null()
    )


async def _chunk(rows: list[dict[str, Any]], tz: str, now: datetime) -> None:
    from portal.core.db import atomic
    from portal.tickets import deadlines
    from portal.tickets.tables import Ticket
    from portal.tickets.tables import TicketEvent

    returns = await _returns([r["id"] for r in rows])
    due: dict[int, datetime] = {}
    for row in rows:
        clock_from = returns.get(row["id"])
        damage_at = None if clock_from else row["damage_at"]
        start = clock_from or row["created_at"]
        legal = deadlines.deadline_for(row["category"], start, tz, ticket_type=row["type"], damage_at=damage_at)
        if legal is not None:
            due[row["id"]] = legal
    events = [
        TicketEvent(
            ticket=ticket_id,
            kind="deadline",
            author=None,
            author_name="",
            by_staff=True,
            created_at=now,
            to_value=deadline.isoformat(),
            visible_to_resident=False,
        )
        for ticket_id, deadline in due.items()
    ]
    async with atomic():
        for ticket_id, deadline in due.items():  # each its own moment: one update a request
            await Ticket.update({Ticket.deadline: deadline}).where(Ticket.id == ticket_id)
        if events:
            await TicketEvent.insert(*events)


async def _returns(ids: list[int]) -> dict[int, datetime]:
    """When each of the requests ``ids`` last went back to work from done or closed (one query)."""
    from importlib import import_module

    return await import_module("migrations.tickets.tickets_2026_12_05t01_30_00_000000")._returns(ids)


async def backfill(now: datetime | None = None) -> int:
    """Date the finished emergencies typed as works by agreement; returns how many were read."""
    from portal.settings import get_settings
    from portal.tickets.tables import Ticket

    tz, now, last, done = get_settings().time_zone, now or datetime.now(UTC), 0, 0
    columns = (Ticket.id, Ticket.category, Ticket.type, Ticket.created_at, Ticket.damage_at)
    while rows := await Ticket.select(*columns).where(_wanted() & (Ticket.id > last)).order_by(Ticket.id).limit(CHUNK):
        await _chunk(rows, tz, now)
        last, done = rows[-1]["id"], done + len(rows)
    return done


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="tickets", description=DESCRIPTION)
    manager.add_raw(backfill)
    return manager
