"""Documents are written on threads of their own, two at a time: a burst of them waits in its own queue, not on
the threads every other piece of work off the event loop runs on (a file saved, a push sent)."""

from __future__ import annotations

import asyncio
import threading

from portal.core.i18n import get_locale
from portal.core.i18n import set_locale
from portal.core.threads import written


async def test_a_burst_of_documents_leaves_the_common_worker_threads_free() -> None:
    """Forty documents at their work (held until the end, more than any default pool has threads): a file saved
    off the loop meanwhile is not queued behind them. Sharing the common threads, it would wait for them all."""
    working = threading.Event()
    burst = [asyncio.ensure_future(written(working.wait, 30)) for _ in range(40)]
    await asyncio.sleep(0)  # every document of the burst is handed to its threads first
    try:
        await asyncio.wait_for(asyncio.to_thread(lambda: None), timeout=10)
    finally:
        working.set()
        await asyncio.gather(*burst)


async def test_a_document_is_written_in_the_language_of_the_request() -> None:
    set_locale("en")
    assert await written(get_locale) == "en"
    set_locale("ru")
    assert await written(get_locale) == "ru"
