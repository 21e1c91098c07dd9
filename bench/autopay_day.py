"""Autopay on the charge day at scale, against the sandbox gateway (PostgreSQL).

    .venv/bin/python bench/generate.py --accounts 20000 --autopay-share 0.15 --database-url postgresql://…/portal_scale
    .venv/bin/python bench/autopay_day.py --database-url postgresql://…/portal_scale --gateway-url http://127.0.0.1:8001

Once per generated database, each mandate's owner gets a customer and a saved card at the sandbox gateway (the
generator writes placeholder ids): a setup page paid with the test card, as a resident does. Then, in a copy of that
database made for each measurement (``CREATE DATABASE … TEMPLATE``), it times the charge-day run of
``payments.actions.run_autopay`` as the hourly job calls it, and the run an hour later, and prints how many
mandates were charged, looked at and left. ``--code DIR`` runs the autopay of another checkout of the portal
(the code before a change, for a before/after).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CARD = "4242424242424242"


async def set_up_cards(url: str, gateway_url: str, secret: str, concurrency: int = 8) -> int:
    """Real customers and cards at the gateway for the generator's placeholders; returns how many were set up."""
    import asyncpg
    import httpx

    from portal.payments.gateway import GatewayClient

    gateway = GatewayClient(gateway_url, secret, timeout=30)
    conn = await asyncpg.connect(url)
    rows = await conn.fetch(
        "SELECT m.id, m.\"user\" FROM payment_method m WHERE m.gateway_id LIKE 'pm\\_bench\\_%' ORDER BY m.id"
    )
    gate = asyncio.Semaphore(concurrency)

    async def one(row: Any, pages: httpx.AsyncClient) -> tuple[int, int, str, str]:
        async with gate:
            user = str(row["user"])
            customer = await gateway.create_customer(email=None, name=None, reference=user, idempotency_key=user)
            session = await gateway.create_setup_session(
                customer=customer.id,
                reference=f"bench-card-{user}",
                success_url="http://127.0.0.1/ok",
                cancel_url="http://127.0.0.1/cancel",
                idempotency_key=f"bench-card-{user}",
            )
            await pages.post(session.url or "", data={"number": CARD, "expiry": "12/34", "cvc": "123"})
            done = await gateway.retrieve_session(session.id)
            intent = await gateway.retrieve_setup_intent(str(done.setup_intent))
            return row["id"], row["user"], customer.id, str(intent.payment_method)

    try:
        async with httpx.AsyncClient(timeout=30) as pages:
            made = await asyncio.gather(*(one(r, pages) for r in rows))
        await conn.executemany("UPDATE payment_method SET gateway_id = $2 WHERE id = $1", [(m[0], m[3]) for m in made])
        await conn.executemany(
            'UPDATE gateway_customer SET customer_id = $2 WHERE "user" = $1', [(m[1], m[2]) for m in made]
        )
    finally:
        await conn.close()
    return len(rows)


async def copy_of(url: str, name: str) -> str:
    """A fresh copy of the database at ``url`` (nobody may be connected to it) named ``name``; returns its URL."""
    import asyncpg

    server = url.rsplit("/", 1)[0]
    conn = await asyncpg.connect(server + "/postgres")
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{url.rsplit("/", 1)[1]}"')
    finally:
        await conn.close()
    return f"{server}/{name}"


async def measure(url: str, gateway_url: str, secret: str) -> None:
    """The charge-day run and the run an hour later, in the copy at ``url``."""
    import asyncpg

    from portal.core import clock
    from portal.core import db
    from portal.payments import actions
    from portal.payments.gateway import GatewayClient
    from portal.payments.gateway import use_client

    async def states() -> str:
        conn = await asyncpg.connect(url)
        try:
            rows = await conn.fetch(
                "SELECT last_period, last_status, count(*) AS n FROM autopay_mandate GROUP BY 1, 2 ORDER BY 1, 2"
            )
        finally:
            await conn.close()
        return ", ".join(f"{r['last_period']} {r['last_status'] or '-'}: {r['n']}" for r in rows)

    engine = db.make_engine(url)
    db.use_engine(engine)
    await db.start(engine)
    use_client(GatewayClient(gateway_url, secret, timeout=30))
    try:
        print(f"  before: {await states()}", flush=True)
        now = clock.now()
        for label, at in (("charge day", now), ("an hour later", now + timedelta(hours=1))):
            began = time.monotonic()
            charged = await actions.run_autopay(at)
            print(f"  {label}: {charged} charged in {time.monotonic() - began:.2f} s; {await states()}", flush=True)
    finally:
        use_client(None)
        await db.stop(engine)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", required=True, help="a database bench/generate.py built with autopay")
    parser.add_argument("--gateway-url", default="http://127.0.0.1:8001", help="a running sandbox gateway")
    parser.add_argument("--code", default=str(ROOT), help="the checkout of the portal whose autopay runs")
    parser.add_argument("--copy", default="", help="the copy's database name (default: <database>_run)")
    args = parser.parse_args()
    sys.path.insert(0, args.code)
    secret = os.environ.get("PAYMENT_SECRET_KEY", "sk_test_portal")
    os.environ.update({"DATABASE_URL": args.database_url, "PAYMENT_GATEWAY_URL": args.gateway_url})
    began = time.monotonic()
    made = asyncio.run(set_up_cards(args.database_url, args.gateway_url, secret))
    if made:
        print(f"set up {made:,} cards at the gateway in {time.monotonic() - began:.0f} s", flush=True)
    name = args.copy or args.database_url.rsplit("/", 1)[1] + "_run"
    url = asyncio.run(copy_of(args.database_url, name))
    print(f"autopay of {args.code} on a copy of the database ({name}):", flush=True)
    asyncio.run(measure(url, args.gateway_url, secret))


if __name__ == "__main__":
    main()
