"""Scheduled jobs (penalties, reminders, autopay, reconciliation, outbox delivery).

A job is a plain async function registered here with how often it runs. Each run for one key (a period, a
day) is recorded in ``JobRun``, so a job that runs twice, or on two processes at once, does its work once.
In the embedded mode an in-process scheduler started with the app runs them.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from portal.core.tables import JobRun

log = logging.getLogger("portal.jobs")

JobFunction = Callable[[datetime], Awaitable[Any]]


@dataclass(frozen=True)
class Job:
    name: str
    every_seconds: int
    run: JobFunction
    # The key a run is recorded under (e.g. the day or the period); None runs every time.
    key: Callable[[datetime], str] | None = None


_jobs: dict[str, Job] = {}


def register(
    name: str, every_seconds: int, key: Callable[[datetime], str] | None = None
) -> Callable[[JobFunction], JobFunction]:
    """Decorator: ``@jobs.register("penalties", 3600, key=lambda now: now.strftime("%Y-%m"))``."""

    def wrap(function: JobFunction) -> JobFunction:
        _jobs[name] = Job(name, every_seconds, function, key)
        return function

    return wrap


def registered() -> dict[str, Job]:
    return dict(_jobs)


async def run_once(name: str, key: str, work: Callable[[], Awaitable[Any]], now: datetime | None = None) -> bool:
    """Run ``work`` unless a run of ``name`` for ``key`` was already started; True when it ran."""
    now = now or datetime.now(UTC)
    existing = await JobRun.select(JobRun.id, JobRun.status).where((JobRun.name == name) & (JobRun.key == key)).first()
    if existing and existing["status"] in ("done", "running"):
        return False
    if existing:
        run_id = existing["id"]
        await JobRun.update({JobRun.status: "running", JobRun.started_at: now}).where(JobRun.id == run_id)
    else:
        try:
            inserted = await JobRun.insert(JobRun(name=name, key=key, status="running", started_at=now)).returning(
                JobRun.id
            )
        except Exception:  # another process inserted the same (name, key) first
            return False
        run_id = inserted[0]["id"]
    try:
        await work()
    except Exception as exc:
        await JobRun.update({JobRun.status: "failed", JobRun.detail: str(exc)[:1000]}).where(JobRun.id == run_id)
        raise
    await JobRun.update({JobRun.status: "done", JobRun.finished_at: datetime.now(UTC)}).where(JobRun.id == run_id)
    return True


async def tick(now: datetime | None = None) -> None:
    """One pass over every job (the scheduler calls it; tests call it with a fixed ``now``)."""
    now = now or datetime.now(UTC)
    for job in list(_jobs.values()):
        try:
            if job.key is None:
                await job.run(now)
            else:
                await run_once(job.name, job.key(now), lambda job=job: job.run(now), now)
        except Exception:
            log.exception("job %s failed", job.name)


class Scheduler:
    """In-process scheduler for the embedded mode: ticks every ``interval`` seconds until stopped."""

    def __init__(self, interval: float = 15) -> None:
        self.interval = interval
        self._task: asyncio.Task[None] | None = None
        self._last: dict[str, float] = {}

    async def _loop(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            now = loop.time()
            for job in list(_jobs.values()):
                if now - self._last.get(job.name, -1e9) >= job.every_seconds:
                    self._last[job.name] = now
                    moment = datetime.now(UTC)
                    try:
                        if job.key is None:
                            await job.run(moment)
                        else:
                            await run_once(job.name, job.key(moment), lambda job=job, m=moment: job.run(m), moment)
                    except Exception:
                        log.exception("job %s failed", job.name)
            await asyncio.sleep(self.interval)

    async def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._loop())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
