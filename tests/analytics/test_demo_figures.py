"""Every dashboard figure on the demo data, on both engines, checked against a direct count: the rows read plainly
and counted in Python, by the rules of the figure (not by the dashboard's own SQL)."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from collections.abc import Iterator
from datetime import UTC
from datetime import datetime
from decimal import Decimal
from typing import Any

import pytest

from portal.analytics import queries
from portal.analytics import rules
from portal.core import clock
from portal.core.security import Principal
from tests.conftest import _RUN
from tests.conftest import demo_postgres
from tests.conftest import demo_template

ADMIN = Principal(user_id=1, staff_roles=frozenset({"admin"}), house_ids=None)


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def demo_url(request: pytest.FixtureRequest) -> Iterator[str]:
    if request.param == "sqlite":
        folder = _RUN / "analytics-demo"
        shutil.copytree(demo_template(), folder, dirs_exist_ok=True)
        yield f"sqlite:///{folder / 'live.sqlite'}"
        return
    with demo_postgres("analytics", _RUN / "analytics-demo-pg") as url:
        if url is None:
            pytest.skip("PostgreSQL is not available")
        yield url


@pytest.fixture
async def demo(demo_url: str) -> AsyncIterator[Any]:
    from portal.core.db import get_engine
    from portal.core.db import make_engine
    from portal.core.db import start
    from portal.core.db import stop
    from portal.core.db import use_engine

    previous = get_engine()  # given back after: the demo's database is gone once the module ends
    engine = make_engine(demo_url)
    use_engine(engine)
    await start(engine)
    try:
        yield engine
    finally:
        await stop(engine)
        use_engine(previous)


def _moment(value: Any) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


async def test_every_dashboard_figure_matches_a_direct_count_on_the_demo(demo: Any) -> None:
    from portal.analytics.tables import NpsAnswer
    from portal.billing.tables import Balance
    from portal.billing.tables import LedgerEntry
    from portal.tickets.tables import Ticket

    found = await queries.scope(ADMIN)
    this_month = clock.today_local().replace(day=1)
    latest = await queries.newest_month(found)
    assert latest is not None
    period = rules.choose_period(None, None, rules.last_complete(latest, this_month))
    now = clock.now()
    board = await queries.dashboard(found, period, now)
    assert len(board.money) == 12

    # Money: the balances of each month, summed plainly.
    balances = await Balance.select(
        Balance.period, Balance.charged_kopecks, Balance.other_kopecks, Balance.paid_kopecks, Balance.closing_kopecks
    ).where(Balance.period.is_in(period.months))
    refunds = await LedgerEntry.select(LedgerEntry.period, LedgerEntry.amount_kopecks).where(
        LedgerEntry.period.is_in(period.months) & (LedgerEntry.kind == "refund")
    )
    for month in board.money:
        rows = [r for r in balances if str(r["period"])[:10] == month.period.isoformat()]
        assert month.accounts == len(rows)
        refunded = sum(e["amount_kopecks"] for e in refunds if str(e["period"])[:10] == month.period.isoformat())
        assert month.charged * 100 == sum(r["charged_kopecks"] for r in rows)  # the services, as the receipts
        assert month.corrections * 100 == sum(r["other_kopecks"] for r in rows) - refunded
        assert month.paid * 100 == sum(r["paid_kopecks"] for r in rows) - refunded
        assert month.debt * 100 == sum(r["closing_kopecks"] for r in rows if r["closing_kopecks"] > 0)
    assert board.paid > 0 and board.last is not None and board.last.debt > 0

    # Requests: every request read once, counted by month in the company's zone.
    tickets = await Ticket.select(Ticket.status, Ticket.created_at, Ticket.completed_at, Ticket.deadline, Ticket.rating)
    zone = clock.zone()

    def month_of(moment: datetime | None) -> Any:
        return moment.astimezone(zone).date().replace(day=1) if moment else None

    for month in board.tickets:
        received = [t for t in tickets if month_of(_moment(t["created_at"])) == month.period]
        closed = [
            t for t in tickets
            if t["status"] in ("done", "closed") and month_of(_moment(t["completed_at"])) == month.period
        ]  # fmt: skip
        on_time = [t for t in closed if t["deadline"] is None or _moment(t["completed_at"]) <= _moment(t["deadline"])]
        ratings = [t["rating"] for t in closed if t["rating"] is not None]
        assert (month.received, month.closed, month.on_time) == (len(received), len(closed), len(on_time))
        assert month.csi == rules.csi(ratings) and month.csat == rules.csat(ratings)
    assert board.requests.received > 0 and board.requests.rated > 0
    # The breakdowns add up to the same totals.
    for rows in (board.by_category, board.by_executor):
        assert sum(r.received for r in rows) == board.requests.received
        assert sum(r.closed for r in rows) == board.requests.closed
        assert sum(r.on_time for r in rows) == board.requests.on_time
    overdue = [
        t for t in tickets
        if t["status"] not in ("done", "closed", "cancelled") and t["deadline"] is not None
        and _moment(t["deadline"]) < now
    ]  # fmt: skip
    assert board.overdue_now == len(overdue)

    # Payments by channel: the portal's payments read plainly by the day they were paid, every other payment
    # the ledger credits by its billing month.
    from portal.accounts.tables import Residency
    from portal.catalog.tables import Order
    from portal.meters.tables import MeterReading
    from portal.payments.tables import Payment

    payments = await Payment.select(
        Payment.kind, Payment.method, Payment.status, Payment.purpose, Payment.amount_kopecks, Payment.paid_at
    )
    entries = await LedgerEntry.select(LedgerEntry.period, LedgerEntry.amount_kopecks, LedgerEntry.reference).where(
        LedgerEntry.kind == "payment"
    )

    def channel(p: dict[str, Any]) -> str:
        return "autopay" if p["kind"] == "autopay" else "sbp" if p["method"] == "sbp" else "card"

    paid = ("succeeded", "partially_refunded", "refunded")
    for c in board.channels:
        month = [
            p for p in payments
            if p["purpose"] == "utilities" and p["status"] in paid and month_of(_moment(p["paid_at"])) == c.period
        ]  # fmt: skip
        for name in ("card", "sbp", "autopay"):
            rows = [p for p in month if channel(p) == name]
            assert c.counts[name] == len(rows), (c.period, name)
            assert c.sums[name] * 100 == sum(p["amount_kopecks"] for p in rows)
        other = [
            e for e in entries
            if str(e["period"])[:10] == c.period.isoformat() and not (e["reference"] or "").startswith("payment:")
        ]  # fmt: skip
        assert c.counts["other"] == len(other) and c.sums["other"] * 100 == -sum(e["amount_kopecks"] for e in other)
    for name in ("card", "sbp", "autopay", "other"):
        assert sum(c.counts[name] for c in board.channels) > 0, name

    # The portal's uptake: requests filed through it, orders, readings, owners connected by each month's end.
    sources = await Ticket.select(Ticket.source, Ticket.created_at)
    orders = await Order.select(Order.created_at)
    readings = await MeterReading.select(MeterReading.period, MeterReading.source)
    residencies = await Residency.select(Residency.account, Residency.role, Residency.created_at, Residency.revoked_at)
    for u, c in zip(board.uptake, board.channels, strict=True):
        assert u.requests == sum(
            1 for t in sources if t["source"] == "portal" and month_of(_moment(t["created_at"])) == u.period
        )
        assert u.orders == sum(1 for o in orders if month_of(_moment(o["created_at"])) == u.period)
        of_month = [r for r in readings if str(r["period"])[:10] == u.period.isoformat()]
        assert (u.readings, u.portal_readings) == (len(of_month), sum(1 for r in of_month if r["source"] == "portal"))
        end = queries.month_bounds([u.period])[0][1]
        owners = {
            r["account"] for r in residencies
            if r["role"] == "owner" and _moment(r["created_at"]) < end
            and (r["revoked_at"] is None or _moment(r["revoked_at"]) >= end)
        }  # fmt: skip
        assert u.connected == len(owners)
        assert u.paid == c.sums["card"] + c.sums["sbp"] + c.sums["autopay"]
    assert sum(u.requests for u in board.uptake) > 0 and sum(u.portal_readings for u in board.uptake) > 0
    shares = [u.connected_share for u in board.uptake if u.connected_share is not None]
    assert len(shares) >= 11 and shares[-1] > shares[0], "the share connected rises over the year"

    # NPS: every answer read, one per person and wave, by the rules of DOMAIN.md §7.4.
    answers = await NpsAnswer.select(
        NpsAnswer.id, NpsAnswer.wave, NpsAnswer.user, NpsAnswer.score, NpsAnswer.wave.opens_on.as_alias("opens_on")
    )
    assert len(board.waves) == 2, "the demo has two rounds answered in each complex"
    for wave in board.waves:
        scores = [
            a.score
            for a in rules.one_per_person(
                rules.Answer(r["user"], r["wave"], r["score"], r["id"])
                for r in answers
                if str(r["opens_on"])[:10] == wave.opens_on.isoformat()
            )
        ]
        assert wave.result == rules.nps(scores)
    assert board.nps is not None and board.nps_trend is not None and board.nps_trend > 0
    assert board.comments and all(c.comment for c in board.comments)
    assert board.collection is not None and board.collection > Decimal(50)
