"""Tables of the tickets domain: requests (заявки), their history, photos, outages, list preferences."""

from piccolo.columns import BigInt
from piccolo.columns import Boolean
from piccolo.columns import Date
from piccolo.columns import ForeignKey
from piccolo.columns import Integer
from piccolo.columns import Numeric
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
from portal.housing.tables import PersonalAccount
from portal.housing.tables import Premise
from portal.housing.tables import Riser
from portal.tickets.rules import Carried
from portal.tickets.rules import EventKind
from portal.tickets.rules import Handover
from portal.tickets.rules import InternalStatus
from portal.tickets.rules import OutageService
from portal.tickets.rules import Place
from portal.tickets.rules import Source
from portal.tickets.rules import Status
from portal.tickets.rules import TicketType


class Outage(Table):
    """Отключение: a service off in a house, an entrance or on a riser, from a time until a time."""

    id = Serial(primary_key=True)
    house = ForeignKey(House, on_delete=OnDelete.restrict, null=False, index=True)
    entrance = ForeignKey(Entrance, on_delete=OnDelete.restrict, null=True, default=None, index=True)
    riser = ForeignKey(Riser, on_delete=OnDelete.restrict, null=True, default=None, index=True)
    service = Varchar(length=16, default=OutageService.OTHER, choices=OutageService)
    description = Text(default="")
    starts_at = Timestamptz(default=TimestamptzNow(), index=True)
    ends_at = Timestamptz(null=True, default=None, index=True)  # expected end, as announced
    closed_at = Timestamptz(null=True, default=None, index=True)
    room_temperature = Numeric(
        digits=(4, 1), null=True, default=None, help_text="°C in the rooms during a heating outage (ПП 354 прил. 1)"
    )
    created_by = ForeignKey(User, on_delete=OnDelete.restrict, null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class Ticket(Table):
    """Заявка: a request to the dispatch service about a premise or a common place of a house."""

    id = Serial(primary_key=True)
    number = BigInt(unique=True)
    account = ForeignKey(PersonalAccount, on_delete=OnDelete.restrict, null=True, default=None, index=True)
    premise = ForeignKey(Premise, on_delete=OnDelete.restrict, null=True, default=None, index=True)
    house = ForeignKey(House, on_delete=OnDelete.restrict, null=False, index=True)
    entrance = ForeignKey(Entrance, on_delete=OnDelete.restrict, null=True, default=None, index=True)
    place = Varchar(length=16, default=Place.PREMISE, choices=Place)
    type = Varchar(length=16, default=TicketType.ORDINARY, choices=TicketType, index=True)
    category = Varchar(length=32, default="other", index=True)
    description = Text(default="")
    # The text in English where the portal worded it (a paid-service order's request); empty when a person typed it.
    description_en = Text(default="")
    status = Varchar(length=16, default=Status.NEW, choices=Status, index=True)
    internal_status = Varchar(length=24, default=InternalStatus.NONE, choices=InternalStatus, index=True)
    source = Varchar(length=16, default=Source.PORTAL, choices=Source, index=True)
    important = Boolean(default=False, index=True)
    repeated = Boolean(default=False, index=True)
    justified = Boolean(default=False, index=True)
    paid = Boolean(default=False, index=True)  # платная: the work is paid by the resident
    paid_for = Boolean(default=False, index=True)  # оплачено: the payment for it has arrived
    emergency = Boolean(default=False, index=True)
    complaint = Boolean(default=False, index=True)
    planned = Boolean(default=False, index=True)
    created_at = Timestamptz(default=TimestamptzNow(), index=True)
    updated_at = Timestamptz(default=TimestamptzNow())
    control_date = Date(null=True, default=None, index=True)
    deadline = Timestamptz(null=True, default=None, index=True)
    # When the damage happened, where staff know it: the repair of an emergency's damage is due 3 days from it
    # (ПП № 416 п. 13), not from the request (``deadlines.deadline_for``).
    damage_at = Timestamptz(null=True, default=None)
    completed_at = Timestamptz(null=True, default=None, index=True)
    closed_at = Timestamptz(null=True, default=None)
    # When work reported done (or closed) last went back to work (``rules.reopens``): a developer's promise made
    # before it is history, not the request's term (``rules.promise_returned``).
    returned_at = Timestamptz(null=True, default=None)
    # Closed on the resident's own word («Да, работа выполнена»): not returned since (rules.resident_may_reopen).
    confirmed_by_resident = Boolean(default=False)
    executor = ForeignKey(User, on_delete=OnDelete.restrict, null=True, default=None, index=True)
    author = ForeignKey(User, on_delete=OnDelete.restrict, null=True, default=None, index=True)
    created_by = ForeignKey(User, on_delete=OnDelete.restrict, null=True, default=None)
    contact_name = Varchar(length=255, default="")
    contact_phone = Varchar(length=32, default="")
    # A request staff file from a resident's letter: the e-mail it came from, written back to (empty otherwise).
    contact_email = Varchar(length=254, default="")
    owner_name = Varchar(length=255, default="")
    rating = Integer(null=True, default=None, index=True)
    feedback = Text(default="")
    outage = ForeignKey(Outage, on_delete=OnDelete.restrict, null=True, default=None, index=True)
    # When the dispatcher forwarded a defect's claim to the developer (``actions.forward_to_developer``): once.
    developer_sent_at = Timestamptz(null=True, default=None)
    # A defect of a new house: what is defective (``rules.DEFECT_KINDS``; empty where not known), which decides its
    # warranty term, and the developer's last answer to its claim with the day it promised to fix it by
    # (``actions.record_developer_answer``). One claim a request, read with it: no table of its own.
    defect_kind = Varchar(length=16, default="")
    developer_answer = Varchar(length=16, default="")  # a rules.DeveloperAnswer, empty before any
    developer_promised_on = Date(null=True, default=None)  # kept when it fixed the defect: the promise it kept
    developer_answered_at = Timestamptz(null=True, default=None)  # when its last answer was recorded
    developer_reason = Text(default="")  # why it refused, as the resident reads it (empty after another answer)
    has_new_for_staff = Boolean(default=False, index=True)
    has_new_for_resident = Boolean(default=False, index=True)
    staff_seen_event = BigInt(default=0)
    resident_seen_event = BigInt(default=0)
    # Number, address, account, owner, executor and description (and its English twin) in one lower-cased text for
    # the staff search.
    search_text = Text(default="")


class TicketEvent(Table):
    """One change of a request (status, executor, deadline, flags …) or one message, with author and time."""

    id = Serial(primary_key=True)
    ticket = ForeignKey(Ticket, on_delete=OnDelete.restrict, null=False, index=True)
    kind = Varchar(length=24, choices=EventKind, index=True)
    from_value = Varchar(length=64, default="")
    to_value = Varchar(length=64, default="")
    comment = Text(default="")
    comment_en = Text(default="")  # the comment in English where the portal worded it; empty when a person typed it
    visible_to_resident = Boolean(default=False)
    author = ForeignKey(User, on_delete=OnDelete.restrict, null=True, default=None)
    author_name = Varchar(length=255, default="")
    by_staff = Boolean(default=True)
    created_at = Timestamptz(default=TimestamptzNow(), index=True)


class TicketAttachment(PhotoColumns, Table):
    """A photo of a request (the resident's or the executor's), stored by ``core.storage`` under ``file_key``."""

    id = Serial(primary_key=True)
    ticket = ForeignKey(Ticket, on_delete=OnDelete.restrict, null=False, index=True)
    event = ForeignKey(TicketEvent, on_delete=OnDelete.restrict, null=True, default=None, index=True)
    author = ForeignKey(User, on_delete=OnDelete.restrict, null=True, default=None)
    visible_to_resident = Boolean(default=True)
    created_at = Timestamptz(default=TimestamptzNow())
    # When the file was deleted at the end of its keeping term (``actions.erase_request_files``); null while kept.
    # The row stays, so that the request's page and the file's address say so. Indexed: the daily job reads the
    # files not yet deleted.
    erased_at = Timestamptz(null=True, default=None, index=True)


class TicketCounter(Table):
    """The last request number given (one row): numbers are sequential per company and never reused."""

    id = Serial(primary_key=True)
    value = BigInt(default=0)


class TicketListColumns(Table):
    """The columns a staff user chose for the request list."""

    id = Serial(primary_key=True)
    user = ForeignKey(User, on_delete=OnDelete.cascade, null=False, unique=True)
    columns = Varchar(length=500, default="")


class TicketSavedView(Table):
    """A staff user's own view of the request list: a name and the filters of the list's address."""

    id = Serial(primary_key=True)
    user = ForeignKey(User, on_delete=OnDelete.cascade, null=False, index=True)
    name = Varchar(length=60)
    query = Varchar(length=1000, default="")
    created_at = Timestamptz(default=TimestamptzNow())


class MeterApplication(Table):
    """What a resident's application for a meter's commissioning (ПП № 354 п. 81) says, as typed: the card of the
    meter is made from it when the request is done (the staff meter form prefilled). ``meter``: the meter of the
    account it replaces (meters domain; no foreign key across), None for a new place."""

    id = Serial(primary_key=True)
    ticket = ForeignKey(Ticket, on_delete=OnDelete.cascade, null=False, unique=True)
    meter = Integer(null=True, default=None)
    service = Varchar(length=16)
    place = Varchar(length=64, default="")
    serial = Varchar(length=32)
    model = Varchar(length=64, default="")
    reading = Numeric(digits=(14, 3))
    verified_on = Date()
    next_verification = Date()
    visit_first = Date()
    visit_second = Date()


class HandoverApplication(Table):
    """What a new owner's or payer's application (``owner_change`` / ``payer_change``) asks staff to write: the day,
    the new name, the share, and the document of ownership (``core.storage``), which only the applicant and staff
    of the house open. ``applied_at`` once it was applied. A payer's change from a day still ahead is decided by
    staff at once (``decided_at``, by whom, and the account's version then) and applied on the day by the job
    ``actions.apply_payers_due``; a decision the job could not apply is withdrawn (``decided_at`` empty again)."""

    id = Serial(primary_key=True)
    ticket = ForeignKey(Ticket, on_delete=OnDelete.restrict, null=False, unique=True)
    kind = Varchar(length=8, choices=Handover)
    day = Date()
    full_name = Varchar(length=255, default="")
    share_numerator = Integer(null=True, default=None)
    share_denominator = Integer(null=True, default=None)
    documents = Text(default="")  # the stored files' keys, one a line
    applied_at = Timestamptz(null=True, default=None)
    decided_at = Timestamptz(null=True, default=None, index=True)
    decided_by = ForeignKey(User, on_delete=OnDelete.set_null, null=True, default=None)
    decided_name = Varchar(length=255, default="")
    account_version = Varchar(length=64, default="")
    # When the documents were deleted at the end of their keeping term (``actions.erase_request_files``), their keys
    # cleared; null while kept. Indexed: the daily job reads the applications not yet done.
    documents_erased_at = Timestamptz(null=True, default=None, index=True)
    # The account a new owner's application opened once applied: the request stays filed on the old account and is
    # listed on the new one's staff page too (``queries.recent_of_account``).
    new_account = ForeignKey(PersonalAccount, on_delete=OnDelete.restrict, null=True, default=None, index=True)


class LiftBooking(Table):
    """The freight lift (or the passenger lift of a house without one) of an entrance booked for a slot, with the
    request it was filed as. ``held`` («entrance:day:hour») is set while the booking holds its slot and cleared when
    the request is cancelled (by the resident, or refused by the dispatcher): its uniqueness lets one booking alone
    hold a slot, however many press at once."""

    id = Serial(primary_key=True)
    ticket = ForeignKey(Ticket, on_delete=OnDelete.cascade, null=False, unique=True)
    house = ForeignKey(House, on_delete=OnDelete.restrict, null=False)
    entrance = ForeignKey(Entrance, on_delete=OnDelete.restrict, null=False, index=True)
    day = Date()
    hour = Integer()  # the slot's first hour in the company's zone
    starts_at = Timestamptz()
    ends_at = Timestamptz()
    carried = Varchar(length=16, choices=Carried)
    phone = Varchar(length=32)
    held = Varchar(length=64, null=True, default=None, unique=True)
