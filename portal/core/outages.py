"""A part the portal relies on that is away for a moment: Redis unreachable (sessions, attempt counters, the job
queue) or the database busy (SQLite locked by another process's long write, a PostgreSQL lock not granted).

Nothing was done when one of these failed: an action is one transaction, rolled back whole, and an attempt is
counted before the work it guards. So the reader is told the truth — not sent, try again in a minute — with
503 and ``Retry-After``, never a 500, and the form leads back to its page, where ``static/js/drafts.js`` puts back
the text typed (``app._error_page``). The server log gets one warning line, not a trace, and one a minute for
each part however many requests met it (``note``): nothing is broken.

Redis is asked with short timeouts (``redis_client``, the job queue's too): a Redis that hangs (paused, or its host
gone from the network) answers a page «try again» within seconds instead of holding it. A page that needs no
session (the sign-in page, /privacy, /contacts) is served while the sessions are away, as to a guest
(``core.security``). Once Redis is back, the next request goes through, on the same running app.

A page does not wait long for the database: a web request's writes wait at most ``Settings.web_lock_wait`` seconds
for a lock another transaction holds (a long import, a job, a stuck session), then are refused as busy
(``WebLockWait``); jobs, imports and migrations wait as long as the engine does (``core.db.waiting_at_most``).
"""

from __future__ import annotations

import logging
import sqlite3
import sys
import time
from typing import Any

from litestar.types import ASGIApp
from litestar.types import Receive
from litestar.types import Scope
from litestar.types import Send

from portal.core.db import waiting_at_most

log = logging.getLogger("portal.outages")

RETRY_AFTER_SECONDS = 60  # what the page says: «try again in a minute»
REDIS_WAIT_SECONDS = 2.0  # connecting to Redis, and each of its answers, at most
LOG_EVERY_SECONDS = 60.0

# PostgreSQL's "try again" conditions: a lock not granted in time, a deadlock or serialization conflict resolved by
# cancelling this transaction, no connection slot left.
_POSTGRES_BUSY = {"55P03", "40P01", "40001", "53300"}


def redis_unreachable(exc: BaseException) -> bool:
    """Redis could not be reached or did not answer in time. A process that never loaded the Redis client (no
    REDIS_URL) has no Redis error to tell: the client (0.2 s of every start) is loaded only where it is used."""
    errors = sys.modules.get("redis.exceptions")
    return errors is not None and isinstance(exc, errors.ConnectionError | errors.TimeoutError)


def database_busy(exc: BaseException) -> bool:
    """The database refused this transaction for now (it would succeed once another one has finished)."""
    if isinstance(exc, sqlite3.OperationalError):
        text = str(exc).lower()
        return "database is locked" in text or "database is busy" in text
    return getattr(exc, "sqlstate", None) in _POSTGRES_BUSY


def is_outage(exc: BaseException) -> bool:
    """A passing outage of a part the request needed (answered 503, «try again»), not a fault of the code."""
    return redis_unreachable(exc) or database_busy(exc)


def redis_client(url: str) -> Any:
    """A Redis client of the portal (sessions, attempt counters, the job queue): it waits for Redis at most
    ``REDIS_WAIT_SECONDS`` (connecting, and for each answer). A connection a restart of Redis closed is found so in
    the pool and opened again (redis-py does)."""
    from redis.asyncio import Redis

    return Redis.from_url(
        url,
        socket_connect_timeout=REDIS_WAIT_SECONDS,
        socket_timeout=REDIS_WAIT_SECONDS,
    )


_logged_at: dict[str, float] = {}  # part (and outcome) -> when the log last said it was away
_unlogged: dict[str, int] = {}  # part (and outcome) -> the requests that met it away since


def note(exc: BaseException, where: str, outcome: str = "") -> None:
    """A line in the server log saying which part was away, where, and what was done instead (``outcome``, when it
    is not the page's «try again»): the first time, then at most once a minute for each outcome (with how many more
    requests met it), not once per request while it is away."""
    part = "redis unreachable" if redis_unreachable(exc) else "database busy"
    key = f"{part}: {outcome}" if outcome else part
    now, last = time.monotonic(), _logged_at.get(key)
    if last is not None and now - last < LOG_EVERY_SECONDS:
        _unlogged[key] = _unlogged.get(key, 0) + 1
        return
    _logged_at[key] = now
    more = f" (and {n} more since)" if (n := _unlogged.pop(key, 0)) else ""
    log.warning("%s on %s: %s%s%s", part, where, type(exc).__name__, f", {outcome}" if outcome else "", more)


def forget() -> None:
    """The log says the next outage at once (each test starts afresh)."""
    _logged_at.clear()
    _unlogged.clear()


class WebLockWait:
    """ASGI middleware: a request's writes wait at most ``seconds`` for a lock held elsewhere (``database_busy``
    then, answered 503 with the form kept), so that a busy database never hangs a page."""

    def __init__(self, app: ASGIApp, seconds: float) -> None:
        self.app = app
        self.seconds = seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        with waiting_at_most(self.seconds):
            await self.app(scope, receive, send)
