"""Changes of visits to the client centre, one function per intent, each one transaction with its audit event and
the resident's message: a resident books a time (a desk's seat, unique in the database: of two people taking the
last one at once, one wins) and cancels it; staff mark a visit attended or missed, or cancel it with a reason the
resident is told in their own language. The call centre books a caller too, with a sign-in or without (told by SMS;
their name and phone erased the term after the visit)."""

from __future__ import annotations

from datetime import datetime
from datetime import timedelta
from typing import Any

from portal.accounts.notify import notify
from portal.accounts.tables import User
from portal.core import audit
from portal.core import clock
from portal.core import jobs
from portal.core import outbox
from portal.core import stale
from portal.core.db import atomic
from portal.core.db import is_sqlite
from portal.core.db import unique_violations
from portal.core.i18n import DEFAULT_LOCALE
from portal.core.i18n import gettext
from portal.core.security import Principal
from portal.core.tables import OutboxMessage
from portal.core.web import Refused
from portal.housing.tables import PersonalAccount
from portal.notifications.messages import MessageTemplate
from portal.notifications.messages import render
from portal.settings import get_settings
from portal.visits import messages
from portal.visits import queries
from portal.visits import rules
from portal.visits.forms import Booking
from portal.visits.forms import Caller
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


def _limit_message(by_staff: bool) -> str:
    if by_staff:
        return gettext(
            "This person has %(count)s upcoming visits already: one is to be cancelled before another is booked.",
            count=rules.UPCOMING_LIMIT,
        )
    return gettext(
        "You have %(count)s upcoming visits already: cancel one to book another.", count=rules.UPCOMING_LIMIT
    )


async def _check_limit(user_id: int | None, caller: Caller | None, now: datetime, *, by_staff: bool) -> None:
    """Refuse a booking past the visitor's limit of upcoming visits (a caller without a sign-in: of their phone)."""
    if caller is not None:
        count = await queries.upcoming_count_of_phone(caller.phone, now)
    else:
        count = await queries.upcoming_count(user_id, now) if user_id is not None else 0
    if not rules.may_book_more(count):
        raise Refused(_limit_message(by_staff))


async def _tell(
    user_id: int | None, phone: str, template: MessageTemplate, context: dict[str, Any], key: str, now: datetime
) -> int:
    """Tell the visitor of their visit (``context["visit"]``): a person with a sign-in through ``notify`` (their
    channels, their language); a caller without one by SMS to ``phone``, in the company's language and in words of
    their own (``messages.FOR_CALLERS``; a message without such words is not sent to them, nor to an erased phone).
    ``key``: the event's, which no one is told twice."""
    visit_id = context["visit"]
    if user_id is not None:
        return await notify(user_id, template.name, context=context, link=f"/visits/{visit_id}", dedupe_key=key,
                            ref=f"visits:visit:{visit_id}", now=now)  # fmt: skip
    sms = messages.FOR_CALLERS.get(template.name)
    if sms is None or not phone:
        return 0
    return await tell_caller(phone, sms, context, key, now)


async def tell_caller(
    phone: str, template: MessageTemplate, context: dict[str, Any], key: str, now: datetime, *, locale: str = ""
) -> int:
    """Queue the SMS ``template`` (one of ``messages.FOR_CALLERS``) to a caller without a sign-in about their visit
    (``context["visit"]``), in the company's language unless ``locale`` is given; once for the event ``key``."""
    text = render(template, locale or DEFAULT_LOCALE, context).text
    ref = f"visits:visit:{context['visit']}"
    return int(await outbox.enqueue("sms", phone, template.name, context, f"sms:{key}", body=text, ref=ref, now=now))


async def book(
    principal: Principal,
    choice: Choice,
    booking: Booking,
    now: datetime,
    *,
    ip: str = "",
    visitor: int | Caller | None = None,
) -> int:
    """Book the resident a visit at the centre of one of their complexes: a time the centre offers (from two hours
    ahead, within two weeks, a free desk), at most two upcoming visits a person. Each free desk of the time is tried
    in turn; the seat's unique key decides a race. Raises ``SeatTaken`` when none is left.

    Staff booking for a caller (the call centre) pass the resident as ``visitor`` (a person of ``choice``'s account:
    the route checks it), or a ``Caller`` without a sign-in (their name and phone, the visit's own; told by SMS; the
    limit counted by the phone): the same rules hold for the visitor, the audit event names the staff member as its
    actor (``visits.book_for``, with the visitor, or that it was a caller by phone), and the confirmation goes to the
    visitor in their language.

    The limit holds under simultaneous bookings (two tabs, a double tap): the upcoming visits are counted again in
    the transaction that writes the visit, after locking the visitor's own ``User`` row on PostgreSQL (a caller
    without one: the account's row; a second booking of the same person waits there until the first commits, then
    counts it; READ COMMITTED gives each statement a fresh snapshot), while SQLite's transactions are ``IMMEDIATE``
    (``core.db.atomic``): one writer at a time, so the count and the insert of one booking are never interleaved
    with another's."""
    if principal.user_id is None:
        raise Refused(gettext("Sign in to book a visit."))
    caller = visitor if isinstance(visitor, Caller) else None
    user_id = None if caller else (principal.user_id if visitor is None else visitor)
    by_staff = user_id != principal.user_id
    centre = choice.centre
    zone = clock.zone()
    day = booking.starts_at.astimezone(zone).date()
    offered = {s.starts_at: s for s in rules.free_slots(centre.hours, now, zone, {}, day=day)}
    slot = offered.get(booking.starts_at.astimezone(zone))
    if slot is None:
        raise SeatTaken(_taken_message())
    # the early answer; the transaction below is the one that holds
    await _check_limit(user_id, caller, now, by_staff=by_staff)
    free = rules.desks_free(centre.hours.desks, await queries.desks_taken(centre.id, slot.starts_at))
    for desk in free:
        try:
            async with atomic():
                if not is_sqlite():
                    await _lock_visitor(user_id, choice.account_id)
                await _check_limit(user_id, caller, now, by_staff=by_staff)
                row = Visit(
                    centre=centre.id, user=user_id, account=choice.account_id, purpose=booking.purpose,
                    comment=booking.comment, starts_at=slot.starts_at, ends_at=slot.ends_at, desk=desk,
                    seat=rules.seat(centre.id, slot.starts_at, desk), status=Status.BOOKED, created_at=now,
                    updated_at=now, caller_name=caller.name if caller else "",
                    caller_phone=caller.phone if caller else "",
                )  # fmt: skip
                await row.save()
                changes: dict[str, object] = {
                    "centre": centre.id, "starts_at": slot.starts_at, "purpose": str(booking.purpose),
                }  # fmt: skip
                if caller is not None:
                    changes["caller"] = True  # their name and phone stay on the visit alone, erased with it
                elif by_staff:
                    changes["visitor"] = user_id
                action = "visits.book_for" if by_staff else "visits.book"
                await audit.record(principal, action, "client_visit", row.id, changes, ip, now=now)
                context = _context(row.id, slot.starts_at, centre.title, centre.address, booking.purpose)
                await _tell(user_id, caller.phone if caller else "", messages.BOOKED, context,
                            f"visits:booked:{row.id}", now)  # fmt: skip
            return int(row.id)
        except unique_violations():
            continue
    raise SeatTaken(_taken_message())


async def _lock_visitor(user_id: int | None, account_id: int) -> None:
    """PostgreSQL: the row a second booking of the same visitor waits at (their ``User``; a caller's account)."""
    if user_id is not None:
        await User.select(User.id).where(User.id == user_id).lock_rows()
    else:
        await PersonalAccount.select(PersonalAccount.id).where(PersonalAccount.id == account_id).lock_rows()


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
            context = _context(visit.id, visit.starts_at, visit.centre_title, visit.centre_address, visit.purpose,
                               reason)  # fmt: skip
            await _tell(visit.user_id, visit.caller_phone, template, context, f"visits:{to}:{visit.id}", now)


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
    """Remind one resident of their visit, in their language (a caller without a sign-in by SMS)."""
    context = _context(visit.id, visit.starts_at, visit.centre_title, visit.centre_address, visit.purpose)
    key = queries.REMINDER_KEY.format(visit=visit.id)
    return await _tell(visit.user_id, visit.caller_phone, messages.REMINDER, context, key, now)


# --- a caller's name and phone kept no longer than their visit needs (the daily job) ------------------------------

CALLERS_PER_BATCH = 200


@jobs.register("visit-callers-erasure", 86400, key=lambda now: clock.local(now).date().isoformat())
async def visit_callers_erasure(now: datetime) -> int:
    return await forget_callers(now, get_settings().caller_keep_days)


async def forget_callers(now: datetime, keep_days: int) -> int:
    """Delete the name and phone of each caller without a sign-in from their visit ``keep_days`` after it was to
    start (came, missed or cancelled alike; 152-ФЗ ст. 5 ч. 7: they were given only to arrange that visit), with the
    SMS that told them of it. The visit stays (its centre, time, account and what became of it) and says the day its
    caller's data went. A batch at a time, each in one transaction with one audit row. Returns how many were done."""
    before = now - timedelta(days=keep_days)
    done = 0
    while ids := await queries.callers_past_term(before, limit=CALLERS_PER_BATCH):
        async with atomic():
            blank = {Visit.caller_name: "", Visit.caller_phone: "", Visit.caller_erased_at: now}
            await Visit.update(blank).where(Visit.id.is_in(ids))
            told = OutboxMessage.ref.is_in([f"visits:visit:{i}" for i in ids]) & (OutboxMessage.channel == "sms")
            await OutboxMessage.delete().where(told)  # by the index of ``ref``
            await audit.record(None, "visits.callers_erased", "client_visit", None, {"visits": len(ids)}, now=now)
        done += len(ids)
    return done
