"""Tables of the mystery resident: who checks which house, their monthly reports, each point's grade (with the
request a low grade filed) and the report's photos."""

from piccolo.columns import Date
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
from portal.housing.tables import House
from portal.mystery.rules import Status
from portal.tickets.tables import Ticket


class MysteryChecker(Table, tablename="mystery_checker"):
    """A resident invited to check a house. While invited or active the row holds one of the house's seats
    (``seat`` «house:n», n of 1 … ``rules.SEATS``, unique) and ``live`` «house:user» (unique: one live invitation of a
    person a house); both are emptied when they decline or stop, which frees the seat. ``last_month``: the month of
    their latest report (the home page and the reminder read it without another query)."""

    id = Serial(primary_key=True)
    house = ForeignKey(House, on_delete=OnDelete.restrict, null=False, index=True)
    user = ForeignKey(User, on_delete=OnDelete.restrict, null=False, index=True)
    status = Varchar(length=16, default=Status.INVITED, choices=Status, index=True)
    seat = Varchar(length=40, null=True, default=None, unique=True)
    live = Varchar(length=40, null=True, default=None, unique=True)
    invited_by = ForeignKey(User, on_delete=OnDelete.restrict, null=True, default=None)
    invited_at = Timestamptz(default=TimestamptzNow())
    answered_at = Timestamptz(null=True, default=None)
    stopped_at = Timestamptz(null=True, default=None)
    last_month = Date(null=True, default=None)


class MysteryReport(Table, tablename="mystery_report"):
    """A checker's report of a month (``slot`` «checker:YYYY-MM», unique: one a month, a second submit is refused)."""

    id = Serial(primary_key=True)
    checker = ForeignKey(MysteryChecker, on_delete=OnDelete.restrict, null=False, index=True)
    house = ForeignKey(House, on_delete=OnDelete.restrict, null=False, index=True)
    month = Date(index=True)
    slot = Varchar(length=40, unique=True)
    comment = Text(default="")
    submitted_at = Timestamptz(default=TimestamptzNow(), index=True)


class MysteryGrade(Table, tablename="mystery_grade"):
    """A point's grade (1–5) in a report, its comment, and the request a low grade filed."""

    id = Serial(primary_key=True)
    report = ForeignKey(MysteryReport, on_delete=OnDelete.restrict, null=False, index=True)
    point = Varchar(length=32)
    grade = Integer()
    comment = Text(default="")
    ticket = ForeignKey(Ticket, on_delete=OnDelete.restrict, null=True, default=None, index=True)


class MysteryPhoto(Table, tablename="mystery_photo"):
    """A photo of a report, stored by ``core.storage``; the requests its low grades filed carry it too."""

    id = Serial(primary_key=True)
    report = ForeignKey(MysteryReport, on_delete=OnDelete.restrict, null=False, index=True)
    file_key = Varchar(length=128, unique=True)
    content_type = Varchar(length=64, default="image/jpeg")
    size = Integer(default=0)
    width = Integer(default=0)
    height = Integer(default=0)
    created_at = Timestamptz(default=TimestamptzNow())
