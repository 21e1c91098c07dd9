"""The sandbox gateway as a real process on a free port, and a relay that hands its webhooks to the app under test.

The gateway delivers signed webhooks over real HTTP to a small server in the test process; the relay passes the
exact bytes and headers on to the app (on the test's own event loop, inside the test's transaction) and answers
the gateway with the app's status, so the gateway's retries see what the portal answered.
"""

from __future__ import annotations

import asyncio
import contextvars
import dataclasses
import json
import os
import sys
import threading
import time
from collections.abc import AsyncIterator
from collections.abc import Iterator
from datetime import UTC
from datetime import datetime
from decimal import Decimal
from http.server import BaseHTTPRequestHandler
from http.server import HTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import _RUN
from tests.conftest import free_port
from tests.conftest import running

SECRET = "sk_test_portal"


class Relay:
    """Receives the gateway's webhooks and forwards them to the app of the current test."""

    def __init__(self) -> None:
        self.port = free_port()
        self.target: tuple[asyncio.AbstractEventLoop, contextvars.Context, Any] | None = None
        self.earlier: tuple[frozenset[str], int] = (frozenset(), 0)
        self.in_flight = 0
        self.received: list[tuple[bytes, dict[str, str], int]] = []
        relay = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length") or 0))
                headers = {k.lower(): v for k, v in self.headers.items()}
                status = relay.forward(body, headers)
                relay.received.append((body, headers, status))
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = HTTPServer(("127.0.0.1", self.port), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/payments/webhook"

    def listen_from(self, emitted: frozenset[str], since: int) -> None:
        """The test starting now hears no event the gateway had ``emitted`` before it (one released or in flight as
        the last test ended) nor one about an object made before ``since`` (a session of an earlier test expiring).

        Such an event would be served on this test's loop, in this test's transaction, while the test's own code runs
        outside the lock: the two nest savepoints in one transaction and release each other's («no such
        savepoint»), or use one asyncpg connection at once."""
        self.earlier = (emitted, since)

    def of_earlier_test(self, body: bytes) -> bool:
        emitted, since = self.earlier
        try:
            event = json.loads(body)
        except ValueError:
            return False
        created = event.get("data", {}).get("object", {}).get("created")
        return event.get("id") in emitted or (isinstance(created, int) and created < since)

    def forward(self, body: bytes, headers: dict[str, str]) -> int:
        target = self.target
        if target is None or self.of_earlier_test(body):
            return 200  # no test is listening, or not to this event: it is an earlier test's
        loop, context, app = target

        async def send() -> int:
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
                response = await c.post(
                    "/payments/webhook",
                    content=body,
                    headers={
                        "content-type": headers.get("content-type", "application/json"),
                        "stripe-signature": headers.get("stripe-signature", ""),
                    },
                )
                return response.status_code

        done: Any = __import__("concurrent.futures").futures.Future()

        def start() -> None:
            task = asyncio.ensure_future(send())

            def finish(t: asyncio.Task[int]) -> None:
                self.in_flight -= 1
                if t.exception():
                    done.set_result(500)
                else:
                    done.set_result(t.result())

            task.add_done_callback(finish)

        self.in_flight += 1
        try:
            loop.call_soon_threadsafe(start, context=context)
        except RuntimeError:
            self.in_flight -= 1
            return 200
        try:
            return done.result(timeout=30)
        except Exception:
            return 500


class Sandbox:
    def __init__(self, url: str, relay: Relay) -> None:
        self.url = url
        self.relay = relay
        self.lock = asyncio.Lock()
        self.http = httpx.Client(base_url=url, headers={"Authorization": f"Bearer {SECRET}"}, timeout=10)

    async def exclusive(self, work: Any) -> Any:
        """Run a job (reconciliation, autopay) as the app would, apart from the relayed webhooks."""
        async with self.lock:
            return await work

    def faults(self, **values: Any) -> dict[str, Any]:
        response = self.http.post("/_sandbox/faults", json=values)
        response.raise_for_status()
        return response.json()

    def reset(self) -> None:
        """A quiet gateway: the deliveries still waiting are dropped before the faults are reset, since resetting
        them releases the held ones (which would reach the next test)."""
        self.http.post("/_sandbox/webhooks/purge").raise_for_status()
        self.http.post("/_sandbox/faults/reset").raise_for_status()

    def emitted(self) -> frozenset[str]:
        """The events the gateway has delivered or meant to deliver lately (its last hundred deliveries)."""
        return frozenset(row["event_id"] for row in self.http.get("/_sandbox/deliveries").json()["data"])

    def flush(self) -> int:
        return self.http.post("/_sandbox/webhooks/flush").json()["released"]

    async def deliveries(self) -> list[dict[str, Any]]:
        async with httpx.AsyncClient(base_url=self.url, headers={"Authorization": f"Bearer {SECRET}"}) as c:
            return (await c.get("/_sandbox/deliveries")).json()["data"]

    async def settle(self, timeout: float = 15) -> list[dict[str, Any]]:
        """Wait (letting the loop run the relayed webhooks) until no delivery is due soon and none is in flight."""
        deadline = time.monotonic() + timeout
        while True:
            rows = await self.deliveries()
            soon = time.time() + 2
            busy = [r for r in rows if r["state"] == "pending" and not r["held"] and r["next_at"] < soon]
            if not busy and self.relay.in_flight == 0:
                return rows
            if time.monotonic() > deadline:
                raise AssertionError(f"webhooks did not settle: {busy}")
            await asyncio.sleep(0.05)

    async def pay(self, url: str, number: str, expiry: str = "12/34", cvc: str = "123") -> httpx.Response:
        """Fill in the hosted page as a payer would (over real HTTP)."""
        async with httpx.AsyncClient() as c:
            return await c.post(url, data={"number": number, "expiry": expiry, "cvc": cvc})

    async def post(self, path: str, data: dict[str, str]) -> httpx.Response:
        async with httpx.AsyncClient(base_url=self.url) as c:
            return await c.post(path, data=data)


@pytest.fixture(scope="session")
def sandbox() -> Iterator[Sandbox]:
    """The sandbox gateway as its own process on a free port (its own SQLite file), webhooks to the relay."""
    relay = Relay()
    port = free_port()
    # A folder of its own: another conftest importing this fixture starts a second sandbox in the same run, and two
    # gateways on one SQLite file would deliver each other's webhooks (to a relay no test listens on).
    folder = Path(_RUN) / f"sandbox-{port}"
    folder.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "SANDBOX_GATEWAY_PORT": str(port),
        "SANDBOX_DB": str(folder / "gateway.sqlite"),
        "SANDBOX_WEBHOOK_URL": relay.url,
        "SANDBOX_RETRY_SCALE": "0.001",
    }
    url = f"http://127.0.0.1:{port}"
    try:
        with running([sys.executable, "-m", "portal.sandbox_gateway"], env, folder / "gateway.log", f"{url}/healthz"):
            yield Sandbox(url, relay)
    finally:
        relay.server.shutdown()


@pytest.fixture
async def gateway(sandbox: Sandbox, app: Any, db: Any, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Sandbox]:
    """The sandbox, wired to this test: the app's settings point at it and its webhooks reach this test's app.

    The test's requests and the relayed webhooks share one database transaction (the test's), so they are
    served one at a time, as separate connections would keep them apart in production.
    """
    from portal.payments.gateway import GatewayClient
    from portal.payments.gateway import use_client
    from portal.settings import get_settings
    from portal.settings import use_settings

    lock = asyncio.Lock()
    original = httpx.ASGITransport.handle_async_request

    async def one_at_a_time(self: httpx.ASGITransport, request: httpx.Request) -> httpx.Response:
        async with lock:
            response = await original(self, request)
            await response.aread()
            return response

    monkeypatch.setattr(httpx.ASGITransport, "handle_async_request", one_at_a_time)
    sandbox.lock = lock

    since = int(time.time())
    sandbox.reset()
    sandbox.relay.listen_from(sandbox.emitted(), since)
    before = get_settings()
    use_settings(dataclasses.replace(before, payment_gateway_url=sandbox.url, base_url="http://testserver"))
    use_client(GatewayClient(sandbox.url, SECRET, timeout=5, backoff=0.05))
    sandbox.relay.target = (asyncio.get_running_loop(), contextvars.copy_context(), app)
    try:
        yield sandbox
    finally:
        # Let deliveries already on their way finish inside this test's transaction.
        sandbox.relay.target = None
        deadline = time.monotonic() + 5
        while sandbox.relay.in_flight and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        use_client(None)
        use_settings(before)
        sandbox.reset()


@pytest.fixture
async def household(db: Any, make_user: Any) -> dict[str, Any]:
    """Two accounts in one house with a debt, their owner (a resident) and an accountant."""
    from portal.billing.ledger import EntryKind
    from portal.billing.ledger import post_entry
    from portal.housing.tables import Complex
    from portal.housing.tables import House
    from portal.housing.tables import PersonalAccount
    from portal.housing.tables import Premise

    tag = os.urandom(3).hex()
    complex_ = await Complex.insert(Complex(name=f"ЖК Тест {tag}")).returning(Complex.id)
    house = await House.insert(House(complex=complex_[0]["id"], address=f"ул. Тестовая, {tag}")).returning(House.id)
    house_id = house[0]["id"]
    accounts = []
    for n in (1, 2):
        premise = await Premise.insert(Premise(house=house_id, number=str(n), area=Decimal("50.00"))).returning(
            Premise.id
        )
        account = await PersonalAccount.insert(
            PersonalAccount(number=f"9{tag}{n}"[:20], premise=premise[0]["id"], payer_name="Иванов И. И.")
        ).returning(PersonalAccount.id)
        accounts.append(account[0]["id"])
    now = datetime.now(UTC)
    await post_entry(accounts[0], EntryKind.CHARGE, 354000, now, reference=f"test-charge-{tag}-1")
    await post_entry(accounts[1], EntryKind.CHARGE, 120050, now, reference=f"test-charge-{tag}-2")
    resident = await make_user(name="Иванов Иван", accounts={a: "owner" for a in accounts})
    accountant = await make_user(name="Бухгалтер", roles=("accountant",), houses=(house_id,))
    return {
        "house": house_id,
        "accounts": accounts,
        "resident": resident,
        "accountant": accountant,
    }
