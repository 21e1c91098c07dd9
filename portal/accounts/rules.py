"""Pure rules of identity: logins, phones, access codes, who may link or invite or revoke whom, and the 152-ФЗ
deadlines (DOMAIN.md §6). No I/O: the callers pass what the database said."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from portal.core import calendar
from portal.core.security import ResidentRole, StaffRole

# Rights an owner may delegate; voting is never delegated.
DELEGABLE_RIGHTS = ("pay", "meters", "tickets")
RESIDENT_ROLES = tuple(ResidentRole)
STAFF_ROLES = tuple(StaffRole)

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I
CODE_LENGTH = 10
CONFIRM_CODE_DIGITS = 6  # a new phone is confirmed by a code sent to it

CONSENT_DELETION_DAYS = 30  # ст. 21 ч. 5
ACCESS_ANSWER_WORKING_DAYS = 10  # ст. 14 ч. 3, ст. 20 ч. 1


class TokenPurpose(StrEnum):
    """What a one-time token is for."""

    RESET = "reset"  # a password reset link
    INVITE = "invite"  # an invitation link
    CONFIRM = "confirm"  # the e-mail confirmation link of a self-registration
    PHONE = "phone"  # the code that confirms a new phone number


class ConsentType(StrEnum):
    PROCESSING = "processing"
    DISSEMINATION = "dissemination"
    MARKETING = "marketing"


def normalize_email(value: str) -> str:
    return value.strip().lower()


def is_email(value: str) -> bool:
    return bool(EMAIL_RE.match(value.strip())) and len(value) <= 255


def normalize_phone(value: str) -> str | None:
    """A Russian phone as +7XXXXXXXXXX: «8 (978) 000-00-01», «+7 978 0000001», «9780000001»; None if not a phone."""
    digits = re.sub(r"[^0-9]", "", value)
    if not re.fullmatch(r"[0-9\s()+\-.]+", value.strip() or "x"):
        return None
    if len(digits) == 11 and digits[0] in "78":
        digits = digits[1:]
    if len(digits) != 10 or digits[0] not in "3489":
        return None
    return "+7" + digits


def login_kind(value: str) -> tuple[str, str] | None:
    """What a sign-in login is: ("email", normalised) or ("phone", +7…), None if neither."""
    value = value.strip()
    if "@" in value:
        return ("email", normalize_email(value)) if is_email(value) else None
    phone = normalize_phone(value)
    return ("phone", phone) if phone else None


def sign_in_bucket(user_id: int | None, login: str) -> str:
    """The attempt counter a sign-in is counted in: one per user, whichever of their e-mail or phone was typed;
    for a login that names nobody, the login as typed in its normal form."""
    if user_id is not None:
        return f"user:{user_id}"
    kind = login_kind(login)
    return f"login:{kind[1] if kind else login.strip().lower()}"


def password_problem(password: str, *, email: str = "") -> str | None:
    """Why a new password is not acceptable ("short", "long", "email", "simple"), or None."""
    if len(password) < 8:
        return "short"
    if len(password) > 200:
        return "long"
    if email and password.lower() == email.lower():
        return "email"
    if len(set(password)) < 4:
        return "simple"
    return None


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_confirm_code() -> str:
    """Six random digits, sent to a new phone to prove it is the user's."""
    return f"{secrets.randbelow(10**CONFIRM_CODE_DIGITS):0{CONFIRM_CODE_DIGITS}d}"


def confirm_code_hash(user_id: int, code: str) -> str:
    """The stored form of a phone code: bound to the user, so equal codes of two users never collide."""
    return token_hash(f"phone:{user_id}:{re.sub(r'[^0-9]', '', code)}")


def derive_access_code(secret: str, account_id: int, generation: int) -> str:
    """The access code of an account, derived from the installation's secret key (never stored in clear).

    It is printed on the receipts that go to the owners, and staff regenerate it by moving to the next
    ``generation``. Changing SECRET_KEY changes every code, so the key is kept for the life of an installation.
    """
    digest = hmac.new(secret.encode(), f"access-code:{account_id}:{generation}".encode(), hashlib.sha256).digest()
    number = int.from_bytes(digest, "big")
    chars = []
    for _ in range(CODE_LENGTH):
        number, index = divmod(number, len(CODE_ALPHABET))
        chars.append(CODE_ALPHABET[index])
    return "".join(chars)


def clean_access_code(value: str) -> str:
    return re.sub(r"[\s\-]", "", value).upper()


def format_access_code(code: str) -> str:
    """Printed in groups for reading aloud: «ABCD-EFGH-JK»."""
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def rights_for(role: str, granted: Iterable[str] | None) -> list[str]:
    """The rights stored on a residency: an owner has all; others "view" plus what was delegated (never "vote")."""
    if role == ResidentRole.OWNER:
        return ["view", *DELEGABLE_RIGHTS]
    wanted = set(granted or ())
    return ["view", *[r for r in DELEGABLE_RIGHTS if r in wanted]]


# --- shared access: who may link, invite, revoke ---------------------------------------------------------


@dataclass(frozen=True)
class OwnerContact:
    """How the register of owners (housing) reaches one current owner of a premise."""

    email: str
    phone: str


def registry_names(owners: Iterable[OwnerContact], *, email: str | None, phone: str | None) -> bool:
    """The register of owners names this user as an owner of the premise: one of the premise's current owners
    has the user's confirmed e-mail or confirmed phone (``None`` when the user has not confirmed one)."""
    email = normalize_email(email) if email else None
    for owner in owners:
        if email and normalize_email(owner.email) == email:
            return True
        if phone and owner.phone and normalize_phone(owner.phone) == phone:
            return True
    return False


def role_on_link(requested: str, *, named_owner: bool) -> ResidentRole | None:
    """The role a user gets by linking an account with its code (or by registering with it): "owner" only when
    the register names them as an owner of the premise; "tenant" when they said so; None when they asked to be
    an owner and the register does not say they are (staff confirm ownership by inviting them as the owner)."""
    if requested == ResidentRole.OWNER:
        return ResidentRole.OWNER if named_owner else None
    if requested == ResidentRole.TENANT:
        return ResidentRole.TENANT
    return None


def may_link(existing_role: str | None) -> bool:
    """A new link (by code, by invitation, by registration) is made only where the user has none: it never
    raises, lowers or otherwise changes a standing residency."""
    return existing_role is None


def may_revoke(*, actor_role: str | None, target_role: str, own: bool) -> bool:
    """Who may end someone's access on the people page: an owner ends a tenant's or a family member's, never an
    owner's (owners change by the register and staff) and never their own there."""
    return actor_role == ResidentRole.OWNER and target_role != ResidentRole.OWNER and not own


def may_see_access_code(*, residency_role: str | None, staff_in_house: bool) -> bool:
    """The code registers an account, so it is shown only to those who may register with it: its owners
    (whom the register or staff made owners) and staff of its house — never to tenants or family."""
    return staff_in_house or residency_role == ResidentRole.OWNER


# --- 152-ФЗ deadlines ----------------------------------------------------------------------------------


def consent_deletion_due(withdrawn_on: date) -> date:
    """After a withdrawal, processing stops and the data is destroyed within 30 days (ст. 21 ч. 5)."""
    return withdrawn_on + timedelta(days=CONSENT_DELETION_DAYS)


def access_request_due(received_on: date) -> date:
    """A subject's access request is answered within 10 working days (ст. 14 ч. 3): 13.04.2026 → 27.04.2026;
    the production calendar's working Saturdays count (30.10.2025 → 14.11.2025)."""
    return calendar.add_working_days(received_on, ACCESS_ANSWER_WORKING_DAYS)
