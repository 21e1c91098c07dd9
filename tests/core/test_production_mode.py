"""Production mode: two app processes and a worker on one PostgreSQL and one Redis.

A resident signs in on one process and is recognised by the other (sessions in Redis); a dispatcher answers
the resident's request on one process and the resident's open page, polling the other, shows it (the
database is the only state); the e-mail about it is sent by the worker (SAQ on Redis) through a real SMTP
server, exactly once, while the app processes run no jobs.
"""

from __future__ import annotations

import asyncio
import os
import sys
import time
from contextlib import ExitStack
from typing import Any

import httpx
import pytest

from tests.conftest import _RUN
from tests.conftest import POSTGRES_URL
from tests.conftest import _drop_postgres_database
from tests.conftest import _migrate
from tests.conftest import free_port
from tests.conftest import missing
from tests.conftest import running
from tests.conftest import smtp_inbox

REDIS_URL = os.environ.get("TEST_REDIS_URL", "")
PASSWORD = "prod-mode-12345"


def _redis_reachable(url: str) -> bool:
    if not url:
        return False
    import redis

    try:
        redis.Redis.from_url(url, socket_timeout=2).ping()
    except Exception:
        return False
    return True


def _clear_queue(url: str) -> None:
    import redis

    client = redis.Redis.from_url(url)
    for key in client.scan_iter("saq:portal*"):
        client.delete(key)


async def _prepare(url: str) -> dict[str, Any]:
    """A house with an account, its resident, a dispatcher of the house and the resident's open request."""
    from portal.accounts import consent
    from portal.accounts.passwords import hash_password
    from portal.accounts.tables import ConsentRecord
    from portal.accounts.tables import Residency
    from portal.accounts.tables import StaffHouse
    from portal.accounts.tables import User
    from portal.accounts.tables import UserRole
    from portal.core import clock
    from portal.core import db
    from portal.housing.tables import Complex
    from portal.housing.tables import Entrance
    from portal.housing.tables import House
    from portal.housing.tables import PersonalAccount
    from portal.housing.tables import Premise
    from portal.tickets.actions import open_ticket

    previous = db.get_engine()
    engine = db.make_engine(url)
    db.use_engine(engine)
    await db.start(engine)
    try:
        complex_ = Complex(name="ЖК Прод", city="Симферополь")
        await complex_.save()
        house = House(complex=complex_.id, address="г. Симферополь, ул. Рабочая, д. 2", floors=5)
        await house.save()
        entrance = Entrance(house=house.id, number=1, floors=5)
        await entrance.save()
        premise = Premise(house=house.id, entrance=entrance.id, kind="flat", number="7", floor=2)
        await premise.save()
        account = PersonalAccount(number="5500000007", premise=premise.id, payer_name="Жильцова Анна")
        await account.save()
        password_hash = hash_password(PASSWORD)
        people = {}
        for who, email in (("resident", "anna@example.ru"), ("dispatcher", "disp@example.ru")):
            user = User(email=email, full_name=f"{who.title()} Тестовый", password_hash=password_hash)
            await user.save()
            await ConsentRecord(user=user.id, text_version=consent.current_version(), channel="web").save()
            people[who] = {"id": user.id, "email": email}
        await Residency(user=people["resident"]["id"], account=account.id, role="owner", rights=[]).save()
        await UserRole(user=people["dispatcher"]["id"], role="dispatcher").save()
        await StaffHouse(user=people["dispatcher"]["id"], house=house.id).save()
        opened = await open_ticket(
            category="garbage_chute",
            description="Засор мусоропровода на втором этаже",
            account_id=account.id,
            author_id=people["resident"]["id"],
            author_name="Жильцова Анна",
            now=clock.now(),
        )
        return {**people, "ticket": opened.id}
    finally:
        await db.stop(engine)
        db.use_engine(previous)


def _sign_in(url: str, email: str) -> httpx.Client:
    client = httpx.Client(base_url=url, timeout=30)
    client.get("/login")
    response = client.post(
        "/login", data={"login": email, "password": PASSWORD, "_csrf_token": client.cookies["csrftoken"]}
    )
    assert response.status_code == 303, response.text[:500]
    return client


async def _outbox(url: str, recipient: str) -> list[dict[str, Any]]:
    import asyncpg

    conn = await asyncpg.connect(url)
    try:
        rows = await conn.fetch(
            "SELECT status, attempts, channel FROM outbox_message WHERE recipient = $1 AND channel = 'email'", recipient
        )
        return [dict(r) for r in rows]
    finally:
        await conn.close()


async def test_two_app_processes_and_a_worker_share_sessions_pages_and_the_outbox() -> None:
    if not POSTGRES_URL:
        missing("PostgreSQL", "set TEST_POSTGRES_URL=postgresql://postgres@127.0.0.1:5432/portal_test")
    if not _redis_reachable(REDIS_URL):
        missing("Redis", "install redis-server, start it and set TEST_REDIS_URL=redis://127.0.0.1:6379/15")
    # A database of its own (not the suite's test database, which the other tests share).
    database = POSTGRES_URL.rsplit("/", 1)[0] + f"/portal_prod_{os.getpid()}"
    if not await asyncio.to_thread(_create_database, database):
        missing("PostgreSQL", "start it (pg_ctlcluster 15 main start)")
    try:
        await asyncio.to_thread(_migrate, database)
        data = await _prepare(database)
        _clear_queue(REDIS_URL)
        await asyncio.to_thread(_run_processes, database, data)
        rows = await _outbox(database, data["resident"]["email"])
        assert [r["status"] for r in rows] == ["sent"], rows
    finally:
        _clear_queue(REDIS_URL)
        await asyncio.to_thread(_drop_postgres_database, POSTGRES_URL, database)


def _create_database(url: str) -> bool:
    import asyncpg

    async def create() -> bool:
        try:
            conn = await asyncpg.connect(POSTGRES_URL, timeout=3)
        except Exception:
            return False
        name = url.rsplit("/", 1)[1]
        try:
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            await conn.execute(f'CREATE DATABASE "{name}"')
        finally:
            await conn.close()
        return True

    return asyncio.run(create())


def _run_processes(database: str, data: dict[str, Any]) -> None:
    folder = _RUN / "production"
    folder.mkdir(parents=True, exist_ok=True)
    with ExitStack() as stack:
        inbox = stack.enter_context(smtp_inbox())
        env = {
            **os.environ,
            "DATABASE_URL": database,
            "REDIS_URL": REDIS_URL,
            "PORTAL_VAR_DIR": str(folder),
            "SMTP_HOST": inbox.host,
            "SMTP_PORT": str(inbox.port),
            "PAYMENT_GATEWAY_URL": f"http://127.0.0.1:{free_port()}",
        }
        env.pop("PORTAL_RUN_JOBS", None)  # the default of production: app processes run no jobs
        apps = []
        for name in ("a", "b"):
            port = free_port()
            url = f"http://127.0.0.1:{port}"
            command = [sys.executable, "-m", "uvicorn", "portal.app:app", "--host", "127.0.0.1", "--port", str(port)]
            stack.enter_context(running(command, env, folder / f"app-{name}.log", f"{url}/healthz"))
            apps.append(url)
        worker_log = folder / "worker.log"
        worker = stack.enter_context(
            _worker([sys.executable, "-m", "portal", "worker", "--concurrency", "2"], env, worker_log)
        )
        a, b = apps

        # A session made on one process is the same session on the other.
        resident = _sign_in(a, data["resident"]["email"])
        on_b = httpx.Client(base_url=b, timeout=30, cookies={"session": resident.cookies["session"]})
        page = on_b.get(f"/tickets/{data['ticket']}")
        assert page.status_code == 200, page.status_code
        assert "Засор мусоропровода" in page.text

        # The dispatcher answers on B; the resident's page polls A and shows it.
        dispatcher = _sign_in(b, data["dispatcher"]["email"])
        answer = "Бригада будет сегодня до 18:00"
        response = dispatcher.post(
            f"/staff/tickets/{data['ticket']}/messages",
            files={"text": (None, answer), "_csrf_token": (None, dispatcher.cookies["csrftoken"])},
        )
        assert response.status_code == 303, response.text[:500]
        poll = resident.get(f"/tickets/{data['ticket']}?part=conversation", headers={"HX-Request": "true"})
        assert poll.status_code == 200 and answer in poll.text

        # The worker sends the e-mail about it, once, however many ticks pass.
        inbox.wait_for(data["resident"]["email"], seconds=60)
        time.sleep(8)
        sent = [m for m in inbox.messages if data["resident"]["email"] in m.rcpt_tos]
        assert len(sent) == 1, [m.content[:200] for m in sent]
        assert worker.poll() is None, worker_log.read_text()[-2000:]
        for name in ("a", "b"):
            log = (folder / f"app-{name}.log").read_text()
            assert "outbox" not in log.lower() or "error" not in log.lower(), log[-2000:]


class _worker:
    """``portal worker`` running until the block ends, its output in ``log``."""

    def __init__(self, command: list[str], env: dict[str, str], log: Any) -> None:
        self.command, self.env, self.log = command, env, log

    def __enter__(self) -> Any:
        import subprocess

        from tests.conftest import ROOT

        self.out = self.log.open("wb")
        self.process = subprocess.Popen(self.command, cwd=ROOT, env=self.env, stdout=self.out, stderr=subprocess.STDOUT)
        time.sleep(1)
        if self.process.poll() is not None:
            pytest.fail(f"portal worker exited: {self.log.read_text()}")
        return self.process

    def __exit__(self, *exc: Any) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except Exception:
            self.process.kill()
        self.out.close()
