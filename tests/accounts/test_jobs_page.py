"""The administrators' page of background jobs (/staff/jobs): every registered job with its last run and last
failure (one row per job, written over by each run: ``core.jobs.record_run``), the failures of the last
``FAILURES_KEPT_DAYS`` days a page of 50 at a time (the same failure run after run counted on one row), the outbox's
messages given up, and a one-line warning on the overview of the jobs failed in the last day. Both engines."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from typing import Any

import pytest

from portal.accounts import queries
from portal.accounts import rules
from portal.core import clock
from portal.core import jobs
from portal.core.db import is_sqlite
from portal.core.pagination import PageRequest
from portal.core.tables import JobFailure
from portal.core.tables import JobRun
from portal.core.tables import JobState
from portal.core.tables import OutboxMessage
from tests import querylog
from tests.querylog import captured
from tests.querylog import plan_of


@pytest.mark.parametrize(
    ("error", "line"),
    [
        ("orphan files: nothing deleted in /srv/files: no row holds a file's key", None),
        ("connection refused\nTraceback (most recent call last):\n  File …", "connection refused"),
        ("\n  timeout  \nmore", "timeout"),
        ("", ""),
        ("x" * 500, "x" * 199 + "…"),
    ],
)
def test_the_error_is_shown_as_its_first_line(error: str, line: str | None) -> None:
    assert rules.error_line(error) == (error if line is None else line)


@pytest.mark.parametrize(
    ("last", "key", "error", "same"),
    [
        (None, "", "refused", False),  # the job's first run
        ({"status": "failed", "key": "", "error": "refused"}, "", "refused", True),
        ({"status": "done", "key": "", "error": "refused"}, "", "refused", False),  # it worked in between
        ({"status": "failed", "key": "", "error": "refused"}, "", "timeout", False),  # another error
        ({"status": "failed", "key": "2026-11", "error": "refused"}, "2026-12", "refused", False),  # another month
    ],
)
def test_a_failure_is_counted_again_only_while_the_job_fails_the_same_way(
    last: dict[str, Any] | None, key: str, error: str, same: bool
) -> None:
    assert jobs.same_failure(last, key, error) is same


async def test_a_failed_keyed_run_keeps_when_it_finished_and_why(db: Any) -> None:
    async def refuse() -> None:
        raise RuntimeError("the bank is not answering")

    with pytest.raises(RuntimeError):
        await jobs.run_once("payments-autopay", "autopay-test", refuse)
    row = await JobRun.select().where(JobRun.key == "autopay-test").first()
    assert (row["status"], row["detail"]) == ("failed", "the bank is not answering")

    async def work() -> None:
        again = await JobRun.select(JobRun.status, JobRun.finished_at).where(JobRun.key == "autopay-test").first()
        assert again == {"status": "running", "finished_at": None}  # the retry is running, not finished

    assert await jobs.run_once("payments-autopay", "autopay-test", work)


def _rows(html: str, section: str) -> list[str]:
    part = html.split(f'id="{section}"')[1].split("</section>")[0]
    return [
        re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)).strip()
        for row in re.findall(r"<tr>(.*?)</tr>", part, re.S)
        if "<td" in row
    ]


def _broken(monkeypatch: pytest.MonkeyPatch, name: str, error: str | None, result: Any = None) -> jobs.Job:
    """The registered job ``name``, made to raise ``error`` (None: to return ``result``)."""

    async def run(now: datetime) -> Any:
        if error is not None:
            raise ConnectionError(error)
        return result

    job = replace(jobs.registered()[name], run=run)
    monkeypatch.setitem(jobs._jobs, name, job)
    return job


async def test_a_job_that_raises_shows_on_the_page_as_failed_with_its_error(
    client: Any, login: Any, make_user: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The outbox's sender has no run key: its failures were in the server log alone."""
    await login(client, await make_user(roles=("admin",)))
    await jobs.run_job(_broken(monkeypatch, "outbox-delivery", "SMTP server refused: 421 try later\ntraceback"))
    page = (await client.get("/staff/jobs")).text
    last = {row.split(" ")[0]: row for row in _rows(page, "last-runs")}
    assert "С ошибкой" in last["Отправка"] and "SMTP server refused: 421 try later" in last["Отправка"]
    assert "traceback" not in page  # its first line
    assert "Ещё не запускалась." in last["Пени"]  # every registered job is listed, run or not
    assert len(_rows(page, "last-runs")) == len(jobs.registered())
    failures = _rows(page, "failures")
    assert len(failures) == 1 and "Отправка" in failures[0] and " с " not in failures[0]

    await jobs.run_job(_broken(monkeypatch, "outbox-delivery", "SMTP server refused: 421 try later\ntraceback"))
    failures = _rows((await client.get("/staff/jobs")).text, "failures")
    assert len(failures) == 1 and " 2 раза с " in failures[0]  # the same failure, counted on its row

    await jobs.run_job(_broken(monkeypatch, "outbox-delivery", None, result=3))
    last = {row.split(" ")[0]: row for row in _rows((await client.get("/staff/jobs")).text, "last-runs")}
    assert "Выполнена" in last["Отправка"] and " 3 " in last["Отправка"]  # it works again: 3 messages sent
    assert "SMTP server refused" in last["Отправка"]  # its last failure still shown
    overview = (await client.get("/staff")).text
    assert '<a href="/staff/jobs">1 задача завершилась с ошибкой за сутки</a>' in overview

    await client.speak("en")
    english = (await client.get("/staff/jobs")).text
    assert "<h1>Background jobs</h1>" in english and "Failed in the last 14\u00a0days" in english


async def test_a_keyed_job_is_recorded_once_per_key_and_its_skipped_runs_leave_its_row(
    db: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    job = _broken(monkeypatch, "reconciliation", None, result=7)
    morning = datetime(2026, 11, 20, 6, tzinfo=UTC)
    await jobs.run_job(job, morning)
    first = await JobState.select().where(JobState.name == "reconciliation").first()
    assert (first["status"], first["items"], first["key"]) == ("done", 7, "2026-11-20")
    await jobs.run_job(replace(job, run=_broken(monkeypatch, "reconciliation", "must not run").run), morning)
    assert await JobState.select().where(JobState.name == "reconciliation").first() == first  # its day is done


async def test_failures_older_than_kept_are_deleted_when_a_job_fails(db: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    now = datetime.now(UTC)
    old, kept = (
        now - timedelta(days=jobs.FAILURES_KEPT_DAYS, hours=1),
        now - timedelta(days=jobs.FAILURES_KEPT_DAYS - 1),
    )
    for at in (old, kept):
        await JobFailure.insert(JobFailure(name="orphan-files", key="", started_at=at, last_at=at, error="old"))
    await jobs.run_job(_broken(monkeypatch, "catalog-refunds", "the bank is away"))
    assert sorted(r["error"] for r in await JobFailure.select(JobFailure.error)) == ["old", "the bank is away"]


async def test_the_failures_are_paged_by_50_and_the_undelivered_messages_counted(
    client: Any, login: Any, make_user: Any
) -> None:
    now = datetime.now(UTC)
    for n in range(51):
        at = now - timedelta(minutes=n)
        await JobFailure.insert(JobFailure(name="payments-autopay", started_at=at, last_at=at, error=f"error {n}"))
    for n, status in enumerate(("failed", "failed", "pending")):
        await OutboxMessage.insert(
            OutboxMessage(
                channel="email",
                recipient="a@example.ru",
                template="t",
                dedupe_key=f"t-{n}",
                status=status,
            )
        )
    await login(client, await make_user(roles=("admin",)))
    first = await client.get("/staff/jobs")
    assert len(_rows(first.text, "failures")) == 50 and "error 0<" in first.text and "error 50<" not in first.text
    assert "2 сообщения не доставлены и после последней попытки" in first.text
    assert 'href="/staff/outbox?status=failed"' in first.text
    second = await client.get("/staff/jobs?page=2")
    assert [row.split(" ")[-1] for row in _rows(second.text, "failures")] == ["50"]


async def test_the_overview_warns_the_administrator_only(
    client: Any, new_client: Any, login: Any, make_user: Any
) -> None:
    now = datetime.now(UTC)
    await login(client, await make_user(roles=("admin",)))
    assert '/staff/jobs">' not in (await client.get("/staff")).text.split("</nav>")[-1]  # nothing failed
    await jobs.record_run("payments-autopay", "autopay-1", now, error="no answer")
    await jobs.record_run("orphan-files", "2026-01-02", now, error="refused")
    await jobs.record_run("orphan-files", "2026-01-03", now)  # it failed, then worked: it failed within the day
    await JobState.update({JobState.failed_at: now - timedelta(hours=25)}).where(JobState.name == "payments-autopay")
    overview = (await client.get("/staff")).text
    assert '<a href="/staff/jobs">1 задача завершилась с ошибкой за сутки</a>' in overview
    await client.speak("en")
    assert '<a href="/staff/jobs">1 job failed in the last day</a>' in (await client.get("/staff")).text

    manager = new_client()
    await login(manager, await make_user(roles=("manager",)))
    assert "с ошибкой за сутки" not in (await manager.get("/staff")).text
    assert (await manager.get("/staff/jobs")).status_code == 403


async def test_the_reads_of_the_page_are_indexed_and_one_reads_every_job(db: Any) -> None:
    now = datetime.now(UTC)
    for n, name in enumerate(sorted(jobs.registered())):
        await jobs.record_run(name, "", now - timedelta(hours=n), error="refused" if n % 3 else None)
    if not is_sqlite(db):
        for table in ("job_state", "job_failure", "outbox_message"):
            await db.run_ddl(f"ANALYZE {table}")
    with captured(db) as seen:
        await queries.job_states()
        await queries.failed_runs(PageRequest(1, 50), now)
        await queries.failed_lately(now)
        await queries.undelivered_messages()
    assert len(seen) == 5  # every job's row at once, the failures' count and page, the two counts
    every_job, *indexed = seen
    assert "LIMIT 500" in str(every_job)  # the whole table of a row per job, bounded
    for querystring, table in zip(indexed, ("job_failure", "job_failure", "job_state", "outbox_message"), strict=True):
        plan = await plan_of(db, querystring, forbid_seqscan=True)
        assert querylog.unindexed_steps(plan, table, is_sqlite(db)) == [], f"{querystring}\n{plan}"


@pytest.mark.parametrize(
    ("every", "timeout", "expected"),
    [
        (5, None, timedelta(minutes=5)),  # the outbox every few seconds may take minutes over a large batch
        (600, None, timedelta(minutes=30)),  # three of its intervals
        (3600, None, timedelta(hours=1)),
        (86400, None, timedelta(hours=1)),  # a daily job taking hours is not well
        (30, 3600, timedelta(hours=1)),  # the job's own bound where it says one
        (86400, 600, timedelta(minutes=10)),
    ],
)
def test_a_run_is_expected_to_take_its_jobs_own_bound_or_three_intervals_within_limits(
    every: int, timeout: int | None, expected: timedelta
) -> None:
    assert rules.expected_run(every, timeout) == expected


def test_a_run_looks_hung_once_it_has_run_longer_than_expected() -> None:
    now, expected = datetime(2026, 12, 6, 12, tzinfo=UTC), timedelta(minutes=5)
    assert not rules.looks_hung(None, now, expected)  # no run going on
    assert not rules.looks_hung(now - expected, now, expected)
    assert rules.looks_hung(now - expected - timedelta(seconds=1), now, expected)


async def test_a_run_going_on_shows_since_when_and_one_running_too_long_is_asked_about(
    client: Any, login: Any, make_user: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A run marks its job running when its work starts and its outcome clears it: a run whose worker died, or that
    hangs, shows as running since its start (not as the run before it), and asked about past its expected time."""
    seen: list[Any] = []

    async def look(now: datetime) -> int:
        seen.append(await JobState.select(JobState.running_since).where(JobState.name == "catalog-refunds").first())
        return 2

    await jobs.run_job(replace(jobs.registered()["catalog-refunds"], run=look))
    assert seen[0]["running_since"] is not None  # marked while it ran (its first run: the row made then)
    after = await JobState.select().where(JobState.name == "catalog-refunds").first()
    assert (after["status"], after["items"], after["running_since"]) == ("done", 2, None)

    now = datetime.now(UTC)
    await jobs.record_run("reconciliation", "2026-12-05", now - timedelta(days=1))  # done yesterday
    await jobs.record_run("payments-autopay", "autopay-1", now - timedelta(hours=3))
    lately, long_ago = now - timedelta(minutes=20), now - timedelta(minutes=61)
    await JobState.update({JobState.running_since: lately}).where(JobState.name == "catalog-refunds")
    await JobState.update({JobState.running_since: long_ago}).where(JobState.name == "payments-autopay")
    await login(client, await make_user(roles=("admin",)))
    page = (await client.get("/staff/jobs")).text
    last = {row.split(" ")[0]: row for row in _rows(page, "last-runs")}
    since = {name: clock.local(at).strftime("%H:%M") for name, at in (("refunds", lately), ("autopay", long_ago))}
    refunds = next(row for row in last.values() if "catalog-refunds" in row)
    autopay = next(row for row in last.values() if "payments-autopay" in row)
    reconciliation = next(row for row in last.values() if "reconciliation" in row)
    assert f"Выполняется с {since['refunds']}" in refunds and "Выполнена" not in refunds
    assert "Зависла?" not in refunds  # 20 minutes of a job every 10: within its 30
    assert f"Выполняется с {since['autopay']}" in autopay and "Зависла?" in autopay  # an hourly job for 61 minutes
    assert "Выполнена" in reconciliation and "Выполняется" not in reconciliation and "Зависла?" not in reconciliation

    await client.speak("en")
    english = (await client.get("/staff/jobs")).text
    assert f"Running since {since['autopay']}" in english and "Hung?" in english


async def _mark(name: str) -> Any:
    return (await JobState.select(JobState.running_since).where(JobState.name == name).first())["running_since"]


async def test_of_two_runs_at_once_only_the_run_that_marked_the_job_running_clears_the_mark(db: Any) -> None:
    """A run kicked from a page during the scheduled one: the scheduled run holds the mark, the kicked one's end
    leaves it (the scheduled one still runs), and the scheduled one's end clears it."""
    job = jobs.load_jobs()["catalog-refunds"]
    seen: list[Any] = []

    async def kicked(now: datetime) -> int:
        seen.append(await _mark(job.name))
        return 1

    async def scheduled(now: datetime) -> int:
        seen.append(await _mark(job.name))
        await jobs.run_job(replace(job, run=kicked))  # runs and ends while this one goes on
        seen.append(await _mark(job.name))
        return 2

    await jobs.run_job(replace(job, run=scheduled))
    marked = seen[0]
    assert marked is not None and seen == [marked, marked, marked]  # the kicked run neither took nor cleared it
    after = await JobState.select().where(JobState.name == job.name).first()
    assert (after["status"], after["items"], after["running_since"]) == ("done", 2, None)


async def test_a_mark_left_by_a_run_that_died_is_taken_by_the_next_run_and_cleared(db: Any) -> None:
    job = jobs.load_jobs()["catalog-refunds"]
    dead = datetime.now(UTC) - timedelta(seconds=jobs.run_bound(job) + 60)
    await jobs.record_run(job.name, "", dead)
    await JobState.update({JobState.running_since: dead}).where(JobState.name == job.name)
    seen: list[Any] = []

    async def work(now: datetime) -> int:
        seen.append(await _mark(job.name))
        return 0

    await jobs.run_job(replace(job, run=work))
    assert seen[0] is not None and seen[0] > dead  # this run's own start
    assert await _mark(job.name) is None


async def _stopped_at_its_timeout(name: str) -> dict[str, Any]:
    """Run job ``name`` as SAQ's worker does and stop it at its timeout: its task awaited, cancelled, and the
    ``TimeoutError`` put in the context, returned for the worker's ``after_process`` hooks (``_after_process``)."""
    import asyncio

    ctx: dict[str, Any] = {}
    task = asyncio.create_task(jobs.saq_function(jobs.registered()[name])(ctx))
    with pytest.raises(TimeoutError) as stopped:
        await asyncio.wait_for(asyncio.shield(task), 0.5)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    ctx["exception"] = stopped.value
    return ctx


async def _after_process(ctx: dict[str, Any]) -> None:
    worker = jobs.make_worker("redis://127.0.0.1:6379/15")  # built, never started: nothing connects
    for hook in worker.after_process:
        await hook(ctx)


async def test_a_run_the_worker_stops_at_its_timeout_is_recorded_as_stopped_by_time(
    db: Any, client: Any, login: Any, make_user: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As SAQ's worker does it: the job's task is awaited for its timeout, cancelled, the ``TimeoutError`` put in
    the context, and the worker's ``after_process`` hook called with it."""
    import asyncio

    job = jobs.load_jobs()["catalog-refunds"]

    async def slow(now: datetime) -> int:
        await asyncio.sleep(30)
        return 1

    monkeypatch.setitem(jobs._jobs, job.name, replace(job, run=slow))
    ctx = await _stopped_at_its_timeout(job.name)
    assert await _mark(job.name) is not None  # marked, and nothing else recorded
    await _after_process(ctx)
    after = await JobState.select().where(JobState.name == job.name).first()
    assert (after["status"], after["error"], after["running_since"]) == ("failed", jobs.TIMED_OUT, None)
    await login(client, await make_user(roles=("admin",)))
    page = (await client.get("/staff/jobs")).text
    row = next(r for r in _rows(page, "last-runs") if "catalog-refunds" in r)
    assert "Прервана по времени" in row and "Выполняется" not in row, row
    assert "Прервана по времени" in _rows(page, "failures")[0]


async def test_a_keyed_run_the_worker_stops_at_its_timeout_is_taken_again_at_the_next_tick(
    db: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The day's run of a daily job, kicked from a page, was stopped by the worker at its timeout (SAQ's 10 s for a
    job with none of its own): its key's run is failed, «timed out», and the next hourly tick, within the hour a
    scheduled run may take (``run_bound``), runs the key again, once — not only a tick past that hour."""
    import asyncio

    job = jobs.load_jobs()["ballot-snils-erasure"]
    ran: list[str] = []

    async def slow(now: datetime) -> int:
        await asyncio.sleep(30)
        return 1

    monkeypatch.setitem(jobs._jobs, job.name, replace(job, run=slow))
    ctx = await _stopped_at_its_timeout(job.name)
    await _after_process(ctx)
    _, key, started = ctx[jobs.RUN_CONTEXT]
    this_key = (JobRun.name == job.name) & (JobRun.key == key)
    row = await JobRun.select(JobRun.status, JobRun.detail).where(this_key).first()
    assert (row["status"], row["detail"]) == ("failed", jobs.TIMED_OUT)

    async def work() -> None:
        ran.append("ran")

    bound = timedelta(seconds=jobs.run_bound(job))
    next_tick = started + timedelta(minutes=20)  # the next hourly tick of the same key, as run_job asks it
    assert next_tick - started < timedelta(seconds=jobs.tick_seconds(job)) <= bound
    assert await jobs.run_once(job.name, key, work, next_tick, bound)
    assert not await jobs.run_once(job.name, key, work, next_tick + timedelta(hours=1), bound)
    assert ran == ["ran"]  # taken again at the next tick, then done: once
    assert (await JobRun.select(JobRun.status).where(this_key).first())["status"] == "done"


async def test_the_embedded_scheduler_stops_a_run_at_its_bound_as_the_worker_does(
    db: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without Redis the process's own scheduler runs the jobs one after another: a run that hangs is stopped at its
    bound, recorded «timed out» with its key's run failed (taken again at the next tick), and the other jobs go on."""
    import asyncio

    job = jobs.load_jobs()["ballot-snils-erasure"]
    after: list[str] = []

    async def hangs(now: datetime) -> int:
        await asyncio.sleep(60)
        return 1

    async def next_one(now: datetime) -> int:
        after.append("ran")
        return 0

    other = replace(job, name="outbox-delivery", key=None, run=next_one)
    monkeypatch.setattr(jobs, "_jobs", {job.name: replace(job, run=hangs), other.name: other})
    monkeypatch.setattr(jobs, "run_bound", lambda job: 0.5)
    scheduler = jobs.Scheduler(interval=0.1)
    await scheduler.start()
    try:
        async with asyncio.timeout(10):
            while not after:
                await asyncio.sleep(0.1)
    finally:
        await scheduler.stop()
    state = await JobState.select().where(JobState.name == job.name).first()
    assert (state["status"], state["error"], state["running_since"]) == ("failed", jobs.TIMED_OUT, None)
    run = await JobRun.select(JobRun.status, JobRun.detail).where(JobRun.name == job.name).first()
    assert (run["status"], run["detail"]) == ("failed", jobs.TIMED_OUT)


async def test_the_worker_leaves_a_keyed_run_another_process_restarted_since_it_stopped_its_own(db: Any) -> None:
    """Compare and set: the stopped run's key was taken again by another process (another start) or finished: the
    late «timed out» of the first run leaves that row alone."""
    started = datetime(2026, 12, 7, 6, 0, tzinfo=UTC)
    restarted = started + timedelta(minutes=2)
    await JobRun.insert(JobRun(name="payments-autopay", key="stopped-test", status="running", started_at=restarted))
    await JobRun.insert(JobRun(name="payments-autopay", key="done-test", status="done", started_at=started))
    assert not await jobs.fail_stopped_run("payments-autopay", "stopped-test", started)
    assert not await jobs.fail_stopped_run("payments-autopay", "done-test", started)
    rows = await JobRun.select(JobRun.key, JobRun.status).where(JobRun.name == "payments-autopay")
    assert {r["key"]: r["status"] for r in rows} == {"stopped-test": "running", "done-test": "done"}
    assert await jobs.fail_stopped_run("payments-autopay", "stopped-test", restarted)  # its own run: marked
    assert (await JobRun.select(JobRun.status).where(JobRun.key == "stopped-test").first())["status"] == "failed"


def test_every_job_is_named_in_words_on_the_page() -> None:
    from portal.accounts.forms import JOB_LABELS

    assert [name for name in jobs.load_jobs() if name not in JOB_LABELS] == []


@pytest.mark.parametrize(
    ("status", "minutes", "again"),
    [
        ("done", 600, False),  # done: never again for that key
        ("failed", 1, True),  # failed: the next tick tries again
        ("running", 30, False),  # still within the hour a run may take: going on
        ("running", 61, True),  # past it: its process died (a deploy, a timeout) and nobody will finish it
    ],
)
def test_a_keyed_run_is_taken_again_when_it_failed_or_died_running(status: str, minutes: int, again: bool) -> None:
    now = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
    started = now - timedelta(minutes=minutes)
    assert jobs.may_run_again(status, started, now, timedelta(hours=1)) is again


async def test_a_keyed_run_whose_process_died_running_runs_again_once(db: Any) -> None:
    """The day's run was «running» when its process went (a deploy, the worker's timeout): it stayed so, and the key
    never ran again. Past the run's bound the next tick runs it; of two ticks at once one does."""
    now = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
    await JobRun.insert(JobRun(name="payments-autopay", key="died-test", status="running", started_at=now))
    ran: list[str] = []

    async def work() -> None:
        ran.append("ran")

    assert not await jobs.run_once("payments-autopay", "died-test", work, now + timedelta(minutes=30))
    assert ran == []  # within the hour: it may still be going on
    later = now + timedelta(minutes=61)
    assert await jobs.run_once("payments-autopay", "died-test", work, later)
    assert ran == ["ran"]
    row = await JobRun.select(JobRun.status).where(JobRun.key == "died-test").first()
    assert row["status"] == "done"
    assert not await jobs.run_once("payments-autopay", "died-test", work, later)  # done now: once


@pytest.mark.parametrize(("past_bound", "again"), [(timedelta(minutes=1), True), (-timedelta(minutes=1), False)])
async def test_a_daily_run_cut_off_by_a_restart_is_taken_again_the_same_day_past_its_bound(
    db: Any, past_bound: timedelta, again: bool
) -> None:
    """The day's run of a daily job was «running» when a deploy stopped it: a tick of the same day past the time a
    run may take (an hour, not the day) runs it, takes the job's running mark the dead run left and clears it; one
    within that time leaves both to the run that may still be going on."""
    job = jobs.load_jobs()["ballot-snils-erasure"]
    assert job.every_seconds == 86400 and jobs.run_bound(job) < 86400
    morning = datetime(2026, 12, 7, 6, 0, tzinfo=UTC)  # 09:00 in Simferopol
    key = job.key(morning)
    dead = morning - timedelta(seconds=jobs.run_bound(job)) - past_bound
    assert job.key(dead) == key  # the same day
    await JobRun.insert(JobRun(name=job.name, key=key, status="running", started_at=dead))
    await jobs.record_run(job.name, key, dead)
    await JobState.update({JobState.running_since: dead}).where(JobState.name == job.name)
    ran: list[Any] = []

    async def work(now: datetime) -> int:
        ran.append(await _mark(job.name))
        return 0

    await jobs.run_job(replace(job, run=work), morning)
    row = await JobRun.select(JobRun.status).where((JobRun.name == job.name) & (JobRun.key == key)).first()
    if again:
        assert len(ran) == 1 and ran[0] is not None and ran[0] > dead  # this run's own mark
        assert row["status"] == "done" and await _mark(job.name) is None
    else:
        assert ran == [] and row["status"] == "running"
        assert await _mark(job.name) == dead
