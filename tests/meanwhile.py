"""What another request waits while a slow one is answered: CPU work written on the event loop (a document, an
export) held every other request of the process until it was done."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable
from typing import Any

import httpx

STARTED = 0.3  # by then the slow request is at its work


async def health_waits(client: Any, slow: Awaitable[httpx.Response]) -> tuple[httpx.Response, float]:
    """The answer to ``slow``, and how long ``/healthz``, asked meanwhile, waited for it (beyond its own time)."""

    async def meanwhile() -> float:
        started = time.monotonic()
        await asyncio.sleep(STARTED)
        assert (await client.get("/healthz")).status_code == 200
        return time.monotonic() - started - STARTED

    answer, waited = await asyncio.gather(slow, meanwhile())
    return answer, waited


def slowed(monkeypatch: Any, owner: Any, name: str, seconds: float) -> None:
    """``owner.name`` takes ``seconds`` more each call: the CPU a big document or export takes."""
    original = getattr(owner, name)

    def slow(*args: Any, **kwargs: Any) -> Any:
        time.sleep(seconds)
        return original(*args, **kwargs)

    monkeypatch.setattr(owner, name, slow)
