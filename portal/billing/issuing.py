"""Issuing a month's receipts as a job: the staff member's request starts it and answers at once, the job issues
the receipts a batch of accounts at a time, and the receipts page shows how far it got.

    run, started = await issuing.start(principal, period, house_id)   # or the run of that month already going
    await issuing.work(clock.now())                                    # the job: every run not finished

A run is a ``JobRun`` row (name ``receipts-issue``, key ``2026-11:all`` or ``2026-11:<house>``), so one
month and house has one run at a time; its ``detail`` keeps who started it, the houses it covers and its progress.
Each batch is one transaction with its receipts, the accounts' notices and the run's progress (the last account
issued): a process stopped mid-way leaves the batches it finished, and whoever takes the run up again (a run whose
progress has not moved for ``jobs.STALE_SECONDS``) goes on after the last one. A batch done twice still issues each
receipt once (issuing replaces the month's receipt) and tells each account once (``notices.wait``).
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass
from dataclasses import replace
from datetime import date
from datetime import datetime

from portal.billing import notices
from portal.billing import receipts
from portal.billing import rules
from portal.billing.queries import account_ids_of_houses
from portal.billing.queries import count_of_houses
from portal.core import audit
from portal.core import jobs
from portal.core.db import atomic
from portal.core.i18n import gettext
from portal.core.jobs import DONE
from portal.core.jobs import FAILED
from portal.core.jobs import RUNNING
from portal.core.security import Principal
from portal.core.tables import JobRun
from portal.core.web import Refused
from portal.settings import get_settings

NAME = "receipts-issue"


@dataclass(frozen=True)
class Run(jobs.MonthRun):
    """One issue of a month's receipts: for one house, or for every house of the staff member who started it."""

    issued: int = 0
    skipped: int = 0
    after: int = 0  # the last account issued: the next batch starts after it


def _batch() -> int:
    return get_settings().receipts_batch


def key_of(period: date, house_id: int | None) -> str:
    return f"{rules.period_key(period)}:{house_id if house_id is not None else 'all'}"


async def of_month(period: date, principal: Principal) -> list[Run]:
    """The runs of the month the staff member may see (every house's, and their houses'), newest first."""
    month = rules.period_key(period)
    rows = await (
        JobRun.select()
        # the keys "2026-11:…", as a range of the (name, key) unique index (";" follows ":")
        .where((JobRun.name == NAME) & (JobRun.key >= f"{month}:") & (JobRun.key < f"{month};"))
        .order_by(JobRun.id, ascending=False)
        .limit(50)
    )
    found = [Run.of_row(r) for r in rows if r["detail"]]
    return [r for r in found if r.house_id is None or principal.may_see_house(r.house_id)]


async def start(principal: Principal, period: date, house_id: int | None, *, ip: str = "") -> tuple[Run, bool]:
    """Start issuing the month's receipts (one house, or every house of the staff member); a run of the same month
    and house still going is returned instead of a second one (False)."""
    if house_id is not None and not principal.may_see_house(house_id):
        raise Refused(gettext("Choose a house from the list."))
    houses = None if principal.house_ids is None else sorted(principal.house_ids)
    total = await count_of_houses(principal, house_id)
    fresh = Run(0, RUNNING, rules.period_key(period), house_id, houses, principal.user_id, principal.name, total)
    run, started, _replaced = await replace(fresh, beat=time.time(), ip=ip).begin(NAME, key_of(period, house_id))
    return run, started


async def step(run: Run, now: datetime) -> Run | None:
    """One batch of the run, in one transaction with its progress; the run as it is now (None: taken by another)."""
    async with atomic():
        chunk = await account_ids_of_houses(run.starter, run.house_id, after=run.after, limit=_batch())
        if not chunk:
            after = replace(run, status=DONE, beat=time.time())
            if not await after.save(run, DONE):
                return None
            changes = {"period": run.period, "issued": run.issued, "skipped": run.skipped}
            await audit.record(run.starter, "billing.receipts.issue", "house", run.house_id, changes, run.ip, now=now)
            return after
        result = await receipts.issue(run.month, chunk, issued_by=run.user_id, now=now)
        await notices.wait(run.month, result.accounts, now)
        after = replace(
            run,
            done=run.done + len(chunk),
            issued=run.issued + result.issued,
            skipped=run.skipped + result.skipped,
            after=chunk[-1],
            beat=time.time(),
        )
        if not await after.save(run):
            raise jobs.Overtaken
    return after


async def _claim(run: Run) -> Run | None:
    """Take up a run nobody works on (new, or left by a stopped process); None when another process has it."""
    if run.owner and not run.stale:
        return None
    mine = replace(run, owner=secrets.token_hex(8), beat=time.time())
    return mine if await mine.save(run) else None


async def carry_on(run: Run, now: datetime) -> Run | None:
    """Take the run up and do its batches to the end; the finished run (None: another process has it)."""
    current = await _claim(run)
    try:
        while current is not None and current.running:
            current = await step(current, now)
    except jobs.Overtaken:
        return None
    except Exception as exc:
        if current is not None:
            await replace(current, status=FAILED, beat=time.time()).save(current, FAILED)
        raise exc
    return current


@jobs.register(NAME, 30, timeout=3600)  # 20,000 accounts take about half a minute
async def work(now: datetime) -> int:
    """The job: every run not finished (new ones, and those a stopped process left), each to the end."""
    rows = await JobRun.select().where((JobRun.name == NAME) & (JobRun.status == RUNNING)).order_by(JobRun.id).limit(20)
    finished = 0
    for row in rows:
        if row["detail"] and await carry_on(Run.of_row(row), now) is not None:
            finished += 1
    if finished:
        jobs.kick(notices.JOB)  # the residents are told by their job, a batch at a time
    return finished
