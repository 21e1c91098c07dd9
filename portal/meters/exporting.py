"""The month's readings for billing as an XLSX, made by a job: the staff member's press starts it and the page
answers at once, the job writes the workbook and stores the file, and the export's page shows how far it got, then
offers the file for a day (``rules.EXPORT_KEPT``). The CSV stays a download streamed in the request (it is fast).

    run, started = await exporting.start(principal, period, house)   # or the run of the same filter still going
    await exporting.work(clock.now())                                 # the job: every run not finished

A run is a ``JobRun`` row (name ``meters-export``, key ``rules.export_key``: the month, the house chosen and the
houses of the staff member who started it), so one filter of one scope has one run at a time; its ``detail``
keeps who started it, the houses the file covers, its progress and, once written whole, the stored file. The file
is written aside and offered only in the transaction that records the export (``actions.record_export``: the month
exported, its marks to recount cleared, the audit row), so a run that fails offers nothing. A run whose progress
has not moved for ``jobs.STALE_SECONDS`` died with its process: the next job run (or a press) starts it again.
"""

from __future__ import annotations

import asyncio
import logging
import re
import secrets
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from dataclasses import replace
from datetime import date
from datetime import datetime
from pathlib import Path

from portal.billing import outage_reductions
from portal.core import clock
from portal.core import jobs
from portal.core.db import atomic
from portal.core.jobs import DONE
from portal.core.jobs import FAILED
from portal.core.jobs import RUNNING
from portal.core.security import Principal
from portal.core.tables import JobRun
from portal.meters import actions
from portal.meters import export
from portal.meters import queries
from portal.meters import rules
from portal.settings import get_settings

NAME = "meters-export"
FILE_KEY = re.compile(r"^[A-Za-z0-9_-]{32}\.xlsx$")
log = logging.getLogger("portal.meters.export")


@dataclass(frozen=True)
class Run(jobs.MonthRun):
    """One XLSX export for billing: a month, of one house or of every house of the staff member who started it."""

    file: str = ""  # the stored file, once written whole and the export recorded
    size: int = 0  # its bytes
    finished: str = ""  # when it was stored (ISO)

    @property
    def file_name(self) -> str:
        return f"readings-{self.period}.xlsx"

    @property
    def kilobytes(self) -> int:
        """The file's size in KB, rounded up (a file of a few bytes is not «0 KB»)."""
        return (self.size + 1023) // 1024

    @property
    def filter_query(self) -> str:
        """The list's filter the export was made of (its month and house), as a query."""
        return f"?period={self.period}" + (f"&house={self.house_id}" if self.house_id else "")

    @property
    def finished_at(self) -> datetime | None:
        return datetime.fromisoformat(self.finished) if self.finished else None

    def offered(self, now: datetime) -> bool:
        """Whether its file is there to download at ``now`` (written whole, within the day it is kept)."""
        finished = self.finished_at
        return self.status == DONE and bool(self.file) and finished is not None and rules.export_kept(finished, now)

    @property
    def kept_until(self) -> datetime | None:
        finished = self.finished_at
        return finished + rules.EXPORT_KEPT if finished else None


def _batch() -> int:
    return get_settings().meters_export_batch


def folder() -> Path:
    return Path(get_settings().var_dir) / "exports" / "meters"


def path_of(key: str) -> Path:
    """The stored file of ``key``; a key that is not one of ours is refused."""
    if not FILE_KEY.match(key):
        raise ValueError("not an export file")
    return folder() / key


def _store(content: bytes) -> str:
    """Keep the file under a new random key, written whole or not at all (a partial file is never at the key)."""
    key = f"{secrets.token_urlsafe(24)}.xlsx"
    target = path_of(key)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{key}.part")
    try:
        partial.write_bytes(content)
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)
    return key


def _delete(key: str) -> None:
    if key:
        path_of(key).unlink(missing_ok=True)


async def loaded(run_id: int, principal: Principal) -> Run | None:
    """The export run ``run_id`` if the staff member may have its file now (every house it covers is theirs)."""
    row = await JobRun.select().where((JobRun.id == run_id) & (JobRun.name == NAME)).first()
    if row is None or not row["detail"]:
        return None
    run = Run.of_row(row)
    return run if rules.may_take_export(run.houses, principal.house_ids) else None


async def latest(principal: Principal, period: date, house: int | None, now: datetime) -> Run | None:
    """The XLSX of this month and house the staff member's press would start or show, if it is being prepared or its
    file is there (the list offers it: a staff member back at the list finds the file, not a new minute's wait)."""
    key = rules.export_key(period, house, rules.export_houses(principal.house_ids, house))
    row = await JobRun.select().where((JobRun.name == NAME) & (JobRun.key == key)).first()
    run = Run.of_row(row) if row is not None and row["detail"] else None
    return run if run is not None and ((run.running and not run.stale) or run.offered(now)) else None


async def start(principal: Principal, period: date, house: int | None, *, ip: str = "") -> tuple[Run, bool]:
    """Start the export of the month (one house, or every house of the staff member); a run of the same filter and
    scope still going is returned instead of a second one (False). A finished one is made again: its file goes."""
    houses = rules.export_houses(principal.house_ids, house)
    total = await queries.export_accounts(principal, house)
    fresh = Run(0, RUNNING, f"{period:%Y-%m}", house, houses, principal.user_id, principal.name, total)
    key = rules.export_key(period, house, houses)
    run, started, replaced = await replace(fresh, beat=time.time(), ip=ip).begin(NAME, key)
    if replaced is not None:
        _delete(replaced.file)
    return run, started


class _Progress:
    """The run as last saved, and what its lines carried so far: the accounts written, the readings whose lines
    went out marked to recount."""

    def __init__(self, run: Run) -> None:
        self.run = run
        self.accounts: set[str] = set()
        self.carried: set[int] = set()

    async def watched(self, rows: AsyncIterator[queries.ExportRow]) -> AsyncIterator[queries.ExportRow]:
        """``rows`` as they are read, the progress saved every ``meters_export_batch`` lines."""
        batch, counted = _batch(), 0
        async for row in rows:
            self.accounts.add(row.account_number)
            if row.recount and row.reading_id is not None:
                self.carried.add(row.reading_id)
            yield row
            counted += 1
            if counted % batch == 0:
                await self.moved(replace(self.run, done=min(len(self.accounts), self.run.total), beat=time.time()))

    async def moved(self, after: Run, status: str = RUNNING) -> None:
        if not await after.save(self.run, status):
            raise jobs.Overtaken
        self.run = after


async def _write(progress: _Progress) -> Run:
    """The workbook of the run, stored, and the export recorded with the run done, in one transaction."""
    run, now = progress.run, clock.now()
    rows = progress.watched(queries.export_rows(run.starter, run.month, run.house_id))
    recalculations = await outage_reductions.of_period(run.month, run.houses)
    content = await export.xlsx_bytes(rows, recalculations)
    key = await asyncio.to_thread(_store, content)
    try:
        async with atomic():
            await actions.record_export(run.starter, run.month, run.houses, progress.carried, now=now, ip=run.ip)
            done = replace(progress.run, done=run.total, file=key, size=len(content), beat=time.time())
            await progress.moved(replace(done, finished=clock.now().isoformat()), DONE)
    except BaseException:
        _delete(key)
        raise
    return progress.run


async def _claim(run: Run) -> Run | None:
    """Take up a run nobody works on (new, or left by a stopped process); None when another process has it."""
    if run.owner and not run.stale:
        return None
    mine = replace(run, owner=secrets.token_hex(8), done=0, beat=time.time())
    return mine if await mine.save(run) else None


async def carry_on(run: Run) -> Run | None:
    """Take the run up and make its file; the finished (or failed) run, None when another process has it."""
    mine = await _claim(run)
    if mine is None:
        return None
    progress = _Progress(mine)
    try:
        return await _write(progress)
    except jobs.Overtaken:
        return None
    except Exception:
        log.exception("the meters' export %s failed", run.id)
        failed = replace(progress.run, status=FAILED, beat=time.time())
        await failed.save(progress.run, FAILED)
        return failed


async def sweep(now: datetime) -> int:
    """Delete the files kept their day (at most 100 a pass); their runs say the file is gone."""
    rows = await (
        JobRun.select()
        .where((JobRun.name == NAME) & (JobRun.status == DONE) & (JobRun.finished_at < now - rules.EXPORT_KEPT))
        .order_by(JobRun.id)
        .limit(100)
    )
    gone = 0
    for row in rows:
        run = Run.of_row(row)
        if run.file and not run.offered(now):
            await JobRun.update({JobRun.detail: replace(run, file="").detail()}).where(
                (JobRun.id == run.id) & (JobRun.detail == row["detail"])
            )
            _delete(run.file)
            gone += 1
    return gone


@jobs.register(NAME, 30, timeout=3600)  # 20,000 accounts take about a minute
async def work(now: datetime) -> int:
    """The job: every run not finished (new ones, and those a stopped process left), each to the end; then the
    files kept their day are deleted."""
    rows = await JobRun.select().where((JobRun.name == NAME) & (JobRun.status == RUNNING)).order_by(JobRun.id).limit(20)
    finished = 0
    for row in rows:
        if row["detail"] and await carry_on(Run.of_row(row)) is not None:
            finished += 1
    await sweep(now)
    return finished
