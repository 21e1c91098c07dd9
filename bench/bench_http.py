"""HTTP benchmark of the portal as residents use it (``make bench-http``).

For each engine (SQLite always; PostgreSQL where ``BENCH_POSTGRES_URL`` or ``TEST_POSTGRES_URL`` names a
reachable server) it prepares a database (migrations and the demo data, kept for the next run unless
``--fresh``; or ``--database-url`` of an existing one such as ``bench/generate.py`` makes), gives many
accounts chosen at random a resident who signs in, starts the portal (one uvicorn worker) and, in the same
run, a bare Litestar + Jinja page shaped like the resident home (``bench/bare_app.py``), signs every
resident in over HTTP and drives each page with ``wrk`` (Debian's package: ``apt-get install wrk``; a Lua
script gives every request the next resident's cookie and path) or, without wrk, an asyncio load loop of
the same shape. It prints requests per second, p50/p95/p99 and each page's ratio to the bare page, and
keeps the figures in ``var/bench/http-<engine>.json``.

    .venv/bin/python bench/bench_http.py [--engines sqlite,postgres] [--seconds 6] [--connections 50]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import random
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var" / "bench"
PASSWORD = "bench-resident-12345"  # noqa: S105 (a benchmark's own residents)
STAFF_LOGIN = ("dispatcher@demo.ru", "demo12345")
ADMIN_LOGIN = ("admin@demo.ru", "demo12345")

PAGES = [
    ("resident home", "/"),
    ("news list", "/news"),
    ("account page", "/accounts/{account}"),
    ("receipt", "/accounts/{account}/receipts/{period}"),
    ("requests list", "/tickets"),
    ("meter form", "/meters"),
    ("pay page", "/pay"),
    ("staff requests, active tab", "/staff/tickets?tab=active"),
    ("staff requests, house + status", "/staff/tickets?house={house}&status=new&status=in_work"),
    ("call centre: accounts by street and flat", "/staff/tickets/new?account_number={street_flat}"),
    ("call centre: the caller's account card", "/staff/accounts/{staff_account}"),
]
# ``--staff-filters``: the request list of an administrator (every house, so every request) with each filter
# of bench/README.md's list; ``{number}`` is a request in the middle, ``{month_from}``–``{month_to}`` a month.
ADMIN_PAGES = [
    ("all houses: all, newest first", "/staff/tickets?tab=all"),
    ("all houses: active tab", "/staff/tickets?tab=active"),
    ("all houses: without executor", "/staff/tickets?tab=unassigned"),
    ("all houses: overdue", "/staff/tickets?tab=overdue"),
    ("all houses: house + status", "/staff/tickets?tab=all&house={house}&status=new&status=in_work"),
    ("all houses: created in a month", "/staff/tickets?tab=all&created_from={month_from}&created_to={month_to}"),
    ("all houses: category + type", "/staff/tickets?tab=all&category=lift_fault&type=ordinary"),
    ("all houses: search by number", "/staff/tickets?tab=all&q={number}"),
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def base_env(database_url: str, var: Path) -> dict[str, str]:
    return {
        **os.environ,
        "PICCOLO_CONF": "piccolo_conf",
        "DATABASE_URL": database_url,
        "PORTAL_VAR_DIR": str(var),
        "SECRET_KEY": "bench-secret-" + "x" * 40,
        "PORTAL_RUN_JOBS": "0",
        "PORTAL_PASSWORD_HASH": "fast",
        "PYTHONPATH": str(ROOT),
    }


def portal(env: dict[str, str], *args: str, timeout: int = 1800) -> str:
    result = subprocess.run(  # noqa: S603 (our own commands)
        [sys.executable, "-m", "portal", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )
    if result.returncode != 0:
        raise SystemExit(f"portal {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


# --- residents (run in a subprocess with the engine's environment) -----------------------------------------


async def make_residents(count: int, seed: int) -> dict[str, Any]:
    """``count`` accounts chosen at random, each with a resident who may sign in; the staff filter's house."""
    from portal.accounts import consent
    from portal.accounts.passwords import hash_password
    from portal.accounts.tables import ConsentRecord
    from portal.accounts.tables import Residency
    from portal.accounts.tables import User
    from portal.billing.tables import Receipt
    from portal.core import db
    from portal.housing.tables import PersonalAccount

    await db.start()
    try:
        bounds = await PersonalAccount.select(PersonalAccount.id).order_by(PersonalAccount.id).first()
        last = await PersonalAccount.select(PersonalAccount.id).order_by(PersonalAccount.id, ascending=False).first()
        rng = random.Random(seed)
        residents: list[dict[str, Any]] = []
        password_hash = hash_password(PASSWORD)
        tried: set[int] = set()
        while len(residents) < count and len(tried) < count * 20:
            account_id = rng.randint(bounds["id"], last["id"])
            if account_id in tried:
                continue
            tried.add(account_id)
            receipt = (
                await Receipt.select(Receipt.period)
                .where(Receipt.account == account_id)
                .order_by(Receipt.period, ascending=False)
                .first()
            )
            if receipt is None:
                continue
            email = f"bench-{account_id}@example.ru"
            user = await User.select(User.id).where(User.email == email).first()
            if user is None:
                made = User(email=email, full_name=f"Житель {account_id}", password_hash=password_hash)
                await made.save()
                await Residency(user=made.id, account=account_id, role="owner", rights=[]).save()
                await ConsentRecord(user=made.id, text_version=consent.current_version(), channel="web").save()
            residents.append({"login": email, "account": account_id, "period": receipt["period"].strftime("%Y-%m")})
        from portal.accounts.tables import StaffHouse
        from portal.tickets.tables import Ticket

        staff = await User.select(User.id).where(User.email == STAFF_LOGIN[0]).first()
        house = None
        if staff:
            row = await StaffHouse.select(StaffHouse.house).where(StaffHouse.user == staff["id"]).first()
            house = row["house"] if row else None
        if house is None:
            row = await Ticket.select(Ticket.house).first()
            house = row["house"] if row else 1
        admin = await User.exists().where(User.email == ADMIN_LOGIN[0])
        staff_account, street_flat = await _caller_of(house)
        newest = await Ticket.select(Ticket.number, Ticket.created_at).order_by(Ticket.id, ascending=False).first()
        number, month = (newest["number"] * 3 // 5, newest["created_at"]) if newest else (1, datetime.now(UTC))
        month_from = (month.replace(day=1) - timedelta(days=45)).replace(day=1)
        month_to = (month_from + timedelta(days=32)).replace(day=1) - timedelta(days=1)
        return {
            "residents": residents,
            "house": house,
            "admin": admin,
            "number": number,
            "month_from": month_from.date().isoformat(),
            "month_to": month_to.date().isoformat(),
            "staff_account": staff_account,
            "street_flat": street_flat,
        }
    finally:
        await db.stop()


async def _caller_of(house: int) -> tuple[int, str]:
    """An account of ``house`` in its middle and the words an operator types for it: «киевская 189 12»."""
    import re

    from portal.housing.tables import PersonalAccount

    premise = PersonalAccount.premise
    rows = await (
        PersonalAccount.select(PersonalAccount.id, premise.number, premise.house.address)
        .where(premise.house == house)
        .order_by(PersonalAccount.id)
        .limit(50)
    )
    if not rows:
        return 1, "1"
    row = rows[len(rows) // 2]
    address = row["premise.house.address"]
    street = max(re.findall(r"[А-Яа-яЁё]{4,}", address), key=len, default="")
    building = re.search(r"д\. (\S+)", address)
    words = [street.lower(), building.group(1) if building else "", row["premise.number"]]
    return row["id"], "+".join(w for w in words if w)


# --- servers and load -----------------------------------------------------------------------------------------


@contextlib.contextmanager
def server(app: str, env: dict[str, str], log: Path) -> Iterator[str]:
    import httpx

    port = free_port()
    url = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-m", "uvicorn", app, "--host", "127.0.0.1", "--port", str(port)]
    command += ["--workers", "1", "--no-access-log", "--log-level", "warning"]
    with log.open("wb") as out:
        process = subprocess.Popen(  # noqa: S603
            command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT
        )
        try:
            deadline = time.monotonic() + 120
            while True:
                if process.poll() is not None:
                    raise SystemExit(f"{app} exited; see {log}")
                try:
                    if httpx.get(url + "/healthz", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline:
                    raise SystemExit(f"{app} did not start; see {log}")
                time.sleep(0.2)
            yield url
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()


async def sign_in(url: str, login: str, password: str) -> str:
    import httpx

    async with httpx.AsyncClient(base_url=url, timeout=60) as client:
        await client.get("/login")
        response = await client.post(
            "/login", data={"login": login, "password": password, "_csrf_token": client.cookies["csrftoken"]}
        )
        if response.status_code != 303 or "session" not in client.cookies:
            raise SystemExit(f"sign-in of {login} failed: {response.status_code}")
        await client.get("/")  # the first page builds the principal kept in the session
        return client.cookies["session"]


async def sign_in_all(url: str, logins: list[tuple[str, str]]) -> list[str]:
    limit = asyncio.Semaphore(8)

    async def one(login: str, password: str) -> str:
        async with limit:
            return await sign_in(url, login, password)

    return list(await asyncio.gather(*(one(a, b) for a, b in logins)))


def run_wrk(url: str, targets: list[tuple[str, str]], seconds: int, connections: int) -> dict[str, float]:
    VAR.mkdir(parents=True, exist_ok=True)
    file = VAR / f"targets-{os.getpid()}.tsv"
    # wrk sends the path as written: a street name in a query is percent-encoded here, as a browser would.
    file.write_text("".join(f"{cookie}\t{quote(path, safe='/?=&%')}\n" for cookie, path in targets))
    if shutil.which("wrk"):
        command = ["wrk", f"-t{min(2, connections)}", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s"]
        command += ["-s", str(ROOT / "bench" / "wrk_pages.lua"), url]
        done = subprocess.run(  # noqa: S603
            command, env={**os.environ, "BENCH_TARGETS": str(file)}, capture_output=True, text=True, check=False
        )
        if done.returncode:
            raise SystemExit(f"wrk failed ({done.returncode}): {done.stderr.strip() or done.stdout.strip()}")
        out = done.stdout
        line = next(line for line in out.splitlines() if line.startswith("BENCH "))
        figures = json.loads(line.removeprefix("BENCH "))
    else:
        figures = asyncio.run(python_load(url, targets, seconds, connections))
    figures["rps"] = figures["requests"] / figures["seconds"]
    return figures


async def python_load(url: str, targets: list[tuple[str, str]], seconds: int, connections: int) -> dict[str, Any]:
    """The same load without wrk: ``connections`` keep-alive clients, each walking through the targets."""
    import httpx

    latencies: list[float] = []
    errors = 0
    deadline = time.monotonic() + seconds

    async def worker(start: int) -> None:
        nonlocal errors
        index = start
        async with httpx.AsyncClient(base_url=url, timeout=10) as client:
            while time.monotonic() < deadline:
                cookie, path = targets[index % len(targets)]
                index += 1
                begun = time.perf_counter()
                try:
                    response = await client.get(path, headers={"Cookie": f"session={cookie}", "Accept-Language": "ru"})
                    if response.status_code >= 400:
                        errors += 1
                except httpx.HTTPError:
                    errors += 1
                latencies.append((time.perf_counter() - begun) * 1000)

    began = time.monotonic()
    await asyncio.gather(*(worker(n * 7) for n in range(connections)))
    latencies.sort()

    def pct(p: float) -> float:
        return latencies[min(len(latencies) - 1, int(len(latencies) * p / 100))] if latencies else 0.0

    return {
        "requests": len(latencies),
        "seconds": time.monotonic() - began,
        "errors": errors,
        "non200": 0,
        "p50": pct(50),
        "p95": pct(95),
        "p99": pct(99),
    }


def server_times(url: str, targets: list[tuple[str, str]], seconds: int) -> dict[str, float]:
    """The page's server time with one connection (no queue): p50/p95/p99 and the mean, in ms."""
    import httpx

    deadline = time.monotonic() + 60
    while httpx.get(url + "/__bench/times", timeout=30).json()["inflight"] and time.monotonic() < deadline:
        time.sleep(0.2)  # the load run's last requests are still being served: their times include its queue
    httpx.get(url + "/__bench/times", timeout=30)  # forget them
    run_wrk(url, targets, seconds, 1)
    times = sorted(httpx.get(url + "/__bench/times", timeout=30).json()["times"])
    if not times:
        return {"count": 0, "p50": 0.0, "p95": 0.0, "p99": 0.0, "mean": 0.0}

    def pct(p: float) -> float:
        return times[min(len(times) - 1, int(len(times) * p / 100))]

    return {"count": len(times), "p50": pct(50), "p95": pct(95), "p99": pct(99), "mean": sum(times) / len(times)}


def check_pages(url: str, targets: list[tuple[str, str]]) -> None:
    import httpx

    for cookie, path in targets[:3]:
        response = httpx.get(url + path, headers={"Cookie": f"session={cookie}"}, timeout=30)
        if response.status_code != 200:
            raise SystemExit(f"{path} answered {response.status_code}, not 200")


# --- one engine ---------------------------------------------------------------------------------------------------


def postgres_url(name: str, fresh: bool) -> str | None:
    server_url = os.environ.get("BENCH_POSTGRES_URL") or os.environ.get("TEST_POSTGRES_URL")
    if not server_url:
        return None
    import asyncpg

    async def create() -> str | None:
        try:
            conn = await asyncpg.connect(server_url, timeout=3)
        except Exception:
            return None
        try:
            if fresh:
                await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            if not await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name):
                await conn.execute(f'CREATE DATABASE "{name}"')
        finally:
            await conn.close()
        return server_url.rsplit("/", 1)[0] + "/" + name

    return asyncio.run(create())


def bench_engine(engine: str, database_url: str, args: argparse.Namespace, prepared: bool) -> dict[str, Any]:
    var = VAR / f"http-{engine}"
    var.mkdir(parents=True, exist_ok=True)
    env = base_env(database_url, var)
    started = time.monotonic()
    portal(env, "migrate")  # a prepared database may predate the newest migrations
    if not prepared:
        portal(env, "seed-demo")
    out = subprocess.run(  # noqa: S603
        [sys.executable, str(Path(__file__)), "residents", "--count", str(args.residents), "--seed", str(args.seed)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=1800,
    )
    if out.returncode != 0:
        raise SystemExit(f"preparing residents failed:\n{out.stderr}")
    data = json.loads(out.stdout.strip().splitlines()[-1])
    took = time.monotonic() - started
    print(f"[{engine}] data ready in {took:.0f} s; {len(data['residents'])} residents", flush=True)
    results: dict[str, Any] = {"engine": engine, "pages": {}}
    with server("bench.bare_app:app", env, var / "bare.log") as bare_url:
        results["bare"] = run_wrk(bare_url, [("", "/")], args.seconds, args.connections)
        print(f"[{engine}] bare page: {results['bare']['rps']:.0f} rps", flush=True)
    with server("bench.timed_app:app", env, var / "portal.log") as url:
        began = time.monotonic()
        cookies = asyncio.run(sign_in_all(url, [(r["login"], PASSWORD) for r in data["residents"]]))
        staff_cookie = asyncio.run(sign_in(url, *STAFF_LOGIN))
        pages = list(PAGES)
        admin_cookie = ""
        if args.staff_filters and data.get("admin"):
            admin_cookie = asyncio.run(sign_in(url, *ADMIN_LOGIN))
            pages += ADMIN_PAGES
        if args.pages:
            wanted = [w.strip() for w in args.pages.split(",") if w.strip()]
            pages = [(name, path) for name, path in pages if any(w in name for w in wanted)]
        print(f"[{engine}] {len(cookies)} residents signed in in {time.monotonic() - began:.0f} s", flush=True)
        for name, template in pages:
            if template.startswith("/staff"):
                cookie = admin_cookie if name.startswith("all houses") else staff_cookie
                targets = [(cookie, template.format(**{k: v for k, v in data.items() if k != "residents"}))]
            else:
                targets = [
                    (cookie, template.format(account=r["account"], period=r["period"]))
                    for cookie, r in zip(cookies, data["residents"], strict=True)
                ]
            check_pages(url, targets)
            figures = run_wrk(url, targets, args.seconds, args.connections)
            line = f"[{engine}] {name}: {figures['rps']:.0f} rps, p95 {figures['p95']:.1f} ms"
            if args.server_seconds:
                figures["server"] = server_times(url, targets, args.server_seconds)
                line += f"; server time alone p95 {figures['server']['p95']:.1f} ms"
            results["pages"][name] = figures
            print(line, flush=True)
    return results


def table(results: dict[str, Any]) -> str:
    bare = results["bare"]["rps"]
    timed = any("server" in f for f in results["pages"].values())
    extra_head = " server time alone p50 / p95 / p99 ms |" if timed else ""
    lines = [
        f"### {results['engine']} — {results['date']}, {results['machine']}, {results['load']}",
        "",
        "| page | requests/s | p50 ms | p95 ms | p99 ms | ratio to bare | errors |" + extra_head,
        "|---|---:|---:|---:|---:|---:|---:|" + ("---:|" if timed else ""),
        "| bare Litestar + Jinja page | {:.0f} | {:.1f} | {:.1f} | {:.1f} | 100 % | {} |".format(
            bare, results["bare"]["p50"], results["bare"]["p95"], results["bare"]["p99"], results["bare"]["errors"]
        )
        + (" — |" if timed else ""),
    ]
    for name, f in results["pages"].items():
        line = (
            f"| {name} | {f['rps']:.0f} | {f['p50']:.1f} | {f['p95']:.1f} | {f['p99']:.1f} | "
            f"{100 * f['rps'] / bare:.1f} % | {f['errors'] + f['non200']} |"
        )
        if timed:
            server = f.get("server")
            line += f" {server['p50']:.1f} / {server['p95']:.1f} / {server['p99']:.1f} |" if server else " — |"
        lines.append(line)
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command")
    residents = sub.add_parser("residents", help="(internal) make the residents in DATABASE_URL")
    residents.add_argument("--count", type=int, default=200)
    residents.add_argument("--seed", type=int, default=12)
    parser.add_argument("--engines", default="sqlite,postgres")
    parser.add_argument("--seconds", type=int, default=6)
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--residents", type=int, default=100)
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument("--database-url", default="", help="an existing, prepared database (one engine)")
    parser.add_argument("--fresh", action="store_true", help="rebuild the demo databases (kept between runs)")
    parser.add_argument(
        "--server-seconds", type=int, default=0, help="also time each page's server time with one connection"
    )
    parser.add_argument("--pages", default="", help="only the pages whose names contain one of these (comma list)")
    parser.add_argument(
        "--staff-filters", action="store_true", help="also the administrator's list (every house) with each filter"
    )
    args = parser.parse_args()
    if args.command == "residents":
        sys.path.insert(0, str(ROOT))
        print(json.dumps(asyncio.run(make_residents(args.count, args.seed))))
        return
    began = time.monotonic()
    cpu = platform.processor() or platform.machine()
    machine = f"{os.cpu_count()} cores, {cpu}, Python {platform.python_version()}"
    runs: list[tuple[str, str, bool]] = []
    if args.database_url:
        engine = "postgres" if args.database_url.startswith("postgres") else "sqlite"
        runs.append((engine, args.database_url, True))
    else:
        for engine in args.engines.split(","):
            if engine == "sqlite":
                path = VAR / "http-sqlite" / "portal.sqlite"
                if args.fresh:
                    shutil.rmtree(path.parent, ignore_errors=True)
                path.parent.mkdir(parents=True, exist_ok=True)
                runs.append(("sqlite", f"sqlite:///{path}", False))
            elif engine == "postgres":
                url = postgres_url("portal_bench_http", args.fresh)
                if url is None:
                    print("PostgreSQL: skipped (set BENCH_POSTGRES_URL or TEST_POSTGRES_URL to a reachable server)")
                    continue
                runs.append(("postgres", url, False))
    tool = "wrk -t2" if shutil.which("wrk") else "python load loop (install wrk: apt-get install wrk)"
    tables = []
    for engine, url, prepared in runs:
        results = bench_engine(engine, url, args, prepared)
        results["date"] = datetime.now(UTC).strftime("%Y-%m-%d")
        results["machine"] = machine
        load = " / ".join(f"{x:.1f}" for x in os.getloadavg())
        results["load"] = (
            f"{tool} -c{args.connections}, {args.seconds} s per page, one uvicorn worker, "
            f"load average {load} at the end"
        )
        (VAR / f"http-{engine}.json").write_text(json.dumps(results, indent=2))
        tables.append(table(results))
    print("\n" + "\n\n".join(tables))
    print(f"\n(total {time.monotonic() - began:.0f} s)")


if __name__ == "__main__":
    main()
