"""Tables of inspection rounds: the company's checklist, rounds, answers by point and their photos."""

from piccolo.columns import Boolean
from piccolo.columns import ForeignKey
from piccolo.columns import Integer
from piccolo.columns import Serial
from piccolo.columns import Text
from piccolo.columns import Timestamptz
from piccolo.columns import Varchar
from piccolo.columns.base import OnDelete
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from portal.accounts.tables import User
from portal.core.stamps import PhotoColumns
from portal.housing.tables import Entrance
from portal.housing.tables import House
from portal.inspections.rules import Place
from portal.inspections.rules import RoundKind
from portal.inspections.rules import Verdict
from portal.tickets.tables import Ticket


class ChecklistPoint(Table, tablename="inspection_point"):
    """A point of the company's checklist («Лифт: кабина чистая»): its place, and the category of the request a
    remark on it files. A point taken out (``active`` false) stays with the rounds that answered it. The
    administrator edits the list."""

    id = Serial(primary_key=True)
    place = Varchar(length=16, choices=Place)
    title = Varchar(length=200)
    category = Varchar(length=32, default="other")
    position = Integer(default=0, index=True)
    active = Boolean(default=True, index=True)
    version = Integer(default=0)  # raised by each change, for the edit form's check (core.stale)


class InspectionRound(Table, tablename="inspection_round"):
    """One walk round a house. ``open_house`` is the house's id while the round is open and null once completed:
    unique, so a house has one open round at a time (a second «start» resumes it). ``completed_at`` is written once,
    from an open round only: a second «Завершить обход» files nothing."""

    id = Serial(primary_key=True)
    house = ForeignKey(House, on_delete=OnDelete.restrict, null=False, index=True)
    kind = Varchar(length=16, choices=RoundKind, index=True)
    started_by = ForeignKey(User, on_delete=OnDelete.restrict, null=True, default=None)
    started_name = Varchar(length=255, default="")
    started_at = Timestamptz(default=TimestamptzNow(), index=True)
    open_house = Integer(null=True, default=None, unique=True)
    completed_at = Timestamptz(null=True, default=None, index=True)
    completed_by = ForeignKey(User, on_delete=OnDelete.restrict, null=True, default=None)
    completed_name = Varchar(length=255, default="")


class InspectionAnswer(Table, tablename="inspection_answer"):
    """A point's answer in a round (one a point: ``slot`` «round:point» is unique; saved again, it is replaced),
    with the request it filed (``ticket``) once the round was completed."""

    id = Serial(primary_key=True)
    round = ForeignKey(InspectionRound, on_delete=OnDelete.restrict, null=False, index=True)
    point = ForeignKey(ChecklistPoint, on_delete=OnDelete.restrict, null=False, index=True)
    slot = Varchar(length=40, unique=True)
    verdict = Varchar(length=8, choices=Verdict)
    comment = Text(default="")
    entrance = ForeignKey(Entrance, on_delete=OnDelete.restrict, null=True, default=None)
    floor = Integer(null=True, default=None)
    no_request = Boolean(default=False)
    ticket = ForeignKey(Ticket, on_delete=OnDelete.restrict, null=True, default=None, index=True)
    answered_by = ForeignKey(User, on_delete=OnDelete.restrict, null=True, default=None)
    answered_at = Timestamptz(default=TimestamptzNow())


class InspectionPhoto(PhotoColumns, Table, tablename="inspection_photo"):
    """A photo of a point's answer, stored by ``core.storage``; the request filed for the remark carries it too (the
    same file: the request's files erased at the end of their term leave it to the round, ``orphans.unreferred``)."""

    id = Serial(primary_key=True)
    answer = ForeignKey(InspectionAnswer, on_delete=OnDelete.restrict, null=False, index=True)
    created_at = Timestamptz(default=TimestamptzNow())
