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
