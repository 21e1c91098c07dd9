"""Stored files no row refers to, deleted however old they are.

A file is left behind with no row when a form fails between storing its file and saving its row, or when a run of a
job that deletes rows' files (``tickets.actions.erase_request_files``) stops after its commit and before the files
went. A daily job walks the storage a page at a time (``storage.lying_after``), from where its last run stopped (the
cursor kept beside the files) round to the start again, asks every domain which of a page's keys its rows refer to,
and deletes those none does once they are older than ``GRACE``: a file stored a moment ago whose row is not committed
yet stays. A domain that stores files says which its rows refer to with ``@orphans.refers("<domain>")`` in its
``queries.py`` (by the index of the key's column); a narrow copy stays with the photo it was made from.
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

log = logging.getLogger("portal.storage")

Referred = Callable[[Collection[str]], Awaitable[set[str]]]
_readers: dict[str, Referred] = {}

# A file stored for a form is saved with its row within seconds: one a day old that no row refers to has none.
GRACE = timedelta(days=1)
PAGE = 200  # keys asked of the domains at once
FILES_PER_RUN = 20_000  # a run looks at so many files at most and goes on from there the next day
CURSOR = ".orphans-cursor"


def refers(domain: str) -> Callable[[Referred], Referred]:
    """Decorator of a domain's read: which of the given storage keys its rows refer to (bounded by the keys)."""

    def wrap(read: Referred) -> Referred:
        _readers[domain] = read
        return read

    return wrap


def readers() -> dict[str, Referred]:
    return dict(_readers)


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
    left; at most ``budget`` files are looked at, and the cursor moves with each page (a run stopped goes on from
    its last page). Past the last file the walk starts again from the first. Returns how many were deleted."""
    after, seen, deleted = _cursor(), 0, 0
    pages = storage.lying_after(after, page)
    while seen < budget and (files := await asyncio.to_thread(next, pages, None)) is not None:
        deleted += await _delete_unreferred(files, (now - GRACE).timestamp())
        seen += len(files)
        _keep_cursor(files[-1].key)
    if seen < budget:  # the walk reached the end: the next run starts from the first file again
        _keep_cursor("")
    if deleted:
        log.info("storage: %s files no row refers to deleted", deleted)
    return deleted


async def _delete_unreferred(files: list[storage.Lying], written_before: float) -> int:
    orphans = [f for f in files if f.written < written_before]
    for _ in range(2):  # asked again just before deleting: a row that took a file over meanwhile keeps it
        kept = await referred(_asked(orphans))
        orphans = [f for f in orphans if f.partial or not ({f.key, f.made_from} & kept)]
    for lying in orphans:
        storage.remove(lying.key)
    return len(orphans)


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
