"""Stored files no row refers to, deleted however old they are.

A file is left behind with no row when a form fails between storing its file and saving its row, or when a run of a
job that deletes rows' files (``tickets.actions.erase_request_files``) stops after its commit and before the files
went. A daily job walks the storage a page at a time (``storage.lying_after``), from where its last run stopped (the
cursor kept beside the files) round to the start again, asks every domain which of a page's keys its rows refer to,
and deletes those none does once they are older than ``GRACE``: a file stored a moment ago whose row is not committed
yet stays. A domain that stores files says which its rows refer to with ``@orphans.refers("<domain>")`` in its
``queries.py`` (by the index of the key's column), or names its columns with ``orphans.kept_in``; a narrow copy
stays with the photo it was made from.

A process started on an empty or another database with the real folder would find every file no row's. A run
deletes nothing (``Unsafe``: the job fails with why, and which folder) when the database holds no key of a file at
all (each domain says whether its rows hold one with ``@orphans.holds("<domain>")``), or when more than
``ORPHANS_MAX_SHARE`` per cent of the files it walked are no row's, counted over ``LEAST_COUNTED`` files at least.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable
from collections.abc import Callable
from collections.abc import Collection
from datetime import datetime
from datetime import timedelta

from piccolo.columns import Column
from piccolo.columns.combination import Combinable

from portal.core import clock
from portal.core import jobs
from portal.core import storage
from portal.settings import get_settings

log = logging.getLogger("portal.storage")

Referred = Callable[[Collection[str]], Awaitable[set[str]]]
Holds = Callable[[], Awaitable[bool]]
_readers: dict[str, Referred] = {}
_holders: dict[str, Holds] = {}

# A file stored for a form is saved with its row within seconds: one a day old that no row refers to has none.
GRACE = timedelta(days=1)
PAGE = 200  # keys asked of the domains at once
FILES_PER_RUN = 20_000  # a run looks at so many files at most and goes on from there the next day
CURSOR = ".orphans-cursor"
LEAST_COUNTED = 50  # the share of the files walked that are no row's is judged over so many at least


class Unsafe(Exception):
    """A run found what looks like the folder of another database (or of none): it deleted nothing. The message
    says why and which folder."""


def refers(domain: str) -> Callable[[Referred], Referred]:
    """Decorator of a domain's read: which of the given storage keys its rows refer to (bounded by the keys)."""

    def wrap(read: Referred) -> Referred:
        _readers[domain] = read
        return read

    return wrap


def readers() -> dict[str, Referred]:
    return dict(_readers)


def holds(domain: str) -> Callable[[Holds], Holds]:
    """Decorator of a domain's read: whether any of its rows holds the key of a stored file (one indexed row)."""

    def wrap(read: Holds) -> Holds:
        _holders[domain] = read
        return read

    return wrap


def holders() -> dict[str, Holds]:
    return dict(_holders)


def kept_in(domain: str, *columns: Column) -> None:
    """A domain whose rows keep the keys of stored files in ``columns`` (each by its index): both its reads, which
    of the given keys they refer to (``refers``) and whether they hold any (``holds``). A domain with more to it (a
    key kept only for a while, keys in a text) writes its two reads itself."""
    refers(domain)(lambda keys: among(keys, *columns))
    holds(domain)(lambda: any_key(*columns))


async def any_key(*columns: Column, where: Combinable | None = None) -> bool:
    """Whether any row holds a key in one of ``columns`` (not empty, by each one's index; ``where``: of the rows it
    holds)."""
    for column in columns:
        condition = column > "" if where is None else (column > "") & where
        if await column._meta.table.exists().where(condition):
            return True
    return False


async def anything_referred() -> bool:
    """Whether a row of any domain holds the key of a stored file."""
    for read in _holders.values():
        if await read():
            return True
    return False


async def among(keys: Collection[str], *columns: Column, where: Combinable | None = None) -> set[str]:
    """Those of ``keys`` held in any of ``columns`` (each by its index; ``where``: of the rows it holds)."""
    found: set[str] = set()
    for column in columns:
        table = column._meta.table
        condition = column.is_in(list(keys)) if where is None else column.is_in(list(keys)) & where
        rows = await table.select(column).where(condition).distinct().limit(len(keys))  # one row a key, at most
        found |= {r[column._meta.name] for r in rows}
    return found


async def referred(keys: Collection[str]) -> set[str]:
    """Those of ``keys`` some row of a domain refers to."""
    if not keys:
        return set()
    found: set[str] = set()
    for read in _readers.values():
        found |= await read(keys)
    return found


@jobs.register("orphan-files", 86400, key=lambda now: clock.local(now).date().isoformat(), timeout=3600)
async def orphan_files(now: datetime) -> int:
    return await sweep(now)


async def sweep(now: datetime, *, budget: int = FILES_PER_RUN, page: int = PAGE) -> int:
    """Delete the stored files older than ``GRACE`` that no row refers to, walking on from the cursor the last run
    left; at most ``budget`` files are looked at, then the orphans among them deleted (asked again just before) a
    page at a time, the cursor moving with each page (a run stopped goes on from its last page). Past the last file
    the walk starts again from the first. Raises ``Unsafe``, deleting nothing and leaving the cursor, when the
    database holds no file's key or more than ``ORPHANS_MAX_SHARE`` per cent of the files walked are orphans
    (``unsafe``). Returns how many were deleted."""
    written_before = (now - GRACE).timestamp()
    walked: list[tuple[list[storage.Lying], list[storage.Lying]]] = []  # each page with its orphans as first asked
    seen, pages = 0, storage.lying_after(_cursor(), page)
    while seen < budget and (files := await asyncio.to_thread(next, pages, None)) is not None:
        walked.append((files, await _no_rows([f for f in files if f.written < written_before])))
        seen += len(files)
    orphaned = sum(len(orphans) for _, orphans in walked)
    max_share = get_settings().orphans_max_share
    why = unsafe(orphaned, seen, max_share, await anything_referred()) if orphaned else None
    if why:
        raise Unsafe(f"orphan files: nothing deleted in {storage.root()}: {why}; is this the database of its files?")
    deleted = 0
    for files, orphans in walked:
        deleted += await _delete(orphans)
        _keep_cursor(files[-1].key)
    if seen < budget:  # the walk reached the end: the next run starts from the first file again
        _keep_cursor("")
    if deleted:
        log.info("storage: %s files no row refers to deleted", deleted)
    return deleted


def unsafe(orphaned: int, walked: int, max_share: int, referring: bool) -> str | None:
    """Why a run that found ``orphaned`` of ``walked`` files no row's must delete none (None: it may): a database
    with no file's key at all is empty or not this folder's; so is one to which more than ``max_share`` per cent of
    the files are no row's, judged over ``LEAST_COUNTED`` files at least (a few leftovers are no sign)."""
    if not referring:
        return "the database holds no key of a stored file"
    if walked >= LEAST_COUNTED and orphaned * 100 > walked * max_share:
        return f"{orphaned} of the {walked} files walked are no row's, more than {max_share} %"
    return None


async def unreferred(keys: Collection[str]) -> list[str]:
    """Those of ``keys`` no row of any domain refers to (in their order, once each): what a change that let go of
    its rows' files may delete. A file may be referred to by more than one domain's rows (an inspection round's
    photo is the photo of the request its remark filed too): one still referred to stays with the others."""
    kept = await referred(set(keys))
    return [k for k in dict.fromkeys(keys) if k not in kept]


async def _no_rows(files: list[storage.Lying]) -> list[storage.Lying]:
    """Those of ``files`` no row refers to (a partial copy is nobody's)."""
    kept = await referred(_asked(files))
    return [f for f in files if f.partial or not ({f.key, f.made_from} & kept)]


async def _delete(orphans: list[storage.Lying]) -> int:
    """Delete ``orphans`` that no row refers to still: asked again just before, a row that took a file over since
    the walk keeps it."""
    gone = await _no_rows(orphans)
    for lying in gone:
        storage.remove(lying.key)
    return len(gone)


def _asked(files: list[storage.Lying]) -> set[str]:
    """The keys to ask the domains of: each file's own, a narrow copy's photo too (a partial copy is nobody's)."""
    return {f.key for f in files if not f.partial} | {f.made_from for f in files if f.made_from}


def _cursor() -> str:
    path = storage.root() / CURSOR
    return path.read_text().strip() if path.is_file() else ""


def _keep_cursor(key: str) -> None:
    path = storage.root() / CURSOR
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f"{CURSOR}.new")
    partial.write_text(key)
    partial.replace(path)
