"""The schedule of a job as the workers' cron sees it."""

import asyncio
from types import SimpleNamespace

from croniter import croniter

from portal import settings
from portal.core import jobs
from portal.core.jobs import cron_of


def test_every_job_interval_becomes_a_valid_cron() -> None:
    assert cron_of(5) == "* * * * * */5"
    assert cron_of(300) == "*/5 * * * *"
    assert cron_of(3600) == "0 */1 * * *"
    assert cron_of(86400) == "0 0 * * *"
    for seconds in (1, 5, 59, 60, 300, 3599, 3600, 7200, 86400):
        assert croniter.is_valid(cron_of(seconds)), seconds


def test_a_long_job_has_its_own_time_on_the_worker() -> None:
    worker = jobs.make_worker("redis://127.0.0.1:6379/15")  # built, never started: nothing connects
    timeouts = {c.function.__qualname__: c.timeout for c in worker.cron_jobs}
    assert timeouts["job_receipts_issue"] >= 3600 and timeouts["job_outbox_delivery"] == 60


async def test_a_long_job_kicked_from_a_page_is_not_stopped_after_saqs_ten_seconds(monkeypatch) -> None:
    enqueued: list[dict] = []

    class Queue:
        async def enqueue(self, name: str, **kwargs) -> None:
            enqueued.append({"name": name, **kwargs})

    jobs.load_jobs()
    monkeypatch.setattr(settings, "get_settings", lambda: SimpleNamespace(redis_url="redis://queue", run_jobs=False))
    monkeypatch.setattr(jobs, "queue", lambda url: Queue())
    jobs.kick("receipts-issue")
    jobs.kick("outbox-delivery")
    await asyncio.gather(*jobs._pending)
    assert enqueued == [
        {"name": "job_receipts_issue", "key": "kick:receipts-issue", "timeout": 3600},
        {"name": "job_outbox_delivery", "key": "kick:outbox-delivery"},  # SAQ's own 10 s
    ]


def test_a_run_may_take_its_own_timeout_else_its_interval_within_a_minute_and_an_hour() -> None:
    every = jobs.load_jobs()
    assert jobs.run_bound(every["outbox-delivery"]) == 60  # every 5 s: a minute
    assert jobs.run_bound(every["visits-reminders"]) == 900  # every 15 min
    assert jobs.run_bound(every["receipts-issue"]) == 3600  # its own timeout
    assert jobs.run_bound(every["ballot-snils-erasure"]) == 3600  # daily: an hour, not the day
    assert jobs.run_bound(every["orphan-files"]) == 3600  # daily with its own hour


def test_the_worker_stops_a_scheduled_run_at_the_bound_a_keyed_run_is_taken_again_after() -> None:
    """Never a run taken again (or its running mark) while the worker may still be running it, and the jobs' page
    asks «Зависла?» only of a run past that time."""
    from datetime import timedelta

    from portal.accounts.rules import expected_run

    worker = jobs.make_worker("redis://127.0.0.1:6379/15")  # built, never started: nothing connects
    timeouts = {c.function.__qualname__: c.timeout for c in worker.cron_jobs}
    for name, job in jobs.registered().items():
        assert timeouts[jobs.saq_function(job).__qualname__] == jobs.run_bound(job), name
        assert expected_run(job.every_seconds, job.timeout) >= timedelta(seconds=jobs.run_bound(job)), name


def test_a_keyed_job_is_ticked_at_least_hourly_so_its_key_is_asked_again_the_same_day() -> None:
    worker = jobs.make_worker("redis://127.0.0.1:6379/15")
    crons = {c.function.__qualname__: c.cron for c in worker.cron_jobs}
    assert crons["job_ballot_snils_erasure"] == "0 */1 * * *"  # daily key, hourly ticks
    assert crons["job_billing.penalties"] == "0 */1 * * *"  # monthly key
    assert crons["job_outbox_delivery"] == "* * * * * */5"  # no key: its own interval
    every = jobs.registered()
    assert jobs.tick_seconds(every["ballot-snils-erasure"]) == 3600
    assert jobs.tick_seconds(every["catalog-refunds"]) == 600
