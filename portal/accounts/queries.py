"""Reads of identity: users, one-time tokens, consent, accounts and their people, staff, the audit log and the
outbox. Bounded, indexed, returning dataclasses; every write lives in ``actions``."""

from __future__ import annotations

import hmac
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import fields
from datetime import date
from datetime import datetime
from datetime import timedelta
from decimal import Decimal
from typing import Any
from typing import TypeVar

from portal.accounts import consent
from portal.accounts import rules
from portal.accounts.rules import OwnerContact
from portal.accounts.rules import TokenPurpose
from portal.accounts.tables import AccessCode
from portal.accounts.tables import ConsentRecord
from portal.accounts.tables import OneTimeToken
from portal.accounts.tables import Residency
from portal.accounts.tables import StaffHouse
from portal.accounts.tables import User
from portal.accounts.tables import UserRole
from portal.core import clock
from portal.core import jobs
from portal.core.address import PremiseAddress
from portal.core.db import from_row
from portal.core.memo import read_once
from portal.core.paged import read_page
from portal.core.pagination import Page
from portal.core.pagination import PageRequest
from portal.core.parse import normalize_phone
from portal.core.rows import columns_of
from portal.core.search import normalise
from portal.core.search import text_match
from portal.core.security import Principal
from portal.core.security import ResidentRole
from portal.core.security import StaffRole
from portal.core.tables import AuditEvent
from portal.core.tables import JobFailure
from portal.core.tables import JobState
from portal.core.tables import OutboxMessage
from portal.housing.queries import OWNED_PREMISES
from portal.housing.queries import kept
from portal.housing.rules import account_kept
from portal.housing.tables import House
from portal.housing.tables import Ownership
from portal.housing.tables import PersonalAccount
from portal.settings import get_settings

T = TypeVar("T")


def _as(cls: type[T], row: dict[str, Any] | None) -> T | None:
    """A row as the dataclass ``cls`` (only its fields are read)."""
    if row is None:
        return None
    return cls(**{f.name: row.get(f.name) for f in fields(cls)})  # type: ignore[arg-type]


def _all(cls: type[T], rows: list[dict[str, Any]]) -> list[T]:
    return [cls(**{f.name: row.get(f.name) for f in fields(cls)}) for row in rows]  # type: ignore[arg-type]


# --- users --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class UserInfo:
    id: int
    email: str | None
    phone: str | None
    full_name: str
    locale: str
    is_active: bool
    email_confirmed_at: datetime | None
    phone_confirmed_at: datetime | None
    password_hash: str
    session_epoch: int
    notify_email: bool

    @property
    def has_password(self) -> bool:
        return bool(self.password_hash)

    @property
    def confirmed_email(self) -> str | None:
        return self.email if self.email_confirmed_at else None

    @property
    def confirmed_phone(self) -> str | None:
        return self.phone if self.phone and self.phone_confirmed_at else None


async def user_by_login(login: str) -> UserInfo | None:
    """The user a sign-in login names (e-mail or phone in any usual spelling), or None."""
    kind = rules.login_kind(login)
    if kind is None:
        return None
    column = User.email if kind[0] == "email" else User.phone
    return _as(UserInfo, await User.select().where(column == kind[1]).first())


async def user_by_email(email: str) -> UserInfo | None:
    return _as(UserInfo, await User.select().where(User.email == rules.normalize_email(email)).first())


async def get_user(user_id: int) -> UserInfo | None:
    return _as(UserInfo, await User.select().where(User.id == user_id).first())


async def is_staff(user_id: int) -> bool:
    """Whether the user has any staff role (an invitation then opens the staff pages)."""
    return await UserRole.exists().where(UserRole.user == user_id)


TOLD_STAFF = 50  # the staff members of a house told of one event, at most


async def staff_of_house(house_id: int | None, roles: Sequence[str]) -> list[int]:
    """The active staff members of the house with one of ``roles``, by id (at most ``TOLD_STAFF``, the first by
    id): those told of its request or order. A deactivated one takes no place among them. ``house_id`` None: of
    every house (the administrators, bound to none)."""
    with_role = UserRole.select(UserRole.user).where(UserRole.role.is_in(list(roles)))
    where = User.id.is_in(with_role) & User.is_active.eq(True)
    if house_id is not None:
        where &= User.id.is_in(StaffHouse.select(StaffHouse.user).where(StaffHouse.house == house_id))
    rows = await User.select(User.id).where(where).order_by(User.id).limit(TOLD_STAFF)
    return [r["id"] for r in rows]


async def email_taken(email: str) -> bool:
    return await User.exists().where(User.email == rules.normalize_email(email))


async def phone_holder(phone: str) -> int | None:
    row = await User.select(User.id).where(User.phone == phone).first()
    return row["id"] if row else None


# --- one-time tokens ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Token:
    id: int
    purpose: str
    token_hash: str
    user: int | None
    email: str
    account: int | None
    role: str
    rights: list[str]
    created_by: int | None
    expires_at: datetime
    used_at: datetime | None
    attempts: int
    locale: str

    def works(self, now: datetime) -> bool:
        """Not used yet and not expired."""
        return self.used_at is None and self.expires_at > now


async def link_token(token: str, purpose: TokenPurpose) -> Token | None:
    """The link's record if it exists and is for ``purpose``, used or expired alike (the page saying that it no
    longer works speaks its language); ``Token.works`` tells whether it still does."""
    if not token or len(token) > 100:
        return None
    return _as(
        Token,
        await OneTimeToken.select()
        .where((OneTimeToken.token_hash == rules.token_hash(token)) & (OneTimeToken.purpose == purpose))
        .first(),
    )


async def valid_token(token: str, purpose: TokenPurpose, now: datetime | None = None) -> Token | None:
    """The link's record if it exists, is for ``purpose``, has not been used and has not expired."""
    row = await link_token(token, purpose)
    return row if row is not None and row.works(now or clock.now()) else None


async def pending_code(user_id: int, purpose: TokenPurpose, now: datetime | None = None) -> Token | None:
    """The code of ``purpose`` (a new phone's, a reset's) the user was sent last and has not used, if it still works."""
    row = _as(
        Token,
        await OneTimeToken.select()
        .where(
            (OneTimeToken.user == user_id)
            & (OneTimeToken.purpose == purpose)
            & OneTimeToken.used_at.is_null()
            & (OneTimeToken.expires_at > (now or clock.now()))
        )
        .order_by(OneTimeToken.id, ascending=False)
        .first(),
    )
    return row


@dataclass(frozen=True)
class PendingChanges:
    """What the profile waits for: the phone code last sent, the e-mail link last sent (each if it still works)."""

    phone: Token | None
    email: Token | None


async def pending_changes(user_id: int, now: datetime | None = None) -> PendingChanges:
    """The user's phone code and e-mail link still waiting, in one query (a new one cancels the one before, so
    there are few unused tokens of a user; the newest of each purpose counts)."""
    rows = (
        await OneTimeToken.select()
        .where(
            (OneTimeToken.user == user_id)
            & OneTimeToken.purpose.is_in([TokenPurpose.PHONE, TokenPurpose.EMAIL])
            & OneTimeToken.used_at.is_null()
            & (OneTimeToken.expires_at > (now or clock.now()))
        )
        .order_by(OneTimeToken.id, ascending=False)
        .limit(10)
    )
    newest: dict[str, Token] = {}
    for row in rows:
        newest.setdefault(row["purpose"], _as(Token, row))
    return PendingChanges(phone=newest.get(TokenPurpose.PHONE), email=newest.get(TokenPurpose.EMAIL))


# --- consent --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ConsentEntry:
    """A consent as its person reads it: the document and edition, when and how it was given, when withdrawn.
    The address and browser it came from stay in the record for staff and the audit."""

    id: int
    consent_type: str
    text_version: str
    granted_at: datetime
    withdrawn_at: datetime | None
    channel: str

    @property
    def edition(self) -> consent.Edition | None:
        return consent.edition(self.consent_type, self.text_version)

    @property
    def signed_on(self) -> date:
        """The day a paper form was signed (kept as the start of that day in the company's zone, or later: its
        hour is nobody's knowledge, so a paper consent is read by its day)."""
        return clock.local(self.granted_at).date()


async def consent_history(user_id: int, limit: int = 50) -> list[ConsentEntry]:
    return await _consents(ConsentEntry, user_id, limit)


async def _consents(row: type[T], user_id: int, limit: int, **joined: Any) -> list[T]:
    """The person's consent records as ``row``, newest first (by the user's consent index)."""
    return _all(
        row,
        await ConsentRecord.select(*columns_of(ConsentRecord, row, **joined))
        .where(ConsentRecord.user == user_id)
        .order_by(ConsentRecord.granted_at, ascending=False)
        .order_by(ConsentRecord.id, ascending=False)
        .limit(limit),
    )


async def withdrawal_days(user_id: int, limit: int = 50) -> dict[str, date]:
    """The day (in the company's zone) each consent of the person was last withdrawn."""
    rows = (
        await ConsentRecord.select(ConsentRecord.consent_type, ConsentRecord.withdrawn_at)
        .where((ConsentRecord.user == user_id) & ConsentRecord.withdrawn_at.is_not_null())
        .order_by(ConsentRecord.withdrawn_at, ascending=False)
        .limit(limit)
    )
    found: dict[str, date] = {}
    for row in rows:
        found.setdefault(row["consent_type"], clock.local(row["withdrawn_at"]).date())
    return found


async def last_withdrawal(user_id: int, consent_types: tuple[str, ...]) -> datetime | None:
    """When the person last withdrew one of ``consent_types`` (None if never)."""
    row = (
        await ConsentRecord.select(ConsentRecord.withdrawn_at)
        .where(
            (ConsentRecord.user == user_id)
            & ConsentRecord.consent_type.is_in(list(consent_types))
            & ConsentRecord.withdrawn_at.is_not_null()
        )
        .order_by(ConsentRecord.withdrawn_at, ascending=False)
        .first()
    )
    return row["withdrawn_at"] if row else None


@dataclass(frozen=True)
class StaffConsentEntry(ConsentEntry):
    """A consent as the operator proves it: besides what its person reads, the evidence kept (the text's hash, the
    address and browser it was given from, who entered it from paper) and how the withdrawal came, who entered it."""

    ip: str
    user_agent: str
    locale: str
    recorded_by_name: str | None
    withdrawn_channel: str
    withdrawn_by_name: str | None


_ENTERED_BY = {
    "recorded_by_name": ConsentRecord.recorded_by.full_name,
    "withdrawn_by_name": ConsentRecord.withdrawn_by.full_name,
}


async def consent_evidence(user_id: int, limit: int = 50) -> list[StaffConsentEntry]:
    """The person's consent records with their evidence, newest first (one query by the user's consent index)."""
    return await _consents(StaffConsentEntry, user_id, limit, **_ENTERED_BY)


@dataclass(frozen=True)
class PersonView:
    """A person of the portal as the office sees them: name, contacts and the accounts in the staff's houses."""

    id: int
    full_name: str
    email: str | None
    phone: str | None
    is_active: bool
    created_at: datetime
    accounts: list[LinkedAccount]


async def person_for_staff(principal: Principal, user_id: int) -> PersonView | None:
    """The person if this staff member may see them: administrators anyone; others a person who has or had access
    to an account of their houses. Never loaded first and checked after."""
    if principal.house_ids is not None:
        houses = list(principal.house_ids)
        linked = houses and await Residency.exists().where(
            (Residency.user == user_id) & Residency.account.premise.house.is_in(houses)
        )
        if not linked:
            return None
    row = await User.select(*columns_of(User, PersonView)).where(User.id == user_id).first()
    if row is None:
        return None
    accounts = [a for a in await accounts_of_user(user_id) if principal.may_see_house(a.house_id)]
    return PersonView(**{**row, "full_name": row["full_name"] or "", "accounts": accounts})


# --- personal accounts, access codes, residencies -------------------------------------------------------


@dataclass(frozen=True)
class AccountInfo(PremiseAddress):
    """A personal account with its premise and house."""

    id: int
    number: str
    closed_on: date | None
    premise_id: int
    premise_number: str
    premise_kind: str
    house_id: int
    house_address: str


@dataclass(frozen=True)
class LinkedAccount(AccountInfo):
    """A personal account as one of its residents sees it, with their role and rights on it."""

    residency_id: int
    role: str
    rights: list[str]


def _account_columns(account: Any) -> tuple[Any, ...]:
    """The columns of ``AccountInfo``, read from ``PersonalAccount`` or through a foreign key to it."""
    return (
        account.id.as_alias("id"),
        account.number.as_alias("number"),
        account.closed_on.as_alias("closed_on"),
        account.premise.id.as_alias("premise_id"),
        account.premise.number.as_alias("premise_number"),
        account.premise.kind.as_alias("premise_kind"),
        account.premise.house.id.as_alias("house_id"),
        account.premise.house.address.as_alias("house_address"),
    )


_ACCOUNT_COLUMNS = _account_columns(PersonalAccount)
_LINKED_COLUMNS = (
    Residency.id.as_alias("residency_id"),
    Residency.role,
    Residency.rights,
    *_account_columns(Residency.account),
)


@dataclass(frozen=True)
class PersonAccount(LinkedAccount):
    """One of a person's accounts with what the other sections of their home page show of it: the payer, entrance
    and area of the balances, the complex of the NPS survey (``accounts_of_user`` reads them once for all)."""

    payer_name: str
    entrance: int | None
    area: Decimal
    complex_id: int
    complex_name: str


_PERSON_COLUMNS = (
    *_LINKED_COLUMNS,
    Residency.account.payer_name.as_alias("payer_name"),
    Residency.account.premise.entrance.number.as_alias("entrance"),
    Residency.account.premise.area.as_alias("area"),
    Residency.account.premise.house.complex.as_alias("complex_id"),
    Residency.account.premise.house.complex.name.as_alias("complex_name"),
)

_BY_ACCOUNT_NUMBER = Residency.account.number  # built once, as the columns are (``core.rows.built_once``)
ACCOUNTS_OF_USER = 500  # a resident has a few accounts; an owner of many premises, hundreds at most


async def accounts_of_user(user_id: int) -> list[PersonAccount]:
    """The user's accounts with their addresses, in account-number order: one statement, read once for every
    section of the home page that asks (``core.memo.shared_reads``: the balances, the houses of the NPS survey and
    of the meetings, the accounts)."""
    return await read_once(("accounts_of_user", user_id), lambda: _accounts_of_user(user_id))


async def _accounts_of_user(user_id: int) -> list[PersonAccount]:
    rows = (
        await Residency.select(*_PERSON_COLUMNS)
        .where((Residency.user == user_id) & Residency.revoked_at.is_null())
        .order_by(_BY_ACCOUNT_NUMBER)
        .limit(ACCOUNTS_OF_USER)
    )
    today = clock.today_local()
    kept = [r for r in rows if account_kept(r["role"], r["closed_on"], today)]  # as the principal keeps them
    return _all(PersonAccount, [{**r, "area": Decimal(str(r["area"] or 0))} for r in kept])


@dataclass(frozen=True)
class LeftAccount:
    """An account a family member or tenant no longer sees: closed (``housing.rules.account_kept``), on this day."""

    number: str
    closed_on: date


async def accounts_left(user_id: int) -> list[LeftAccount]:
    """The closed accounts this user was a family member or tenant of, which the principal no longer gives them: why a
    person with no account left has none."""
    rows = (
        await Residency.select(
            Residency.role,
            Residency.account.number.as_alias("number"),
            Residency.account.closed_on.as_alias("closed_on"),
        )
        .where((Residency.user == user_id) & Residency.revoked_at.is_null() & Residency.account.closed_on.is_not_null())
        .order_by(_BY_ACCOUNT_NUMBER)
        .limit(ACCOUNTS_OF_USER)
    )
    today = clock.today_local()
    return [
        LeftAccount(r["number"], r["closed_on"]) for r in rows if not account_kept(r["role"], r["closed_on"], today)
    ]


@dataclass(frozen=True)
class AccountHouse:
    """The house of one of a resident's accounts, with its complex (the NPS survey asks by complex)."""

    house_id: int
    complex_id: int
    complex_name: str


async def houses_of_accounts(principal: Principal) -> list[AccountHouse]:
    """The houses of the principal's accounts, by house (of ``accounts_of_user``: on the home page, no statement of
    its own)."""
    if principal.user_id is None or not principal.account_ids:
        return []
    found = {
        a.house_id: AccountHouse(a.house_id, a.complex_id, a.complex_name)
        for a in await accounts_of_user(principal.user_id)
        if a.id in principal.account_ids
    }
    return [found[h] for h in sorted(found)]


async def account_of_user(user_id: int, account_id: int) -> LinkedAccount | None:
    """The account if this user is linked to it (never loaded first and checked later)."""
    return _as(
        LinkedAccount,
        await Residency.select(*_LINKED_COLUMNS)
        .where((Residency.user == user_id) & (Residency.account == account_id) & Residency.revoked_at.is_null())
        .first(),
    )


async def owned_account(principal: Principal, account_id: int) -> LinkedAccount | None:
    """The account if the caller is its owner; None for anyone else (missing and forbidden alike)."""
    account = await account_of_user(principal.user_id or 0, account_id)
    return account if account is not None and account.role == ResidentRole.OWNER else None


async def account_by_number(number: str) -> AccountInfo | None:
    number = "".join(ch for ch in number if ch in "0123456789")[:20]
    if not number:
        return None
    return _as(
        AccountInfo, await PersonalAccount.select(*_ACCOUNT_COLUMNS).where(PersonalAccount.number == number).first()
    )


async def account_by_id(account_id: int) -> AccountInfo | None:
    return _as(
        AccountInfo, await PersonalAccount.select(*_ACCOUNT_COLUMNS).where(PersonalAccount.id == account_id).first()
    )


async def account_in_scope(principal: Principal, number: str) -> AccountInfo | None:
    """The account of this number if it is in one of the staff user's houses."""
    account = await account_by_number(number)
    if account is None or not principal.may_see_house(account.house_id):
        return None
    return account


async def code_generation(account_id: int) -> int:
    row = await AccessCode.select(AccessCode.generation).where(AccessCode.account == account_id).first()
    return int(row["generation"]) if row else 0


async def current_access_code(account_id: int) -> str:
    """The code printed on the account's receipts (grouped for reading aloud)."""
    code = rules.derive_access_code(get_settings().secret_key, account_id, await code_generation(account_id))
    return rules.format_access_code(code)


async def access_code_for(principal: Principal, account_id: int) -> str | None:
    """The account's access code if this caller may see it (its owners, staff of its house), else None.

    The code registers the account, so a receipt shows it only to those who may register with it."""
    if not principal.user_id:
        return None
    staff_in_house = False
    if principal.is_staff:
        house = (
            await PersonalAccount.select(PersonalAccount.premise.house.as_alias("house"))
            .where(PersonalAccount.id == account_id)
            .first()
        )
        staff_in_house = house is not None and principal.may_see_house(house["house"])
    link = await residency_of(principal.user_id, account_id)
    if not rules.may_see_access_code(residency_role=link.role if link else None, staff_in_house=staff_in_house):
        return None
    return await current_access_code(account_id)


async def access_code_matches(account_id: int, code: str) -> bool:
    expected = rules.derive_access_code(get_settings().secret_key, account_id, await code_generation(account_id))
    return hmac.compare_digest(expected, rules.clean_access_code(code))


async def owners_in_registry(premise_id: int, today: date, limit: int = 50) -> list[OwnerContact]:
    """How the register of owners reaches the premise's current owners (shares valid today)."""
    rows = (
        await Ownership.select(Ownership.owner.email.as_alias("email"), Ownership.owner.phone.as_alias("phone"))
        .where(
            (Ownership.premise == premise_id)
            & (Ownership.valid_from.is_null() | (Ownership.valid_from <= today))
            & (Ownership.valid_to.is_null() | (Ownership.valid_to >= today))
        )
        .limit(limit)
    )
    return [OwnerContact(email=r["email"] or "", phone=r["phone"] or "") for r in rows]


@dataclass(frozen=True)
class ResidencyInfo:
    id: int
    user: int
    account: int
    role: str
    rights: list[str]


async def _standing_residency(which: Any, account_id: int) -> ResidencyInfo | None:
    """The standing residency on the account that ``which`` picks, if any."""
    return _as(
        ResidencyInfo,
        await Residency.select(*columns_of(Residency, ResidencyInfo))
        .where(which & (Residency.account == account_id) & Residency.revoked_at.is_null())
        .first(),
    )


async def residency_of(user_id: int, account_id: int) -> ResidencyInfo | None:
    """The user's standing residency on the account, if any."""
    return await _standing_residency(Residency.user == user_id, account_id)


async def residency_on_account(account_id: int, residency_id: int) -> ResidencyInfo | None:
    return await _standing_residency(Residency.id == residency_id, account_id)


async def owners_of_account(account_id: int, limit: int = 20) -> list[int]:
    """The users who are owners of the account in the portal (they are told of every change of its access)."""
    rows = (
        await Residency.select(Residency.user)
        .where(
            (Residency.account == account_id) & (Residency.role == ResidentRole.OWNER) & Residency.revoked_at.is_null()
        )
        .order_by(Residency.id)
        .limit(limit)
    )
    return [r["user"] for r in rows]


@dataclass(frozen=True)
class Person:
    id: int
    role: str
    rights: list[str]
    created_at: datetime
    user_id: int
    name: str
    email: str | None
    phone: str | None


_PERSON_JOINS = {
    "user_id": Residency.user.id, "name": Residency.user.full_name, "email": Residency.user.email,
    "phone": Residency.user.phone,
}  # fmt: skip


async def people_of_account(account_id: int, limit: int = 100) -> list[Person]:
    """The account's people (``housing.queries.kept``: a closed account's owners only), in the order they came."""
    return _all(
        Person,
        await Residency.select(*columns_of(Residency, Person, **_PERSON_JOINS))
        .where((Residency.account == account_id) & Residency.revoked_at.is_null() & kept(clock.today_local()))
        .order_by(Residency.id)
        .limit(limit),
    )


async def revocable_person(account: LinkedAccount, residency_id: int, user_id: int | None) -> Person | None:
    """The person on the account whose access its owner may revoke (never an owner, never the owner's own)."""
    person = _as(
        Person,
        await Residency.select(*columns_of(Residency, Person, **_PERSON_JOINS))
        .where((Residency.id == residency_id) & (Residency.account == account.id) & Residency.revoked_at.is_null())
        .first(),
    )
    if person is None:
        return None
    own = person.user_id == user_id
    return person if rules.may_revoke(actor_role=account.role, target_role=person.role, own=own) else None


@dataclass(frozen=True)
class Invitation:
    id: int
    email: str
    role: str
    rights: list[str]
    expires_at: datetime


async def pending_invitations(account_id: int, now: datetime | None = None, limit: int = 50) -> list[Invitation]:
    return _all(
        Invitation,
        await OneTimeToken.select(*columns_of(OneTimeToken, Invitation))
        .where(
            (OneTimeToken.purpose == TokenPurpose.INVITE)
            & (OneTimeToken.account == account_id)
            & OneTimeToken.used_at.is_null()
            & (OneTimeToken.expires_at > (now or clock.now()))
        )
        .order_by(OneTimeToken.id, ascending=False)
        .limit(limit),
    )


async def invitation_of_account(account_id: int, token_id: int) -> Invitation | None:
    return _as(
        Invitation,
        await OneTimeToken.select(*columns_of(OneTimeToken, Invitation))
        .where(
            (OneTimeToken.id == token_id)
            & (OneTimeToken.account == account_id)
            & (OneTimeToken.purpose == TokenPurpose.INVITE)
            & OneTimeToken.used_at.is_null()
        )
        .first(),
    )


# --- staff ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class HouseOption:
    id: int
    address: str


async def houses(limit: int = 500) -> list[HouseOption]:
    """Every house, for an administrator choosing a staff member's houses."""
    return _all(HouseOption, await House.select(House.id, House.address).order_by(House.address).limit(limit))


@dataclass(frozen=True)
class StaffMember:
    id: int
    full_name: str
    email: str | None
    phone: str | None
    is_active: bool
    last_login_at: datetime | None
    roles: list[str]
    houses: list[str]


async def list_staff(page: PageRequest) -> Page[StaffMember]:
    staff_ids = UserRole.select(UserRole.user)
    rows = (
        await User.select(User.id, User.full_name, User.email, User.phone, User.is_active, User.last_login_at)
        .where(User.id.is_in(staff_ids))
        .order_by(User.full_name)
        .limit(page.size)
        .offset(page.offset)
    )
    total = await User.count().where(User.id.is_in(staff_ids))
    ids = [r["id"] for r in rows]
    roles: dict[int, list[str]] = {i: [] for i in ids}
    homes: dict[int, list[str]] = {i: [] for i in ids}
    if ids:
        for r in await UserRole.select(UserRole.user, UserRole.role).where(UserRole.user.is_in(ids)):
            roles[r["user"]].append(r["role"])
        for r in await StaffHouse.select(StaffHouse.user, StaffHouse.house.address.as_alias("address")).where(
            StaffHouse.user.is_in(ids)
        ):
            homes[r["user"]].append(r["address"])
    order = list(StaffRole)
    items = [
        StaffMember(
            **{k: row[k] for k in ("id", "full_name", "email", "phone", "is_active", "last_login_at")},
            roles=sorted(roles[row["id"]], key=lambda r: order.index(StaffRole(r))),
            houses=sorted(homes[row["id"]]),
        )
        for row in rows
    ]
    return Page(items=items, total=total, number=page.number, size=page.size)


@dataclass(frozen=True)
class StaffScope:
    id: int
    full_name: str
    email: str | None
    is_active: bool
    roles: list[str]
    house_ids: list[int]
    scope_changed_at: datetime | None = None  # the version the staff user form carries (core.stale)


async def staff_user(user_id: int) -> StaffScope | None:
    row = (
        await User.select(User.id, User.full_name, User.email, User.is_active, User.scope_changed_at)
        .where(User.id == user_id)
        .first()
    )
    if row is None:
        return None
    roles = [r["role"] for r in await UserRole.select(UserRole.role).where(UserRole.user == user_id)]
    house_ids = [r["house"] for r in await StaffHouse.select(StaffHouse.house).where(StaffHouse.user == user_id)]
    return StaffScope(**row, roles=roles, house_ids=house_ids)


# --- audit log and outbox (administrators) --------------------------------------------------------------


@dataclass(frozen=True)
class AuditEntry:
    id: int
    created_at: datetime
    actor_id: int | None
    actor_name: str
    action: str
    entity: str
    entity_id: int | None
    changes: dict[str, Any]
    ip: str


@dataclass(frozen=True)
class AuditFilter:
    actor_id: int | None = None
    actor_name: str = ""
    entity: str = ""
    since: datetime | None = None
    before: datetime | None = None


async def audit_page(page: PageRequest, chosen: AuditFilter) -> Page[AuditEntry]:
    condition: Any = AuditEvent.id > 0
    if chosen.actor_id is not None:
        condition &= AuditEvent.actor_id == chosen.actor_id
    elif chosen.actor_name:
        condition &= _actor_named(chosen.actor_name)
    if chosen.entity:
        condition &= AuditEvent.entity == chosen.entity
    if chosen.since:
        condition &= AuditEvent.created_at >= chosen.since
    if chosen.before:
        condition &= AuditEvent.created_at < chosen.before
    rows = (
        await AuditEvent.select()
        .output(load_json=True)
        .where(condition)
        .order_by(AuditEvent.created_at, ascending=False)
        .order_by(AuditEvent.id, ascending=False)
        .limit(page.size)
        .offset(page.offset)
    )
    total = await AuditEvent.count().where(condition)
    return Page(items=_all(AuditEntry, rows), total=total, number=page.number, size=page.size)


def _actor_named(typed: str) -> Any:
    """Events whose actor's name holds every word typed, in any case and language, from the engine's text index;
    a word too short for the index (one or two letters) is taken as the name's beginning."""
    words = text_match("audit_event", "actor_search", typed)
    if words is not None:
        return words
    return AuditEvent.actor_search.like(normalise(typed).replace("%", "").replace("_", "") + "%")


async def audit_entity_known(entity: str) -> bool:
    """Whether any event is of the record type ``entity``: one lookup in the index on the type, however many."""
    return bool(entity) and await AuditEvent.exists().where(AuditEvent.entity == entity)


async def audit_entities(limit: int = 100) -> list[str]:
    rows = await AuditEvent.select(AuditEvent.entity).distinct().order_by(AuditEvent.entity).limit(limit)
    return [r["entity"] for r in rows]


# E-mails and text messages are read by administrators on the Outbox page (kept there without a server).
STAFF_READ_CHANNELS = ("email", "sms")


@dataclass(frozen=True)
class OutboxEntry:
    id: int
    channel: str
    recipient: str
    subject: str
    status: str
    created_at: datetime
    sent_at: datetime | None
    attempts: int
    last_error: str | None


@dataclass(frozen=True)
class OutboxLetter(OutboxEntry):
    """A message of the outbox with what it says."""

    body: str


async def outbox_page(page: PageRequest, status: str = "") -> Page[OutboxEntry]:
    condition: Any = OutboxMessage.channel.is_in(list(STAFF_READ_CHANNELS))
    if status:
        condition &= OutboxMessage.status == status
    rows = (
        await OutboxMessage.select(*columns_of(OutboxMessage, OutboxEntry))
        .where(condition)
        .order_by(OutboxMessage.id, ascending=False)
        .limit(page.size)
        .offset(page.offset)
    )
    total = await OutboxMessage.count().where(condition)
    return Page(items=_all(OutboxEntry, rows), total=total, number=page.number, size=page.size)


async def outbox_message(message_id: int) -> OutboxLetter | None:
    return _as(
        OutboxLetter,
        await OutboxMessage.select()
        .where((OutboxMessage.id == message_id) & OutboxMessage.channel.is_in(list(STAFF_READ_CHANNELS)))
        .first(),
    )


# --- background jobs --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class JobStateEntry:
    """A scheduled job's last run and last failure, and the run going on now, as the administrators' page of jobs
    shows them."""

    name: str
    key: str
    status: str
    started_at: datetime
    finished_at: datetime
    items: int | None
    failed_at: datetime | None
    error: str
    running_since: datetime | None  # the start of the run going on now (None: none is)

    @property
    def error_line(self) -> str:
        return rules.error_line(self.error)


@dataclass(frozen=True)
class JobFailureEntry:
    """A failed run of a job (or the same failure run after run: ``times``, from ``started_at`` to ``last_at``)."""

    id: int
    name: str
    key: str
    started_at: datetime
    last_at: datetime
    times: int
    error: str

    @property
    def error_line(self) -> str:
        return rules.error_line(self.error)


JOB_STATES_READ = 500  # the jobs' rows: one per job the code registers (a score), or once registered


async def job_states() -> dict[str, JobStateEntry]:
    """Each job's last run and last failure, by its name: one read of their table."""
    rows = await JobState.select(*columns_of(JobState, JobStateEntry)).order_by(JobState.id).limit(JOB_STATES_READ)
    return {row["name"]: from_row(JobStateEntry, row) for row in rows}


async def failed_runs(page: PageRequest, now: datetime) -> Page[JobFailureEntry]:
    """The failures of the last ``FAILURES_KEPT_DAYS`` days, the last failed first, a page at a time (by the
    ``last_at`` index)."""
    since = now - timedelta(days=jobs.FAILURES_KEPT_DAYS)
    newest = (JobFailure.last_at, JobFailure.id)
    columns = columns_of(JobFailure, JobFailureEntry)
    rows, total = await read_page(JobFailure, columns, JobFailure.last_at >= since, page, newest)
    return Page(items=_all(JobFailureEntry, rows), total=total, number=page.number, size=page.size)


async def failed_lately(now: datetime) -> int:
    """How many jobs failed in the last ``FAILURES_WARNED`` (the overview's warning)."""
    return await JobState.count().where(JobState.failed_at >= now - rules.FAILURES_WARNED)


async def undelivered_messages() -> int:
    """How many messages of the outbox staff read were given up after their last attempt (by the status index)."""
    return await OutboxMessage.count().where(
        (OutboxMessage.status == "failed") & OutboxMessage.channel.is_in(list(STAFF_READ_CHANNELS))
    )


async def residents_by_phone(typed: str) -> dict[int, str]:
    """The accounts of the portal user whose confirmed profile phone is ``typed`` (read as a phone, +7…), by the
    residencies not revoked (owner, family member, tenant; a closed account's owners only: a former tenant's phone
    no longer finds the flat they left, ``housing.queries.kept``), with the user's name; at most ``OWNED_PREMISES``.
    The phone is unique (its index finds the one user), the residencies are read by their user's index. The staff's
    searches of accounts (the call-centre form, «Лицевые счета», the Overview) find a caller by it."""
    phone = normalize_phone(typed)
    if phone is None:
        return {}
    rows = (
        await Residency.select(Residency.account, Residency.user.full_name.as_alias("name"))
        .where(
            (Residency.user.phone == phone)
            & Residency.user.phone_confirmed_at.is_not_null()
            & Residency.revoked_at.is_null()
            & kept(clock.today_local())
        )
        .limit(OWNED_PREMISES)
    )
    return {r["account"]: r["name"] for r in rows}
