"""The staff dashboard at scale (issue 18): p95 ≤ 300 ms on PostgreSQL with 1,000,000 accounts.

On an existing database (``--database-url``, e.g. the one ``bench/generate.py`` builds) it migrates, adds the
dashboard's part of the data where ``generate.py`` left it out (``--add-data``: ``generate.py --analytics-only``),
counts the dashboard's aggregates of the last 13 months as the scheduled job does (``aggregates.refresh``, timed
month by month), makes an administrator, starts the portal (one uvicorn worker), signs the administrator in over
HTTP and drives each dashboard page with ``wrk`` (or the asyncio loop of ``bench_http.py``): the company as a
whole, one complex, one house, and the XLSX export. One connection is the administrator opening the page; four
are four managers at once. It prints requests per second and p50/p95/p99 and keeps them in
``var/bench/dashboard.json``.

    .venv/bin/python bench/bench_dashboard.py --database-url postgresql://postgres@127.0.0.1:5432/portal_scale
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
import time
from datetime import UTC
from datetime import datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bench_http import VAR  # noqa: E402
from bench.bench_http import base_env  # noqa: E402
from bench.bench_http import check_pages  # noqa: E402
from bench.bench_http import portal  # noqa: E402
from bench.bench_http import run_wrk  # noqa: E402
from bench.bench_http import server  # noqa: E402
from bench.bench_http import sign_in  # noqa: E402

ADMIN = ("admin-bench@example.ru", "bench-admin-12345")
TARGET_P95_MS = 300.0


async def prepare(months: int) -> dict[str, Any]:
    """(In the engine's environment) the aggregates refreshed, the administrator, a complex and a house to filter."""
    from portal.accounts import consent
    from portal.accounts.passwords import hash_password
    from portal.accounts.tables import ConsentRecord
    from portal.accounts.tables import User
    from portal.accounts.tables import UserRole
    from portal.analytics import aggregates
    from portal.analytics import rules
    from portal.core import clock
    from portal.core import db
    from portal.housing.tables import House

    await db.start()
    try:
        this_month = clock.today_local().replace(day=1)
        timings = {}
        for back in range(months - 1, -1, -1):
            period = rules.add_months(this_month, -back)
            began = time.monotonic()
            houses = await aggregates.refresh(period)
            timings[rules.month_key(period)] = {"seconds": round(time.monotonic() - began, 2), "houses": houses}
        if not await User.exists().where(User.email == ADMIN[0]):
            user = User(email=ADMIN[0], full_name="Администратор Бенчмарка", password_hash=hash_password(ADMIN[1]))
            await user.save()
            await UserRole(user=user.id, role="admin").save()
            await ConsentRecord(user=user.id, text_version=consent.current_version(), channel="web").save()
        house = await House.select(House.id, House.complex).order_by(House.id).first()
        return {"refresh": timings, "house": house["id"], "complex": house["complex"]}
    finally:
        await db.stop()


PAGES = [
    ("dashboard, every house, 12 months", "/staff/analytics"),
    ("dashboard, one complex", "/staff/analytics?complex={complex}"),
    ("dashboard, one house", "/staff/analytics?house={house}"),
    ("dashboard export (XLSX)", "/staff/analytics/dashboard.xlsx"),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command")
    inner = sub.add_parser("prepare", help="(internal) refresh the aggregates and make the administrator")
    inner.add_argument("--months", type=int, default=13)
    parser.add_argument("--database-url", required=False, default="")
    parser.add_argument("--accounts", type=int, default=1000000, help="for --add-data: the accounts generated")
    parser.add_argument("--add-data", action="store_true", help="run generate.py --analytics-only first")
    parser.add_argument("--months", type=int, default=13)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", default="1,4")
    args = parser.parse_args()
    if args.command == "prepare":
        print(json.dumps(asyncio.run(prepare(args.months))))
        return
    if not args.database_url.startswith("postgres"):
        raise SystemExit("bench_dashboard.py needs --database-url of a PostgreSQL database (bench/generate.py)")
    VAR.mkdir(parents=True, exist_ok=True)
    var = VAR / "dashboard"
    var.mkdir(parents=True, exist_ok=True)
    env = {**base_env(args.database_url, var), "PORTAL_PASSWORD_HASH": "fast"}
    began = time.monotonic()
    portal(env, "migrate")
    if args.add_data:
        subprocess.run(  # noqa: S603 (our own script)
            [sys.executable, str(ROOT / "bench" / "generate.py"), "--accounts", str(args.accounts), "--analytics-only"],
            cwd=ROOT,
            env=env,
            check=True,
        )
    out = subprocess.run(  # noqa: S603
        [sys.executable, str(Path(__file__)), "prepare", "--months", str(args.months)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=7200,
    )
    if out.returncode != 0:
        raise SystemExit(f"preparing failed:\n{out.stderr}")
    data = json.loads(out.stdout.strip().splitlines()[-1])
    refresh = sum(m["seconds"] for m in data["refresh"].values())
    print(f"aggregates of {len(data['refresh'])} months refreshed in {refresh:.1f} s", flush=True)
    for month, figures in data["refresh"].items():
        print(f"  {month}: {figures['seconds']:.1f} s, {figures['houses']} houses", flush=True)
    results: dict[str, Any] = {"refresh": data["refresh"], "pages": {}}
    with server("portal.app:app", env, var / "portal.log") as url:
        cookie = asyncio.run(sign_in(url, *ADMIN))
        for name, template in PAGES:
            path = template.format(house=data["house"], complex=data["complex"])
            check_pages(url, [(cookie, path)])
            for connections in (int(c) for c in args.connections.split(",")):
                figures = run_wrk(url, [(cookie, path)], args.seconds, connections)
                results["pages"][f"{name} (c{connections})"] = figures
                verdict = "" if "xlsx" in path else (" ok" if figures["p95"] <= TARGET_P95_MS else " OVER 300 ms")
                print(
                    f"{name}, {connections} connection(s): {figures['rps']:.1f} rps, p50 {figures['p50']:.0f} ms, "
                    f"p95 {figures['p95']:.0f} ms, p99 {figures['p99']:.0f} ms, errors "
                    f"{figures['errors'] + figures.get('non200', 0)}{verdict}",
                    flush=True,
                )
    results["date"] = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    (VAR / "dashboard.json").write_text(json.dumps(results, indent=2))
    print(f"(total {time.monotonic() - began:.0f} s)")


if __name__ == "__main__":
    main()
