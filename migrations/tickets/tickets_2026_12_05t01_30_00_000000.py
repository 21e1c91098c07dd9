"""An emergency (a category with a legal term of its own: ``deadlines.keeps_legal_term``) is never planned or paid
works, and staff may no longer type or flag it so. Open requests stored before — typed «Плановая» or «Платная», so
with no deadline, and refused on every save of their edit form until retyped — get their category's own type (the
one a request filed without a type gets) and their legal deadline by the rule of ``portal.tickets.deadlines``,
counted from their registration or, for a request returned to work, from its last return (``rules.reopens``); a
deadline someone set by hand stands. The «Плановая» and «Платная» flags of such open requests are removed. Each
change is written in the request's history, as the portal's (no author), with the reason in both languages.

``CHUNK`` requests at a time in the order of their ids, one transaction each: a few statements a chunk (the chunk,
the returns of its requests, one type update per category, one per flag, the history), plus one update per request
that gets a deadline. Done and closed or cancelled requests keep their history as it was. Run again, it finds
nothing left to change."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC
from datetime import datetime
from typing import Any

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-12-05T01:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "open emergencies typed or flagged as planned or paid works get their type and legal deadline"

CHUNK = 200
FINISHED = ("done", "closed", "cancelled")
SAID = (
    "Авария не может быть плановой или платной работой: тип и срок заявки исправлены по законному сроку её категории.",
    "An emergency cannot be planned or paid works: the request's type and deadline follow its category's legal term.",
)


def _wanted() -> Any:
    from portal.tickets import deadlines
    from portal.tickets.tables import Ticket

    agreed = sorted(deadlines.BY_AGREEMENT)
    flagged = Ticket.planned.eq(True) | Ticket.paid.eq(True)
    return (
        Ticket.category.is_in(sorted(deadlines.LEGAL_TERM_CATEGORIES))
        & Ticket.status.not_in(list(FINISHED))
        & (Ticket.type.is_in(agreed) | flagged)
    )


async def _returns(ids: list[int]) -> dict[int, datetime]:
    """When each of the requests ``ids`` last went back to work from done or closed (one query)."""
    from portal.tickets import rules
    from portal.tickets.tables import TicketEvent

    rows = (
        await TicketEvent.select(TicketEvent.ticket, TicketEvent.created_at)
        .where(
            TicketEvent.ticket.is_in(ids)
            & (TicketEvent.kind == rules.EventKind.STATUS)
            & TicketEvent.from_value.is_in(sorted(rules.REOPENED_FROM))
            & TicketEvent.to_value.is_in(sorted(rules.ACTIVE))
        )
        .order_by(TicketEvent.id)
    )
    return {r["ticket"]: r["created_at"] for r in rows}  # the last return of each wins


def _event(ticket_id: int, kind: str, now: datetime, **values: Any) -> Any:
    from portal.tickets.tables import TicketEvent

    return TicketEvent(ticket=ticket_id, kind=kind, author=None, author_name="", by_staff=True, created_at=now, **values)


async def _chunk(rows: list[dict[str, Any]], tz: str, now: datetime) -> None:
    from portal.core.db import atomic
    from portal.tickets import deadlines
    from portal.tickets import rules
    from portal.tickets.tables import Ticket
    from portal.tickets.tables import TicketEvent

    retyped = [r for r in rows if r["type"] in deadlines.BY_AGREEMENT]
    returns = await _returns([r["id"] for r in retyped]) if retyped else {}
    by_type: dict[str, list[int]] = defaultdict(list)
    due: dict[int, datetime] = {}
    events = []
    for row in retyped:
        ticket_type = rules.CATEGORY_BY_CODE[row["category"]].type
        by_type[ticket_type].append(row["id"])
        events.append(
            _event(row["id"], "type", now, from_value=row["type"], to_value=ticket_type, comment=SAID[0], comment_en=SAID[1])
        )
        clock_from = returns.get(row["id"]) or row["created_at"]
        legal = deadlines.deadline_for(row["category"], clock_from, tz, ticket_type=ticket_type)
        if row["deadline"] is None and legal is not None:
            due[row["id"]] = legal
            events.append(_event(row["id"], "deadline", now, to_value=legal.isoformat(), visible_to_resident=True))
    flags = {flag: [r["id"] for r in rows if r[flag]] for flag in sorted(deadlines.BY_AGREEMENT)}
    for flag, ids in flags.items():
        events.extend(_event(i, "flag", now, to_value=f"{flag}=0") for i in ids)
    async with atomic():
        for ticket_type, ids in by_type.items():
            await Ticket.update({Ticket.type: ticket_type, Ticket.updated_at: now}).where(Ticket.id.is_in(ids))
        for flag, ids in flags.items():
            if ids:
                column = getattr(Ticket, flag)
                await Ticket.update({column: False, Ticket.updated_at: now}).where(Ticket.id.is_in(ids))
        for ticket_id, deadline in due.items():  # each its own moment: one update a request
            await Ticket.update({Ticket.deadline: deadline}).where(Ticket.id == ticket_id)
        if events:
            await TicketEvent.insert(*events)


async def backfill(now: datetime | None = None) -> int:
    """Retype, date and unflag the open emergencies typed or flagged as works by agreement; returns how many."""
    from portal.settings import get_settings
    from portal.tickets.tables import Ticket

    tz, now, last, done = get_settings().time_zone, now or datetime.now(UTC), 0, 0
    columns = (Ticket.id, Ticket.category, Ticket.type, Ticket.created_at, Ticket.deadline, Ticket.planned, Ticket.paid)
    while rows := await Ticket.select(*columns).where(_wanted() & (Ticket.id > last)).order_by(Ticket.id).limit(CHUNK):
        await _chunk(rows, tz, now)
        last, done = rows[-1]["id"], done + len(rows)
    return done


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="tickets", description=DESCRIPTION)
    manager.add_raw(backfill)
    return manager
