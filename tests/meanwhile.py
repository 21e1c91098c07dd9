"""Whether another request is answered while a slow one is at its work: CPU work written on the event loop (a
document, an export) held every other request of the process until it was done.

The slow work is held at its start until ``/healthz``, asked meanwhile, has answered: work off the event loop
waits there for the answer; work on it holds the loop, so the answer cannot come, and the work goes on after
``HOLD`` seconds, noting that it held the loop. No guess of how long anything takes on a busy machine."""

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

    async def meanwhile() -> None:
        for hold in holds:
            assert await asyncio.to_thread(hold.at_work.wait, HOLD), f"{hold.name} was not called"
            assert (await client.get("/healthz")).status_code == 200
            hold.released.set()

    request = asyncio.ensure_future(slow)
    try:
        await meanwhile()
    finally:
        for hold in holds:  # whatever happened meanwhile, the held work goes on, and its request ends in the test:
            hold.released.set()  # it runs in the test's transaction, which is rolled back once the test is over
        await asyncio.wait([request])
    return request.result(), [hold.name for hold in holds if hold.held_the_loop]
