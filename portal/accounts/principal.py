"""Turns the session of a request into a Principal: the user, their staff roles and houses, their accounts."""

from __future__ import annotations

import time

from litestar.connection import ASGIConnection

from portal.accounts import consent
from portal.accounts.tables import ConsentRecord, Residency, StaffHouse, User, UserRole
from portal.core.security import ANONYMOUS, Principal, StaffRole, session_expired

SESSION_USER = "uid"
SESSION_EPOCH = "epoch"

ALL_RIGHTS = frozenset({"view", "pay", "meters", "tickets", "vote"})


async def has_current_consent(user_id: int) -> bool:
    """The user accepted the current version of the processing consent and has not withdrawn it."""
    return await ConsentRecord.exists().where(
        (ConsentRecord.user == user_id)
        & (ConsentRecord.consent_type == consent.CONSENT_TYPE)
        & (ConsentRecord.text_version == consent.current_version())
        & ConsentRecord.withdrawn_at.is_null()
    )


async def load_principal_for(user_id: int, epoch: int | None = None) -> Principal:
    """Five bounded queries whatever the number of accounts or houses."""
    user = (
        await User.select(User.id, User.full_name, User.locale, User.is_active, User.session_epoch)
        .where(User.id == user_id)
        .first()
    )
    if user is None or not user["is_active"]:
        return ANONYMOUS
    if epoch is not None and epoch != (user["session_epoch"] or 0):
        return ANONYMOUS  # signed out everywhere by a password change or reset
    roles = frozenset(r["role"] for r in await UserRole.select(UserRole.role).where(UserRole.user == user_id))
    house_ids: frozenset[int] | None
    if StaffRole.ADMIN in roles:
        house_ids = None
    else:
        rows = await StaffHouse.select(StaffHouse.house).where(StaffHouse.user == user_id)
        house_ids = frozenset(r["house"] for r in rows)
    residencies = await Residency.select(Residency.account, Residency.role, Residency.rights).where(
        (Residency.user == user_id) & Residency.revoked_at.is_null()
    )
    rights: dict[int, frozenset[str]] = {}
    for row in residencies:
        granted = ALL_RIGHTS if row["role"] == "owner" else frozenset(row["rights"] or ()) | {"view"}
        rights[row["account"]] = rights.get(row["account"], frozenset()) | granted
    return Principal(
        user_id=user["id"],
        name=user["full_name"],
        staff_roles=roles,
        house_ids=house_ids,
        account_rights=rights,
        consent_required=not await has_current_consent(user_id),
        locale=user["locale"],
    )


async def load_principal(connection: ASGIConnection) -> Principal:
    try:
        session = connection.session
    except Exception:  # routes without the session middleware
        return ANONYMOUS
    user_id = session.get(SESSION_USER) if session else None
    if not isinstance(user_id, int) or session_expired(session, time.time()):
        return ANONYMOUS
    epoch = session.get(SESSION_EPOCH, 0)
    return await load_principal_for(user_id, epoch if isinstance(epoch, int) else -1)
