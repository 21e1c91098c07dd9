"""Attempt limits that hold under concurrency: each attempt is counted in one atomic step *before* the work it
guards (a password check, a code check, an e-mail, a form with files), so a burst of simultaneous requests cannot
all slip under the limit. Each domain names its own limits (``accounts.rules``, ``showcase.rules``,
``core.storage``). Counters live in Redis (INCR) when the app keeps its sessions there, else in the database (one
``INSERT … ON CONFLICT DO UPDATE … RETURNING`` statement). A window starts at a bucket's first attempt.

With Redis unreachable a limit guarding an account (sign-ins, codes, resets, passwords) fails safe: the attempt is
refused, answered «try again in a minute» (``core.outages``); one that only keeps a resource from being flooded
(``fail_open``: uploads, enquiries) lets the attempt go ahead uncounted. Either is logged once a minute
(``outages.note``), not once per attempt."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any
from typing import Protocol

from litestar.connection import ASGIConnection

from portal.core import jobs
from portal.core import outages
from portal.core.tables import AttemptCounter


@dataclass(frozen=True)
class Limit:
    """At most ``limit`` attempts per bucket within ``window_seconds``; ``fail_open``: uncounted while the
    counters are unreachable (never for a limit that guards an account)."""

    name: str
    limit: int
    window_seconds: int
    fail_open: bool = False


class Counter(Protocol):
    async def take(self, limit: Limit, key: str) -> bool:
        """Count one attempt of ``key``; True while it is within the limit (the attempt may go ahead)."""
        ...

    async def give_back(self, limit: Limit, key: str) -> None:
        """Uncount one attempt of ``key`` (a sign-in that succeeded does not count against its IP)."""
        ...

    async def clear(self, limit: Limit, key: str) -> None:
        """Forget the attempts of ``key`` (after a success)."""
        ...


def _bucket(limit: Limit, key: str) -> str:
    return f"{limit.name}:{key.lower()}"[:120]


class DatabaseCounter:
    """Counters in the ``attempt_counter`` table: one atomic statement per attempt on both engines."""

    async def take(self, limit: Limit, key: str) -> bool:
        now = int(time.time())
        rows = await AttemptCounter.raw(
            "INSERT INTO attempt_counter (bucket, hits, window_ends) VALUES ({}, 1, {}) "
            "ON CONFLICT (bucket) DO UPDATE SET "
            "hits = CASE WHEN attempt_counter.window_ends <= {} THEN 1 ELSE attempt_counter.hits + 1 END, "
            "window_ends = CASE WHEN attempt_counter.window_ends <= {} THEN excluded.window_ends "
            "ELSE attempt_counter.window_ends END "
            "RETURNING hits",
            _bucket(limit, key),
            now + limit.window_seconds,
            now,
            now,
        )
        return int(rows[0]["hits"]) <= limit.limit

    async def give_back(self, limit: Limit, key: str) -> None:
        await AttemptCounter.update({AttemptCounter.hits: AttemptCounter.hits - 1}).where(
            (AttemptCounter.bucket == _bucket(limit, key)) & (AttemptCounter.hits > 0)
        )

    async def clear(self, limit: Limit, key: str) -> None:
        await AttemptCounter.delete().where(AttemptCounter.bucket == _bucket(limit, key))


class RedisCounter:
    """Counters in Redis: ``SET NX EX`` then ``INCR`` in one MULTI, so the window starts at the first attempt."""

    PREFIX = "portal-attempts:"

    def __init__(self, redis: Any) -> None:
        self.redis = redis

    async def take(self, limit: Limit, key: str) -> bool:
        name = self.PREFIX + _bucket(limit, key)
        try:
            async with self.redis.pipeline(transaction=True) as pipe:
                pipe.set(name, 0, ex=limit.window_seconds, nx=True)
                pipe.incr(name)
                _, hits = await pipe.execute()
        except Exception as exc:
            if not (limit.fail_open and outages.redis_unreachable(exc)):
                raise  # refused: answered 503 «try again in a minute»
            outages.note(exc, f"limit {limit.name}", "not counted, the attempt goes ahead")
            return True
        return int(hits) <= limit.limit

    # DECR only a counter that is still there and above zero (a missing key would start at -1).
    GIVE_BACK = (
        "local n = redis.call('GET', KEYS[1]) "
        "if n and tonumber(n) > 0 then return redis.call('DECR', KEYS[1]) end return 0"
    )

    async def give_back(self, limit: Limit, key: str) -> None:
        await self._forgiving(limit, self.redis.eval(self.GIVE_BACK, 1, self.PREFIX + _bucket(limit, key)))

    async def clear(self, limit: Limit, key: str) -> None:
        await self._forgiving(limit, self.redis.delete(self.PREFIX + _bucket(limit, key)))

    async def _forgiving(self, limit: Limit, call: Any) -> None:
        """An attempt uncounted after the work it guarded was done: left counted if Redis is away (the limit is
        only stricter for a while), so that the work's answer is not lost."""
        try:
            await call
        except Exception as exc:
            if not outages.redis_unreachable(exc):
                raise
            outages.note(exc, f"limit {limit.name}", "left counted")


def counter(connection: ASGIConnection) -> Counter:
    """The counter of this app: Redis when its sessions live in Redis (REDIS_URL), the database otherwise."""
    from litestar.stores.redis import RedisStore

    store = connection.app.stores.get("sessions")
    if isinstance(store, RedisStore):
        return RedisCounter(store._redis)  # the store's own client: opened and closed with the app
    return DatabaseCounter()


@jobs.register("attempt-counters-cleanup", 3600)
async def forget_old_attempts(now: Any) -> int:
    """Counters whose window has ended are deleted (hourly): the table holds only buckets still counting."""
    done = (
        await AttemptCounter.delete().where(AttemptCounter.window_ends < int(time.time())).returning(AttemptCounter.id)
    )
    return len(done)
