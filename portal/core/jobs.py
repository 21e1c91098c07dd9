"""Scheduled jobs (penalties, reminders, autopay, reconciliation, outbox delivery).

A job is a plain async function registered here with how often it runs. Each run for one key (a period, a
day) is recorded in ``JobRun``, so a job that runs twice, or on two processes at once, does its work once.

Every run that did its work — keyed or not — is seen by the administrators (``record_run``): the job's one
``JobState`` row is marked running when the work starts (``running_since``), then written over with its start, end,
outcome, the count of what it did (a job returning a whole number) and its last failure; a failure is also a
``JobFailure`` row, kept ``FAILURES_KEPT_DAYS``, one row counted again while the job fails the same way run after run.

Two ways to run them:
- embedded mode (no ``REDIS_URL``): an in-process ``Scheduler`` started with the app;
- production (``REDIS_URL`` set): ``portal worker`` runs them on SAQ with Redis (``run_worker``): one SAQ
  function per job, its schedule as a SAQ cron job (unique per queue, so several workers schedule each tick
  once), and app processes only serve pages; ``kick(name)`` asks for a run now (the worker's, or in-process).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import Awaitable
from collections.abc import Callable
from dataclasses import asdict
from dataclasses import dataclass
from dataclasses import replace
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta
from typing import Any
from typing import Self

from piccolo.querystring import QueryString

from portal.core import clock
from portal.core import outages
from portal.core.db import atomic
from portal.core.db import unique_violations
from portal.core.db import waiting_at_most
from portal.core.parse import parse_month
from portal.core.security import Principal
from portal.core.tables import JobFailure
from portal.core.tables import JobRun
from portal.core.tables import JobState
from portal.core.values import as_moment

log = logging.getLogger("portal.jobs")

JobFunction = Callable[[datetime], Awaitable[Any]]


@dataclass(frozen=True)
class Job:
    name: str
    every_seconds: int
    run: JobFunction
    # The key a run is recorded under (e.g. the day or the period); None runs every time.
    key: Callable[[datetime], str] | None = None
    # How long one run may take on a SAQ worker before it is stopped (None: SAQ's 10 s for a kick, the interval
    # within a minute and an hour for the scheduled run: ``run_bound``); a job working through a month's accounts
    # says more.
    timeout: int | None = None


_jobs: dict[str, Job] = {}


def register(
    name: str,
    every_seconds: int,
    key: Callable[[datetime], str] | None = None,
    timeout: int | None = None,
) -> Callable[[JobFunction], JobFunction]:
    """Decorator: ``@jobs.register("penalties", 3600, key=lambda now: now.strftime("%Y-%m"))``."""

    def wrap(function: JobFunction) -> JobFunction:
        _jobs[name] = Job(name, every_seconds, function, key, timeout)
        return function

    return wrap


def registered() -> dict[str, Job]:
    return dict(_jobs)


async def run_once(
    name: str,
    key: str,
    work: Callable[[], Awaitable[Any]],
    now: datetime | None = None,
    bound: timedelta = timedelta(hours=1),
) -> bool:
    """Run ``work`` unless a run of ``name`` for ``key`` was done already or is going on; True when it ran. A run
    still marked running after ``bound`` (the longest a run may take) died without a word — its process restarted
    at a deploy — and is run again, or that day's or month's run never came (one its worker stopped at its timeout
    is marked failed then: ``record_timeout``). Of two processes taking the same key at once, one runs it (the
    other's start or restart changes no row)."""
    now = now or datetime.now(UTC)
    columns = (JobRun.id, JobRun.status, JobRun.started_at)
    existing = await JobRun.select(*columns).where((JobRun.name == name) & (JobRun.key == key)).first()
    if existing and not may_run_again(existing["status"], as_moment(existing["started_at"]), now, bound):
        return False
    if existing:
        run_id = existing["id"]
        restart = {JobRun.status: "running", JobRun.started_at: now, JobRun.finished_at: None}
        same = (JobRun.id == run_id) & (JobRun.status == existing["status"])
        taken = (
            await JobRun.update(restart)
            .where(same & (JobRun.started_at == existing["started_at"]))
            .returning(JobRun.id)
        )
        if not taken:  # another process restarted it first
            return False
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
    except Exception as exc:  # kept for the administrators' page of jobs: when it failed, and why
        failed = {JobRun.status: "failed", JobRun.finished_at: datetime.now(UTC), JobRun.detail: error_text(exc)}
        await JobRun.update(failed).where(JobRun.id == run_id)
        raise
    await JobRun.update({JobRun.status: "done", JobRun.finished_at: datetime.now(UTC)}).where(JobRun.id == run_id)
    return True


def may_run_again(status: str, started: datetime | None, now: datetime, bound: timedelta) -> bool:
    """Whether a key's run recorded as ``status`` (started at ``started``) is run again now: a failed one, yes; a
    done one, no; a running one only once it has run longer than a run may take (``bound``): it died."""
    if status == "done":
        return False
    if status == "running":
        return started is None or now - started > bound
    return True


def error_text(exc: BaseException) -> str:
    """What a failed run keeps of its error: the exception's text (its class where it has none), at most 1000
    characters."""
    return (str(exc) or type(exc).__name__)[:1000]


class Overtaken(Exception):
    """Another process took a run with progress up (this one was too slow): this one stops, the other goes on."""


async def save_progress(run_id: int, detail: str, before: str, status: str = "running") -> bool:
    """Write a run's progress (``detail``, its status; the end time once it is not running) unless someone else
    has moved it since it read ``before`` (compare and set): a long job in batches (the receipts' issue, the
    meters' export) writes each batch's progress so, and stops when it was overtaken."""
    values: dict[Any, Any] = {JobRun.status: status, JobRun.detail: detail}
    if status != "running":
        values[JobRun.finished_at] = clock.now()
    written = (
        await JobRun.update(values)
        .where((JobRun.id == run_id) & (JobRun.status == "running") & (JobRun.detail == before))
        .returning(JobRun.id)
    )
    return bool(written)


RUNNING, DONE, FAILED = "running", "done", "failed"
STALE_SECONDS = 120  # a running run whose progress has not moved this long died with its process


@dataclass(frozen=True)
class MonthRun:
    """A long job's run over a month's accounts that a staff member started, for one house or for every house of
    theirs, kept in its ``JobRun`` row (the receipts' issue, the meters' export derive from it): who started it,
    the houses it covers and its progress are its row's ``detail``, written back with ``save``."""

    id: int
    status: str
    period: str  # 2026-11
    house_id: int | None  # the house chosen (None: every house of the starter's)
    houses: list[int] | None  # the starter's houses, which the run covers (None: every house)
    user_id: int | None
    user_name: str
    total: int  # the accounts of those houses
    done: int = 0  # the accounts done
    beat: float = 0.0  # when the progress last moved (seconds since the epoch)
    owner: str = ""  # the process working on it
    ip: str = ""  # where it was started from (for the audit log)

    @property
    def month(self) -> date:
        return parse_month(self.period) or date.min

    @property
    def running(self) -> bool:
        return self.status == RUNNING

    @property
    def stale(self) -> bool:
        return self.running and time.time() - self.beat > STALE_SECONDS

    @property
    def starter(self) -> Principal:
        """Who started the run, with the houses they had then: the run reads and writes in that scope."""
        houses = None if self.houses is None else frozenset(self.houses)
        return Principal(user_id=self.user_id, name=self.user_name, house_ids=houses)

    def detail(self) -> str:
        """The run as its row's ``detail`` keeps it (all but the row's own id and status)."""
        return json.dumps({k: v for k, v in asdict(self).items() if k not in ("id", "status")}, ensure_ascii=False)

    @classmethod
    def of_row(cls, row: dict[str, Any]) -> Self:
        detail = json.loads(row["detail"])
        if "house_ids" in detail:  # the receipts' issues written before the two runs shared this shape
            detail["houses"] = detail.pop("house_ids")
        return cls(id=row["id"], status=row["status"], **detail)

    async def save(self, before: Self, status: str = RUNNING) -> bool:
        """Write this progress unless someone else has moved the run since ``before`` (``save_progress``)."""
        return await save_progress(self.id, self.detail(), before.detail(), status)

    async def begin(self, name: str, key: str) -> tuple[Self, bool, Self | None]:
        """Start this fresh run as job ``name``'s run of ``key`` and ask for the job now (``kick``), unless a run of
        that key is still going (not stale): that one instead. Returns the run, whether it is this one, and the
        finished (or stale) run of the key it replaced (None: the key's first)."""
        where = (JobRun.name == name) & (JobRun.key == key)
        try:
            async with atomic():
                row = await JobRun.select().where(where).first()
                before = self.of_row(row) if row is not None and row["detail"] else None
                if before is not None and before.running and not before.stale:
                    return before, False, None
                detail, now = self.detail(), clock.now()
                if row is None:
                    inserted = await JobRun.insert(
                        JobRun(name=name, key=key, status=RUNNING, detail=detail, started_at=now)
                    ).returning(JobRun.id)
                    run_id = inserted[0]["id"]
                else:
                    run_id = row["id"]
                    values = {JobRun.status: RUNNING, JobRun.detail: detail, JobRun.started_at: now}
                    await JobRun.update({**values, JobRun.finished_at: None}).where(JobRun.id == run_id)
        except unique_violations():  # the same key started at the same moment by someone else: theirs
            row = await JobRun.select().where(where).first()
            if row is None or not row["detail"]:
                raise
            return self.of_row(row), False, None
        kick(name)
        return replace(self, id=run_id), True, before


async def run_job(job: Job, now: datetime | None = None, started: datetime | None = None) -> None:
    """One run of ``job`` (once per key when it has one), recorded (``record_run``) unless its key's run was done
    already; failures are logged and recorded, never raised. Its writes wait for a lock as long as the engine does,
    even when a page started it (``kick``): nobody waits for a job's answer. ``started``: the run's start, its token
    on the job's running mark (given by the SAQ worker, which records the run itself when it stops it)."""
    now = now or datetime.now(UTC)
    key = job.key(now) if job.key is not None else None
    started = started or datetime.now(UTC)
    done: list[Any] = []  # what the run returned, once it ran

    async def work() -> None:
        await _started(job, started)
        done.append(await job.run(now))

    try:
        with waiting_at_most(None):
            if key is None:
                await work()
            else:
                await run_once(job.name, key, work, now, timedelta(seconds=run_bound(job)))
    except Exception as exc:
        log.exception("job %s failed: %s", job.name, exc)
        await _recorded(job.name, key, started, error=error_text(exc))
        return
    if done:
        await _recorded(job.name, key, started, items=items_of(done[0]))


def items_of(result: object) -> int | None:
    """How many things a run did, when the job says (a whole number: messages sent, rows swept)."""
    return result if isinstance(result, int) and not isinstance(result, bool) else None


FAILURES_KEPT_DAYS = 14  # a failure is listed this long: over the New Year holidays, or an administrator's leave


def same_failure(last: dict[str, Any] | None, key: str, error: str) -> bool:
    """Whether a failure goes on the job's last failure row (counted again) rather than a new one: its last run
    failed too, of the same key, with the same error."""
    return last is not None and last["status"] == FAILED and last["key"] == key and last["error"] == error


async def record_run(
    name: str, key: str | None, started: datetime, *, items: int | None = None, error: str | None = None
) -> None:
    """Write job ``name``'s run over its ``JobState`` row (made at its first run); a failure (``error``) is also
    its ``JobFailure``: the last one counted again (``same_failure``), or a new one, the failures older than
    ``FAILURES_KEPT_DAYS`` deleted then. The job's running mark is cleared only by the run that set it (its start,
    ``started``, is the mark's token): of two runs at once (one kicked from a page during the scheduled one) the
    first to end leaves the other's mark, and the other clears it when it ends."""
    finished, key = datetime.now(UTC), key or ""
    status = DONE if error is None else FAILED
    values: dict[Any, Any] = {JobState.key: key, JobState.status: status, JobState.started_at: started}
    values |= {JobState.finished_at: finished, JobState.items: items}
    async with atomic():
        if error is not None:
            columns = (JobState.status, JobState.key, JobState.error, JobState.failure)
            last = await JobState.select(*columns).where(JobState.name == name).first()
            if last is not None and last["failure"] is not None and same_failure(last, key, error):
                failure = last["failure"]
                counted = {JobFailure.times: JobFailure.times + 1, JobFailure.last_at: finished}
                await JobFailure.update(counted).where(JobFailure.id == failure)
            else:
                row = JobFailure(name=name, key=key, started_at=started, last_at=finished, error=error)
                failure = (await JobFailure.insert(row).returning(JobFailure.id))[0]["id"]
                await JobFailure.delete().where(JobFailure.last_at < finished - timedelta(days=FAILURES_KEPT_DAYS))
            values |= {JobState.failed_at: finished, JobState.error: error, JobState.failure: failure}
        own_mark = QueryString(
            'CASE WHEN "job_state"."running_since" = {} THEN NULL ELSE "job_state"."running_since" END', started
        )
        await JobState.insert(JobState(name=name, **{c._meta.name: v for c, v in values.items()})).on_conflict(
            target=JobState.name, action="DO UPDATE", values=[*values.items(), (JobState.running_since, own_mark)]
        )


BOUND_LEAST = 60  # a run may take a minute whatever its interval (a job every few seconds, over a batch)
BOUND_MOST = 3600  # a job saying no timeout of its own that runs past an hour is not well (the jobs' page: «Зависла?»)


def run_bound(job: Job) -> int:
    """The longest one run of ``job`` may take (seconds): its own ``timeout`` where it says one, else its interval
    within ``BOUND_LEAST`` and ``BOUND_MOST``. The worker stops a scheduled run then; a keyed run still «running»
    past it died (a deploy, the worker's timeout) and is taken again (``run_once``), and so is the job's running
    mark (``_started``) — never a run the worker may still be running, and never a day later for a daily job."""
    if job.timeout:
        return job.timeout
    return min(max(BOUND_LEAST, job.every_seconds), BOUND_MOST)


def tick_seconds(job: Job) -> int:
    """How often ``job`` is ticked (seconds): its interval, but a keyed job at least hourly — its key decides that
    it runs once a day or a month, the ticks between ask again for a key whose run failed or died, or a day's
    reminders or a month's penalties stopped by a deploy would wait for the next day's or month's key."""
    return min(job.every_seconds, BOUND_MOST) if job.key is not None else job.every_seconds


async def _started(job: Job, started: datetime) -> None:
    """Mark ``job`` running since ``started`` on its ``JobState`` row (made now at its first run), until
    ``record_run`` of this run clears it: a run whose worker died, or that hangs, shows as running on the
    administrators' page, not as the run before it. A run started while another holds the mark (a run kicked from a
    page during the scheduled one) leaves it to that one, unless the mark is older than a run may take
    (``run_bound``: its run died without a word). Its own failure is only logged: the job runs all the same."""
    try:
        with waiting_at_most(None):
            taken = QueryString(
                'CASE WHEN "job_state"."running_since" IS NULL OR "job_state"."running_since" < {} THEN {} '
                'ELSE "job_state"."running_since" END',
                started - timedelta(seconds=run_bound(job)),
                started,
            )
            row = JobState(name=job.name, status=RUNNING, started_at=started, finished_at=started,
                           running_since=started)  # fmt: skip
            await JobState.insert(row).on_conflict(
                target=JobState.name, action="DO UPDATE", values=[(JobState.running_since, taken)]
            )
    except Exception:
        log.exception("the start of job %s could not be recorded", job.name)


async def _recorded(name: str, key: str | None, started: datetime, **outcome: Any) -> None:
    """``record_run``, its own failure only logged (the database a job could not reach refuses the record too)."""
    try:
        with waiting_at_most(None):
            await record_run(name, key, started, **outcome)
    except Exception:
        log.exception("the run of job %s could not be recorded", name)


async def run_bounded(job: Job) -> None:
    """In this process (the embedded mode, where no SAQ worker stops a run): one run of ``job`` stopped at its bound
    (``run_bound``) as the worker stops it at its timeout, and recorded so (``stopped``) — a run that hangs (a mail
    server that never answers) does not hold every other job of the process behind it."""
    now = datetime.now(UTC)
    try:
        async with asyncio.timeout(run_bound(job)):
            await run_job(job, now, now)
    except TimeoutError:
        await stopped(job.name, job.key(now) if job.key is not None else None, now)


async def tick(now: datetime | None = None) -> None:
    """One pass over every job (the scheduler calls it; tests call it with a fixed ``now``)."""
    now = now or datetime.now(UTC)
    for job in list(_jobs.values()):
        await run_job(job, now)


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
                if now - self._last.get(job.name, -1e9) >= tick_seconds(job):
                    self._last[job.name] = now
                    await run_bounded(job)
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


# --- production: SAQ on Redis ----------------------------------------------------------------------------------

QUEUE_NAME = "portal"
_queue: Any = None
_pending: set[asyncio.Task[Any]] = set()


def load_jobs() -> dict[str, Job]:
    """Import every domain, so that each registers its jobs and outbox senders (as the app does)."""
    from portal.app import collect_routes

    collect_routes()
    return registered()


def cron_of(every_seconds: int) -> str:
    """A cron expression (croniter's, seconds as a sixth field) for "every ``every_seconds`` seconds"."""
    if every_seconds < 60:
        return f"* * * * * */{max(1, every_seconds)}"
    if every_seconds < 3600:
        return f"*/{max(1, every_seconds // 60)} * * * *"
    if every_seconds < 86400:
        return f"0 */{max(1, every_seconds // 3600)} * * *"
    return "0 0 * * *"


# A run's name, key and start as its SAQ job's context keeps them, for the worker to record it if it stops the run.
RUN_CONTEXT = "portal_run"
TIMED_OUT = "timed out"  # the error of a run the worker stopped at its timeout (the jobs' page says it in words)


def saq_function(job: Job) -> Callable[..., Awaitable[None]]:
    async def run(ctx: dict[str, Any]) -> None:
        # One moment: the job's running mark and its key's run row (``run_once``) both start at it, so the worker
        # that stops the run finds both by it (``record_timeout``).
        now = datetime.now(UTC)
        ctx[RUN_CONTEXT] = (job.name, job.key(now) if job.key is not None else None, now)
        await run_job(job, now, now)

    run.__qualname__ = run.__name__ = f"job_{job.name.replace('-', '_')}"
    return run


# A worker waits for the next job in one blocking call at a time, shorter than the client waits for an answer:
# a wait the client gave up on would drop its connection, and a job Redis handed over just then would be left
# taken until SAQ's sweep.
DEQUEUE_WAIT_SECONDS = outages.REDIS_WAIT_SECONDS / 2


def queue(redis_url: str) -> Any:
    """The SAQ queue of this deployment (one per process), on a Redis client with the sessions' short timeouts
    (``outages.redis_client``): a job kicked from a page while Redis hangs is given up within seconds, not held.
    (SAQ's ``Queue.from_url`` passes its keywords to the queue, not to Redis, so the queue gets its client.)"""
    global _queue
    if _queue is None:
        from saq.queue.redis import RedisQueue

        _queue = RedisQueue(outages.redis_client(redis_url), name=QUEUE_NAME)
    return _queue


def kick(name: str) -> None:
    """Ask for a run of job ``name`` now: enqueued for the workers when ``REDIS_URL`` is set (one pending run at
    a time), run in this process otherwise — where this process runs jobs (not where ``PORTAL_RUN_JOBS=0``, as in
    the tests: its scheduled run comes from elsewhere). Returns at once."""
    from portal.settings import get_settings

    job = _jobs.get(name)
    settings = get_settings()
    redis_url = settings.redis_url
    if job is None or not (redis_url or settings.run_jobs):
        return

    async def work() -> None:
        try:
            if redis_url:
                limit = {} if job.timeout is None else {"timeout": job.timeout}
                await queue(redis_url).enqueue(saq_function(job).__qualname__, key=f"kick:{name}", **limit)
            else:
                await run_bounded(job)
        except Exception as exc:
            if outages.redis_unreachable(exc):  # said once a minute: its scheduled run comes all the same
                outages.note(exc, f"job {name}", "not started")
            else:
                log.exception("could not start job %s", name)

    task = asyncio.get_running_loop().create_task(work())
    _pending.add(task)
    task.add_done_callback(_pending.discard)


async def record_timeout(ctx: dict[str, Any]) -> None:
    """After a SAQ job: a run the worker stopped at its timeout (cancelled in the middle, so it recorded nothing) is
    recorded as failed, «timed out», clearing its job's running mark if it holds it: not «running», then «hung?»,
    until the next run. Its key's run is marked failed too (``fail_stopped_run``): the next tick takes the key
    again, not only once the run's bound has passed."""
    run = ctx.get(RUN_CONTEXT)
    if run is not None and isinstance(ctx.get("exception"), TimeoutError):
        await stopped(*run)


async def stopped(name: str, key: str | None, started: datetime) -> None:
    """A run of ``name`` (for ``key``) that started at ``started`` was stopped at its time: logged, its key's run failed
    (``fail_stopped_run``) and the run recorded failed, «timed out»."""
    log.error("job %s stopped: it ran past its timeout", name)
    if key is not None:
        await fail_stopped_run(name, key, started)
    await _recorded(name, key, started, error=TIMED_OUT)


async def fail_stopped_run(name: str, key: str, started: datetime) -> bool:
    """Mark the run of ``name`` for ``key`` that started at ``started`` failed, «timed out» (its worker stopped it),
    so that ``run_once`` takes the key again at the next tick. Compare and set, as ``run_once`` takes a key: a run
    another process restarted since (another start) or finished is left alone. True when it marked the run; its
    own failure is only logged (the run is then taken again past its bound, as one that died)."""
    stopped = {JobRun.status: "failed", JobRun.finished_at: datetime.now(UTC), JobRun.detail: TIMED_OUT}
    this_run = (JobRun.name == name) & (JobRun.key == key) & (JobRun.status == "running")
    try:
        with waiting_at_most(None):
            marked = await JobRun.update(stopped).where(this_run & (JobRun.started_at == started)).returning(JobRun.id)
    except Exception:
        log.exception("the stopped run of job %s could not be marked failed", name)
        return False
    return bool(marked)


def make_worker(redis_url: str, concurrency: int = 4) -> Any:
    """The SAQ worker that runs every registered job on its schedule (``portal worker``)."""
    from saq import CronJob
    from saq import Worker

    from portal.core import db

    jobs = load_jobs()
    functions = {name: saq_function(job) for name, job in jobs.items()}

    async def startup(ctx: dict[str, Any]) -> None:
        await db.start()

    async def shutdown(ctx: dict[str, Any]) -> None:
        await db.stop()

    return Worker(
        queue(redis_url),
        functions=list(functions.values()),
        cron_jobs=[
            CronJob(functions[name], cron=cron_of(tick_seconds(job)), timeout=run_bound(job))
            for name, job in jobs.items()
        ],
        concurrency=concurrency,
        dequeue_timeout=DEQUEUE_WAIT_SECONDS,
        startup=startup,
        shutdown=shutdown,
        after_process=record_timeout,
    )


async def run_worker(redis_url: str, concurrency: int = 4) -> None:
    """Run the worker until SIGINT/SIGTERM."""
    worker = make_worker(redis_url, concurrency)
    await worker.start()
