"""All database access of identity: users, sign-in, one-time links, consent, accounts and people, staff, audit."""

from __future__ import annotations

import hmac
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from portal.accounts import consent as consent_text
from portal.accounts import rules
from portal.accounts.passwords import hash_password
from portal.accounts.tables import AccessCode, ConsentRecord, OneTimeToken, Residency, StaffHouse, User, UserRole
from portal.core import audit
from portal.core.pagination import Page, PageRequest
from portal.core.security import Principal
from portal.core.tables import AuditEvent, OutboxMessage
from portal.housing.tables import House, PersonalAccount
from portal.settings import get_settings

Row = dict[str, Any]

TOKEN_TTL = {
    "reset": timedelta(hours=1),
    "invite": timedelta(days=7),
    "confirm": timedelta(days=2),
}


def now_utc() -> datetime:
    return datetime.now(UTC)


# --- users and sign-in ----------------------------------------------------------------------------------


async def user_by_login(login: str) -> Row | None:
    """The user a sign-in login names (e-mail or phone in any usual spelling), or None."""
    kind = rules.login_kind(login)
    if kind is None:
        return None
    column = User.email if kind[0] == "email" else User.phone
    return await User.select().where(column == kind[1]).first()


async def user_by_email(email: str) -> Row | None:
    return await User.select().where(User.email == rules.normalize_email(email)).first()


async def get_user(user_id: int) -> Row | None:
    return await User.select().where(User.id == user_id).first()


async def signed_in(user_id: int, new_hash: str | None = None) -> None:
    values: dict[Any, Any] = {User.last_login_at: now_utc()}
    if new_hash:
        values[User.password_hash] = new_hash
    await User.update(values).where(User.id == user_id)


async def set_password(user_id: int, password: str) -> int:
    """Store a new password and sign the user out everywhere else; returns the new session epoch."""
    user = await User.select(User.session_epoch).where(User.id == user_id).first()
    epoch = (user["session_epoch"] or 0) + 1 if user else 1
    await User.update(
        {User.password_hash: hash_password(password), User.session_epoch: epoch, User.updated_at: now_utc()}
    ).where(User.id == user_id)
    return epoch


async def email_taken(email: str, except_id: int | None = None) -> bool:
    query = User.exists().where(User.email == rules.normalize_email(email))
    if except_id is not None:
        query = query.where(User.id != except_id)
    return await query


async def phone_taken(phone: str, except_id: int | None = None) -> bool:
    query = User.exists().where(User.phone == phone)
    if except_id is not None:
        query = query.where(User.id != except_id)
    return await query


async def create_user(
    *,
    email: str,
    full_name: str,
    password: str | None = None,
    phone: str | None = None,
    locale: str = "ru",
    active: bool = True,
    confirmed: bool = False,
) -> int:
    user = User(
        email=rules.normalize_email(email) if email else None,
        phone=phone or None,
        full_name=full_name.strip(),
        password_hash=hash_password(password) if password else "",
        locale=locale,
        is_active=active,
        email_confirmed_at=now_utc() if confirmed else None,
    )
    await user.save()
    return user.id


async def update_profile(user_id: int, values: Row) -> None:
    """Only the profile's own fields: the form decides which ones are passed."""
    allowed = {"full_name", "phone", "locale", "notify_email", "notify_inapp"}
    changes = {getattr(User, k): v for k, v in values.items() if k in allowed}
    if changes:
        changes[User.updated_at] = now_utc()
        await User.update(changes).where(User.id == user_id)


# --- one-time links -------------------------------------------------------------------------------------


async def create_token(
    purpose: str,
    *,
    user_id: int | None = None,
    email: str = "",
    account_id: int | None = None,
    role: str = "",
    rights: Iterable[str] = (),
    created_by: int | None = None,
    now: datetime | None = None,
) -> str:
    """A new one-time link; the token itself goes into the e-mail, only its hash is stored."""
    token = rules.new_token()
    now = now or now_utc()
    await OneTimeToken.insert(
        OneTimeToken(
            purpose=purpose,
            token_hash=rules.token_hash(token),
            user=user_id,
            email=rules.normalize_email(email) if email else "",
            account=account_id,
            role=role,
            rights=list(rights),
            created_by=created_by,
            created_at=now,
            expires_at=now + TOKEN_TTL[purpose],
        )
    )
    return token


async def valid_token(token: str, purpose: str, now: datetime | None = None) -> Row | None:
    """The link's record if it exists, is for ``purpose``, has not been used and has not expired."""
    if not token or len(token) > 100:
        return None
    row = (
        await OneTimeToken.select()
        .where((OneTimeToken.token_hash == rules.token_hash(token)) & (OneTimeToken.purpose == purpose))
        .first()
    )
    if row is None or row["used_at"] is not None or row["expires_at"] <= (now or now_utc()):
        return None
    return row


async def use_token(token_id: int, now: datetime | None = None) -> bool:
    """Mark the link used; False when another request used it first (a link works once)."""
    done = (
        await OneTimeToken.update({OneTimeToken.used_at: now or now_utc()})
        .where((OneTimeToken.id == token_id) & OneTimeToken.used_at.is_null())
        .returning(OneTimeToken.id)
    )
    return bool(done)


async def cancel_tokens(purpose: str, user_id: int, now: datetime | None = None) -> None:
    await OneTimeToken.update({OneTimeToken.used_at: now or now_utc()}).where(
        (OneTimeToken.purpose == purpose) & (OneTimeToken.user == user_id) & OneTimeToken.used_at.is_null()
    )


async def confirm_email(user_id: int) -> None:
    await User.update({User.email_confirmed_at: now_utc(), User.is_active: True}).where(User.id == user_id)


# --- consent --------------------------------------------------------------------------------------------


async def accept_consent(
    user_id: int, *, ip: str, user_agent: str, locale: str, channel: str = "web", now: datetime | None = None
) -> int:
    """Record the acceptance of the current text; earlier records (other versions, withdrawals) are kept."""
    record = ConsentRecord(
        user=user_id,
        consent_type=consent_text.CONSENT_TYPE,
        text_version=consent_text.current_version(),
        granted_at=now or now_utc(),
        ip=ip[:64],
        user_agent=user_agent[:255],
        channel=channel,
        locale=locale,
    )
    await record.save()
    return record.id


async def withdraw_consent(user_id: int, now: datetime | None = None) -> int:
    """Withdraw every standing acceptance of the processing consent; returns how many were withdrawn."""
    done = (
        await ConsentRecord.update({ConsentRecord.withdrawn_at: now or now_utc()})
        .where(
            (ConsentRecord.user == user_id)
            & (ConsentRecord.consent_type == consent_text.CONSENT_TYPE)
            & ConsentRecord.withdrawn_at.is_null()
        )
        .returning(ConsentRecord.id)
    )
    return len(done)


async def consent_history(user_id: int, limit: int = 50) -> list[Row]:
    return (
        await ConsentRecord.select()
        .where(ConsentRecord.user == user_id)
        .order_by(ConsentRecord.granted_at, ascending=False)
        .order_by(ConsentRecord.id, ascending=False)
        .limit(limit)
    )


# --- personal accounts, access codes, residencies -------------------------------------------------------

_ACCOUNT_COLUMNS = (
    Residency.id.as_alias("residency_id"),
    Residency.role,
    Residency.rights,
    Residency.account.id.as_alias("account_id"),
    Residency.account.number.as_alias("number"),
    Residency.account.premise.number.as_alias("premise_number"),
    Residency.account.premise.kind.as_alias("premise_kind"),
    Residency.account.premise.house.id.as_alias("house_id"),
    Residency.account.premise.house.address.as_alias("address"),
)


async def accounts_of_user(user_id: int, limit: int = 100) -> list[Row]:
    """The user's accounts with their addresses, in account-number order (one query)."""
    return (
        await Residency.select(*_ACCOUNT_COLUMNS)
        .where((Residency.user == user_id) & Residency.revoked_at.is_null())
        .order_by(Residency.account.number)
        .limit(limit)
    )


async def account_of_user(user_id: int, account_id: int) -> Row | None:
    """The account if this user is linked to it (never loaded first and checked later)."""
    return (
        await Residency.select(*_ACCOUNT_COLUMNS)
        .where((Residency.user == user_id) & (Residency.account == account_id) & Residency.revoked_at.is_null())
        .first()
    )


async def account_by_number(number: str) -> Row | None:
    number = "".join(ch for ch in number if ch.isdigit())
    if not number:
        return None
    return (
        await PersonalAccount.select(
            PersonalAccount.id,
            PersonalAccount.number,
            PersonalAccount.closed_on,
            PersonalAccount.premise.number.as_alias("premise_number"),
            PersonalAccount.premise.house.id.as_alias("house_id"),
            PersonalAccount.premise.house.address.as_alias("address"),
        )
        .where(PersonalAccount.number == number)
        .first()
    )


async def _code_generation(account_id: int) -> int:
    row = await AccessCode.select(AccessCode.generation).where(AccessCode.account == account_id).first()
    return int(row["generation"]) if row else 0


async def current_access_code(account_id: int) -> str:
    """The code printed on the account's receipts (grouped for reading aloud)."""
    code = rules.derive_access_code(get_settings().secret_key, account_id, await _code_generation(account_id))
    return rules.format_access_code(code)


async def access_code_matches(account_id: int, code: str) -> bool:
    expected = rules.derive_access_code(get_settings().secret_key, account_id, await _code_generation(account_id))
    return hmac.compare_digest(expected, rules.clean_access_code(code))


async def regenerate_access_code(account_id: int, created_by: int | None) -> str:
    """Move the account to a new code (the old one stops working at once); returns the new code."""
    existing = (
        await AccessCode.select(AccessCode.id, AccessCode.generation).where(AccessCode.account == account_id).first()
    )
    generation = (int(existing["generation"]) + 1) if existing else 1
    code = rules.derive_access_code(get_settings().secret_key, account_id, generation)
    values = {
        AccessCode.code_hash: rules.hash_access_code(code),
        AccessCode.generation: generation,
        AccessCode.created_at: now_utc(),
        AccessCode.created_by: created_by,
    }
    if existing:
        await AccessCode.update(values).where(AccessCode.id == existing["id"])
    else:
        await AccessCode.insert(
            AccessCode(
                account=account_id, code_hash=values[AccessCode.code_hash], generation=generation, created_by=created_by
            )
        )
    return code


async def link_account(
    user_id: int, account_id: int, role: str, rights: Iterable[str], granted_by: int | None = None
) -> int:
    """Give the user access to the account (or update the role/rights of a standing link)."""
    granted = rules.rights_for(role, list(rights))
    existing = (
        await Residency.select(Residency.id)
        .where((Residency.user == user_id) & (Residency.account == account_id) & Residency.revoked_at.is_null())
        .first()
    )
    if existing:
        await Residency.update({Residency.role: role, Residency.rights: granted}).where(Residency.id == existing["id"])
        return existing["id"]
    row = Residency(user=user_id, account=account_id, role=role, rights=granted, granted_by=granted_by)
    await row.save()
    return row.id


async def people_of_account(account_id: int, limit: int = 100) -> list[Row]:
    return (
        await Residency.select(
            Residency.id,
            Residency.role,
            Residency.rights,
            Residency.created_at,
            Residency.user.id.as_alias("user_id"),
            Residency.user.full_name.as_alias("name"),
            Residency.user.email.as_alias("email"),
        )
        .where((Residency.account == account_id) & Residency.revoked_at.is_null())
        .order_by(Residency.id)
        .limit(limit)
    )


async def pending_invitations(account_id: int, now: datetime | None = None, limit: int = 50) -> list[Row]:
    return (
        await OneTimeToken.select(
            OneTimeToken.id, OneTimeToken.email, OneTimeToken.role, OneTimeToken.rights, OneTimeToken.expires_at
        )
        .where(
            (OneTimeToken.purpose == "invite")
            & (OneTimeToken.account == account_id)
            & OneTimeToken.used_at.is_null()
            & (OneTimeToken.expires_at > (now or now_utc()))
        )
        .order_by(OneTimeToken.id, ascending=False)
        .limit(limit)
    )


async def revoke_residency(account_id: int, residency_id: int, by_user: int) -> Row | None:
    """Revoke a family member's or tenant's access to ``account_id`` (never an owner's, never one's own)."""
    row = (
        await Residency.select(Residency.id, Residency.user, Residency.role)
        .where((Residency.id == residency_id) & (Residency.account == account_id) & Residency.revoked_at.is_null())
        .first()
    )
    if row is None or row["role"] == "owner" or row["user"] == by_user:
        return None
    await Residency.update({Residency.revoked_at: now_utc()}).where(Residency.id == residency_id)
    return row


async def cancel_invitation(account_id: int, token_id: int) -> bool:
    done = (
        await OneTimeToken.update({OneTimeToken.used_at: now_utc()})
        .where(
            (OneTimeToken.id == token_id)
            & (OneTimeToken.account == account_id)
            & (OneTimeToken.purpose == "invite")
            & OneTimeToken.used_at.is_null()
        )
        .returning(OneTimeToken.id)
    )
    return bool(done)


# --- staff ----------------------------------------------------------------------------------------------


async def houses(limit: int = 500) -> list[Row]:
    return await House.select(House.id, House.address).order_by(House.address).limit(limit)


async def list_staff(page: PageRequest) -> Page[Row]:
    staff_ids = UserRole.select(UserRole.user)
    rows = (
        await User.select(User.id, User.full_name, User.email, User.phone, User.is_active, User.last_login_at)
        .where(User.id.is_in(staff_ids))
        .order_by(User.full_name)
        .limit(page.size)
        .offset(page.offset)
    )
    total = await User.count().where(User.id.is_in(staff_ids))
    await _attach_roles(rows)
    return Page(items=rows, total=total, number=page.number, size=page.size)


async def _attach_roles(rows: list[Row]) -> None:
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
    for row in rows:
        row["roles"] = sorted(roles[row["id"]], key=rules.STAFF_ROLES.index)
        row["houses"] = sorted(homes[row["id"]])


async def staff_user(user_id: int) -> Row | None:
    row = await User.select().where(User.id == user_id).first()
    if row is None:
        return None
    row["roles"] = [r["role"] for r in await UserRole.select(UserRole.role).where(UserRole.user == user_id)]
    row["house_ids"] = [r["house"] for r in await StaffHouse.select(StaffHouse.house).where(StaffHouse.user == user_id)]
    return row


async def set_staff_scope(actor: Principal, user_id: int, roles: list[str], house_ids: list[int], ip: str) -> None:
    """Replace a staff user's roles and houses, with the change in the audit log."""
    before = await staff_user(user_id) or {}
    await UserRole.delete().where(UserRole.user == user_id)
    await StaffHouse.delete().where(StaffHouse.user == user_id)
    for role in roles:
        await UserRole.insert(UserRole(user=user_id, role=role))
    for house in house_ids:
        await StaffHouse.insert(StaffHouse(user=user_id, house=house))
    await audit.record(
        actor,
        "staff.scope",
        "user",
        user_id,
        audit.diff(
            {"roles": sorted(before.get("roles", [])), "houses": sorted(before.get("house_ids", []))},
            {"roles": sorted(roles), "houses": sorted(house_ids)},
        ),
        ip=ip,
    )


async def set_active(user_id: int, active: bool) -> None:
    await User.update({User.is_active: active, User.updated_at: now_utc()}).where(User.id == user_id)


async def audit_page(
    page: PageRequest, *, actor: str = "", entity: str = "", day_from: Any = None, day_to: Any = None
) -> Page[Row]:
    condition: Any = AuditEvent.id > 0
    if actor:
        condition &= (
            (AuditEvent.actor_id == int(actor)) if actor.isdigit() else AuditEvent.actor_name.ilike(f"{actor}%")
        )
    if entity:
        condition &= AuditEvent.entity == entity
    if day_from:
        condition &= AuditEvent.created_at >= day_from
    if day_to:
        condition &= AuditEvent.created_at < day_to
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
    return Page(items=rows, total=total, number=page.number, size=page.size)


async def audit_entities(limit: int = 100) -> list[str]:
    rows = await AuditEvent.select(AuditEvent.entity).distinct().order_by(AuditEvent.entity).limit(limit)
    return [r["entity"] for r in rows]


async def outbox_page(page: PageRequest, status: str = "") -> Page[Row]:
    condition: Any = OutboxMessage.channel == "email"
    if status:
        condition &= OutboxMessage.status == status
    rows = (
        await OutboxMessage.select(
            OutboxMessage.id,
            OutboxMessage.recipient,
            OutboxMessage.subject,
            OutboxMessage.status,
            OutboxMessage.created_at,
            OutboxMessage.sent_at,
            OutboxMessage.attempts,
            OutboxMessage.last_error,
        )
        .where(condition)
        .order_by(OutboxMessage.id, ascending=False)
        .limit(page.size)
        .offset(page.offset)
    )
    total = await OutboxMessage.count().where(condition)
    return Page(items=rows, total=total, number=page.number, size=page.size)


async def outbox_message(message_id: int) -> Row | None:
    return (
        await OutboxMessage.select()
        .where((OutboxMessage.id == message_id) & (OutboxMessage.channel == "email"))
        .first()
    )
