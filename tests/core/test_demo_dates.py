"""Nothing the demo makes is dated after the moment it is loaded — requests and their history, payments, posts,
readings, residents' access: loaded at 07:30 in the morning, request No. 1 was filed at 13:00 that day; on both
engines. Only what looks ahead (a deadline, a planned end, a vote's close) may lie later."""

from __future__ import annotations

from datetime import UTC
from datetime import datetime
from datetime import time
from datetime import timedelta

from piccolo.columns import Timestamptz
from piccolo.conf.apps import Finder

from portal import demo
from portal.core import clock

# Columns that name a moment to come: a request's deadline, the planned end of an outage or a post, a vote's close.
AHEAD = {"deadline", "ends_at", "voting_ends_at", "expires_at"}


def _aware(value):
    value = datetime.fromisoformat(value) if isinstance(value, str) else value
    return value if value.tzinfo else value.replace(tzinfo=UTC)


async def test_the_demo_loaded_in_the_morning_dates_nothing_after_its_load(db, monkeypatch):
    zone = clock.zone()
    # Tomorrow morning: the clock is frozen after the real one, so what the database stamps is earlier still.
    morning = datetime.combine(datetime.now(zone).date() + timedelta(days=1), time(7, 30), tzinfo=zone)
    monkeypatch.setattr(clock, "now", lambda: morning.astimezone(UTC))
    monkeypatch.setattr(clock, "today_local", lambda: morning.date())
    await demo.seed_demo()

    later = []
    for table in Finder().get_table_classes():
        for column in table._meta.columns:
            if not isinstance(column, Timestamptz) or column._meta.name in AHEAD:
                continue
            rows = await table.select(column).where(column > morning)
            later += [f"{table._meta.tablename}.{column._meta.name} {r[column._meta.name]}" for r in rows]
    assert not later, later[:10]
    # request No. 1 was filed that morning, before the load
    from portal.tickets.tables import Ticket

    first = await Ticket.select(Ticket.created_at).where(Ticket.number == 1).first()
    assert _aware(first["created_at"]).date() == morning.astimezone(UTC).date()
