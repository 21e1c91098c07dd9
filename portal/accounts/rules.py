"""Pure rules of identity: logins, phones, access codes, rights, and the 152-ФЗ deadlines (DOMAIN.md §6)."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from datetime import date, timedelta
from functools import lru_cache

import holidays

RESIDENT_ROLES = ("owner", "tenant", "family")
# Rights an owner may delegate; voting is never delegated.
DELEGABLE_RIGHTS = ("pay", "meters", "tickets")
STAFF_ROLES = ("admin", "manager", "dispatcher", "executor", "accountant", "moderator", "operator")

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I
CODE_LENGTH = 10

CONSENT_DELETION_DAYS = 30  # ст. 21 ч. 5
ACCESS_ANSWER_WORKING_DAYS = 10  # ст. 14 ч. 3, ст. 20 ч. 1


def normalize_email(value: str) -> str:
    return value.strip().lower()


def is_email(value: str) -> bool:
    return bool(EMAIL_RE.match(value.strip())) and len(value) <= 255


def normalize_phone(value: str) -> str | None:
    """A Russian phone as +7XXXXXXXXXX: «8 (978) 000-00-01», «+7 978 0000001», «9780000001»; None if not a phone."""
    digits = re.sub(r"\D", "", value)
    if not re.fullmatch(r"[\d\s()+\-.]+", value.strip() or "x"):
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


def new_access_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def derive_access_code(secret: str, account_id: int, generation: int) -> str:
    """The access code of an account, derived from the installation's secret key (never stored in clear).

    It can be printed on every receipt, and staff regenerate it by moving to the next ``generation``.
    Changing SECRET_KEY changes every code, so the key is kept for the life of an installation.
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


def hash_access_code(code: str, salt: str | None = None) -> str:
    salt = salt or secrets.token_hex(8)
    digest = hashlib.pbkdf2_hmac("sha256", clean_access_code(code).encode(), salt.encode(), 20_000).hex()
    return f"{salt}${digest}"


def check_access_code(stored: str | None, code: str) -> bool:
    if not stored or "$" not in stored:
        return False
    salt, _ = stored.split("$", 1)
    return hmac.compare_digest(stored, hash_access_code(code, salt))


def format_access_code(code: str) -> str:
    """Printed in groups for reading aloud: «ABCD-EFGH-JK»."""
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def rights_for(role: str, granted: list[str] | tuple[str, ...] | None) -> list[str]:
    """The rights stored on a residency: an owner has all; others "view" plus what was delegated (never "vote")."""
    if role == "owner":
        return ["view", *DELEGABLE_RIGHTS]
    return ["view", *[r for r in DELEGABLE_RIGHTS if r in (granted or ())]]


def consent_deletion_due(withdrawn_on: date) -> date:
    """After a withdrawal, processing stops and the data is destroyed within 30 days (ст. 21 ч. 5)."""
    return withdrawn_on + timedelta(days=CONSENT_DELETION_DAYS)


@lru_cache(maxsize=16)
def _ru_holidays(year: int) -> holidays.HolidayBase:
    return holidays.country_holidays("RU", years=[year, year + 1])


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _ru_holidays(day.year)


def add_working_days(start: date, days: int) -> date:
    current = start
    left = days
    while left > 0:
        current += timedelta(days=1)
        if is_working_day(current):
            left -= 1
    return current


def access_request_due(received_on: date) -> date:
    """A subject's access request is answered within 10 working days (ст. 14 ч. 3): 13.04.2026 → 27.04.2026."""
    return add_working_days(received_on, ACCESS_ANSWER_WORKING_DAYS)
