"""Bounded, indexed reads of visits to the client centre: the centres a resident may book at (those of their
accounts' complexes), the seats taken over a window, a person's visits, a visit only to its resident or to staff of
its complex, and a centre's day for the staff."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from piccolo.query.functions.aggregate import Count
from piccolo.query.functions.aggregate import Sum

from portal.core.address import PremiseAddress
from portal.core.db import from_row
from portal.core.rows import columns_of
from portal.core.security import Principal
from portal.core.tables import OutboxMessage
from portal.core.values import as_moment
from portal.housing.queries import house_scope
from portal.housing.tables import House
from portal.housing.tables import PersonalAccount
from portal.visits import rules
from portal.visits.rules import Hours
from portal.visits.rules import Status
from portal.visits.tables import Visit
from portal.visits.tables import VisitCentre

CENTRES_LIMIT = 200  # a company has 1–50 complexes, each one centre
MINE_LIMIT = 50  # a person's visits listed, newest first
DAY_LIMIT = 500  # a centre's day: 20 slots × a few desks, cancelled ones too
TAKEN_LIMIT = 5000  # seats of a centre's two weeks: 14 days × 20 slots × desks


@dataclass(frozen=True)
class Centre:
    id: int
    complex_id: int
    complex_name: str
    name: str
    address: str
    weekday_from: str
    weekday_to: str
    lunch_from: str
    lunch_to: str
    saturday_from: str
    saturday_to: str
    slot_minutes: int
    desks: int

    @property
    def hours(self) -> Hours:
        p = rules.parse_hhmm
        return Hours(
            weekday_from=p(self.weekday_from) or rules.parse_hhmm("09:00"),  # type: ignore[arg-type]
            weekday_to=p(self.weekday_to) or rules.parse_hhmm("18:00"),  # type: ignore[arg-type]
            lunch_from=p(self.lunch_from), lunch_to=p(self.lunch_to),
            saturday_from=p(self.saturday_from), saturday_to=p(self.saturday_to),
            slot_minutes=self.slot_minutes, desks=max(1, self.desks),
        )  # fmt: skip

    @property
    def title(self) -> str:
        return self.name or self.complex_name


_CENTRE = columns_of(VisitCentre, Centre, complex_name=VisitCentre.complex.name)


@dataclass(frozen=True)
class Choice:
    """A centre a resident may book at, with the account the visit is booked for (their first in that complex)."""

    centre: Centre
    account_id: int


async def centres_for(principal: Principal) -> list[Choice]:
    """The centres of the complexes of the resident's open accounts, one per complex, by name."""
    accounts = sorted(a for a in principal.account_ids if a not in principal.closed_accounts)
    if not accounts:
        return []
    rows = await (
        PersonalAccount.select(PersonalAccount.id, PersonalAccount.premise.house.complex.as_alias("complex"))
        .where(PersonalAccount.id.is_in(accounts))
        .order_by(PersonalAccount.id)
        .limit(CENTRES_LIMIT)
    )
    account_of: dict[int, int] = {}
    for r in rows:
        account_of.setdefault(r["complex"], r["id"])
    if not account_of:
        return []
    centres = await (
        VisitCentre.select(*_CENTRE)
        .where(VisitCentre.complex.is_in(sorted(account_of)))
        .order_by(VisitCentre.id)
        .limit(CENTRES_LIMIT)
    )
    found = [from_row(Centre, r) for r in centres]
    return sorted((Choice(c, account_of[c.complex_id]) for c in found), key=lambda c: c.centre.title.casefold())


async def centre_of_house(house_id: int) -> Centre | None:
    """The client centre of the house's complex, if it has one."""
    complex_id = House.select(House.complex).where(House.id == house_id)
    row = await VisitCentre.select(*_CENTRE).where(VisitCentre.complex.is_in(complex_id)).first()
    return from_row(Centre, row) if row else None


async def centre(centre_id: int) -> Centre | None:
    row = await VisitCentre.select(*_CENTRE).where(VisitCentre.id == centre_id).first()
    return from_row(Centre, row) if row else None


async def taken(centre_id: int, start: datetime, end: datetime) -> dict[datetime, int]:
    """How many desks each start of the centre has taken between ``start`` and ``end`` (visits holding a seat)."""
    rows = await (
        Visit.select(Visit.starts_at)
        .where(
            (Visit.centre == centre_id)
            & Visit.seat.is_not_null()
            & (Visit.starts_at >= start)
            & (Visit.starts_at < end)
        )
        .limit(TAKEN_LIMIT)
    )
    counts: dict[datetime, int] = {}
    for r in rows:
        counts[r["starts_at"]] = counts.get(r["starts_at"], 0) + 1
    return counts


async def desks_taken(centre_id: int, starts_at: datetime) -> list[int]:
    rows = await (
        Visit.select(Visit.desk)
        .where((Visit.centre == centre_id) & (Visit.starts_at == starts_at) & Visit.seat.is_not_null())
        .limit(100)
    )
    return [r["desk"] for r in rows]


REMIND_BATCH = 500  # visits reminded in one statement's worth: a company's day is a few hundred


async def to_remind(now: datetime, *, after: int = 0, limit: int = REMIND_BATCH) -> tuple[list[VisitView], int]:
    """The booked visits whose reminder is due now (``rules.reminder_due``) and not yet sent, of those by id after
    ``after`` starting between an hour and a day from now (the start's index); and the last id read (``after``
    for the next batch; 0 when none was)."""
    rows = await (
        Visit.select(*_VISIT, Visit.created_at)
        .where(
            (Visit.status == Status.BOOKED)
            & (Visit.starts_at > now + rules.CANCEL_BEFORE)
            & (Visit.starts_at <= now + rules.REMIND_BEFORE)
            & (Visit.id > after)
        )
        .order_by(Visit.id)
        .limit(limit)
    )
    due = {
        reminder_key(r["id"], r["user_id"]): r
        for r in rows
        if rules.reminder_due(as_moment(r["starts_at"]), as_moment(r["created_at"]), now)
    }
    queued: set[str] = set()
    if due:
        sent = await OutboxMessage.select(OutboxMessage.dedupe_key).where(OutboxMessage.dedupe_key.is_in(list(due)))
        queued = {r["dedupe_key"] for r in sent}
    last = rows[-1]["id"] if rows else 0
    return [from_row(VisitView, r) for key, r in due.items() if key not in queued], last


REMINDER_KEY = "visits:reminder:{visit}"  # a visit's reminder, once


def reminder_key(visit_id: int, user_id: int | None) -> str:
    """The key of a visit's reminder's row: in the portal for a person with a sign-in (``accounts.notify`` keys each
    channel's row so), the SMS for a caller without one (``user_id`` None)."""
    if user_id is None:
        return f"sms:{REMINDER_KEY.format(visit=visit_id)}"
    return f"inapp:{REMINDER_KEY.format(visit=visit_id)}:{user_id}"


async def upcoming_count(user_id: int, now: datetime) -> int:
    return await Visit.count().where(
        (Visit.user == user_id) & (Visit.status == Status.BOOKED) & (Visit.starts_at > now)
    )


async def upcoming_count_of_phone(phone: str, now: datetime) -> int:
    """The upcoming visits booked for callers without a sign-in at the phone ``phone`` (its index)."""
    return await Visit.count().where(
        (Visit.caller_phone == phone) & (Visit.status == Status.BOOKED) & (Visit.starts_at > now)
    )


async def callers_past_term(before: datetime, *, limit: int) -> list[int]:
    """The visits of callers without a sign-in, to start before ``before``, whose name and phone are still kept
    (the start's index; the first ``limit`` by id)."""
    where = Visit.user.is_null() & Visit.caller_erased_at.is_null() & (Visit.starts_at < before)
    rows = await Visit.select(Visit.id).where(where).order_by(Visit.id).limit(limit)
    return [r["id"] for r in rows]


@dataclass(frozen=True)
class VisitView:
    id: int
    centre_id: int
    centre_name: str
    complex_name: str
    centre_address: str
    user_id: int | None  # None: a caller without a sign-in (``caller_name``, ``caller_phone``)
    account_id: int
    purpose: str
    comment: str
    starts_at: datetime
    ends_at: datetime
    status: str
    cancel_reason: str
    updated_at: datetime
    house_id: int
    rating: int | None = None
    feedback: str = ""
    caller_name: str = ""
    caller_phone: str = ""

    @property
    def centre_title(self) -> str:
        return self.centre_name or self.complex_name


_VISIT = columns_of(
    Visit, VisitView, centre_name=Visit.centre.name, complex_name=Visit.centre.complex.name,
    centre_address=Visit.centre.address, house_id=Visit.account.premise.house,
)  # fmt: skip


async def visits_of(user_id: int, *, limit: int = MINE_LIMIT) -> list[VisitView]:
    """The person's visits, the latest start first."""
    rows = await (
        Visit.select(*_VISIT).where(Visit.user == user_id).order_by(Visit.starts_at, ascending=False).limit(limit)
    )
    return [from_row(VisitView, r) for r in rows]


async def visit_for(principal: Principal, visit_id: int) -> VisitView | None:
    """The person's own visit, or None: another's is as missing."""
    if principal.user_id is None:
        return None
    row = await Visit.select(*_VISIT).where((Visit.id == visit_id) & (Visit.user == principal.user_id)).first()
    return from_row(VisitView, row) if row else None


# --- staff ------------------------------------------------------------------------------------------------------


async def staff_centres(principal: Principal) -> list[Centre]:
    """The centres of the complexes the staff member works in (a manager: those with one of their houses)."""
    query = VisitCentre.select(*_CENTRE).order_by(VisitCentre.id).limit(CENTRES_LIMIT)
    if principal.house_ids is not None:
        if not principal.house_ids:
            return []
        complexes = await (
            House.select(House.complex).where(House.id.is_in(sorted(principal.house_ids))).limit(CENTRES_LIMIT * 50)
        )
        ids = sorted({r["complex"] for r in complexes})
        if not ids:
            return []
        query = query.where(VisitCentre.complex.is_in(ids))
    found = [from_row(Centre, r) for r in await query]
    return sorted(found, key=lambda c: c.title.casefold())


async def staff_centre(principal: Principal, centre_id: int) -> Centre | None:
    """One of the staff member's centres (``staff_centres``), or None."""
    return next((c for c in await staff_centres(principal) if c.id == centre_id), None)


async def upcoming_times(centre_id: int, now: datetime) -> list[tuple[datetime, datetime]]:
    """The start and end of each booked visit of the centre still to come (the start's index; two weeks' worth)."""
    rows = await (
        Visit.select(Visit.starts_at, Visit.ends_at)
        .where((Visit.centre == centre_id) & (Visit.status == Status.BOOKED) & (Visit.starts_at > now))
        .limit(TAKEN_LIMIT)
    )
    return [(as_moment(r["starts_at"]), as_moment(r["ends_at"])) for r in rows]


@dataclass(frozen=True)
class DayRow(PremiseAddress):
    id: int
    starts_at: datetime
    ends_at: datetime
    desk: int
    name: str | None  # the person's with a sign-in; None for a caller without one (``caller_name``)
    phone: str | None
    account_number: str
    purpose: str
    comment: str
    status: str
    cancel_reason: str
    updated_at: datetime
    house_address: str
    premise_kind: str
    premise_number: str
    rating: int | None = None
    feedback: str = ""
    user_id: int | None = None
    caller_name: str = ""
    caller_phone: str = ""
    caller_erased_at: datetime | None = None

    @property
    def by_phone(self) -> bool:
        """A caller without a sign-in, told by SMS (their name and phone are the visit's own)."""
        return self.user_id is None


_DAY = columns_of(
    Visit, DayRow, name=Visit.user.full_name, phone=Visit.user.phone, account_number=Visit.account.number,
    house_address=Visit.account.premise.house.address, premise_kind=Visit.account.premise.kind,
    premise_number=Visit.account.premise.number,
)  # fmt: skip


async def day_of(
    principal: Principal, centre_id: int, start: datetime, end: datetime, *, limit: int = DAY_LIMIT
) -> list[DayRow]:
    """The centre's visits starting in [start, end), by time and desk (cancelled ones too); staff bound to houses
    (a manager) see those of their houses' residents only."""
    scope = house_scope(Visit.account.premise.house, principal)
    where = (Visit.centre == centre_id) & (Visit.starts_at >= start) & (Visit.starts_at < end)
    rows = await (
        Visit.select(*_DAY)
        .where(where if scope is None else where & scope)
        .order_by(Visit.starts_at)
        .order_by(Visit.desk)
        .limit(limit)
    )
    return [from_row(DayRow, r) for r in rows]


@dataclass(frozen=True)
class Ratings:
    """The residents' marks of a centre's visits over a while: their mean to a tenth, and how many."""

    mean: Decimal
    count: int


async def ratings_of(principal: Principal, centre_id: int, since: datetime) -> Ratings | None:
    """The marks residents gave the centre's visits since ``since`` (those of the staff member's houses for staff
    bound to houses), or None when there are none."""
    scope = house_scope(Visit.account.premise.house, principal)
    where = (Visit.centre == centre_id) & Visit.rating.is_not_null() & (Visit.rated_at >= since)
    return await _marks(where if scope is None else where & scope)


async def marks_between(houses: Sequence[int] | None, start: datetime, end: datetime) -> Ratings | None:
    """The marks residents gave the visits that took place in [start, end), at every centre (of the residents of
    ``houses``; every house for None), or None when there are none: the analytics dashboard's figure."""
    if houses is not None and not houses:
        return None
    where = Visit.rating.is_not_null() & (Visit.starts_at >= start) & (Visit.starts_at < end)
    return await _marks(where if houses is None else where & Visit.account.premise.house.is_in(list(houses)))


async def _marks(where: Any) -> Ratings | None:
    marks = Sum(Visit.rating).as_alias("total"), Count(Visit.id).as_alias("count")
    row = await Visit.select(*marks).where(where).first()
    if not row or not row["count"]:
        return None
    return Ratings(rules.mean_mark(int(row["total"]), int(row["count"])), int(row["count"]))


async def staff_visit(principal: Principal, visit_id: int, centres: Sequence[int] | None = None) -> VisitView | None:
    """A visit of one of the staff member's centres (for staff bound to houses, of a resident of one of their
    houses), or None."""
    row = await Visit.select(*_VISIT).where(Visit.id == visit_id).first()
    if row is None:
        return None
    visit = from_row(VisitView, row)
    if not principal.may_see_house(visit.house_id):
        return None
    allowed = [c.id for c in await staff_centres(principal)] if centres is None else centres
    return visit if visit.centre_id in allowed else None
