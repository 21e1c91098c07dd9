"""Bounded, indexed reads of the mystery resident: a person's live invitations (one query, for the home page), the
checker a page names (only the person's own; for staff, one of their houses'), a house's residents to invite, and
the staff's scorecard: grades of a house's last months, its checkers, the remarks with their requests."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from datetime import datetime

from portal.accounts.tables import Residency
from portal.accounts.tables import User
from portal.core.security import Principal
from portal.housing.tables import House
from portal.mystery import rules
from portal.mystery.tables import MysteryChecker
from portal.mystery.tables import MysteryGrade
from portal.mystery.tables import MysteryReport

RESIDENTS_LIMIT = 1000  # residents offered to invite (a house of 600 flats has fewer people with an account)
REMARKS_LIMIT = 200  # remarks of a house's month (5 seats × 8 points; more when checkers changed in the month)
GRADES_LIMIT = 2000  # grades of a house's six months (5 seats × 8 points × 6 months, and those who left)


@dataclass(frozen=True)
class CheckerRow:
    id: int
    house_id: int
    address: str
    user_id: int
    status: str
    last_month: date | None


_CHECKER = (
    MysteryChecker.id,
    MysteryChecker.house.as_alias("house_id"),
    MysteryChecker.house.address.as_alias("address"),
    MysteryChecker.user.as_alias("user_id"),
    MysteryChecker.status,
    MysteryChecker.last_month,
)


def _checker(row: dict) -> CheckerRow:  # type: ignore[type-arg]
    return CheckerRow(**row)


async def live_of(user_id: int | None) -> list[CheckerRow]:
    """The person's invitations and checks in force (a few at most: one a house), oldest first."""
    if user_id is None:
        return []
    rows = await (
        MysteryChecker.select(*_CHECKER)
        .where((MysteryChecker.user == user_id) & MysteryChecker.live.is_not_null())
        .order_by(MysteryChecker.id)
        .limit(rules.SEATS)
    )
    return [_checker(r) for r in rows]


async def checker_for(principal: Principal, checker_id: int) -> CheckerRow | None:
    """The person's own invitation or check (any state), or None: another's is as missing."""
    if principal.user_id is None:
        return None
    row = (
        await MysteryChecker.select(*_CHECKER)
        .where((MysteryChecker.id == checker_id) & (MysteryChecker.user == principal.user_id))
        .first()
    )
    return _checker(row) if row else None


async def checker_for_staff(principal: Principal, checker_id: int) -> CheckerRow | None:
    """A checker of a house of the staff member's (any state), or None: another house's is as missing."""
    row = await MysteryChecker.select(*_CHECKER).where(MysteryChecker.id == checker_id).first()
    return _checker(row) if row and principal.may_see_house(row["house_id"]) else None


async def report_of(checker_id: int, month: date) -> int | None:
    """The id of the checker's report of the month, if sent."""
    row = (
        await MysteryReport.select(MysteryReport.id).where(MysteryReport.slot == rules.slot(checker_id, month)).first()
    )
    return row["id"] if row else None


@dataclass(frozen=True)
class Person:
    user_id: int
    name: str


async def residents_of(house_id: int, *, limit: int = RESIDENTS_LIMIT) -> list[Person]:
    """The people with a residency in force on an account of the house, by name, who are not its checkers already."""
    live = {
        r["user"]
        for r in await MysteryChecker.select(MysteryChecker.user)
        .where((MysteryChecker.house == house_id) & MysteryChecker.live.is_not_null())
        .limit(rules.SEATS)
    }
    rows = await (
        Residency.select(Residency.user.as_alias("user_id"), Residency.user.full_name.as_alias("name"))
        .where(
            (Residency.account.premise.house == house_id)
            & Residency.revoked_at.is_null()
            & (Residency.user.is_active == True)  # noqa: E712 (a column's condition)
        )
        .order_by(Residency.id)
        .limit(limit)
    )
    people = {r["user_id"]: r["name"] for r in rows if r["user_id"] not in live}
    return sorted((Person(u, n) for u, n in people.items()), key=lambda p: (p.name.casefold(), p.user_id))


async def is_resident_of(user_id: int, house_id: int) -> bool:
    return await Residency.exists().where(
        (Residency.user == user_id) & (Residency.account.premise.house == house_id) & Residency.revoked_at.is_null()
    )


@dataclass(frozen=True)
class StaffChecker:
    id: int
    name: str
    status: str
    last_month: date | None
    invited_at: datetime


async def checked_houses(house_ids: Sequence[int]) -> set[int]:
    """Which of the houses have an active checker (the staff page opens on the first of them)."""
    if not house_ids:
        return set()
    rows = await (
        MysteryChecker.select(MysteryChecker.house)
        .where(MysteryChecker.house.is_in(list(house_ids)) & (MysteryChecker.status == rules.Status.ACTIVE))
        .distinct()
        .limit(len(house_ids))
    )
    return {r["house"] for r in rows}


async def checkers_of(house_id: int) -> list[StaffChecker]:
    """The house's checkers in force (invited or active: at most ``rules.SEATS``)."""
    rows = await (
        MysteryChecker.select(
            MysteryChecker.id,
            MysteryChecker.user.full_name.as_alias("name"),
            MysteryChecker.status,
            MysteryChecker.last_month,
            MysteryChecker.invited_at,
        )
        .where((MysteryChecker.house == house_id) & MysteryChecker.live.is_not_null())
        .order_by(MysteryChecker.id)
        .limit(rules.SEATS)
    )
    return [StaffChecker(**r) for r in rows]


@dataclass(frozen=True)
class GradeRow:
    report_id: int
    month: date
    point: str
    grade: int


async def grades_of(house_id: int, months: Sequence[date]) -> list[GradeRow]:
    """The grades of the house's reports of ``months``."""
    rows = await (
        MysteryGrade.select(
            MysteryGrade.report.as_alias("report_id"),
            MysteryGrade.report.month.as_alias("month"),
            MysteryGrade.point,
            MysteryGrade.grade,
        )
        .where((MysteryGrade.report.house == house_id) & MysteryGrade.report.month.is_in(list(months)))
        .limit(GRADES_LIMIT)
    )
    return [GradeRow(**r) for r in rows]


@dataclass(frozen=True)
class Remark:
    id: int
    point: str
    grade: int
    comment: str
    ticket_id: int | None
    ticket_number: int | None
    submitted_at: datetime


async def remarks(house_id: int, month: date, *, limit: int = REMARKS_LIMIT) -> list[Remark]:
    """The low grades of the house's month, newest first, with the requests they filed (no checker named)."""
    rows = await (
        MysteryGrade.select(
            MysteryGrade.id,
            MysteryGrade.point,
            MysteryGrade.grade,
            MysteryGrade.comment,
            MysteryGrade.ticket.as_alias("ticket_id"),
            MysteryGrade.ticket.number.as_alias("ticket_number"),
            MysteryGrade.report.submitted_at.as_alias("submitted_at"),
        )
        .where(
            (MysteryGrade.report.house == house_id)
            & (MysteryGrade.report.month == month)
            & (MysteryGrade.grade <= rules.LOW)
        )
        .order_by(MysteryGrade.id, ascending=False)
        .limit(limit)
    )
    return [Remark(**r) for r in rows]


async def house_address(house_id: int) -> str:
    row = await House.select(House.address).where(House.id == house_id).first()
    return row["address"] if row else ""


async def due(month: date, *, after: int = 0, limit: int = 500) -> list[tuple[int, int, str]]:
    """(checker, user, house's address) of the active checkers who have not sent the month's report, by id after
    ``after``."""
    rows = await (
        MysteryChecker.select(MysteryChecker.id, MysteryChecker.user, MysteryChecker.house.address.as_alias("address"))
        .where(
            (MysteryChecker.status == rules.Status.ACTIVE)
            & (MysteryChecker.id > after)
            & (MysteryChecker.last_month.is_null() | (MysteryChecker.last_month < month))
        )
        .order_by(MysteryChecker.id)
        .limit(limit)
    )
    return [(r["id"], r["user"], r["address"]) for r in rows]


async def user_name(user_id: int) -> str:
    row = await User.select(User.full_name).where(User.id == user_id).first()
    return row["full_name"] if row else ""
