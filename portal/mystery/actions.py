"""Changes of the mystery resident, one function per intent, each one transaction with its audit event: staff invite
a resident of a house (who is told), or take a checker off the checks (who is told); the resident accepts, declines
or stops; the resident sends a month's report, which files a
request per low grade through the tickets domain's own action (``tickets.actions.file_about_house``) without naming
them, and tells them it is received; the job reminds the checkers who have not answered by the 20th."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from datetime import datetime

from portal.accounts.notify import notify
from portal.core import audit
from portal.core import clock
from portal.core.db import atomic
from portal.core.db import unique_violations
from portal.core.i18n import gettext
from portal.core.i18n import in_locale
from portal.core.security import Principal
from portal.core.storage import StoredFile
from portal.core.web import Refused
from portal.mystery import messages
from portal.mystery import queries
from portal.mystery import rules
from portal.mystery.forms import Graded
from portal.mystery.queries import CheckerRow
from portal.mystery.rules import Status
from portal.mystery.tables import MysteryChecker
from portal.mystery.tables import MysteryGrade
from portal.mystery.tables import MysteryPhoto
from portal.mystery.tables import MysteryReport
from portal.tickets.actions import file_about_house
from portal.tickets.rules import Source

# Who a request of a report is filed by: nobody by name (the house's staff never learn who checks them), written as
# the dispatchers read it.
ANONYMOUS = Principal(name="Тайный житель")


async def invite(principal: Principal, house_id: int, user_id: int, now: datetime, *, ip: str = "") -> int:
    """Invite a resident of the house (one of the staff member's) to check it: they take one of its free seats
    (``rules.SEATS``), and are refused when none is free, when they live elsewhere or are invited already."""
    if not principal.may_see_house(house_id):
        raise Refused(gettext("Choose the house."))
    if not await queries.is_resident_of(user_id, house_id):
        raise Refused(gettext("This person is not a resident of the house."))
    try:
        async with atomic():
            taken = await MysteryChecker.select(MysteryChecker.seat).where(
                (MysteryChecker.house == house_id) & MysteryChecker.seat.is_not_null()
            )
            seat = rules.free_seat(int(r["seat"].rsplit(":", 1)[1]) for r in taken)
            if seat is None:
                raise Refused(
                    gettext("The house has %(count)s mystery residents already: that is the most.", count=rules.SEATS)
                )
            row = MysteryChecker(
                house=house_id, user=user_id, status=Status.INVITED, seat=f"{house_id}:{seat}",
                live=f"{house_id}:{user_id}", invited_by=principal.user_id, invited_at=now,
            )  # fmt: skip
            await row.save()
            changes = {"house": house_id, "resident": user_id}
            await audit.record(principal, "mystery.invite", "mystery_checker", row.id, changes, ip, now=now)
            await notify(
                user_id, messages.INVITED.name, context={"address": await queries.house_address(house_id)},
                link="/mystery", dedupe_key=f"mystery:invited:{row.id}", ref=f"mystery:checker:{row.id}", now=now,
            )  # fmt: skip
    except unique_violations():
        raise Refused(gettext("This resident is invited already, or the seat was just taken: look again.")) from None
    return int(row.id)


async def _move(
    principal: Principal,
    checker: CheckerRow,
    start: Sequence[Status],
    to: Status,
    now: datetime,
    ip: str,
    action: str | None = None,
) -> None:
    """Move the checker from one of ``start`` to ``to`` (only from there: a second press is told the state), audited
    as ``action`` (the move's own by default); staff taking a checker off (``WITHDRAW``) tell them, in the same
    transaction."""
    values: dict = {MysteryChecker.status: to}  # type: ignore[type-arg]
    if to == Status.ACTIVE:
        values[MysteryChecker.answered_at] = now
    else:  # declined or stopped: the seat is free again
        values |= {MysteryChecker.seat: None, MysteryChecker.live: None}
        values[MysteryChecker.answered_at if to == Status.DECLINED else MysteryChecker.stopped_at] = now
    async with atomic():
        moved = await (
            MysteryChecker.update(values)
            .where((MysteryChecker.id == checker.id) & MysteryChecker.status.is_in([str(s) for s in start]))
            .returning(MysteryChecker.id)
        )
        if not moved:
            raise Refused(gettext("This has been done already: the page shows how it stands now."))
        changes = {"house": checker.house_id, "status": str(to)}
        await audit.record(
            principal, action if action else _MOVES[to], "mystery_checker", checker.id, changes, ip, now=now
        )
        if action == WITHDRAW:
            await notify(
                checker.user_id, messages.WITHDRAWN.name, context={"address": checker.address}, link="/mystery",
                dedupe_key=f"mystery:withdrawn:{checker.id}", ref=f"mystery:checker:{checker.id}", now=now,
            )  # fmt: skip


# The audit action of each status a checker moves to (written out: the audit words' test reads them as codes).
_MOVES = {Status.ACTIVE: "mystery.active", Status.DECLINED: "mystery.declined", Status.STOPPED: "mystery.stopped"}
WITHDRAW = "mystery.withdraw"  # staff took the checker off the checks


async def withdraw(principal: Principal, checker: CheckerRow, now: datetime, *, ip: str = "") -> None:
    """A manager or an administrator takes a checker (invited or checking) off the checks of a house of theirs: no
    more checks nor reminders, the seat is free, the reports sent stay; the resident is told, in their language."""
    await _move(principal, checker, (Status.INVITED, Status.ACTIVE), Status.STOPPED, now, ip, WITHDRAW)


async def accept(principal: Principal, checker: CheckerRow, now: datetime, *, ip: str = "") -> None:
    """The resident agrees to check the house monthly (their consent, recorded with its moment)."""
    await _move(principal, checker, (Status.INVITED,), Status.ACTIVE, now, ip)


async def decline(principal: Principal, checker: CheckerRow, now: datetime, *, ip: str = "") -> None:
    await _move(principal, checker, (Status.INVITED,), Status.DECLINED, now, ip)


async def stop(principal: Principal, checker: CheckerRow, now: datetime, *, ip: str = "") -> None:
    """The resident stops checking (at any time): no more checks nor reminders; the reports sent stay."""
    await _move(principal, checker, (Status.INVITED, Status.ACTIVE), Status.STOPPED, now, ip)


def _already() -> str:
    return gettext("The check of this month is sent already. Thank you!")


async def submit(
    principal: Principal,
    checker: CheckerRow,
    month: date,
    graded: Graded,
    photos: Sequence[StoredFile],
    now: datetime,
    *,
    ip: str = "",
) -> list[int]:
    """Send the month's report: once a month per checker (the report's unique ``slot``: a second submit, or a
    double click, is refused and files nothing), by an active checker only. Each low grade files a request to
    dispatch about the house (source «тайный житель», the point's place and category, its comment; the first of them
    carries the report's photos, as a stored file is one request's), filed by nobody by name: no name, flat or
    account of the checker goes with it. Returns the numbers of the requests filed."""
    if not rules.is_due(checker.status, None, month):
        raise Refused(gettext("You do not check the house now."))
    try:
        async with atomic():
            active = await MysteryChecker.exists().where(
                (MysteryChecker.id == checker.id) & (MysteryChecker.status == Status.ACTIVE)
            )
            if not active:
                raise Refused(gettext("You do not check the house now."))
            report_id, numbers = await write_report(checker, month, graded, photos, now)
            changes = {"house": checker.house_id, "month": month.isoformat()[:7], "requests": numbers}
            await audit.record(principal, "mystery.submit", "mystery_report", report_id, changes, ip, now=now)
            context = {"month": month.isoformat(), "address": checker.address, "numbers": numbers}
            await notify(
                checker.user_id, messages.RECEIVED.name, context=context, link="/mystery",
                dedupe_key=f"mystery:received:{report_id}", ref=f"mystery:report:{report_id}", now=now,
            )  # fmt: skip
    except unique_violations():
        raise Refused(_already()) from None
    return numbers


async def write_report(
    checker: CheckerRow, month: date, graded: Graded, photos: Sequence[StoredFile], now: datetime
) -> tuple[int, list[int]]:
    """The rows of a month's report (inside the caller's transaction): the report, its photos, each grade, and a
    request per low grade filed by nobody by name; the checker's ``last_month``. Returns the report's id and the
    numbers of the requests filed."""
    report = MysteryReport(
        checker=checker.id, house=checker.house_id, month=month, slot=rules.slot(checker.id, month),
        comment=graded.comment, submitted_at=now,
    )  # fmt: skip
    await report.save()
    if photos:
        await MysteryPhoto.insert(
            *[
                MysteryPhoto(
                    report=report.id,
                    file_key=p.key,
                    content_type=p.content_type,
                    size=p.size,
                    width=p.width,
                    height=p.height,
                    created_at=now,
                )
                for p in photos
            ]
        )
    filing = set(rules.to_file(graded.grades))
    numbers: list[int] = []
    for point in rules.POINTS:
        if point.code not in graded.grades:
            continue
        ticket_id = None
        comment = graded.comments.get(point.code, "")
        if point.code in filing:
            opened = await file_about_house(
                ANONYMOUS,
                house_id=checker.house_id,
                entrance_id=None,
                place=point.ticket_place,
                category=point.category,
                description=_described(point, graded.grades[point.code], comment),
                photos=() if numbers else photos,  # a stored file belongs to one request: the first one carries them
                source=Source.MYSTERY,
                now=now,
            )
            ticket_id = opened.id
            numbers.append(opened.number)
        await MysteryGrade(
            report=report.id, point=point.code, grade=graded.grades[point.code], comment=comment,
            ticket=ticket_id,
        ).save()  # fmt: skip
    await MysteryChecker.update({MysteryChecker.last_month: month}).where(MysteryChecker.id == checker.id)
    return int(report.id), numbers


def _described(point: rules.Point, grade: int, comment: str) -> str:
    """A request's text: the point and its grade as the company's dispatchers read them (Russian), then the words of
    the checker."""
    with in_locale("ru"):
        title = f"{rules.PLACE_LABELS(point.place)}: {point.title()}"
    return f"Тайный житель, оценка {grade} из 5 — {title}.\n{comment}"


async def send_reminders(now: datetime, *, limit: int = 500) -> int:
    """From the 20th of the month (``rules.remind_today``) remind each active checker who has not sent the month's
    report, once a checker and month (the message's dedupe key: a run repeated, or on two workers, sends nothing
    twice); each in their own language. Returns how many were reminded."""
    today = clock.local(now).date()
    if not rules.remind_today(today):
        return 0
    month = rules.month_of(today)
    sent, after = 0, 0
    while due := await queries.due(month, after=after, limit=limit):
        after = due[-1][0]
        for checker_id, user_id, address in due:
            async with atomic():
                sent += bool(await remind(checker_id, user_id, address, month, now))
    return sent


async def remind(checker_id: int, user_id: int, address: str, month: date, now: datetime) -> int:
    """Remind one checker of the month's check, in their language (once a checker and month)."""
    return await notify(
        user_id, messages.REMINDER.name, context={"month": month.isoformat(), "address": address}, link="/mystery",
        dedupe_key=f"mystery:reminder:{checker_id}:{month.isoformat()[:7]}", ref=f"mystery:checker:{checker_id}",
        now=now,
    )  # fmt: skip
