"""Demo data: deterministic, realistic, made by the project's own code. Each domain adds its part.

Domains seed in dependency order; each has ``portal/<domain>/demo.py`` with ``async def seed(ctx)``.
A finished run is recorded, so ``make run`` loads demo data on the first start only.
"""

from __future__ import annotations

import importlib
import json
import random
from dataclasses import dataclass
from dataclasses import field
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import time
from typing import Any

from portal.core.db import is_sqlite
from portal.core.tables import JobRun

SEED_ORDER = (
    "housing",
    "accounts",
    "billing",
    "payments",
    "tickets",
    "meters",
    "meetings",
    "content",
    "showcase",
    "catalog",
    "documents",
    "inspections",
    "mystery",
    "visits",
    "analytics",
)
JOB_NAME = "seed-demo"
JOB_KEY = "v1"
DEMO_PASSWORD = "demo12345"  # noqa: S105 (published demo password, printed by `make run`)

# The demo residents who sign in, as the register of owners names them (surname first). The housing demo gives
# them the premises set aside for them, and their users bear the same name (``everyday_name``), so the top bar,
# the register, the receipts' payer and the meetings' ballots name one person.
DEMO_OWNERS = {
    "resident": "Смирнов Иван Петрович",  # the first flat of the first house and the first flat of the second
    "resident2": "Егорова Наталья Викторовна",  # his neighbour: the second flat of the first house
    "owner": "Кравец Ольга Сергеевна",  # a flat and a parking space of the first house, nothing else there
}


def everyday_name(registered: str) -> str:
    """A person's name as the register writes it, in everyday order: «Смирнов Иван Петрович» → «Иван Петрович
    Смирнов» (how a user's name is written)."""
    surname, _, given = registered.partition(" ")
    return f"{given} {surname}" if given else surname


@dataclass
class DemoContext:
    rng: random.Random
    today: date
    # What one domain's seed hands to the next (house ids, account ids, user ids …).
    shared: dict[str, Any] = field(default_factory=dict)
    # Sign-in lines printed by `make run`: (who, login, password).
    logins: list[tuple[str, str, str]] = field(default_factory=list)
    progress: Any = None
    loaded_at: datetime | None = None

    @property
    def now(self) -> datetime:
        """The moment the demo is loaded: nothing it makes is dated later. Noon UTC of ``today`` unless given."""
        return self.loaded_at or datetime.combine(self.today, time(12), tzinfo=UTC)

    def say(self, message: str) -> None:
        if self.progress:
            self.progress(message)


async def is_seeded() -> bool:
    return await JobRun.exists().where((JobRun.name == JOB_NAME) & (JobRun.key == JOB_KEY) & (JobRun.status == "done"))


async def stored_logins() -> list[tuple[str, str, str]]:
    row = (
        await JobRun.select(JobRun.detail)
        .where((JobRun.name == JOB_NAME) & (JobRun.key == JOB_KEY) & (JobRun.status == "done"))
        .first()
    )
    if not row or not row["detail"]:
        return []
    return [tuple(x) for x in json.loads(row["detail"]).get("logins", [])]  # type: ignore[misc]


async def _written_tables() -> list[str]:
    """The tables the current PostgreSQL transaction has written (inserted, updated or deleted rows in)."""
    rows = await JobRun.raw(
        "SELECT relname FROM pg_stat_xact_user_tables WHERE n_tup_ins + n_tup_upd + n_tup_del > 0 ORDER BY relname"
    )
    return [r["relname"] for r in rows]


async def seed_demo(today: date | None = None, progress: Any = None) -> DemoContext:
    """Load the demo data into an empty database (one transaction per domain)."""
    from portal.core import clock
    from portal.core.db import atomic

    now = clock.now()
    loaded_today = clock.local(now).date()
    ctx = DemoContext(
        rng=random.Random(20261125),
        today=today or loaded_today,
        progress=progress,
        loaded_at=now if (today or loaded_today) == loaded_today else None,
    )
    for domain in SEED_ORDER:
        try:
            module = importlib.import_module(f"portal.{domain}.demo")
        except ModuleNotFoundError:
            continue
        ctx.say(f"demo: {domain}")
        async with atomic():
            await module.seed(ctx)
            written = [] if is_sqlite() else await _written_tables()
        if written:
            # The planner's statistics of the tables just filled: without them PostgreSQL joined a year of payments
            # by nested scans, and the analytics' monthly figures took minutes to count. Only the tables this
            # domain wrote: the whole database each time took a second a domain, mostly on tables already counted.
            await JobRun.raw("ANALYZE " + ", ".join(f'"{name}"' for name in written))
    if not is_sqlite():
        await JobRun.raw("ANALYZE")  # every table once more at the end, those written beside a domain's transaction too
    await JobRun.insert(
        JobRun(
            name=JOB_NAME,
            key=JOB_KEY,
            status="done",
            finished_at=datetime.now(UTC),
            detail=json.dumps({"logins": ctx.logins}, ensure_ascii=False),
        )
    )
    return ctx
