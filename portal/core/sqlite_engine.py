"""SQLite for the embedded mode with long-lived connections.

Piccolo's ``SQLiteEngine`` opens a new aiosqlite connection, with a new thread, for every query outside a
transaction. This engine keeps its connections for the life of the process instead:

- the database runs in WAL mode, so readers never wait for the writer and see every committed write;
- reads outside a transaction run on a reader connection (``PRAGMA query_only``, so a write sent there by
  mistake fails loudly instead of slipping past the writer), inline on the event loop's thread: an indexed
  read of a page takes tens of microseconds, far less than handing it to a thread and back (under load
  that hand-off, a thread wake-up and a GIL switch, cost a millisecond a query and dominated the page);
- transactions and writes outside a transaction go through the one writer connection, held by one
  transaction at a time (in-process writers queue on a lock instead of meeting ``database is locked``;
  other processes still wait through ``busy_timeout``);
- how long a write waits is the holder's: one holding the writer where writes wait at most a while
  (``core.db.waiting_at_most``: a web request) waits that long for the writer, then its connection's
  ``busy_timeout`` is that long too (the engine's ``timeout`` if shorter); anyone else (a job, an import, a
  migration) waits the engine's ``timeout``. The busy timeout is set on the writer's thread with the holder's
  first statement, only when it changes, so it costs no hop of its own.

The writer lives on its own thread (a write may wait for another process's lock, which must not stop the
event loop): a write is one hop to that thread and back (execute and fetch together). Piccolo's
transaction, savepoint and ``TransactionType`` semantics are kept, so ``core.db.atomic()`` and the tests'
rollback fixture work unchanged.
"""

from __future__ import annotations

import asyncio
import re
import sqlite3
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from typing import TypeVar

from piccolo.engine.sqlite import SQLiteEngine
from piccolo.engine.sqlite import SQLiteTransaction
from piccolo.engine.sqlite import TransactionType
from piccolo.engine.sqlite import dict_factory
from piccolo.querystring import QueryString

from portal.core.db import lock_wait

T = TypeVar("T")

_READ = re.compile(r"^\s*\(?\s*(SELECT|EXPLAIN|VALUES)\b", re.IGNORECASE)
_WITH = re.compile(r"^\s*WITH\b", re.IGNORECASE)
_WRITE_WORDS = ("INSERT", "UPDATE", "DELETE", "REPLACE")
_WRITE_WORD = re.compile(rf"\b({'|'.join(_WRITE_WORDS)})\b", re.IGNORECASE)


def is_read(sql: str) -> bool:
    """A statement that only reads (what the reader connections may run). Every statement of a page is asked
    (a web request's on PostgreSQL too, ``core.db``), so a ``WITH`` is searched for a write word only when one
    of them appears in it at all: a case-blind search through a long query took 0.1 ms a page."""
    if _READ.match(sql):
        return True
    if not _WITH.match(sql):
        return False
    upper = sql.upper()
    return not any(word in upper for word in _WRITE_WORDS) or not _WRITE_WORD.search(sql)


class Connection:
    """One sqlite3 connection on its own thread; ``await execute(sql, args)`` returns the rows as dicts."""

    def __init__(self, connect: Callable[[], sqlite3.Connection], name: str) -> None:
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix=name)
        self._raw: sqlite3.Connection | None = None
        self._connect = connect
        self._busy_ms: int | None = None  # the connection's busy timeout (None: as it was opened)
        self.busy_ms: int | None = None  # the one its holder wants (None: as it was opened)

    def _call(self, work: Callable[[sqlite3.Connection], T]) -> T:
        if self._raw is None:
            self._raw, self._busy_ms = self._connect(), None
        if self.busy_ms != self._busy_ms and self.busy_ms is not None:
            self._raw.execute(f"PRAGMA busy_timeout = {int(self.busy_ms)}")
            self._busy_ms = self.busy_ms
        return work(self._raw)

    async def run(self, work: Callable[[sqlite3.Connection], T]) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._executor, self._call, work)

    async def execute(self, sql: str, args: list[Any] | tuple[Any, ...] = ()) -> list[dict[str, Any]]:
        def work(raw: sqlite3.Connection) -> list[dict[str, Any]]:
            cursor = raw.execute(sql, args)
            try:
                return cursor.fetchall()
            finally:
                cursor.close()

        return await self.run(work)

    @property
    def in_transaction(self) -> bool:
        return self._raw is not None and self._raw.in_transaction

    def close_sync(self) -> None:
        def work() -> None:
            if self._raw is not None:
                self._raw.close()
                self._raw = None

        self._executor.submit(work).result()
        self._executor.shutdown(wait=True)


class _LoopState:
    """The asyncio primitives of one event loop (tests run each test on a loop of its own)."""

    def __init__(self) -> None:
        self.writer_lock = asyncio.Lock()


class PortalSQLiteTransaction(SQLiteTransaction):
    """Piccolo's transaction on the engine's writer connection, held until the transaction ends."""

    async def __aenter__(self) -> PortalSQLiteTransaction:
        if self._parent is not None:
            return self._parent
        engine: PortalSQLiteEngine = self.engine  # type: ignore[assignment]
        self.connection = await engine.acquire_writer()
        try:
            await self.begin()
        except BaseException:
            engine.release_writer()
            raise
        self.context = self.engine.current_transaction.set(self)
        return self

    async def __aexit__(self, exception_type: Any, exception: Any, traceback: Any) -> bool:
        if self._parent:
            return exception is None
        engine: PortalSQLiteEngine = self.engine  # type: ignore[assignment]
        try:
            if exception:
                if not self._rolled_back:
                    await self.rollback()
            elif not self._committed and not self._rolled_back:
                await self.commit()
        finally:
            if self.connection.in_transaction:  # a failed COMMIT leaves it open: never hand it on half-done
                await self.connection.execute("ROLLBACK")
            engine.release_writer()
            self.engine.current_transaction.reset(self.context)
        return exception is None


class PortalSQLiteEngine(SQLiteEngine):
    """Piccolo's ``SQLiteEngine`` with a writer and a reader connection kept for the life of the process."""

    __slots__ = ("_guard", "_inline", "_states", "_writer")

    def __init__(self, path: str, **connection_kwargs: Any) -> None:
        super().__init__(path=path, **connection_kwargs)
        self._writer: Connection | None = None
        self._inline: sqlite3.Connection | None = None
        self._states: dict[asyncio.AbstractEventLoop, _LoopState] = {}
        self._guard = threading.Lock()

    # --- connections ---------------------------------------------------------------------------------

    def _open(self, *, reader: bool) -> sqlite3.Connection:
        raw = sqlite3.connect(**{**self.connection_kwargs, "check_same_thread": False})
        raw.row_factory = dict_factory
        raw.execute("PRAGMA foreign_keys = 1")
        if reader:
            raw.execute("PRAGMA query_only = 1")
        else:
            raw.execute("PRAGMA journal_mode = WAL")
        return raw

    def _state(self) -> _LoopState:
        loop = asyncio.get_running_loop()
        state = self._states.get(loop)
        if state is None:
            with self._guard:
                for old in [old for old in self._states if old.is_closed()]:
                    del self._states[old]
                state = self._states.setdefault(loop, _LoopState())
        return state

    async def acquire_writer(self) -> Connection:
        """The writer connection, once the writes before have finished; a holder that waits at most a while
        (``core.db.lock_wait``) is refused as busy past it, as another process's lock would refuse it."""
        wait, timeout = lock_wait(), float(self.connection_kwargs.get("timeout", 5.0))
        lock = self._state().writer_lock
        if wait is None:
            await lock.acquire()
        else:
            try:
                await asyncio.wait_for(lock.acquire(), min(wait, timeout))
            except TimeoutError:
                raise sqlite3.OperationalError("database is locked (by a write of this process)") from None
        if self._writer is None:
            self._writer = Connection(lambda: self._open(reader=False), "sqlite-writer")
        self._writer.busy_ms = round(1000 * (timeout if wait is None else min(wait, timeout)))
        return self._writer

    def release_writer(self) -> None:
        self._state().writer_lock.release()

    async def _read(self, sql: str, args: list[Any]) -> list[dict[str, Any]]:
        if self._inline is None:
            self._inline = self._open(reader=True)
        cursor = self._inline.execute(sql, args)
        try:
            return cursor.fetchall()
        finally:
            cursor.close()

    async def _write(self, sql: str, args: list[Any]) -> list[dict[str, Any]]:
        connection = await self.acquire_writer()
        try:
            return await connection.execute(sql, args)
        finally:
            self.release_writer()

    async def close(self) -> None:
        """Close every connection (the app's shutdown and the CLI call it; the next query reopens them)."""
        writer, self._writer = self._writer, None
        if self._inline is not None:
            self._inline.close()
            self._inline = None
        if writer is not None:
            await asyncio.to_thread(writer.close_sync)

    # --- Piccolo's engine interface ------------------------------------------------------------------------

    async def get_connection(self) -> Any:  # used by Piccolo's batch(): a connection of its own, as before
        return await super().get_connection()

    async def run_querystring(self, querystring: QueryString, in_pool: bool = False) -> Any:
        query_id = self.get_query_id()
        if self.log_queries:
            self.print_query(query_id=query_id, query=querystring.__str__())
        sql, args = querystring.compile_string(engine_type=self.engine_type)
        response = await self._run(sql, args)
        if self.log_responses:
            self.print_response(query_id=query_id, response=response)
        return response

    async def run_ddl(self, ddl: str, in_pool: bool = False) -> Any:
        query_id = self.get_query_id()
        if self.log_queries:
            self.print_query(query_id=query_id, query=ddl)
        response = await self._run(ddl, [])
        if self.log_responses:
            self.print_response(query_id=query_id, response=response)
        return response

    async def _run(self, sql: str, args: list[Any]) -> list[dict[str, Any]]:
        transaction = self.current_transaction.get()
        if transaction is not None:
            return await transaction.connection.execute(sql, args)
        if is_read(sql):
            return await self._read(sql, args)
        return await self._write(sql, args)

    def transaction(
        self, transaction_type: TransactionType = TransactionType.deferred, allow_nested: bool = True
    ) -> PortalSQLiteTransaction:
        return PortalSQLiteTransaction(engine=self, transaction_type=transaction_type, allow_nested=allow_nested)
