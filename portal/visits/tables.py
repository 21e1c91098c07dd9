"""Tables of visits to the client centre: a complex's centre with its week, and the visits booked there."""

from piccolo.columns import ForeignKey
from piccolo.columns import Integer
from piccolo.columns import Serial
from piccolo.columns import Text
from piccolo.columns import Timestamptz
from piccolo.columns import Varchar
from piccolo.columns.base import OnDelete
from piccolo.table import Table

from portal.accounts.tables import User
from portal.core.stamps import Stamped
from portal.housing.tables import Complex
from portal.housing.tables import PersonalAccount
from portal.visits.rules import Purpose
from portal.visits.rules import Status


class VisitCentre(Stamped, Table, tablename="client_centre"):
    """A complex's client centre (one a complex): where it is, its week («09:00» times; lunch and Saturday
    optional), the length of a slot and how many desks receive at once. Holidays come from the production
    calendar (``core.calendar``)."""

    id = Serial(primary_key=True)
    complex = ForeignKey(Complex, on_delete=OnDelete.restrict, null=False, unique=True)
    name = Varchar(length=200, default="")
    address = Varchar(length=255, default="")
    weekday_from = Varchar(length=5, default="09:00")
    weekday_to = Varchar(length=5, default="18:00")
    lunch_from = Varchar(length=5, default="")
    lunch_to = Varchar(length=5, default="")
    saturday_from = Varchar(length=5, default="")
    saturday_to = Varchar(length=5, default="")
    slot_minutes = Integer(default=30)
    desks = Integer(default=1)


class Visit(Stamped, Table, tablename="client_visit"):
    """A visit booked at a centre by a resident for one of their accounts. While booked (and after it is marked)
    the row holds its seat «centre:start:desk» (unique: one person a desk a time); a cancelled visit gives it up.

    A caller without a sign-in, booked by the call centre, has no ``user``: their name and phone are the visit's own
    (``caller_name``, ``caller_phone``; told by SMS), kept until the term after the visit (``caller_erased_at``)."""

    id = Serial(primary_key=True)
    centre = ForeignKey(VisitCentre, on_delete=OnDelete.restrict, null=False, index=True)
    user = ForeignKey(User, on_delete=OnDelete.restrict, null=True, default=None, index=True)
    account = ForeignKey(PersonalAccount, on_delete=OnDelete.restrict, null=False, index=True)
    purpose = Varchar(length=24, choices=Purpose)
    comment = Text(default="")
    starts_at = Timestamptz(index=True)
    ends_at = Timestamptz()
    desk = Integer(default=1)
    seat = Varchar(length=48, null=True, default=None, unique=True)
    status = Varchar(length=16, default=Status.BOOKED, choices=Status, index=True)
    cancel_reason = Text(default="")
    done_by = ForeignKey(User, on_delete=OnDelete.restrict, null=True, default=None)
    done_at = Timestamptz(null=True, default=None)
    rating = Integer(null=True, default=None)  # the resident's mark 1–5 of a visit they came to
    feedback = Text(default="")
    rated_at = Timestamptz(null=True, default=None)
    caller_name = Varchar(length=200, default="")
    caller_phone = Varchar(length=16, default="", index=True)  # +7XXXXXXXXXX; the limit of visits is counted by it
    caller_erased_at = Timestamptz(null=True, default=None)
