"""Tables of identity and access."""

from piccolo.columns import Array
from piccolo.columns import Boolean
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

from portal.accounts.rules import ConsentType
from portal.accounts.rules import DataRequestKind
from portal.accounts.rules import TokenPurpose
from portal.core.security import ResidentRole
from portal.core.security import StaffRole
from portal.housing.tables import House
from portal.housing.tables import PersonalAccount


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
    # Set when the user followed the confirmation link (self-registration) or an invitation.
    email_confirmed_at = Timestamptz(null=True, default=None)
    # Set when the user typed the code sent to the phone (only a confirmed phone names them in the owners' register).
    phone_confirmed_at = Timestamptz(null=True, default=None)
    # The profile's switch for notices by e-mail (security e-mails go whatever it says).
    notify_email = Boolean(default=True)
    # No longer read: in-app notices are the person's record, always kept (``notifications.rules.wants``). The
    # column stays so that no migration has to drop it.
    notify_inapp = Boolean(default=True)
    # Raised on a password change or reset: sessions carrying an older epoch are signed out.
    session_epoch = Integer(default=0)
    # Raised by database triggers whenever the user's roles, houses, residencies, consent, name, locale,
    # activity or epoch change: the principal kept in the session is rebuilt when it differs.
    principal_version = Integer(default=0)
    # When an administrator last changed the staff member's roles, houses or activity (None: never since they were
    # made): the version the staff user form carries (core.stale), apart from the person's own profile changes.
    scope_changed_at = Timestamptz(null=True, default=None)


class UserRole(Table):
    """A staff role of a user (admin, manager, dispatcher, executor, accountant, moderator, operator)."""

    id = Serial(primary_key=True)
    user = ForeignKey(User, on_delete=OnDelete.cascade, null=False, index=True)
    role = Varchar(length=16, choices=StaffRole)


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
    role = Varchar(length=16, default=ResidentRole.OWNER, choices=ResidentRole)
    # view, pay, meters, tickets (voting is never delegated through a residency)
    rights = Array(base_column=Varchar(length=16), default=list)
    granted_by = ForeignKey(User, on_delete=OnDelete.set_null, null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
    revoked_at = Timestamptz(null=True, default=None)


class ConsentRecord(Table):
    """One acceptance of a personal-data consent text (152-ФЗ): what, when, from where; kept after a withdrawal."""

    id = Serial(primary_key=True)
    user = ForeignKey(User, on_delete=OnDelete.restrict, null=False, index=True)
    consent_type = Varchar(length=16, default=ConsentType.PROCESSING, choices=ConsentType)
    text_version = Varchar(length=64)  # hash of the exact text shown
    granted_at = Timestamptz(default=TimestamptzNow())
    withdrawn_at = Timestamptz(null=True, default=None)
    ip = Varchar(length=64, default="")
    user_agent = Varchar(length=255, default="")
    channel = Varchar(length=16, default="web")
    locale = Varchar(length=8, default="ru")
    # The staff member who entered a consent signed on paper (None for one given on the portal).
    recorded_by = ForeignKey(User, on_delete=OnDelete.set_null, null=True, default=None)
    # How the withdrawal came (a ConsentChannel: the portal, a paper form, a letter) and who entered it if not the
    # person themselves; empty and None while the consent stands (and for withdrawals made before it was kept).
    withdrawn_channel = Varchar(length=16, default="")
    withdrawn_by = ForeignKey(User, on_delete=OnDelete.set_null, null=True, default=None)


class DataRequest(Table, tablename="personal_data_request"):
    """A duty towards one data subject with its deadline (152-ФЗ, DOMAIN.md §6): the erasure that a withdrawal
    schedules, an access request (answered at once with a file), a demand to correct data. Kept when done."""

    id = Serial(primary_key=True)
    user = ForeignKey(User, on_delete=OnDelete.restrict, null=False, index=True)
    kind = Varchar(length=16, choices=DataRequestKind, index=True)
    received_at = Timestamptz(default=TimestamptzNow())
    due_on = Date(index=True)
    details = Text(default="")  # what the person asks to correct
    done_at = Timestamptz(null=True, default=None, index=True)
    outcome = Varchar(length=16, default="")  # ErasureOutcome, CorrectionOutcome, or "answered" (an access request)
    answer = Text(default="")  # what staff told the person (a correction's result or reason for refusal)
    done_by = ForeignKey(User, on_delete=OnDelete.set_null, null=True, default=None)


class AccessCode(Table):
    """The generation of a personal account's access code (printed on the receipt).

    The code itself is derived from the secret key and the generation (rules.derive_access_code) and never
    stored. An account without a row is on generation 0.
    """

    id = Serial(primary_key=True)
    account = ForeignKey(PersonalAccount, on_delete=OnDelete.cascade, null=False, unique=True)
    generation = Integer(default=0)
    created_at = Timestamptz(default=TimestamptzNow())
    created_by = ForeignKey(User, on_delete=OnDelete.set_null, null=True, default=None)


class OneTimeToken(Table, tablename="auth_token"):
    """A one-time link sent by e-mail (password reset, invitation, e-mail confirmation) or a code sent to a new
    phone. Only its hash is stored."""

    id = Serial(primary_key=True)
    purpose = Varchar(length=16, index=True, choices=TokenPurpose)
    token_hash = Varchar(length=64, unique=True)
    user = ForeignKey(User, on_delete=OnDelete.cascade, null=True, default=None, index=True)
    # Where it was sent: the e-mail address, or the new phone number for a phone code.
    email = Varchar(length=255, default="")
    account = ForeignKey(PersonalAccount, on_delete=OnDelete.cascade, null=True, default=None)
    role = Varchar(length=16, default="")  # a ResidentRole for an invitation or a registration, else empty
    rights = Array(base_column=Varchar(length=16), default=list)
    created_by = ForeignKey(User, on_delete=OnDelete.set_null, null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
    expires_at = Timestamptz(index=True)  # indexed: the daily job deletes the long expired (``privacy``)
    used_at = Timestamptz(null=True, default=None)
    attempts = Integer(default=0)  # wrong codes typed (a phone code dies after a few)
    # The language its letter (or text message) is written in, which the page its link opens speaks too: an
    # invitation's, chosen by whoever invited (the invited person's saved language once they accept); a reset's or a
    # new login's, the person's saved language; a registration's, the language of the page that asked. Empty for
    # links sent before it was kept: their pages follow the browser.
    locale = Varchar(length=8, default="")
