"""Whether another request is answered while a slow one is at its work: CPU work written on the event loop (a
document, an export) held every other request of the process until it was done.

The slow work is held at its start until ``/healthz``, asked meanwhile, has answered: work off the event loop
waits there for the answer; work on it holds the loop, so the answer cannot come, and the work goes on after
``HOLD`` seconds, noting that it held the loop. No guess of how long anything takes on a busy machine: the slow
request reaches its work when it does (it is «not called» once the request has ended without it), and
``/healthz`` is asked as a monitor asks it, without the session: a signed-in caller's is a page read from the
database (the caller, the banners), and its answer waited for the database as much as for the loop."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable
from dataclasses import dataclass
from dataclasses import field
from typing import Any

import httpx

HOLD = 20.0  # seconds: reached only by work that holds the event loop (or never calls what is held)


@dataclass
class Held:
    """``owner.name`` held at its first call until released."""

    name: str
    at_work: threading.Event = field(default_factory=threading.Event)
    released: threading.Event = field(default_factory=threading.Event)
    held_the_loop: bool = False


def held(monkeypatch: Any, owner: Any, name: str) -> Held:
    """``owner.name`` waits, at its first call, until ``/healthz`` asked meanwhile has answered (``answered``)."""
    original = getattr(owner, name)
    hold = Held(f"{getattr(owner, '__name__', owner)}.{name}")

    def waiting(*args: Any, **kwargs: Any) -> Any:
        if not hold.released.is_set():
            hold.at_work.set()
            if not hold.released.wait(HOLD):
                hold.held_the_loop = True
                hold.released.set()
        return original(*args, **kwargs)

    monkeypatch.setattr(owner, name, waiting)
    return hold


async def answered(client: Any, slow: Awaitable[httpx.Response], *holds: Held) -> tuple[httpx.Response, list[str]]:
    """The answer to ``slow``, and the held work (in the order it is done) that held the event loop: ``/healthz`` is
    asked while each piece is at its work, and the piece goes on once it is answered."""
    request = asyncio.ensure_future(slow)

    async def meanwhile() -> None:
        async with httpx.AsyncClient(transport=client._transport, base_url=client.base_url) as monitor:
            for hold in holds:
                assert await _at_work(hold, request), f"{hold.name} was not called"
                assert (await monitor.get("/healthz")).status_code == 200
                hold.released.set()

    try:
        await meanwhile()
    finally:
        for hold in holds:  # whatever happened meanwhile, the held work goes on, and its request ends in the test:
            hold.released.set()  # it runs in the test's transaction, which is rolled back once the test is over
        await asyncio.wait([request])
    return request.result(), [hold.name for hold in holds if hold.held_the_loop]


async def _at_work(hold: Held, request: asyncio.Future[Any]) -> bool:
    """Whether the request reached the held work, however long that took: False once it ended without it. Watched
    from the event loop, not from a thread of a pool the code under test shares."""
    while not hold.at_work.is_set():
        if request.done():
            return hold.at_work.is_set()
        await asyncio.sleep(0.01)
    return True
