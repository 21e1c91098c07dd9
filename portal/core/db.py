"""Database engine from DATABASE_URL, transactions with savepoints, money conversion at the boundary."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import AsyncIterator
from collections.abc import Iterable
from collections.abc import Iterator
from collections.abc import Mapping
from collections.abc import Sequence
from contextlib import asynccontextmanager
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import MISSING
from decimal import ROUND_HALF_UP
from decimal import Decimal
from functools import cache
from typing import Any
from typing import TypeVar
from urllib.parse import urlparse

from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine
from piccolo.engine.sqlite import TransactionType
from piccolo.table import Table

from portal.core import piccolo_fast

piccolo_fast.install()

KOPECK = Decimal("0.01")
V = TypeVar("V")


def make_engine(url: str) -> Engine:
    """Build the Piccolo engine for a database URL (``sqlite:///path`` or ``postgresql://…``)."""
    scheme = urlparse(url).scheme
    if scheme in ("postgres", "postgresql"):
        # JIT compilation off: the portal's queries are short, and on a large table PostgreSQL's cost estimate
        # set it compiling for 250-600 ms a page (the staff billing overview at 20,000 accounts: 0.4 s -> 0.16 s).
        return PortalPostgresEngine(config={"dsn": url, "server_settings": {"jit": "off"}}, log_queries=False)
    if scheme == "sqlite":
        from portal.core.sqlite_engine import PortalSQLiteEngine

        path = url.removeprefix("sqlite:///")
        return PortalSQLiteEngine(path=path, timeout=30)
    raise ValueError(f"Unsupported DATABASE_URL scheme: {scheme!r}")


class PortalPostgresEngine(PostgresEngine):
    """Piccolo's PostgreSQL engine; a write outside a transaction where writes wait at most a while (a page's
    attempt counter, a message marked read: ``waiting_at_most``) runs in a transaction of its own with that
    ``lock_timeout``, as ``atomic()`` gives one, so the pool's connections keep no setting. Reads take no row locks
    and run as they are."""

    __slots__ = ()

    async def _run_in_pool(self, query: str, args: Sequence[Any] | None = None) -> Any:
        from portal.core.sqlite_engine import is_read

        wait = lock_wait()
        if wait is None or self.pool is None or is_read(query):
            return await super()._run_in_pool(query, args)
        async with self.pool.acquire() as connection, connection.transaction():
            await connection.execute(_lock_timeout(wait))
            return await connection.fetch(query, *(args or ()))


def _lock_timeout(seconds: float) -> str:
    """The statement that makes the transaction's writes wait at most ``seconds`` for a row lock."""
    return f"SET LOCAL lock_timeout = {max(1, round(seconds * 1000))}"


_engine: Engine | None = None


def get_engine() -> Engine:
    """The engine the tables currently use."""
    global _engine
    if _engine is None:
        from piccolo_conf import DB  # type: ignore[import-not-found]

        _engine = DB
    return _engine


def all_tables() -> list[type[Table]]:
    """Every table of every registered app."""
    from piccolo_conf import APP_REGISTRY  # type: ignore[import-not-found]

    tables: list[type[Table]] = []
    for app in APP_REGISTRY.app_configs.values():
        tables.extend(app.table_classes)
    return tables


def use_engine(engine: Engine, tables: Iterable[type[Table]] | None = None) -> None:
    """Point every table at ``engine`` (the app factory and the tests call it)."""
    global _engine
    _engine = engine
    for table in tables if tables is not None else all_tables():
        table._meta.db = engine


def is_sqlite(engine: Engine | None = None) -> bool:
    return isinstance(engine or get_engine(), SQLiteEngine)


# How long a write waits for a lock another transaction holds (a row on PostgreSQL, the database on SQLite) before
# the database refuses it as busy (``core.outages``: 503, «try again»). None: as long as the connection waits (the
# engine's own setting) — what jobs, imports and migrations do; a web request sets a few seconds (``waiting_at_most``).
_lock_wait: ContextVar[float | None] = ContextVar("portal_lock_wait", default=None)


def lock_wait() -> float | None:
    """The seconds a write of this context waits for a lock held elsewhere; None: the engine's own wait."""
    return _lock_wait.get()


@contextmanager
def waiting_at_most(seconds: float | None) -> Iterator[None]:
    """Writes within wait at most ``seconds`` for a lock held elsewhere (a page: a few seconds, then «busy»);
    ``None``: as long as the engine waits (a job, an import: work nobody watches, which should finish, not give up)."""
    token = _lock_wait.set(seconds)
    try:
        yield
    finally:
        _lock_wait.reset(token)


@asynccontextmanager
async def atomic() -> AsyncIterator[Any]:
    """A unit of work that commits or rolls back as a whole.

    Outside a transaction it opens one (``IMMEDIATE`` on SQLite, so read-then-write work does not deadlock);
    inside one it opens a savepoint, so a failure rolls back only its own part on both engines. On PostgreSQL a
    transaction opened where writes wait at most a while (a web request, ``waiting_at_most``) has that
    ``lock_timeout``, set for the transaction alone (``SET LOCAL``): the pool's connections keep waiting as long as
    it takes for everyone else. SQLite's writer connection bounds its wait itself (``core.sqlite_engine``).
    """
    engine = get_engine()
    current = engine.current_transaction.get()
    if current is None:
        kwargs: dict[str, Any] = {}
        if isinstance(engine, SQLiteEngine):
            kwargs["transaction_type"] = TransactionType.immediate
        async with engine.transaction(**kwargs) as tx:
            wait = lock_wait()
            if wait is not None and isinstance(engine, PostgresEngine):
                await tx.connection.execute(_lock_timeout(wait))
            yield tx
        return
    savepoint = await current.savepoint()
    try:
        yield current
    except BaseException:
        await savepoint.rollback_to()
        raise
    else:
        await savepoint.release()


def unique_violations() -> tuple[type[BaseException], ...]:
    """The errors either engine raises when a write breaks a unique constraint (to catch a lost race)."""
    import sqlite3

    import asyncpg

    return (sqlite3.IntegrityError, asyncpg.UniqueViolationError)


POOL_MIN = 2
POOL_MAX = 20


async def _keep_session(connection: Any) -> None:
    """Pool connections are returned as they are: asyncpg's default reset (``RESET ALL``, ``CLOSE ALL``,
    ``UNLISTEN *``, advisory unlocks) is one more round trip after every query, and the portal keeps no session
    state on a connection (settings are ``SET LOCAL``, inside transactions)."""


async def start(engine: Engine | None = None) -> None:
    """Open the engine's connections (the PostgreSQL pool); the CLI and the benches call it directly.

    Not an app hook: Litestar passes the application to a hook that takes a parameter (see ``on_startup``)."""
    if engine is not None and not isinstance(engine, Engine):
        raise TypeError(f"start() takes an engine, not {type(engine).__name__}")
    engine = engine or get_engine()
    if isinstance(engine, PostgresEngine) and engine.pool is None:
        await engine.start_connection_pool(min_size=POOL_MIN, max_size=POOL_MAX, reset=_keep_session)


async def stop(engine: Engine | None = None) -> None:
    if engine is not None and not isinstance(engine, Engine):
        raise TypeError(f"stop() takes an engine, not {type(engine).__name__}")
    engine = engine or get_engine()
    if isinstance(engine, PostgresEngine) and engine.pool is not None:
        await engine.close_connection_pool()
    close = getattr(engine, "close", None)  # the embedded SQLite engine keeps its connections
    if close is not None:
        await close()


async def on_startup(app: Any) -> None:
    """App hook: Litestar calls it with the application; the pool is opened for the engine the tables use."""
    await start(get_engine())


async def on_shutdown(app: Any) -> None:
    """App hook: closes what ``on_startup`` opened."""
    await stop(get_engine())


def to_kopecks(amount: Decimal) -> int:
    """Rubles (Decimal) to integer kopecks, rounding half up once."""
    return int((amount.quantize(KOPECK, rounding=ROUND_HALF_UP) * 100).to_integral_value())


def from_kopecks(kopecks: int | None) -> Decimal:
    """Integer kopecks to rubles as a Decimal with two places."""
    return (Decimal(kopecks or 0) / 100).quantize(KOPECK)


@cache
def _fields(cls: type) -> tuple[tuple[str, bool], ...]:
    """The dataclass's fields as (name, has a default)."""
    return tuple(
        (f.name, f.default is not MISSING or f.default_factory is not MISSING) for f in dataclasses.fields(cls)
    )


def json_value(value: Any) -> Any:
    """A JSON column's value as a query hands it over: its text on SQLite (and through a raw query), the object on
    PostgreSQL; none, or empty text, is an empty object."""
    if isinstance(value, str):
        return json.loads(value or "{}")
    return {} if value is None else value


def from_row(cls: type[V], row: Mapping[str, Any], **values: Any) -> V:
    """The typed result ``cls`` (a dataclass) of one row: each field taken from the row's column of the same
    name, except those given in ``values`` (what is computed or renamed). A field neither in the row nor in
    ``values`` keeps its default, or is an error (a query that forgot a column fails at once)."""
    for name, has_default in _fields(cls):
        if name not in values and (name in row or not has_default):
            values[name] = row[name]
    return cls(**values)
