"""The portal with a clock around every request, for the HTTP benchmark's server-time figures.

``bench/bench_http.py`` starts this module's ``app`` (one uvicorn worker) instead of ``portal.app:app``. Each
request's server time — from the moment the application is called until its last body chunk is sent — is
kept; ``GET /__bench/times`` (this wrapper only, never the product) answers them in milliseconds and forgets
them, with how many requests are being served (the benchmark waits for none before it times a page alone).
Measured with one connection at a time, this is the page's own time, without any queue in front of it.
"""

from __future__ import annotations

import json
import time
from typing import Any

from portal.app import app as portal_app

TIMES: list[float] = []
INFLIGHT = [0]  # requests being served now


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] != "http":
        await portal_app(scope, receive, send)
        return
    if scope["path"] == "/__bench/times":
        body = json.dumps({"times": TIMES, "inflight": INFLIGHT[0]}).encode()
        TIMES.clear()
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"application/json")]})
        await send({"type": "http.response.body", "body": body})
        return
    began = time.perf_counter()
    INFLIGHT[0] += 1
    try:
        await portal_app(scope, receive, send)
    finally:
        INFLIGHT[0] -= 1
    TIMES.append((time.perf_counter() - began) * 1000)
