"""Reads of inspection rounds: bounded, by indexed columns, typed; a round and its photos are read only for staff
of its house (``round_for_staff``: None for a missing one and a forbidden one alike)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from datetime import datetime
from typing import Any

from piccolo.query.functions.aggregate import Max

from portal.core import clock
from portal.core import orphans
from portal.core.clauses import every
from portal.core.clauses import on_days
from portal.core.db import from_row
from portal.core.paged import read_page
from portal.core.pagination import Page
from portal.core.pagination import PageRequest
from portal.core.rows import columns_of
from portal.core.security import Principal
from portal.housing.queries import house_scope
from portal.housing.queries import houses_in_scope
from portal.housing.tables import Entrance
from portal.inspections.tables import ChecklistPoint
from portal.inspections.tables import InspectionAnswer
from portal.inspections.tables import InspectionPhoto
from portal.inspections.tables import InspectionRound

MAX_POINTS = 200  # a checklist's points, at most


@dataclass(frozen=True)
class Point:
    id: int
    place: str
    title: str
    category: str
    position: int


@dataclass(frozen=True)
class PointEdit:
    """A point as the administrator edits it, in use or taken out, with its version (``core.stale``)."""

    id: int
    place: str
    title: str
    category: str
    position: int
    active: bool
    version: int


@dataclass(frozen=True)
class RoundRow:
    id: int
    house_id: int
    address: str
    kind: str
    started_name: str
    started_at: datetime
    completed_at: datetime | None
    completed_name: str


@dataclass(frozen=True)
class PhotoRow:
    id: int
    answer_id: int
    file_key: str
    content_type: str
    size: int
    width: int
    height: int


@dataclass(frozen=True)
class AnswerRow:
    id: int
    point_id: int
    verdict: str
    comment: str
    entrance_id: int | None
    floor: int | None
    no_request: bool
    ticket_id: int | None
    ticket_number: int | None
    photos: list[PhotoRow] = field(default_factory=list)


@dataclass(frozen=True)
class LastRound:
    house_id: int
    address: str
    last_on: date | None


@dataclass(frozen=True)
class Filters:
    house_id: int | None = None
    kind: str = ""
    day_from: date | None = None
    day_to: date | None = None


async def points() -> list[Point]:
    """The checklist's points in use, in their order."""
    rows = await (
        ChecklistPoint.select(*columns_of(ChecklistPoint, Point))
        .where(ChecklistPoint.active == True)  # noqa: E712
        .order_by(ChecklistPoint.position)
        .order_by(ChecklistPoint.id)
        .limit(MAX_POINTS)
    )
    return [from_row(Point, r) for r in rows]


async def point(point_id: int) -> Point | None:
    row = await ChecklistPoint.select(*columns_of(ChecklistPoint, Point)).where(ChecklistPoint.id == point_id).first()
    return from_row(Point, row) if row else None


async def checklist() -> list[PointEdit]:
    """Every point of the checklist, those in use first, in their order."""
    rows = await (
        ChecklistPoint.select(*columns_of(ChecklistPoint, PointEdit))
        .order_by(ChecklistPoint.active, ascending=False)
        .order_by(ChecklistPoint.position)
        .order_by(ChecklistPoint.id)
        .limit(MAX_POINTS)
    )
    return [from_row(PointEdit, r, active=bool(r["active"])) for r in rows]


async def point_edit(point_id: int) -> PointEdit | None:
    row = (
        await ChecklistPoint.select(*columns_of(ChecklistPoint, PointEdit)).where(ChecklistPoint.id == point_id).first()
    )
    return from_row(PointEdit, row, active=bool(row["active"])) if row else None


_ROUND_JOINS = {"address": InspectionRound.house.address}


async def round_for_staff(principal: Principal, round_id: int) -> RoundRow | None:
    """The round, if it is of one of the staff member's houses."""
    row = (
        await InspectionRound.select(*columns_of(InspectionRound, RoundRow, **_ROUND_JOINS))
        .where(InspectionRound.id == round_id)
        .first()
    )
    if row is None or not principal.may_see_house(row["house_id"]):
        return None
    return from_row(RoundRow, row)


async def open_round_of(house_id: int) -> int | None:
    """The house's round started and not completed (one at most)."""
    row = await InspectionRound.select(InspectionRound.id).where(InspectionRound.open_house == house_id).first()
    return row["id"] if row else None


async def answers_of(round_id: int) -> dict[int, AnswerRow]:
    """The round's answers by point, with their photos and the numbers of the requests they filed."""
    rows = await (
        InspectionAnswer.select(
            *columns_of(InspectionAnswer, AnswerRow, ticket_number=InspectionAnswer.ticket.number),
        )
        .where(InspectionAnswer.round == round_id)
        .limit(MAX_POINTS)
    )
    photos = await photos_of([r["id"] for r in rows])
    return {r["point_id"]: from_row(AnswerRow, r, photos=[p for p in photos if p.answer_id == r["id"]]) for r in rows}


async def photos_of(answer_ids: Sequence[int]) -> list[PhotoRow]:
    if not answer_ids:
        return []
    rows = await (
        InspectionPhoto.select(*columns_of(InspectionPhoto, PhotoRow))
        .where(InspectionPhoto.answer.is_in(list(answer_ids)))
        .order_by(InspectionPhoto.id)
        .limit(len(answer_ids) * 3)
    )
    return [from_row(PhotoRow, r) for r in rows]


async def photo_for_staff(principal: Principal, photo_id: int) -> PhotoRow | None:
    """A photo of a round of one of the staff member's houses."""
    row = await (
        InspectionPhoto.select(
            *columns_of(InspectionPhoto, PhotoRow), InspectionPhoto.answer.round.house.as_alias("house_id")
        )
        .where(InspectionPhoto.id == photo_id)
        .first()
    )
    if row is None or not principal.may_see_house(row["house_id"]):
        return None
    return from_row(PhotoRow, row)


async def entrances_of(house_id: int) -> list[tuple[int, int]]:
    """The house's entrances: (id, number), by number."""
    rows = await (
        Entrance.select(Entrance.id, Entrance.number)
        .where(Entrance.house == house_id)
        .order_by(Entrance.number)
        .limit(100)
    )
    return [(r["id"], r["number"]) for r in rows]


async def rounds(principal: Principal, filters: Filters, page: PageRequest) -> Page[RoundRow]:
    """The rounds of the staff member's houses, newest first, by the list's filters."""
    where = every(
        [
            house_scope(InspectionRound.house, principal),
            InspectionRound.house == filters.house_id if filters.house_id else None,
            InspectionRound.kind == filters.kind if filters.kind else None,
            on_days(InspectionRound.started_at, filters.day_from, filters.day_to),
        ]
    )
    columns = columns_of(InspectionRound, RoundRow, **_ROUND_JOINS)
    newest = (InspectionRound.started_at, InspectionRound.id)
    rows, total = await read_page(InspectionRound, columns, _or_all(where), page, newest=newest)
    return Page([from_row(RoundRow, r) for r in rows], total, page.number, page.size)


def _or_all(where: Any) -> Any:
    return where if where is not None else InspectionRound.id > 0


async def last_rounds(principal: Principal) -> list[LastRound]:
    """Each house of the staff member's (by address, bounded as ``houses_in_scope``) with the day its last
    completed round was: one grouped read by the round's house index."""
    houses = await houses_in_scope(principal)
    if not houses:
        return []
    rows = await (
        InspectionRound.select(InspectionRound.house, Max(InspectionRound.completed_at, alias="last"))
        .where(InspectionRound.house.is_in([h.id for h in houses]) & InspectionRound.completed_at.is_not_null())
        .group_by(InspectionRound.house)
    )
    last = {r["house"]: _moment(r["last"]) for r in rows}
    return [LastRound(h.id, h.address, clock.local(last[h.id]).date() if last.get(h.id) else None) for h in houses]


def _moment(value: datetime | str | None) -> datetime | None:
    """An aggregate's moment: SQLite hands it over as its text."""
    if isinstance(value, str):
        return datetime.fromisoformat(value)
    return value


orphans.kept_in("inspections", InspectionPhoto.file_key)  # a point's photo
