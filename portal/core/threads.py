"""A document's bytes — a PDF, a spreadsheet, a CSV, a JSON of personal data — written on a worker thread.

Writing one takes CPU (a meeting's protocol, a receipt, a month's readings as an XLSX: a second or more on a big
house). Written on the event loop, it held every other request of the process, anybody's page as much as
``/healthz``, until it was done. A process writes at most ``DOCUMENT_WORKERS`` at once."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from typing import Any
from typing import TypeVar

DOCUMENT_WORKERS = 2
_writing = threading.BoundedSemaphore(DOCUMENT_WORKERS)
T = TypeVar("T")


async def written(make: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """``make(*args, **kwargs)`` on a worker thread, in the caller's language (the context goes with it)."""

    def write() -> T:
        with _writing:  # waits in the worker thread, never on the event loop
            return make(*args, **kwargs)

    return await asyncio.to_thread(write)
