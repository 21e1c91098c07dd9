"""A document's bytes — a PDF, a spreadsheet, a CSV, a JSON of personal data — written on a worker thread.

Writing one takes CPU (a meeting's protocol, a receipt, a month's readings as an XLSX: a second or more on a big
house). Written on the event loop, it held every other request of the process, anybody's page as much as
``/healthz``, until it was done. A process writes at most ``DOCUMENT_WORKERS`` at once, on threads of their own:
the documents asked for beyond those wait in their queue, not on the threads the rest of the portal's work off
the loop runs on (files saved, pushes sent)."""

from __future__ import annotations

import asyncio
import contextvars
import functools
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from typing import TypeVar

DOCUMENT_WORKERS = 2
_writers = ThreadPoolExecutor(max_workers=DOCUMENT_WORKERS, thread_name_prefix="document")
T = TypeVar("T")


async def written(make: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """``make(*args, **kwargs)`` on a document writer's thread, in the caller's language (the context goes with
    it)."""
    call = functools.partial(contextvars.copy_context().run, make, *args, **kwargs)
    return await asyncio.get_running_loop().run_in_executor(_writers, call)
