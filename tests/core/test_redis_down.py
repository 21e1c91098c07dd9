"""Redis stopped under a running portal whose sessions live there (REDIS_URL), on a Redis of the test's own.

A signed-in resident is told in their language that the service is away for a moment and to try again in a minute
(503, Retry-After), never a 500 or a trace; a page anyone may open still opens; the log says so once a minute, not
once per request; a Redis that hangs is given up within seconds; and once Redis is back, the next request goes
through on the same running app."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import AsyncIterator
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.conftest import PortalClient
from tests.conftest import free_port
from tests.conftest import missing

PASSWORD = "redis away 1"
TRY_AGAIN = "Сервис ненадолго занят. Попробуйте ещё раз через минуту."
TRY_AGAIN_EN = "The service is busy for a moment. Please try again in a minute."


class RedisServer:
    """A redis-server of this test alone, on a port of its own, keeping nothing on disk."""

    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        command = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.send_signal(signal.SIGCONT)  # a paused server hears the terminate too
            self.process.terminate()
            self.process.wait(10)
            self.process = None

    def pause(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGSTOP)


@pytest.fixture
def redis_server() -> Iterator[RedisServer]:
    if not shutil.which("redis-server"):
        missing("redis-server", "apt-get install redis-server")
    server = RedisServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
async def resident(db: Any, make_user: Any) -> str:
    from portal.accounts.passwords import hash_password
    from portal.accounts.tables import User

    user_id = await make_user(email="redis.away@example.ru")
    await User.update({User.password_hash: hash_password(PASSWORD)}).where(User.id == user_id)
    return "redis.away@example.ru"


@pytest.fixture
async def client(redis_server: RedisServer, resident: str) -> AsyncIterator[PortalClient]:
    """A browser on the portal in production mode (sessions and limits in the test's Redis)."""
    from portal.app import create_app
    from portal.settings import Settings
    from portal.settings import get_settings
    from portal.settings import use_settings

    before = get_settings()
    app = create_app(dataclasses.replace(Settings.from_env(), redis_url=redis_server.url, run_jobs=False))
    try:
        async with PortalClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as c:
            yield c
    finally:
        await app.stores.get("sessions")._redis.aclose()
        use_settings(before)


async def _sign_in(c: PortalClient, login: str) -> None:
    answer = await c.form("/login", {"login": login, "password": PASSWORD})
    assert answer.status_code == 303 and answer.headers["location"] == "/"
    assert (await c.get("/profile")).status_code == 200


async def test_a_resident_is_told_to_try_again_in_a_minute_and_pages_for_anyone_still_open(
    client: PortalClient, redis_server: RedisServer, resident: str, caplog: pytest.LogCaptureFixture
) -> None:
    await _sign_in(client, resident)
    redis_server.stop()
    with caplog.at_level(logging.WARNING):
        pages = [await client.get(path) for path in ("/", "/profile", "/profile", "/")]
        paths = ("/login", "/privacy", "/contacts", "/no-such-page")
        anyone = {path: (await client.get(path)).status_code for path in paths}
        await client.speak("en")  # the language switch works too (a guest's choice, kept in its cookie)
        english = await client.get("/profile")
    for page in pages:
        assert page.status_code == 503 and page.headers["retry-after"] == "60"
        assert TRY_AGAIN in page.text and "Traceback" not in page.text
    assert english.status_code == 503 and TRY_AGAIN_EN in english.text
    # With the resident's session cookie, as to a guest.
    assert anyone == {"/login": 200, "/privacy": 200, "/contacts": 200, "/no-such-page": 404}
    said = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert said == ["redis unreachable on /: ConnectionError"]  # once, not once per request; no trace
    assert not any(r.exc_info for r in caplog.records)


async def test_a_hung_redis_is_given_up_within_seconds(client: PortalClient, redis_server: RedisServer, resident: str):
    await _sign_in(client, resident)
    redis_server.pause()  # it accepts connections and never answers
    started = time.monotonic()
    page = await asyncio.wait_for(client.get("/profile"), 30)  # a failure, not a hung test run
    assert page.status_code == 503 and TRY_AGAIN in page.text
    assert time.monotonic() - started < 5


async def test_once_redis_is_back_the_next_request_goes_through_on_the_running_app(
    client: PortalClient, redis_server: RedisServer, resident: str
) -> None:
    await _sign_in(client, resident)
    redis_server.stop()
    assert (await client.get("/profile")).status_code == 503
    redis_server.start()  # empty: the sessions kept in it are gone, the resident signs in again
    await _sign_in(client, resident)
    # Restarted while nobody asked: the connection the app keeps was closed under it, and is opened again at once.
    redis_server.stop()
    redis_server.start()
    await _sign_in(client, resident)


def test_the_log_says_a_part_is_away_once_a_minute_with_how_many_requests_met_it(monkeypatch, caplog):
    from redis.exceptions import ConnectionError as RedisConnectionError

    from portal.core import outages

    clock = iter([1000.0, 1010.0, 1059.0, 1061.0])
    monkeypatch.setattr(outages.time, "monotonic", lambda: next(clock))
    with caplog.at_level(logging.WARNING, logger="portal.outages"):
        for path in ("/", "/profile", "/meters", "/tickets"):
            outages.note(RedisConnectionError(), path)
    assert [r.getMessage() for r in caplog.records] == [
        "redis unreachable on /: ConnectionError",
        "redis unreachable on /tickets: ConnectionError (and 2 more since)",
    ]


@pytest.fixture
async def job_queue(monkeypatch: pytest.MonkeyPatch, redis_server: RedisServer) -> AsyncIterator[Any]:
    """This process's SAQ queue, on the test's Redis."""
    from portal.core import jobs

    monkeypatch.setattr(jobs, "_queue", None)
    queue = jobs.queue(redis_server.url)
    yield queue
    await queue.redis.aclose()  # its client alone: the Redis may be away by now


async def test_a_job_kicked_while_redis_hangs_is_given_up_within_seconds(job_queue: Any, redis_server: RedisServer):
    from redis.exceptions import TimeoutError as RedisTimeoutError

    await job_queue.connect()
    redis_server.pause()
    started = time.monotonic()
    try:
        with pytest.raises(RedisTimeoutError):
            await asyncio.wait_for(job_queue.enqueue("job_outbox_delivery", key="kick:outbox-delivery"), 15)
        assert time.monotonic() - started < 5
    finally:
        redis_server.stop()


async def test_an_idle_worker_waits_for_jobs_within_its_clients_timeout(job_queue: Any) -> None:
    """The worker's blocking wait for the next job ends before its client would give up on the answer."""
    from portal.core import jobs

    worker = jobs.make_worker("redis://unused")  # built on this process's queue, never started
    assert worker.queue is job_queue
    await job_queue.connect()
    for _ in range(2):  # an empty queue: nothing handed over, and no timeout
        assert await job_queue.dequeue(timeout=worker.dequeue_timeout) is None
    await job_queue.enqueue("job_outbox_delivery", key="kick:outbox-delivery")
    job = await job_queue.dequeue(timeout=worker.dequeue_timeout)
    assert job is not None and job.function == "job_outbox_delivery"


async def test_jobs_kicked_while_redis_is_away_are_logged_once_a_minute(
    job_queue: Any, redis_server: RedisServer, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from types import SimpleNamespace

    from portal import settings
    from portal.core import jobs

    jobs.load_jobs()
    monkeypatch.setattr(settings, "get_settings", lambda: SimpleNamespace(redis_url=redis_server.url, run_jobs=False))
    redis_server.stop()
    with caplog.at_level(logging.WARNING):
        for _ in range(3):
            jobs.kick("outbox-delivery")
            await asyncio.gather(*jobs._pending)
    said = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert said == ["redis unreachable on job outbox-delivery: ConnectionError, not started"]
    assert not any(r.exc_info for r in caplog.records)
