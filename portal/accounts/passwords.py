"""Password hashing with argon2 (cheap parameters when PORTAL_PASSWORD_HASH=fast, for the test suite)."""

from __future__ import annotations

import os
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

MIN_LENGTH = 8


@lru_cache(maxsize=2)
def _hasher(mode: str) -> PasswordHasher:
    if mode == "fast":
        return PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    return PasswordHasher()


def hasher() -> PasswordHasher:
    return _hasher(os.environ.get("PORTAL_PASSWORD_HASH", ""))


def hash_password(password: str) -> str:
    return hasher().hash(password)


@lru_cache(maxsize=2)
def _dummy_hash(mode: str) -> str:
    return _hasher(mode).hash("not a password of anyone")


def verify_password(password_hash: str | None, password: str) -> bool:
    """True when ``password`` matches; an unknown user is checked against a dummy hash, so timing is alike."""
    target = password_hash or _dummy_hash(os.environ.get("PORTAL_PASSWORD_HASH", ""))
    try:
        ok = hasher().verify(target, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False
    return ok and bool(password_hash)


def needs_rehash(password_hash: str) -> bool:
    try:
        return hasher().check_needs_rehash(password_hash)
    except InvalidHashError:
        return False
