"""Tables of identity and access."""

from piccolo.columns import (
    Array,
    Boolean,
    ForeignKey,
    Serial,
    Timestamptz,
    Varchar,
)
from piccolo.columns.base import OnDelete
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from portal.housing.tables import House, PersonalAccount


class User(Table, tablename="portal_user"):
    """A person who signs in: a resident, a staff member, or both."""

    id = Serial(primary_key=True)
    email = Varchar(length=255, null=True, default=None, unique=True)
    phone = Varchar(length=20, null=True, default=None, unique=True)
    password_hash = Varchar(length=255, default="")
    full_name = Varchar(length=255, default="")
    locale = Varchar(length=8, default="ru")
    is_active = Boolean(default=True)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())
    last_login_at = Timestamptz(null=True, default=None)


class UserRole(Table):
    """A staff role of a user (admin, manager, dispatcher, executor, accountant, moderator, operator)."""

    id = Serial(primary_key=True)
    user = ForeignKey(User, on_delete=OnDelete.cascade, null=False, index=True)
    role = Varchar(length=16)


class StaffHouse(Table):
    """A house a staff user works with (admins see every house)."""

    id = Serial(primary_key=True)
    user = ForeignKey(User, on_delete=OnDelete.cascade, null=False, index=True)
    house = ForeignKey(House, on_delete=OnDelete.cascade, null=False, index=True)


class Residency(Table):
    """A user's link to a personal account: owner, tenant or family member, with the rights granted."""

    id = Serial(primary_key=True)
    user = ForeignKey(User, on_delete=OnDelete.restrict, null=False, index=True)
    account = ForeignKey(PersonalAccount, on_delete=OnDelete.restrict, null=False, index=True)
    role = Varchar(length=16, default="owner")  # owner / tenant / family
    # view, pay, meters, tickets (voting is never delegated through a residency)
    rights = Array(base_column=Varchar(length=16), default=list)
    granted_by = ForeignKey(User, on_delete=OnDelete.set_null, null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
    revoked_at = Timestamptz(null=True, default=None)
