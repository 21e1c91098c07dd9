"""Tables of meters and readings, with the kinds their rows take."""

from enum import StrEnum

from piccolo.columns import Boolean, Date, ForeignKey, Integer, Numeric, Serial, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from portal.accounts.tables import User
from portal.housing.tables import PersonalAccount


class Service(StrEnum):
    """What a meter measures."""

    COLD_WATER = "cold_water"
    HOT_WATER = "hot_water"
    ELECTRICITY = "electricity"
    HEATING = "heating"


class Source(StrEnum):
    """Where a reading came from (so far only the resident's form on the portal)."""

    PORTAL = "portal"


class Meter(Table):
    """Прибор учёта of a personal account: cold/hot water, electricity (1–3 zones), heating."""

    id = Serial(primary_key=True)
    account = ForeignKey(PersonalAccount, on_delete=OnDelete.restrict, null=False, index=True)
    service = Varchar(length=16, choices=Service)
    serial = Varchar(length=32)
    digits = Integer(default=5)
    decimals = Integer(default=3)
    zones = Integer(default=1)
    installed_on = Date(null=True, default=None)
    next_verification = Date(null=True, default=None)
    failed_on = Date(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class MeterReading(Table):
    """Показание: one register (zone) of one meter, with the period it is used in."""

    id = Serial(primary_key=True)
    meter = ForeignKey(Meter, on_delete=OnDelete.restrict, null=False, index=True)
    zone = Integer(default=1)
    value = Numeric(digits=(14, 3))
    consumption = Numeric(digits=(14, 3), null=True, default=None)
    period = Date(index=True)
    submitted_at = Timestamptz(default=TimestamptzNow())
    source = Varchar(length=16, default=Source.PORTAL, choices=Source)
    submitted_by = ForeignKey(User, on_delete=OnDelete.set_null, null=True, default=None)
    rollover = Boolean(default=False)
    flagged = Boolean(default=False)
