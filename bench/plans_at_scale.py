"""The plans of every query of the resident pages and the staff request list on a database at scale.

Opens each page in-process (``httpx`` over ASGI, on this process's event loop) as residents of accounts
chosen at random and as the generator's dispatcher and administrator, captures every query the page sends
(``tests/querylog.py``, as the plan tests do) and runs ``EXPLAIN (ANALYZE, BUFFERS)`` on each SELECT. It prints,
per page, the number of queries, their summed and largest execution time, and every step that reads a growing
table of more than 10,000 rows sequentially; the plans themselves go to ``var/bench/plans-<database>.txt``.
PostgreSQL only.

    .venv/bin/python bench/plans_at_scale.py --database-url postgresql://postgres@127.0.0.1:5432/portal_scale
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
GROWING = [
    "personal_account", "premise", "ownership", "owner", "residency", "portal_user", "charge", "ledger_entry",
    "balance", "receipt", "receipt_section", "penalty_accrual", "payment", "meter", "meter_reading", "ticket",
    "ticket_event", "ticket_attachment", "outbox_message", "consent_record",
]  # fmt: skip
LARGE = 10_000  # rows
RESIDENT_PAGES = [
    "/", "/accounts/{account}", "/accounts/{account}/receipts/{period}", "/accounts/{account}/people", "/tickets",
    "/tickets/new", "/tickets/{ticket}", "/meters", "/pay", "/payments", "/autopay", "/more", "/profile",
    "/meetings", "/news",
]  # fmt: skip


async def sign_in(client: Any, login: str, password: str) -> None:
    await client.get("/login")
    response = await client.post(
        "/login", data={"login": login, "password": password, "_csrf_token": client.cookies["csrftoken"]}
    )
    if response.status_code != 303:
        raise SystemExit(f"sign-in of {login} failed: {response.status_code}")


async def explain(engine: Any, url: str, client: Any, out: list[str], large: set[str]) -> dict[str, Any]:
    from piccolo.querystring import QueryString

    from tests.querylog import captured

    await client.get(url)  # warm: the principal, the caches
    with captured(engine) as seen:
        response = await client.get(url)
    if response.status_code != 200:
        raise SystemExit(f"{url} answered {response.status_code}")
    cpu: list[float] = []
    wall: list[float] = []
    for _ in range(3):  # this process's CPU for the page (the portal's part of the server time) and the wall time
        began, began_cpu = time.perf_counter(), time.process_time()
        await client.get(url)
        wall.append((time.perf_counter() - began) * 1000)
        cpu.append((time.process_time() - began_cpu) * 1000)
    total, largest, scans, count = 0.0, 0.0, [], 0
    for query in seen:
        text = str(query)
        if not text.lstrip().upper().startswith(("SELECT", "WITH")):
            continue
        count += 1
        rows = await engine.run_querystring(QueryString("EXPLAIN (ANALYZE, BUFFERS) {}", query))
        plan = "\n".join(row["QUERY PLAN"] for row in rows)
        took = float(re.search(r"Execution Time: ([\d.]+) ms", plan).group(1))
        planning = float(re.search(r"Planning Time: ([\d.]+) ms", plan).group(1))
        total += took + planning
        largest = max(largest, took + planning)
        out.append(f"--- {url}: {took:.2f} ms (+ planning {planning:.2f} ms)\n{text}\n{plan}\n")
        for table in large:
            scans += [f"{table}: {line.strip()}" for line in plan.splitlines() if f"Seq Scan on {table} " in line]
    return {
        "queries": count,
        "total": total,
        "largest": largest,
        "scans": scans,
        "cpu": sorted(cpu)[1],
        "wall": sorted(wall)[1],
    }


async def run(url: str, residents: int, seed: int) -> None:
    import httpx
    from piccolo.querystring import QueryString

    from bench.bench_http import ADMIN_LOGIN
    from bench.bench_http import ADMIN_PAGES
    from bench.bench_http import PAGES
    from bench.bench_http import PASSWORD
    from bench.bench_http import STAFF_LOGIN
    from bench.bench_http import make_residents
    from portal.app import app
    from portal.core import db

    data = await make_residents(residents, seed)
    name = url.rsplit("/", 1)[1]
    out: list[str] = []
    report: list[tuple[str, dict[str, Any]]] = []
    async with app.lifespan():
        engine = db.get_engine()
        # Only tables that are large here count: the generated data has few users, owners and residencies, which
        # the planner rightly reads whole.
        rows = await engine.run_querystring(
            QueryString("SELECT relname FROM pg_class WHERE relname = ANY({}) AND reltuples > {}", GROWING, LARGE)
        )
        large = {r["relname"] for r in rows}
        transport = httpx.ASGITransport(app=app)
        for resident in data["residents"]:
            async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
                await sign_in(client, resident["login"], PASSWORD)
                from portal.tickets.tables import Ticket

                ticket = await Ticket.select(Ticket.id).where(Ticket.account == resident["account"]).first()
                for template in RESIDENT_PAGES:
                    if "{ticket}" in template and ticket is None:
                        continue
                    page = template.format(
                        account=resident["account"], period=resident["period"], ticket=ticket["id"] if ticket else 0
                    )
                    report.append((template, await explain(engine, page, client, out, large)))
        values = {k: v for k, v in data.items() if k != "residents"}
        staff_pages = [p for p in PAGES if p[1].startswith("/staff")]
        for login, pages in ((STAFF_LOGIN, staff_pages), (ADMIN_LOGIN, ADMIN_PAGES)):
            async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
                await sign_in(client, *login)
                for label, template in pages:
                    report.append((label, await explain(engine, template.format(**values), client, out, large)))
    target = ROOT / "var" / "bench" / f"plans-{name}.txt"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text("\n".join(out))
    summary: dict[str, dict[str, Any]] = {}
    for page, figures in report:
        s = summary.setdefault(
            page, {"n": 0, "queries": 0, "total": 0.0, "largest": 0.0, "scans": set(), "cpu": 0.0, "wall": 0.0}
        )
        s["cpu"] = max(s["cpu"], figures["cpu"])
        s["wall"] = max(s["wall"], figures["wall"])
        s["n"] += 1
        s["queries"] = max(s["queries"], figures["queries"])
        s["total"] = max(s["total"], figures["total"])
        s["largest"] = max(s["largest"], figures["largest"])
        s["scans"].update(figures["scans"])
    print(
        "| page | queries | database time (ms) | largest query (ms) | portal CPU (ms) | wall in-process (ms) "
        "| sequential scans |"
    )
    print("|---|---:|---:|---:|---:|---:|---|")
    for page, s in summary.items():
        scans = "; ".join(sorted(s["scans"])) or "none"
        print(
            f"| {page} | {s['queries']} | {s['total']:.1f} | {s['largest']:.1f} | {s['cpu']:.1f} | {s['wall']:.1f} "
            f"| {scans} |"
        )
    print("(each figure the worst of the residents; the CPU and wall time the median of three loads)")
    print(f"(plans in {target})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--residents", type=int, default=5)
    parser.add_argument("--seed", type=int, default=21)
    args = parser.parse_args()
    if not args.database_url.startswith("postgres"):
        raise SystemExit("bench/plans_at_scale.py needs a PostgreSQL --database-url")
    sys.path.insert(0, str(ROOT))
    from bench.bench_http import VAR
    from bench.bench_http import base_env

    os.environ.update(base_env(args.database_url, VAR / "plans"))
    asyncio.run(run(args.database_url, args.residents, args.seed))


if __name__ == "__main__":
    main()
