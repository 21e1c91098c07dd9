"""Password hashing with argon2 (cheap parameters when PORTAL_PASSWORD_HASH=fast, for the test suite).

argon2 is slow and memory-hard on purpose, so on a server it never runs on the event loop: ``hash_async`` and
``verify_async`` run it on a small pool of threads of its own (argon2 releases the GIL), bounded so that a
burst of sign-ins queues for it instead of taking every core from the pages being served. On Linux those threads
(and the lanes argon2 starts from them) run at a lower priority, so the event loop is served first.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError
from argon2.exceptions import VerificationError
from argon2.exceptions import VerifyMismatchError

MIN_LENGTH = 8
HASH_THREADS = 2
HASH_NICENESS = 10


def _lower_priority() -> None:
    if sys.platform == "linux":
        with contextlib.suppress(OSError):
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), HASH_NICENESS)


_pool = ThreadPoolExecutor(max_workers=HASH_THREADS, thread_name_prefix="argon2", initializer=_lower_priority)


@lru_cache(maxsize=2)
def _hasher(mode: str) -> PasswordHasher:
    if mode == "fast":
        return PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    return PasswordHasher()


def hasher() -> PasswordHasher:
    return _hasher(os.environ.get("PORTAL_PASSWORD_HASH", ""))


def hash_password(password: str) -> str:
    """The hash of ``password`` (blocking: for scripts and the demo data; the app uses ``hash_async``)."""
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


async def hash_async(password: str) -> str:
    """``hash_password`` on the hashing threads: the event loop keeps serving meanwhile."""
    return await asyncio.get_running_loop().run_in_executor(_pool, hash_password, password)


async def verify_async(password_hash: str | None, password: str) -> bool:
    """``verify_password`` on the hashing threads: the event loop keeps serving meanwhile."""
    return await asyncio.get_running_loop().run_in_executor(_pool, verify_password, password_hash, password)
