"""Documents are written on threads of their own, two at a time: a burst of them waits in its own queue, not on
the threads every other piece of work off the event loop runs on (a file saved, a push sent)."""

from __future__ import annotations

import asyncio
import time

from portal.core.i18n import get_locale
from portal.core.i18n import set_locale
from portal.core.threads import written


async def test_a_burst_of_documents_leaves_the_common_worker_threads_free() -> None:
    burst = [asyncio.ensure_future(written(time.sleep, 0.2)) for _ in range(40)]  # more than any default pool
    await asyncio.sleep(0.05)
    started = time.monotonic()
    await asyncio.wait_for(asyncio.to_thread(lambda: None), timeout=5)
    waited = time.monotonic() - started
    for document in burst:
        document.cancel()
    await asyncio.gather(*burst, return_exceptions=True)
    assert waited < 0.15, f"a file saved off the loop waited {waited:.2f} s for the documents"


async def test_a_document_is_written_in_the_language_of_the_request() -> None:
    set_locale("en")
    assert await written(get_locale) == "en"
    set_locale("ru")
    assert await written(get_locale) == "ru"
