"""Turns the session of a request into a Principal: the user, their staff roles and houses, their accounts."""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any

from litestar.connection import ASGIConnection

from portal.accounts import consent
from portal.accounts.tables import ConsentRecord
from portal.accounts.tables import Residency
from portal.accounts.tables import StaffHouse
from portal.accounts.tables import User
from portal.accounts.tables import UserRole
from portal.core import clock
from portal.core.security import ANONYMOUS
from portal.core.security import Principal
from portal.core.security import StaffRole
from portal.core.security import session_expired
from portal.housing.rules import account_kept
from portal.housing.rules import account_open
from portal.payments.rules import may_pay

SESSION_USER = "uid"
SESSION_EPOCH = "epoch"
# The principal as last built, with the user's principal version and the consent version it was built at.
SESSION_PRINCIPAL = "_principal"

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
    principal, _version = await _build(user_id, epoch)
    return principal


async def _build(user_id: int, epoch: int | None) -> tuple[Principal, int]:
    user = (
        await User.select(
            User.id, User.full_name, User.locale, User.is_active, User.session_epoch, User.principal_version
        )
        .where(User.id == user_id)
        .first()
    )
    if user is None or not user["is_active"]:
        return ANONYMOUS, -1
    if epoch is not None and epoch != (user["session_epoch"] or 0):
        return ANONYMOUS, -1  # signed out everywhere by a password change or reset
    roles = frozenset(r["role"] for r in await UserRole.select(UserRole.role).where(UserRole.user == user_id))
    house_ids: frozenset[int] | None
    if StaffRole.ADMIN in roles:
        house_ids = None
    else:
        rows = await StaffHouse.select(StaffHouse.house).where(StaffHouse.user == user_id)
        house_ids = frozenset(r["house"] for r in rows)
    residencies = await Residency.select(
        Residency.account,
        Residency.role,
        Residency.rights,
        Residency.created_at,
        Residency.account.closed_on.as_alias("closed_on"),
    ).where((Residency.user == user_id) & Residency.revoked_at.is_null())
    today = clock.today_local()
    residencies = [r for r in residencies if account_kept(r["role"], r["closed_on"], today)]
    closed = frozenset(r["account"] for r in residencies if not account_open(r["closed_on"], today))
    rights: dict[int, frozenset[str]] = {}
    for row in residencies:
        granted = ALL_RIGHTS if row["role"] == "owner" else frozenset(row["rights"] or ()) | {"view"}
        granted = granted | {"pay"} if may_pay(row["role"], row["rights"]) else granted - {"pay"}
        rights[row["account"]] = rights.get(row["account"], frozenset()) | granted
    principal = Principal(
        user_id=user["id"],
        name=user["full_name"],
        staff_roles=roles,
        house_ids=house_ids,
        account_rights=rights,
        closed_accounts=closed,
        consent_required=not await has_current_consent(user_id),
        locale=user["locale"],
        resident_since=min((_moment(r["created_at"]) for r in residencies), default=None),
    )
    return principal, user["principal_version"]


def _moment(value: datetime | str) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(value)


def dump_principal(principal: Principal, version: int) -> dict[str, Any]:
    """The principal as session data (plain JSON), with the versions it is valid for."""
    return {
        "v": version,
        "c": consent.current_version(),
        "id": principal.user_id,
        "n": principal.name,
        "r": sorted(principal.staff_roles),
        "h": None if principal.house_ids is None else sorted(principal.house_ids),
        "a": {str(k): sorted(v) for k, v in principal.account_rights.items()},
        "x": sorted(principal.closed_accounts),
        "d": clock.today_local().isoformat(),  # an account closes at midnight: built again on a new day
        "cr": principal.consent_required,
        "l": principal.locale,
        "rs": principal.resident_since.isoformat() if principal.resident_since else None,
    }


def restore_principal(data: Any, user_id: int, version: int) -> Principal | None:
    """The principal kept in the session if it is still current (same user, versions unchanged), else None."""
    if not isinstance(data, dict) or data.get("id") != user_id or data.get("v") != version:
        return None
    if data.get("c") != consent.current_version() or data.get("d") != clock.today_local().isoformat():
        return None
    try:
        houses = data["h"]
        return Principal(
            user_id=user_id,
            name=data["n"],
            staff_roles=frozenset(data["r"]),
            house_ids=None if houses is None else frozenset(houses),
            account_rights={int(k): frozenset(v) for k, v in data["a"].items()},
            closed_accounts=frozenset(data["x"]),
            consent_required=bool(data["cr"]),
            locale=data["l"],
            resident_since=_moment(data["rs"]) if data.get("rs") else None,
        )
    except (KeyError, TypeError, ValueError):
        return None


async def load_principal(connection: ASGIConnection) -> Principal:
    try:
        session = connection.session
    except Exception:  # routes without the session middleware
        return ANONYMOUS
    user_id = session.get(SESSION_USER) if session else None
    if not isinstance(user_id, int) or session_expired(session, time.time()):
        return ANONYMOUS
    epoch = session.get(SESSION_EPOCH, 0)
    epoch = epoch if isinstance(epoch, int) else -1
    # One query on an ordinary page: the user's state and principal version; the rest comes from the session.
    rows = await User.raw("SELECT is_active, session_epoch, principal_version FROM portal_user WHERE id = {}", user_id)
    state = rows[0] if rows else None
    if state is None or not state["is_active"] or epoch != (state["session_epoch"] or 0):
        session.pop(SESSION_PRINCIPAL, None)
        return ANONYMOUS
    cached = restore_principal(session.get(SESSION_PRINCIPAL), user_id, state["principal_version"])
    if cached is not None:
        return cached
    principal, version = await _build(user_id, epoch)
    if principal.is_authenticated:
        session[SESSION_PRINCIPAL] = dump_principal(principal, version)
    else:
        session.pop(SESSION_PRINCIPAL, None)
    return principal
