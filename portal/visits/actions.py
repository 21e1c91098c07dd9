"""Changes of visits to the client centre, one function per intent, each one transaction with its audit event and
the resident's message: a resident books a time (a desk's seat, unique in the database: of two people taking the
last one at once, one wins) and cancels it; staff mark a visit attended or missed, or cancel it with a reason the
resident is told in their own language."""

from __future__ import annotations

from datetime import datetime

from portal.accounts.notify import notify
from portal.accounts.tables import User
from portal.core import audit
from portal.core import clock
from portal.core import stale
from portal.core.db import atomic
from portal.core.db import is_sqlite
from portal.core.db import unique_violations
from portal.core.i18n import gettext
from portal.core.security import Principal
from portal.core.web import Refused
from portal.visits import messages
from portal.visits import queries
from portal.visits import rules
from portal.visits.forms import Booking
from portal.visits.queries import Centre
from portal.visits.queries import Choice
from portal.visits.queries import VisitView
from portal.visits.rules import Status
from portal.visits.tables import Visit
from portal.visits.tables import VisitCentre


class SeatTaken(Exception):
    """The time chosen is no longer free (taken a moment ago, or past the lead time): the form is shown again with
    what was typed."""


def _taken_message() -> str:
    return gettext("This time has just been taken: please choose another.")


def _context(visit_id: int, starts_at: datetime, centre: str, address: str, purpose: str, reason: str = "") -> dict:  # type: ignore[type-arg]
    return {
        "starts_at": starts_at.isoformat(), "centre": centre, "address": address, "purpose": purpose,
        "reason": reason, "visit": visit_id,
    }  # fmt: skip


def _limit_message() -> str:
    return gettext(
        "You have %(count)s upcoming visits already: cancel one to book another.", count=rules.UPCOMING_LIMIT
    )


async def _check_limit(user_id: int, now: datetime) -> None:
    """Refuse a booking past the visitor's limit of upcoming visits."""
    if not rules.may_book_more(await queries.upcoming_count(user_id, now)):
        raise Refused(_limit_message())


async def book(
    principal: Principal, choice: Choice, booking: Booking, now: datetime, *, ip: str = "", visitor: int | None = None
) -> int:
    """Book the resident a visit at the centre of one of their complexes: a time the centre offers (from two hours
    ahead, within two weeks, a free desk), at most two upcoming visits a person. Each free desk of the time is tried
    in turn; the seat's unique key decides a race. Raises ``SeatTaken`` when none is left.

    Staff booking for a caller (the call centre) pass the resident as ``visitor`` (a person of ``choice``'s account:
    the route checks it): the same rules hold for the visitor, the audit event names the staff member as its actor
    (``visits.book_for``, with the visitor), and the confirmation goes to the visitor in their language.

    The limit holds under simultaneous bookings (two tabs, a double tap): the upcoming visits are counted again in
    the transaction that writes the visit, after locking the visitor's own ``User`` row on PostgreSQL (a second
    booking of the same person waits there until the first commits, then counts it; READ COMMITTED gives each
    statement a fresh snapshot), while SQLite's transactions are ``IMMEDIATE`` (``core.db.atomic``): one writer at a
    time, so the count and the insert of one booking are never interleaved with another's."""
    if principal.user_id is None:
        raise Refused(gettext("Sign in to book a visit."))
    for_caller = visitor is not None and visitor != principal.user_id
    visitor = principal.user_id if visitor is None else visitor
    centre = choice.centre
    zone = clock.zone()
    day = booking.starts_at.astimezone(zone).date()
    offered = {s.starts_at: s for s in rules.free_slots(centre.hours, now, zone, {}, day=day)}
    slot = offered.get(booking.starts_at.astimezone(zone))
    if slot is None:
        raise SeatTaken(_taken_message())
    await _check_limit(visitor, now)  # the early answer; the transaction below is the one that holds
    free = rules.desks_free(centre.hours.desks, await queries.desks_taken(centre.id, slot.starts_at))
    for desk in free:
        try:
            async with atomic():
                if not is_sqlite():
                    await User.select(User.id).where(User.id == visitor).lock_rows()
                await _check_limit(visitor, now)
                row = Visit(
                    centre=centre.id, user=visitor, account=choice.account_id, purpose=booking.purpose,
                    comment=booking.comment, starts_at=slot.starts_at, ends_at=slot.ends_at, desk=desk,
                    seat=rules.seat(centre.id, slot.starts_at, desk), status=Status.BOOKED, created_at=now,
                    updated_at=now,
                )  # fmt: skip
                await row.save()
                changes: dict[str, object] = {
                    "centre": centre.id, "starts_at": slot.starts_at, "purpose": str(booking.purpose),
                }  # fmt: skip
                if for_caller:
                    changes["visitor"] = visitor
                action = "visits.book_for" if for_caller else "visits.book"
                await audit.record(principal, action, "client_visit", row.id, changes, ip, now=now)
                await notify(
                    visitor, messages.BOOKED.name,
                    context=_context(row.id, slot.starts_at, centre.title, centre.address, booking.purpose),
                    link=f"/visits/{row.id}", dedupe_key=f"visits:booked:{row.id}", ref=f"visits:visit:{row.id}",
                    now=now,
                )  # fmt: skip
            return int(row.id)
        except unique_violations():
            continue
    raise SeatTaken(_taken_message())


async def _move(
    principal: Principal, visit: VisitView, to: Status, action: str, now: datetime, ip: str, reason: str = ""
) -> None:
    """Move a booked visit to ``to`` (only from booked: a second press is told the state). A cancelled visit gives
    up its seat, so that the time is free again."""
    values: dict = {Visit.status: to, Visit.done_by: principal.user_id, Visit.done_at: now, Visit.updated_at: now}  # type: ignore[type-arg]
    if to == Status.CANCELLED:
        values |= {Visit.seat: None, Visit.cancel_reason: reason}
    async with atomic():
        moved = await (
            Visit.update(values).where((Visit.id == visit.id) & (Visit.status == Status.BOOKED)).returning(Visit.id)
        )
        if not moved:
            raise Refused(gettext("This has been done already: the page shows how it stands now."))
        changes: dict = {"centre": visit.centre_id, "starts_at": visit.starts_at, "status": str(to)}  # type: ignore[type-arg]
        if reason:
            changes["reason"] = reason
        await audit.record(principal, action, "client_visit", visit.id, changes, ip, now=now)
        template = {Status.CANCELLED: messages.CANCELLED, Status.NO_SHOW: messages.MISSED,
                    Status.ATTENDED: messages.CAME}.get(to)  # fmt: skip
        if template is not None:
            await notify(
                visit.user_id, template.name,
                context=_context(visit.id, visit.starts_at, visit.centre_title, visit.centre_address, visit.purpose,
                                 reason),
                link=f"/visits/{visit.id}", dedupe_key=f"visits:{to}:{visit.id}", ref=f"visits:visit:{visit.id}",
                now=now,
            )  # fmt: skip


async def cancel(principal: Principal, visit: VisitView, now: datetime, *, ip: str = "") -> None:
    """The resident cancels their visit, until an hour before it starts."""
    if not rules.may_cancel(visit.status, visit.starts_at, now):
        if visit.status != Status.BOOKED:
            raise Refused(gettext("This has been done already: the page shows how it stands now."))
        raise Refused(gettext("A visit is cancelled at the latest an hour before it: please call the centre."))
    await _move(principal, visit, Status.CANCELLED, "visits.cancel", now, ip)


async def staff_cancel(principal: Principal, visit: VisitView, reason: str, now: datetime, *, ip: str = "") -> None:
    """The centre cancels a booked visit with its reason; the resident is told it in their language."""
    await _move(principal, visit, Status.CANCELLED, "visits.staff_cancel", now, ip, reason)


async def mark(principal: Principal, visit: VisitView, came: bool, now: datetime, *, ip: str = "") -> None:
    """Staff mark a booked visit attended (from an hour before it: people come early) or missed (once it has
    started); a missed one tells the resident how to book again."""
    if not rules.may_mark(came, visit.starts_at, now):
        raise Refused(gettext("The visit has not started yet."))
    if came:
        await _move(principal, visit, Status.ATTENDED, "visits.attended", now, ip)
    else:
        await _move(principal, visit, Status.NO_SHOW, "visits.no_show", now, ip)


async def rate(
    principal: Principal, visit: VisitView, rating: int, feedback: str, now: datetime, *, ip: str = ""
) -> None:
    """The resident's rating of a visit they came to (once: a second, from another tab, is told it is done); the
    audit keeps the mark, not the words."""
    if not rules.may_rate(visit.status, visit.rating):
        raise Refused(gettext("This has been done already: the page shows how it stands now."))
    async with atomic():
        rated = await (
            Visit.update(
                {Visit.rating: rating, Visit.feedback: feedback.strip(), Visit.rated_at: now, Visit.updated_at: now}
            )
            .where((Visit.id == visit.id) & (Visit.status == Status.ATTENDED) & Visit.rating.is_null())
            .returning(Visit.id)
        )
        if not rated:
            raise Refused(gettext("This has been done already: the page shows how it stands now."))
        await audit.record(principal, "visits.rate", "client_visit", visit.id, {"rating": rating}, ip, now=now)


async def edit_centre(
    principal: Principal, centre: Centre, values: dict[str, object], version: str | None, now: datetime, *, ip: str = ""
) -> int:
    """Staff save a centre's settings (hours, lunch, Saturday, slot, desks, name, address): refused as stale when
    the centre changed since its form was read; audited with what changed. Visits booked already stay as they are;
    returns how many upcoming ones the new week no longer holds, outside its hours or beyond its desks (the page says
    so: the centre may call them)."""
    async with atomic():
        await stale.check(VisitCentre, centre.id, "client_centre", version)
        changes = await stale.changes(VisitCentre, centre.id, values)
        if changes:
            await VisitCentre.update({**{getattr(VisitCentre, k): v for k, v in values.items()},
                                      VisitCentre.updated_at: now}).where(VisitCentre.id == centre.id)  # fmt: skip
            await audit.record(principal, "visits.centre_edit", "client_centre", centre.id, changes, ip, now=now)
    saved = await queries.centre(centre.id)
    hours = saved.hours if saved else centre.hours
    return rules.not_fitting(hours, await queries.upcoming_times(centre.id, now), clock.zone())


async def send_reminders(now: datetime) -> int:
    """A day before each booked visit (booked more than a day ahead), remind its resident in their language: when,
    where, what to bring, and to cancel if plans changed, so the time goes to another. Once a visit (the message's
    key: a run repeated, or on two workers, sends nothing twice). Returns how many were reminded."""
    sent, after = 0, 0
    while True:
        due, after = await queries.to_remind(now, after=after)
        for visit in due:
            async with atomic():
                sent += bool(await remind(visit, now))
        if not after:
            return sent


async def remind(visit: VisitView, now: datetime) -> int:
    """Remind one resident of their visit, in their language."""
    return await notify(
        visit.user_id, messages.REMINDER.name,
        context=_context(visit.id, visit.starts_at, visit.centre_title, visit.centre_address, visit.purpose),
        link=f"/visits/{visit.id}", dedupe_key=queries.REMINDER_KEY.format(visit=visit.id),
        ref=f"visits:visit:{visit.id}", now=now,
    )  # fmt: skip
