"""Changes of inspection rounds, one function per intent, each one transaction with its audit event: start (or
resume) a round, answer a point, complete a round (which files a request per remark through the tickets domain's
own action, ``tickets.actions.file_about_house``)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from portal.core import audit
from portal.core import stale
from portal.core.db import atomic
from portal.core.db import unique_violations
from portal.core.i18n import gettext
from portal.core.security import Principal
from portal.core.storage import StoredFile
from portal.core.web import Refused
from portal.inspections import queries
from portal.inspections import rules
from portal.inspections.forms import Answer
from portal.inspections.forms import NewRound
from portal.inspections.queries import Point
from portal.inspections.queries import RoundRow
from portal.inspections.tables import ChecklistPoint
from portal.inspections.tables import InspectionAnswer
from portal.inspections.tables import InspectionPhoto
from portal.inspections.tables import InspectionRound
from portal.tickets.actions import file_about_house
from portal.tickets.rules import Source


async def start_round(principal: Principal, draft: NewRound, now: datetime, *, ip: str = "") -> int:
    """Start a round of the house, or go on with the one started and not completed (a house has one open round:
    a second «start», or one pressed twice, resumes it)."""
    already = await queries.open_round_of(draft.house_id)
    if already is not None:
        return already
    try:
        async with atomic():
            row = InspectionRound(
                house=draft.house_id,
                kind=draft.kind,
                started_by=principal.user_id,
                started_name=principal.name,
                started_at=now,
                open_house=draft.house_id,
            )
            await row.save()
            changes = {"house": draft.house_id, "kind": str(draft.kind)}
            await audit.record(principal, "inspection.start", "inspection_round", row.id, changes, ip, now=now)
    except unique_violations():
        started = await queries.open_round_of(draft.house_id)
        if started is None:
            raise
        return started
    return int(row.id)


def _completed() -> str:
    return gettext("The round is completed: its answers are in its act.")


async def answer_point(
    principal: Principal,
    round_: RoundRow,
    point: Point,
    answer: Answer,
    photos: Sequence[StoredFile],
    now: datetime,
    *,
    ip: str = "",
) -> None:
    """Save a point's answer (replacing the one given before), adding its new photos; only while the round is open."""
    values = {
        InspectionAnswer.verdict: answer.verdict,
        InspectionAnswer.comment: answer.comment,
        InspectionAnswer.entrance: answer.entrance_id,
        InspectionAnswer.floor: answer.floor,
        InspectionAnswer.no_request: answer.no_request,
        InspectionAnswer.answered_by: principal.user_id,
        InspectionAnswer.answered_at: now,
    }
    async with atomic():
        still_open = await InspectionRound.exists().where(
            (InspectionRound.id == round_.id) & InspectionRound.completed_at.is_null()
        )
        if not still_open:
            raise Refused(_completed())
        slot = f"{round_.id}:{point.id}"
        found = await InspectionAnswer.select(InspectionAnswer.id).where(InspectionAnswer.slot == slot).first()
        if found is None:
            row = InspectionAnswer(
                round=round_.id, point=point.id, slot=slot, **{c._meta.name: v for c, v in values.items()}
            )
            await row.save()
            answer_id = int(row.id)
        else:
            answer_id = found["id"]
            await InspectionAnswer.update(values).where(InspectionAnswer.id == answer_id)
        if photos:
            await InspectionPhoto.insert(
                *[InspectionPhoto(answer=answer_id, created_at=now, **p.columns()) for p in photos]
            )
        changes = {"point": point.id, "verdict": str(answer.verdict), "no_request": answer.no_request}
        await audit.record(principal, "inspection.answer", "inspection_round", round_.id, changes, ip, now=now)


async def complete_round(principal: Principal, round_: RoundRow, now: datetime, *, ip: str = "") -> list[int]:
    """Complete the round: it is closed once (a second press, or a double click, finds it completed and files
    nothing), and every remark that needs a request files one (source «обход», the point's place and category, the
    house and entrance, the comment, the photos). Returns the numbers of the requests filed."""
    checklist = {p.id: p for p in await queries.points()}
    order = {point_id: n for n, point_id in enumerate(checklist)}
    async with atomic():
        closed = await (
            InspectionRound.update(
                {
                    InspectionRound.completed_at: now,
                    InspectionRound.open_house: None,
                    InspectionRound.completed_by: principal.user_id,
                    InspectionRound.completed_name: principal.name,
                }
            )
            .where((InspectionRound.id == round_.id) & InspectionRound.completed_at.is_null())
            .returning(InspectionRound.id)
        )
        if not closed:
            raise Refused(_completed())
        answers = await queries.answers_of(round_.id)
        if not rules.may_complete(len(answers)):
            raise Refused(gettext("Answer at least one point of the checklist before completing the round."))
        numbers: list[int] = []
        walked = sorted(answers.values(), key=lambda a: (order.get(a.point_id, len(order)), a.id))  # the list's order
        filing = {
            a.id for a in rules.to_file([rules.Answered(a.id, a.verdict, a.no_request, a.ticket_id) for a in walked])
        }
        for answer in (a for a in walked if a.id in filing):
            point = checklist.get(answer.point_id) or await queries.point(answer.point_id)
            if point is None:
                continue
            opened = await file_about_house(
                principal,
                house_id=round_.house_id,
                entrance_id=answer.entrance_id,
                place=point.place,
                category=point.category,
                description=answer.comment,
                photos=[_stored(p) for p in answer.photos],
                source=Source.WALK_IN,
                now=now,
                ip=ip,
            )
            await InspectionAnswer.update({InspectionAnswer.ticket: opened.id}).where(InspectionAnswer.id == answer.id)
            numbers.append(opened.number)
        changes = {"requests": numbers}
        await audit.record(principal, "inspection.complete", "inspection_round", round_.id, changes, ip, now=now)
    return numbers


def _stored(photo: queries.PhotoRow) -> StoredFile:
    return StoredFile(photo.file_key, photo.content_type, photo.size, photo.width, photo.height)


async def save_point(
    principal: Principal,
    point_id: int | None,
    values: dict[str, Any],
    now: datetime,
    *,
    ip: str = "",
    version: str | None = None,
) -> int:
    """Add a point to the checklist or change one; a change whose form was read at another ``version`` is refused
    (``Stale``), one that changes nothing of the point as it is now writes nothing. Rounds already walked keep
    their answers to it as they were."""
    async with atomic():
        if point_id is None:
            row = ChecklistPoint(**values)
            await row.save()
            await audit.record(principal, "inspection.point.create", "inspection_point", row.id, values, ip, now=now)
            return int(row.id)
        changes = await stale.changes(ChecklistPoint, point_id, values)
        if not changes:
            return point_id
        await stale.check(ChecklistPoint, point_id, "inspection_point", version)
        changed: dict[Any, Any] = {getattr(ChecklistPoint, k): v for k, v in values.items()} | stale.bump(
            ChecklistPoint
        )
        await ChecklistPoint.update(changed).where(ChecklistPoint.id == point_id)
        await audit.record(principal, "inspection.point.update", "inspection_point", point_id, changes, ip, now=now)
    return point_id
