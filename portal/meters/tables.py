"""Tables of meters and readings, with the kinds their rows take."""

from enum import StrEnum

from piccolo.columns import Boolean
from piccolo.columns import Date
from piccolo.columns import ForeignKey
from piccolo.columns import Integer
from piccolo.columns import Numeric
from piccolo.columns import Serial
from piccolo.columns import Timestamptz
from piccolo.columns import Varchar
from piccolo.columns.base import OnDelete
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from portal.accounts.tables import User
from portal.core.stamps import Stamped
from portal.housing.tables import House
from portal.housing.tables import PersonalAccount


class Service(StrEnum):
    """What a meter measures (electricity in one, two or three zones: ``Meter.zones``)."""

    COLD_WATER = "cold_water"
    HOT_WATER = "hot_water"
    ELECTRICITY = "electricity"
    HEATING = "heating"
    GAS = "gas"


class Source(StrEnum):
    """Where a reading came from: the resident's form, the call centre on the resident's behalf, or staff
    (house meters, readings taken by an inspector)."""

    PORTAL = "portal"
    PHONE = "phone"
    STAFF = "staff"


class MeterStatus(StrEnum):
    ACTIVE = "active"
    FAILED = "failed"  # broken, seals gone, damaged (п. 81(12) а–г): no readings, charged by the average
    REPLACED = "replaced"  # a new meter took its place (``replaced_by``)
    REMOVED = "removed"


class Review(StrEnum):
    """A reading's review by staff; only implausible jumps wait for it."""

    NONE = ""
    PENDING = "pending"
    ACCEPTED = "accepted"
    CORRECTED = "corrected"
    REJECTED = "rejected"


class Meter(Stamped, Table):
    """Прибор учёта of a personal account (and so of its premise): water, electricity (1–3 zones), heating, gas."""

    id = Serial(primary_key=True)
    account = ForeignKey(PersonalAccount, on_delete=OnDelete.restrict, null=False, index=True)
    service = Varchar(length=16, choices=Service)
    serial = Varchar(length=32)
    place = Varchar(length=64, default="")  # «санузел», «кухня», «щит на площадке»
    digits = Integer(default=5)
    decimals = Integer(default=3)
    zones = Integer(default=1)
    installed_on = Date(null=True, default=None)
    next_verification = Date(null=True, default=None)
    # The day of its last verification as staff recorded it (None: none recorded, the factory's counts).
    verified_on = Date(null=True, default=None)
    failed_on = Date(null=True, default=None)
    status = Varchar(length=16, default=MeterStatus.ACTIVE, choices=MeterStatus)
    removed_on = Date(null=True, default=None)
    replaced_by = ForeignKey("self", on_delete=OnDelete.set_null, null=True, default=None)
    # The request filed from the meter's page to verify or replace it (tickets domain; no foreign key across).
    verification_ticket = Integer(null=True, default=None)


class VerificationChange(Table):
    """A change of a meter's verification date, failure or status, keeping what stood until it (the meter keeps only
    what stands now): an export of a past month judges each meter as it stood in that month."""

    id = Serial(primary_key=True)
    meter = ForeignKey(Meter, on_delete=OnDelete.cascade, null=False, index=True)
    changed_on = Date()  # the company's day of the change: what follows stood until the day before
    next_verification = Date(null=True, default=None)
    failed_on = Date(null=True, default=None)
    status = Varchar(length=16, choices=MeterStatus)


class MeterReading(Table):
    """Показание: one register (zone) of one meter for the period it is used in — one per register and period
    (a correction within the window replaces the value)."""

    id = Serial(primary_key=True)
    meter = ForeignKey(Meter, on_delete=OnDelete.restrict, null=False, index=True)
    zone = Integer(default=1)
    value = Numeric(digits=(14, 3))
    consumption = Numeric(digits=(14, 3), null=True, default=None)
    period = Date()
    submitted_at = Timestamptz(default=TimestamptzNow())
    source = Varchar(length=16, default=Source.PORTAL, choices=Source)
    # Who entered it: the resident, or the operator who took it on the phone.
    submitted_by = ForeignKey(User, on_delete=OnDelete.set_null, null=True, default=None)
    rollover = Boolean(default=False)
    flagged = Boolean(default=False)
    # core.storage key of the meter's photo sent with the reading; indexed: core.orphans asks by it
    photo = Varchar(length=96, default="", index=True)
    review = Varchar(length=16, default=Review.NONE, choices=Review)
    reviewed_by = ForeignKey(User, on_delete=OnDelete.set_null, null=True, default=None)
    reviewed_at = Timestamptz(null=True, default=None)
    review_note = Varchar(length=500, default="")
    original_value = Numeric(digits=(14, 3), null=True, default=None)  # what was sent, when staff corrected it
    # Changed by a review, or passed or corrected by the resident or the call centre, after its month was exported
    # to billing: the accountant recounts it (the mark stays on the list, and the next export's line says so, until
    # the month is exported again).
    recount = Boolean(default=False)


class HouseMeter(Stamped, Table):
    """Общедомовой прибор учёта (ОДПУ) of a house, read by staff every month."""

    id = Serial(primary_key=True)
    house = ForeignKey(House, on_delete=OnDelete.restrict, null=False, index=True)
    service = Varchar(length=16, choices=Service)
    serial = Varchar(length=32)
    place = Varchar(length=64, default="")
    digits = Integer(default=7)
    decimals = Integer(default=3)
    zones = Integer(default=1)
    installed_on = Date(null=True, default=None)
    next_verification = Date(null=True, default=None)
    # The day of its last verification as staff recorded it (None: none recorded), as ``Meter.verified_on``.
    verified_on = Date(null=True, default=None)
    status = Varchar(length=16, default=MeterStatus.ACTIVE, choices=MeterStatus)


class HouseReading(Table):
    """A monthly reading of one register of a house meter, entered by staff."""

    id = Serial(primary_key=True)
    meter = ForeignKey(HouseMeter, on_delete=OnDelete.restrict, null=False, index=True)
    zone = Integer(default=1)
    value = Numeric(digits=(16, 3))
    consumption = Numeric(digits=(16, 3), null=True, default=None)
    period = Date()
    entered_at = Timestamptz(default=TimestamptzNow())
    entered_by = ForeignKey(User, on_delete=OnDelete.set_null, null=True, default=None)
    rollover = Boolean(default=False)


class MeterReminder(Table):
    """A reminder sent to the residents of an account: one row per (kind, account, key) — the key is the period
    (window reminders) or the verification date — so each is sent once whichever process runs the job."""

    id = Serial(primary_key=True)
    kind = Varchar(length=24)
    account = ForeignKey(PersonalAccount, on_delete=OnDelete.cascade, null=False)
    key = Date()
    sent_at = Timestamptz(default=TimestamptzNow())


class MeterExport(Table):
    """An export of a month's readings to the billing system: the month, the house (None: every house) and when."""

    id = Serial(primary_key=True)
    period = Date(index=True)
    house = ForeignKey(House, on_delete=OnDelete.cascade, null=True, default=None)
    exported_at = Timestamptz(default=TimestamptzNow())
    exported_by = ForeignKey(User, on_delete=OnDelete.set_null, null=True, default=None)
