"""Month end at full size: each long staff operation timed over HTTP, signed in as the administrator.

    .venv/bin/python bench/month_end.py --database-url postgresql://postgres@127.0.0.1:5432/portal_scale

On a database ``bench/generate.py`` built (its last month has charges and balances). It starts the portal (one
uvicorn worker, jobs run in-process as without Redis), signs in as ``admin@demo.ru`` and times: issuing the last
month's receipts for every house (the request, and when it is a job, the time until its page says it is done),
the debtors' CSV and XLSX and the meters' CSV for billing (its XLSX, a job: ``bench/meters_export.py``). Results:
``bench/RESULTS.md`` ("Month end").
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


async def measure(url: str, month: str) -> None:
    async with httpx.AsyncClient(base_url=url, timeout=900) as client:
        await client.get("/login")
        token = client.cookies["csrftoken"]
        form = {"login": "admin@demo.ru", "password": PASSWORD, "_csrf_token": token}
        signed = await client.post("/login", data=form)
        assert signed.status_code in (200, 302, 303), signed.status_code

        token = client.cookies["csrftoken"]
        started = time.monotonic()
        answer = await client.post("/staff/billing/receipts", data={"period": month, "house": "", "_csrf_token": token})
        request_s = time.monotonic() - started
        print(f"issue receipts: request {request_s:.2f} s (status {answer.status_code})", flush=True)
        page = answer.headers.get("location") or "/staff/billing/receipts"
        while True:
            text = (await client.get(page)).text
            if 'data-issue="running"' not in text:
                break
            await asyncio.sleep(1)
        found = re.search(r'data-issue="done"[^>]*>(.*?)</', text, re.S)
        said = found.group(1).strip() if found else ""
        print(f"issue receipts: done after {time.monotonic() - started:.2f} s {said}")

        for path in (
            f"/staff/billing/debtors.csv?period={month}",
            f"/staff/billing/debtors.xlsx?period={month}",
            f"/staff/meters/export.csv?period={month}",
        ):  # the meters' XLSX is a job of its own: bench/meters_export.py
            started = time.monotonic()
            response = await client.get(path)
            print(f"{path}: {time.monotonic() - started:.2f} s, {len(response.content)} bytes, {response.status_code}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--month", default="", help="YYYY-MM (default: this month, the last generate.py builds)")
    args = parser.parse_args()
    month = args.month or time.strftime("%Y-%m")
    with tempfile.TemporaryDirectory() as var:
        env = {**base_env(args.database_url, Path(var)), "PORTAL_RUN_JOBS": "1"}
        with server("bench.timed_app:app", env, Path(var) / "portal.log") as url:
            asyncio.run(measure(url, month))


if __name__ == "__main__":
    main()
