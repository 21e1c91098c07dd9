"""The meters' XLSX export for billing at full size, over HTTP, with the server's peak memory.

    .venv/bin/python bench/meters_export.py --database-url postgresql://postgres@127.0.0.1:5432/portal_scale

On a database ``bench/generate.py`` built. It starts the portal (one uvicorn worker, jobs in-process as without
Redis), signs in as ``admin@demo.ru`` (every house) and presses «Выгрузить XLSX» for the newest month: the time
until the page answers, until the page offers the file (the job's total), the download, and the server process's
resident memory before and at its peak (``VmHWM``). Results: ``bench/RESULTS.md`` ("The meters' XLSX export").
"""

from __future__ import annotations

import argparse
import asyncio
import re
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.bench_http import base_env
from bench.bench_http import server

PASSWORD = "demo12345"  # noqa: S105 (the demo's)


def memory(port: str) -> dict[str, int]:
    """VmRSS and VmHWM (KB) of the uvicorn process serving ``port``."""
    for status in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            command = status.read_bytes().split(b"\0")
        except OSError:
            continue
        if b"uvicorn" in command and port.encode() in command:
            lines = (status.parent / "status").read_text().splitlines()
            return {k: int(v.split()[0]) for k, v in (line.split(":", 1) for line in lines) if k in ("VmRSS", "VmHWM")}
    return {}


async def measure(url: str, month: str) -> None:
    port = url.rsplit(":", 1)[1]
    async with httpx.AsyncClient(base_url=url, timeout=900) as client:
        await client.get("/login")
        form = {"login": "admin@demo.ru", "password": PASSWORD, "_csrf_token": client.cookies["csrftoken"]}
        assert (await client.post("/login", data=form)).status_code in (200, 302, 303)
        await client.get(f"/staff/meters?period={month}")  # a first page: the process's imports, its pool
        print(f"before: {memory(port)}", flush=True)
        started = time.monotonic()
        answer = await client.post(
            "/staff/meters/export.xlsx", data={"period": month, "_csrf_token": client.cookies["csrftoken"]}
        )
        print(f"the page answers: {time.monotonic() - started:.2f} s (status {answer.status_code})", flush=True)
        page = answer.headers["location"]
        while True:
            text = (await client.get(page)).text
            if 'data-export="running"' not in text:
                break
            await asyncio.sleep(0.5)
        print(f"the file is offered: {time.monotonic() - started:.2f} s", flush=True)
        link = re.search(r'href="([^"]+/file)"', text)
        assert link, text[-2000:]
        got = time.monotonic()
        file = await client.get(link.group(1))
        print(f"download: {time.monotonic() - got:.2f} s, {len(file.content)} bytes, {file.status_code}")
        print(f"after: {memory(port)}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--month", default="", help="YYYY-MM (default: this month, the last generate.py builds)")
    args = parser.parse_args()
    month = args.month or time.strftime("%Y-%m")
    with tempfile.TemporaryDirectory() as var:
        env = {**base_env(args.database_url, Path(var)), "PORTAL_RUN_JOBS": "1"}
        with server("portal.app:app", env, Path(var) / "portal.log") as url:
            asyncio.run(measure(url, month))


if __name__ == "__main__":
    main()
