"""Nothing the demo makes is dated after the moment it is loaded — requests and their history, payments, posts,
readings, residents' access: loaded at 07:30 in the morning, request No. 1 was filed at 13:00 that day; on both
engines. Only what looks ahead (a deadline, a planned end, a vote's close) may lie later."""

from __future__ import annotations

from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta

from piccolo.columns import Timestamptz
from piccolo.conf.apps import Finder

from portal import demo
from portal.core import clock

# Columns that name a moment to come: a request's deadline, the planned end of an outage or a post, a vote's close,
# an event's start and end, and when a queued message (an event's reminder the day before) is due.
AHEAD = {"deadline", "ends_at", "voting_ends_at", "expires_at", "event_starts_at", "event_ends_at", "next_attempt_at"}
# ... and, of one table only, the time a visit to the client centre is booked for (a request's or an outage's start
# has been: it stays checked).
AHEAD_IN = {("client_visit", "starts_at")}


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
            if (table._meta.tablename, column._meta.name) in AHEAD_IN:
                continue
            rows = await table.select(column).where(column > morning)
            later += [f"{table._meta.tablename}.{column._meta.name} {r[column._meta.name]}" for r in rows]
    assert not later, later[:10]
    # request No. 1 was filed that morning, before the load
    from portal.tickets.tables import Ticket

    first = await Ticket.select(Ticket.created_at).where(Ticket.number == 1).first()
    assert _aware(first["created_at"]).date() == morning.astimezone(UTC).date()
    # a month's charges are calculated when it ends, as their ledger entry says, not on the day of the load
    from portal.billing import rules as billing_rules
    from portal.billing.tables import Charge

    charges = await Charge.select(Charge.period, Charge.created_at).limit(500)
    assert charges
    wrong = [
        r for r in charges if clock.local(_aware(r["created_at"])).date() != billing_rules.month_end(_day(r["period"]))
    ]
    assert not wrong, wrong[:3]
    # The bank's lines name their payers, as a bank's registry does: the accountant sorts out a payment to an account
    # the portal does not know by the name (a placeholder «Плательщик» stood on every line).
    from portal.billing.registries import queue_page
    from portal.billing.registry_tables import LineStatus
    from portal.housing.tables import PersonalAccount

    unknown, _count, _total = await queue_page(LineStatus.UNMATCHED, 0, 10)
    first = await PersonalAccount.select(PersonalAccount.payer_name).order_by(PersonalAccount.number).first()
    assert {(q.account_number, q.payer) for q in unknown} == {
        ("9100000001", first["payer_name"]),  # a digit of the first account mistyped at the bank
        ("0770000123", "Кравченко Ольга Николаевна"),
    }


async def _meter_readings_loaded_at(moment, make_account):
    import random

    from portal.demo import DemoContext
    from portal.meters import demo as meters_demo
    from portal.meters.tables import MeterReading

    place = await make_account()
    for _ in range(2):
        await make_account(house=place.house)
    ctx = DemoContext(rng=random.Random(5), today=moment.date(), loaded_at=moment.astimezone(UTC))
    await meters_demo.seed(ctx)
    rows = await MeterReading.select(MeterReading.period, MeterReading.submitted_at)
    return [(_day(r["period"]), clock.local(_aware(r["submitted_at"]))) for r in rows]


def _day(value):
    return date.fromisoformat(value) if isinstance(value, str) else value


async def test_before_the_window_the_demos_last_readings_are_last_months(db, make_account):
    # 5 December, before the window (15th–25th): nobody has passed December's readings yet.
    moment = datetime(2026, 12, 5, 9, 0, tzinfo=clock.zone())
    readings = await _meter_readings_loaded_at(moment, make_account)
    assert readings
    assert max(period for period, _ in readings) == date(2026, 11, 1)
    assert all(at <= moment for _, at in readings)


async def test_inside_the_window_this_months_readings_are_dated_within_it_and_before_the_load(db, make_account):
    moment = datetime(2026, 12, 18, 0, 40, tzinfo=clock.zone())
    readings = await _meter_readings_loaded_at(moment, make_account)
    december = [at for period, at in readings if period == date(2026, 12, 1)]
    assert december
    assert all(date(2026, 12, 15) <= at.date() <= date(2026, 12, 18) and at <= moment for at in december)
    assert len({at.date() for at in december}) > 1  # passed over the window's days, not all just before the load
