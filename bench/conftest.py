"""Benchmarks at scale (``make bench``; not part of ``make test``): their own database, migrated once.

SQLite in ``var/bench`` by default; ``BENCH_DATABASE_URL=postgresql://…`` runs them on PostgreSQL.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
_VAR = ROOT / "var" / "bench"
shutil.rmtree(_VAR, ignore_errors=True)
_VAR.mkdir(parents=True, exist_ok=True)

os.environ.setdefault("PICCOLO_CONF", "piccolo_conf")
os.environ["DATABASE_URL"] = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{_VAR / 'bench.sqlite'}"
os.environ["PORTAL_VAR_DIR"] = str(_VAR)
os.environ["SECRET_KEY"] = "bench-secret-" + "x" * 40
os.environ["PORTAL_RUN_JOBS"] = "0"
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


@pytest.fixture(scope="session")
def loop() -> Iterator[asyncio.AbstractEventLoop]:
    """One event loop for the session: benchmarks are plain functions that run async work on it."""
    loop = asyncio.new_event_loop()
    yield loop
    loop.close()


@pytest.fixture(scope="session")
def engine(loop: asyncio.AbstractEventLoop) -> Iterator[Any]:
    url = os.environ["DATABASE_URL"]
    if url.startswith("postgres"):
        import asyncpg

        async def reset() -> None:
            conn = await asyncpg.connect(url)
            await conn.execute("DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public;")
            await conn.close()

        loop.run_until_complete(reset())
    subprocess.run([sys.executable, "-m", "portal", "migrate"], cwd=ROOT, check=True, capture_output=True)
    from portal.core import db

    engine = db.make_engine(url)
    db.use_engine(engine)
    loop.run_until_complete(db.start(engine))
    yield engine
    loop.run_until_complete(db.stop(engine))


async def make_accounts(count: int, prefix: str) -> list[tuple[int, str]]:
    """``count`` flats with accounts in houses of 500, inserted in chunks: [(account id, number)]."""
    from decimal import Decimal

    from portal.housing.tables import Complex
    from portal.housing.tables import House
    from portal.housing.tables import PersonalAccount
    from portal.housing.tables import Premise

    complex_ = Complex(name=f"ЖК Бенчмарк {prefix}", city="Симферополь")
    await complex_.save()
    made: list[tuple[int, str]] = []
    for start in range(0, count, 500):
        house = House(complex=complex_.id, address=f"г. Симферополь, ул. {prefix}, д. {start // 500 + 1}")
        await house.save()
        size = min(500, count - start)
        premises = [
            Premise(house=house.id, kind="flat", number=str(n + 1), area=Decimal("40.00") + n % 40) for n in range(size)
        ]
        await Premise.insert(*premises)
        ids = [r["id"] for r in await Premise.select(Premise.id).where(Premise.house == house.id).order_by(Premise.id)]
        accounts = [
            PersonalAccount(
                number=f"{prefix}{start + n:08d}", premise=premise_id, payer_name="Бенчмарков Пётр Петрович"
            )
            for n, premise_id in enumerate(ids)
        ]
        await PersonalAccount.insert(*accounts)
        rows = await PersonalAccount.select(PersonalAccount.id, PersonalAccount.number).where(
            PersonalAccount.premise.is_in(ids)
        )
        made.extend((r["id"], r["number"]) for r in rows)
    return made
