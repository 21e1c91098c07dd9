"""Reads of the dashboard: aggregates in SQL over billing's balances and the requests, by month, for the houses a
staff user works with (``housing.queries.houses_in_scope``), narrowed to a complex or a house.

Every figure is a grouped aggregate (a fixed number of queries whatever the number of accounts or requests);
nothing is read row by row. Nothing here writes.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from datetime import datetime
from decimal import Decimal
from typing import Any

from piccolo.query.functions.aggregate import Count
from piccolo.query.functions.aggregate import Max
from piccolo.query.functions.aggregate import Sum

from portal.accounts.queries import houses_of_accounts
from portal.accounts.tables import StaffHouse
from portal.analytics import rules
from portal.analytics.tables import HouseMonth
from portal.analytics.tables import KpiBonus
from portal.analytics.tables import KpiMonth
from portal.analytics.tables import KpiStatus
from portal.analytics.tables import NpsAnswer
from portal.analytics.tables import NpsHouse
from portal.analytics.tables import NpsWave
from portal.analytics.tables import TicketMonth
from portal.billing.queries import newest_period
from portal.billing.queries import receivables_by_house
from portal.billing.queries import refunds_by_house
from portal.billing.tables import Balance
from portal.core import clock
from portal.core.db import from_kopecks
from portal.core.security import Principal
from portal.core.values import as_date
from portal.core.values import placeholders
from portal.housing.queries import HOUSES_LIMIT
from portal.housing.queries import HouseRef
from portal.housing.queries import houses_in_scope
from portal.housing.tables import FLOOR_AREA_KINDS
from portal.housing.tables import House
from portal.housing.tables import Premise
from portal.tickets.queries import DeveloperClaims
from portal.tickets.queries import open_claims_by_developer
from portal.tickets.queries import overdue_at
from portal.tickets.rules import Status
from portal.tickets.tables import Ticket
from portal.visits.queries import Ratings
from portal.visits.queries import marks_between

DONE = (Status.DONE, Status.CLOSED)


# --- scope -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scope:
    """The houses a dashboard counts: the user's houses, narrowed to a complex or one house when asked.
    ``every_house``: a user who works with every house asked for no complex or house: the company's totals are
    read (``houses`` is then empty)."""

    houses: list[HouseRef]
    complex_id: int | None = None
    house_id: int | None = None
    every_house: bool = False

    @property
    def ids(self) -> list[int]:
        return [h.id for h in self.houses]

    @property
    def empty(self) -> bool:
        """Nothing to count: no house of the user's in the complex or house asked for."""
        return not self.every_house and not self.houses


async def scope(principal: Principal, complex_id: int | None = None, house_id: int | None = None) -> Scope:
    """The user's houses (``houses_in_scope``), those of ``complex_id`` only, or ``house_id`` alone when the user
    works with it; a complex or a house outside the user's houses leaves nothing to count."""
    if principal.house_ids is None and complex_id is None and house_id is None:
        return Scope(houses=[], every_house=True)  # the company's totals: no list of houses to read
    if principal.house_ids is None and complex_id is not None:  # every house of one complex: one read
        rows = (
            await House.select(House.id, House.address)
            .where(House.complex == complex_id)
            .order_by(House.address)
            .limit(HOUSES_LIMIT)
        )
        houses = [HouseRef(id=r["id"], address=r["address"]) for r in rows]
        if house_id is not None:
            houses = [h for h in houses if h.id == house_id]
        return Scope(houses=houses, complex_id=complex_id, house_id=house_id)
    houses = await houses_in_scope(principal)
    if complex_id is not None and houses:
        ids = [h.id for h in houses]
        inside = {
            r["id"] for r in await House.select(House.id).where(House.id.is_in(ids) & (House.complex == complex_id))
        }
        houses = [h for h in houses if h.id in inside]
    if house_id is not None:
        houses = [h for h in houses if h.id == house_id]
    return Scope(houses=houses, complex_id=complex_id, house_id=house_id)


@dataclass(frozen=True)
class HouseOfComplex:
    """A house the user works with, with its complex: an option of the dashboard's house filter, in its group."""

    id: int
    address: str
    complex_id: int
    complex_name: str


async def houses_by_complex(principal: Principal) -> list[HouseOfComplex]:
    """The user's houses (at most ``HOUSES_LIMIT``) with their complexes, by complex and address: one statement,
    for the house filter that offers every house at once, grouped by complex."""
    query = (
        House.select(House.id, House.address, House.complex.id, House.complex.name)
        .order_by(House.complex.name, House.address)
        .limit(HOUSES_LIMIT)
    )
    if principal.house_ids is not None:
        if not principal.house_ids:
            return []
        query = query.where(House.id.is_in(sorted(principal.house_ids)))
    return [HouseOfComplex(r["id"], r["address"], r["complex.id"], r["complex.name"]) for r in await query]


async def latest_period(houses: Sequence[int]) -> date | None:
    """The newest billing month with balances in these houses."""
    return await newest_period(houses, billed=False)


def share_of(part: str, whole: str) -> Any:
    """A property: the attribute ``part`` as a percentage of the attribute ``whole`` (None when ``whole`` is 0)."""
    return property(lambda self: rules.share(getattr(self, part), getattr(self, whole)))


# --- money ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MonthMoney:
    """One billing month of the houses: charged (the services, as the receipts' «Начислено», and the billing
    overview's), paid (net of the refunds), the receivables at its end, and the balance corrections apart (signed)."""

    period: date
    accounts: int
    charged: Decimal
    paid: Decimal
    debt: Decimal
    area: Decimal
    corrections: Decimal = Decimal("0.00")

    collection = share_of("paid", "charged")

    @property
    def debt_per_m2(self) -> Decimal:
        return rules.per_unit(self.debt, self.area)


async def total_area(houses: Sequence[int]) -> Decimal:
    """The floor area of these houses (m²), flats and non-residential premises (``FLOOR_AREA_KINDS``), one
    aggregate: the receivables per m² divided by parking spaces and storage rooms too read lower than they are."""
    if not houses:
        return Decimal("0.00")
    where = Premise.house.is_in(list(houses)) & Premise.kind.is_in(list(FLOOR_AREA_KINDS))
    row = await Premise.select(Sum(Premise.area).as_alias("area")).where(where).first()
    value = row["area"] if row else None
    return Decimal(str(value or 0)).quantize(rules.CENT)


async def money_by_month(houses: Sequence[int], months: Sequence[date]) -> list[MonthMoney]:
    """Charged, corrections, paid and receivables of each month, as ``MonthMoney`` counts them (a grouped query over
    the balances, and two a month for the refunds and the receivables, ``billing.queries``)."""
    if not houses or not months:
        return []
    ids, periods = list(houses), list(months)
    condition = Balance.period.is_in(periods) & Balance.account.premise.house.is_in(ids)
    sums = (
        await Balance.select(
            Balance.period.as_alias("period"),
            Count(Balance.id).as_alias("accounts"),
            Sum(Balance.charged_kopecks).as_alias("charged"),
            Sum(Balance.other_kopecks).as_alias("other"),
            Sum(Balance.paid_kopecks).as_alias("paid"),
        )
        .where(condition)
        .group_by(Balance.period)
    )
    debt_of = {p: sum((await receivables_by_house(p, ids)).values()) for p in periods}
    refunded = {p: sum((await refunds_by_house(ids, p, p)).values()) for p in periods}
    area = await total_area(ids)
    by_month = {as_date(r["period"]): r for r in sums}
    found = []
    for period in periods:
        r = by_month.get(period) or {}
        found.append(
            MonthMoney(
                period=period,
                accounts=r.get("accounts") or 0,
                charged=from_kopecks(r.get("charged")),
                corrections=from_kopecks((r.get("other") or 0) - refunded[period]),
                paid=from_kopecks((r.get("paid") or 0) - refunded[period]),
                debt=from_kopecks(debt_of.get(period)),
                area=area,
            )
        )
    return found


# --- requests ------------------------------------------------------------------------------------------------


def month_bounds(months: Sequence[date]) -> list[tuple[datetime, datetime]]:
    """Each month as [start, next start) in the company's zone, as aware UTC moments."""
    bounds = []
    for period in months:
        start = clock.day_start(period)
        end = clock.day_start(rules.add_months(period, 1))
        bounds.append((start.astimezone(clock.now().tzinfo), end.astimezone(clock.now().tzinfo)))
    return bounds


class TicketShares:
    """What a count of requests reads as, for a class with ``closed``, ``on_time``, ``rated`` and ``rating_sum``:
    the share closed on time and the CSI."""

    on_time_share = share_of("on_time", "closed")

    @property
    def csi(self) -> Decimal | None:
        return rules.csi_of(self.rating_sum, self.rated)  # type: ignore[attr-defined]


@dataclass(frozen=True)
class MonthTickets(TicketShares):
    """Requests of one month: received (created in it), closed (completed in it), of those closed on time (by
    their deadline, or without one), and the residents' ratings of those closed."""

    period: date
    received: int
    closed: int
    on_time: int
    rated: int
    rating_sum: int
    satisfied: int  # ratings 4–5

    @property
    def csat(self) -> Decimal | None:
        return rules.share(self.satisfied, self.rated)


TICKET_FIGURES = ("received", "closed", "on_time", "rated", "rating_sum", "satisfied")
BREAKDOWN_FIGURES = TICKET_FIGURES[:-1]  # a breakdown by category or executor keeps no count of ratings 4–5


def ticket_sums(start: datetime, end: datetime, suffix: str = "") -> tuple[str, list[Any]]:
    """The SQL that counts the ``TICKET_FIGURES`` of requests ``t`` in [start, end) (each named with ``suffix``),
    and its arguments: received (created in it), closed (done or closed, by the completion time), of those on
    time, rated, the ratings' sum and the ratings 4–5."""
    completed = f"t.status IN ({placeholders(DONE)}) AND t.completed_at >= {{}} AND t.completed_at < {{}}"
    sql = (
        f"SUM(CASE WHEN t.created_at >= {{}} AND t.created_at < {{}} THEN 1 ELSE 0 END) AS received{suffix}, "
        f"SUM(CASE WHEN {completed} THEN 1 ELSE 0 END) AS closed{suffix}, "
        f"SUM(CASE WHEN {completed} AND (t.deadline IS NULL OR t.completed_at <= t.deadline) THEN 1 ELSE 0 END) "
        f"AS on_time{suffix}, "
        f"SUM(CASE WHEN {completed} AND t.rating IS NOT NULL THEN 1 ELSE 0 END) AS rated{suffix}, "
        f"SUM(CASE WHEN {completed} AND t.rating IS NOT NULL THEN t.rating ELSE 0 END) AS rating_sum{suffix}, "
        f"SUM(CASE WHEN {completed} AND t.rating >= 4 THEN 1 ELSE 0 END) AS satisfied{suffix}"
    )
    return sql, [start, end, *([*DONE, start, end] * 5)]


async def tickets_by_month(houses: Sequence[int], months: Sequence[date]) -> list[MonthTickets]:
    """The requests of each month in one query: a conditional count per month and figure (indexed by house and
    by the creation and completion times)."""
    if not houses or not months:
        return []
    bounds = month_bounds(months)
    columns: list[str] = []
    args: list[Any] = []
    for n, (start, end) in enumerate(bounds):
        sums, sum_args = ticket_sums(start, end, f"_{n}")
        columns.append(sums)
        args += sum_args
    first, last = bounds[0][0], bounds[-1][1]
    args += [*houses, first, last, first, last]
    sql = (
        "SELECT "  # noqa: S608 (placeholders only)
        + ", ".join(columns)
        + f" FROM ticket t WHERE t.house IN ({placeholders(houses)})"
        + " AND ((t.created_at >= {} AND t.created_at < {}) OR (t.completed_at >= {} AND t.completed_at < {}))"
    )
    rows = await Ticket.raw(sql, *args)
    row = rows[0] if rows else {}

    return [
        MonthTickets(period=period, **{f: int(row.get(f"{f}_{n}") or 0) for f in TICKET_FIGURES})
        for n, period in enumerate(months)
    ]


@dataclass(frozen=True)
class Breakdown(TicketShares):
    """Requests of the period grouped by one column (a category, an executor)."""

    key: Any
    label: str
    received: int
    closed: int
    on_time: int
    rated: int
    rating_sum: int


async def overdue_now(houses: Sequence[int] | None, now: datetime) -> int:
    """Requests still open past the minute of their deadline at ``now``, as the staff's overdue tab counts them
    (in these houses; None: in every house)."""
    if houses is not None and not houses:
        return 0
    condition = overdue_at(now)
    if houses is not None:
        condition &= Ticket.house.is_in(list(houses))
    return await Ticket.count().where(condition)


# --- the dashboard -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Latest:
    """The period's latest month beside the month before it (None where that month is not known: the month before
    a period's first is known for the money alone)."""

    money: MonthMoney
    money_before: MonthMoney | None
    tickets: MonthTickets
    tickets_before: MonthTickets | None
    uptake: MonthUptake
    uptake_before: MonthUptake | None

    def change(self, figure: str) -> Decimal | None:
        """The latest month's ``figure`` (``"money.paid"``, ``"tickets.received"``…) as a percentage of the month
        before's (``rules.trend``), None without that month."""
        kind, name = figure.split(".")
        before = getattr(self, f"{kind}_before")
        return rules.trend(getattr(getattr(self, kind), name), getattr(before, name)) if before is not None else None


@dataclass(frozen=True)
class Dashboard:
    scope: Scope
    period: rules.Period
    money: list[MonthMoney]  # the period's months
    money_before: MonthMoney | None  # the month before the period (for the first month's trend)
    tickets: list[MonthTickets]
    channels: list[MonthChannels]
    uptake: list[MonthUptake]
    overdue_now: int
    waves: list[WaveFigure]
    comments: list[NpsComment]
    by_category: list[Breakdown]
    by_executor: list[Breakdown]
    claims: list[DeveloperClaims]  # the open warranty claims by developer, now
    visits: Ratings | None  # the residents' marks of the client centre's visits of the period's months

    @property
    def nps(self) -> int | None:
        """The NPS of the latest wave answered."""
        return self.waves[-1].result.nps if self.waves else None

    @property
    def nps_trend(self) -> int | None:
        """Points gained (or lost) since the wave before."""
        if len(self.waves) < 2 or self.waves[-1].result.nps is None or self.waves[-2].result.nps is None:
            return None
        return self.waves[-1].result.nps - self.waves[-2].result.nps

    @property
    def last(self) -> MonthMoney | None:
        return self.money[-1] if self.money else None

    @property
    def latest(self) -> Latest | None:
        """The figures of the period's latest month and of the month before (the dashboard's first card)."""
        if not self.money or not self.tickets or not self.uptake:
            return None
        before = self.money[-2] if len(self.money) > 1 else self.money_before
        return Latest(
            money=self.money[-1],
            money_before=before if before is not None and before.accounts else None,
            tickets=self.tickets[-1],
            tickets_before=self.tickets[-2] if len(self.tickets) > 1 else None,
            uptake=self.uptake[-1],
            uptake_before=self.uptake[-2] if len(self.uptake) > 1 else None,
        )

    @property
    def charged(self) -> Decimal:
        return sum((m.charged for m in self.money), Decimal("0.00"))

    @property
    def paid(self) -> Decimal:
        return sum((m.paid for m in self.money), Decimal("0.00"))

    collection = share_of("paid", "charged")

    def debt_trend(self) -> list[tuple[MonthMoney, Decimal | None]]:
        """Each month's receivables as a percentage of the month before."""
        previous = self.money_before
        found = []
        for m in self.money:
            found.append((m, rules.trend(m.debt, previous.debt) if previous and previous.accounts else None))
            previous = m
        return found

    @property
    def last_trend(self) -> Decimal | None:
        trends = self.debt_trend()
        return trends[-1][1] if trends else None

    @property
    def requests(self) -> MonthTickets:
        """The period's requests: each figure of its months summed (``period``: the first month)."""
        summed = {f: sum(getattr(t, f) for t in self.tickets) for f in TICKET_FIGURES}
        return MonthTickets(period=self.period.start, **summed)


async def dashboard(found: Scope, period: rules.Period, now: datetime) -> Dashboard:
    """Every figure of the dashboard for the scope and the months: the months from the aggregates (one grouped
    query), the breakdowns (two), the overdue requests now, the open warranty claims by developer, the NPS waves and
    comments, the executors' names, the marks of the client centre's visits."""
    months = period.months
    before = rules.add_months(months[0], -1)
    figures = await month_figures(found, [before, *months])
    houses = None if found.every_house else found.ids
    (start, _), (_, end) = month_bounds([months[0], months[-1]])
    return Dashboard(
        scope=found,
        period=period,
        money=[f.money for f in figures[1:]],
        money_before=figures[0].money if figures else None,
        tickets=[f.tickets for f in figures[1:]],
        channels=[f.channels for f in figures[1:]],
        uptake=[f.uptake for f in figures[1:]],
        overdue_now=await overdue_now(houses, now),
        waves=await waves(found, rules.month_last(months[-1])),
        comments=await nps_comments(houses, before=clock.day_start(rules.add_months(months[-1], 1))),
        by_category=await breakdown("category", found, months),
        by_executor=await breakdown("executor", found, months),
        claims=await open_claims_by_developer(houses),
        visits=await marks_between(houses, start, end),
    )


# --- the aggregates (``aggregates.refresh`` writes them) -----------------------------------------------------

CHANNELS = ("card", "sbp", "autopay", "other")
SUMMED = (
    "accounts", "area", "charged_kopecks", "corrections_kopecks", "paid_kopecks", "debt_kopecks",
    *(f"{c}_{part}" for c in CHANNELS for part in ("count", "kopecks")),
    "portal_requests", "orders", "readings", "portal_readings", "connected",
    *TICKET_FIGURES,
)  # fmt: skip


@dataclass(frozen=True)
class MonthChannels:
    """Payments of one month by channel: the portal's card checkout, СБП, autopay and every other payment."""

    period: date
    counts: dict[str, int]
    sums: dict[str, Decimal]

    @property
    def count(self) -> int:
        return sum(self.counts.values())

    @property
    def total(self) -> Decimal:
        return sum(self.sums.values(), Decimal("0.00"))

    @property
    def portal_share(self) -> Decimal | None:
        """The share of the month's payments made through the portal (card, СБП, autopay)."""
        return rules.share(self.total - self.sums.get("other", Decimal(0)), self.total)


@dataclass(frozen=True)
class MonthUptake:
    """The portal's uptake in one month: requests filed through it, service orders, readings passed through it
    (of all readings), payments through it, accounts with an owner connected by the month's end."""

    period: date
    accounts: int
    requests: int
    orders: int
    readings: int
    portal_readings: int
    paid: Decimal
    connected: int

    readings_share = share_of("portal_readings", "readings")
    connected_share = share_of("connected", "accounts")


@dataclass(frozen=True)
class MonthFigures:
    money: MonthMoney
    tickets: MonthTickets
    channels: MonthChannels
    uptake: MonthUptake


def _house_filter(column: Any, found: Scope) -> Any:
    """The scope's houses, or the company's total rows (house None) for every house."""
    return column.is_null() if found.every_house else column.is_in(found.ids or [-1])


async def month_figures(found: Scope, months: Sequence[date]) -> list[MonthFigures]:
    """Each month's figures of the scope's houses, summed from ``HouseMonth`` (one grouped query)."""
    if found.empty or not months:
        return []
    query = HouseMonth.select(
        HouseMonth.period.as_alias("period"), *(Sum(getattr(HouseMonth, f)).as_alias(f) for f in SUMMED)
    ).where(HouseMonth.period.is_in(list(months)))
    query = query.where(_house_filter(HouseMonth.house, found))
    by_month = {as_date(r["period"]): r for r in await query.group_by(HouseMonth.period)}
    found_months = []
    for period in months:
        r = by_month.get(period) or {}

        def n(name: str, r: dict[str, Any] = r) -> int:
            return int(r.get(name) or 0)

        money = MonthMoney(
            period=period,
            accounts=n("accounts"),
            charged=from_kopecks(n("charged_kopecks")),
            corrections=from_kopecks(n("corrections_kopecks")),
            paid=from_kopecks(n("paid_kopecks")),
            debt=from_kopecks(n("debt_kopecks")),
            area=Decimal(str(r.get("area") or 0)).quantize(rules.CENT),
        )
        tickets = MonthTickets(period=period, **{f: n(f) for f in TICKET_FIGURES})
        channels = MonthChannels(
            period=period,
            counts={c: n(f"{c}_count") for c in CHANNELS},
            sums={c: from_kopecks(n(f"{c}_kopecks")) for c in CHANNELS},
        )
        uptake = MonthUptake(
            period=period,
            accounts=n("accounts"),
            requests=n("portal_requests"),
            orders=n("orders"),
            readings=n("readings"),
            portal_readings=n("portal_readings"),
            paid=from_kopecks(sum(n(f"{c}_kopecks") for c in CHANNELS if c != "other")),
            connected=n("connected"),
        )
        found_months.append(MonthFigures(money, tickets, channels, uptake))
    return found_months


async def breakdown(dimension: str, found: Scope, months: Sequence[date], limit: int = 50) -> list[Breakdown]:
    """The period's requests by category or by executor, the busiest first, from ``TicketMonth`` (one grouped
    query; the executors' names in one more)."""
    if found.empty or not months or dimension not in ("category", "executor"):
        return []
    query = TicketMonth.select(
        TicketMonth.key.as_alias("key"),
        *(Sum(getattr(TicketMonth, f)).as_alias(f) for f in BREAKDOWN_FIGURES),
    ).where(TicketMonth.period.is_in(list(months)) & (TicketMonth.dimension == dimension))
    query = query.where(_house_filter(TicketMonth.house, found))
    rows = await query.group_by(TicketMonth.key)
    rows.sort(key=lambda r: (-int(r["received"] or 0), -int(r["closed"] or 0), r["key"]))
    rows = rows[:limit]
    from portal.accounts.tables import User
    from portal.tickets.rules import category_label

    names: dict[str, str] = {}
    if dimension == "executor":
        ids = [int(r["key"]) for r in rows if r["key"]]
        if ids:
            names = {
                str(u["id"]): u["full_name"] or ""
                for u in await User.select(User.id, User.full_name).where(User.id.is_in(ids))
            }

    def key_of(value: str) -> Any:
        if dimension == "category":
            return value
        return int(value) if value else None

    return [
        Breakdown(
            key=key_of(r["key"]),
            label=category_label(r["key"]) if dimension == "category" else names.get(r["key"], ""),
            **{f: int(r[f] or 0) for f in BREAKDOWN_FIGURES},
        )
        for r in rows
    ]


async def waves(found: Scope, until: date, limit: int = 12) -> list[WaveFigure]:
    """The NPS of the latest ``limit`` rounds answered in the scope's houses opened by ``until`` (the period's last
    day: a past period reads the survey of its time), oldest first, from ``NpsHouse`` (one grouped query; every
    answer counted once per person by the unique index on the answers)."""
    if found.empty:
        return []
    rows = (
        await NpsHouse.select(
            NpsHouse.opens_on.as_alias("opens_on"),
            Max(NpsHouse.closes_on).as_alias("closes_on"),
            *(Sum(getattr(NpsHouse, f)).as_alias(f) for f in ("responses", "promoters", "detractors")),
        )
        .where(_house_filter(NpsHouse.house, found) & (NpsHouse.opens_on <= until))
        .group_by(NpsHouse.opens_on)
        .order_by(NpsHouse.opens_on, ascending=False)
        .limit(limit)
    )
    return [_wave(r) for r in reversed(rows)]


async def newest_month(found: Scope) -> date | None:
    """The newest month counted with balances in the scope's houses (from the aggregates)."""
    if found.empty:
        return None
    query = HouseMonth.select(Max(HouseMonth.period).as_alias("period")).where(HouseMonth.accounts > 0)
    query = query.where(_house_filter(HouseMonth.house, found))
    row = await query.first()
    return as_date(row["period"]) if row and row["period"] else None


# --- NPS surveys -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class WaveFigure:
    """One round of the NPS survey over the scope's houses — the waves of its complexes opened the same day (the
    scheduled job opens them together) — with answers by group and the NPS (each person once: a unique index)."""

    opens_on: date
    closes_on: date
    result: rules.NpsResult


def _wave(r: dict[str, Any]) -> WaveFigure:
    """A round of the survey from a row of its answers counted by group."""
    counts = (int(r[f] or 0) for f in ("responses", "promoters", "detractors"))
    return WaveFigure(opens_on=as_date(r["opens_on"]), closes_on=as_date(r["closes_on"]), result=rules.nps_of(*counts))


async def nps_by_wave(houses: Sequence[int] | None, limit: int = 12, until: date | None = None) -> list[WaveFigure]:
    """The NPS of the latest ``limit`` rounds answered in these houses (None: every house) opened by ``until``,
    oldest first (one grouped query)."""
    if houses is not None and not houses:
        return []
    until = until or date(9999, 12, 31)
    within = f"a.house IN ({placeholders(houses)})" if houses is not None else "1 = 1"
    houses = list(houses or [])
    rows = await NpsAnswer.raw(
        "SELECT w.opens_on AS opens_on, MAX(w.closes_on) AS closes_on, "  # noqa: S608 (placeholders only)
        "COUNT(*) AS responses, "
        "SUM(CASE WHEN a.score >= {} THEN 1 ELSE 0 END) AS promoters, "
        "SUM(CASE WHEN a.score <= {} THEN 1 ELSE 0 END) AS detractors "
        f"FROM nps_answer a JOIN nps_wave w ON w.id = a.wave WHERE {within} "
        "AND w.opens_on <= {} "
        "GROUP BY w.opens_on ORDER BY w.opens_on DESC LIMIT {}",
        rules.PROMOTER_FROM,
        rules.DETRACTOR_UP_TO,
        *houses,
        until,
        limit,
    )
    return [_wave(r) for r in reversed(rows)]


@dataclass(frozen=True)
class NpsComment:
    score: int
    comment: str
    address: str
    answered_at: datetime


async def nps_comments(houses: Sequence[int] | None, before: datetime, limit: int = 10) -> list[NpsComment]:
    """The latest answers with a comment in these houses (None: every house) given before ``before``."""
    if houses is not None and not houses:
        return []
    condition = (NpsAnswer.comment != "") & (NpsAnswer.answered_at < before)
    if houses is not None:
        condition &= NpsAnswer.house.is_in(list(houses))
    rows = (
        await NpsAnswer.select(
            NpsAnswer.score, NpsAnswer.comment, NpsAnswer.house.address.as_alias("address"), NpsAnswer.answered_at
        )
        .where(condition)
        .order_by(NpsAnswer.answered_at, ascending=False)
        .limit(limit)
    )
    return [NpsComment(r["score"], r["comment"], r["address"], r["answered_at"]) for r in rows]


@dataclass(frozen=True)
class OpenWave:
    """A wave open for a resident today, with the house they answer for and their answer so far."""

    wave_id: int
    house_id: int
    complex_name: str
    closes_on: date
    score: int | None
    comment: str


# The waves open today in any complex (at most one a complex), newest first: every home page asks, and they change
# when a wave opens or a day begins. Each process keeps them for ``OPEN_WAVES_TTL`` seconds and for the day they
# were read on; a wave opened here is seen at once (``forget_open_waves``), in another process within the TTL.
OPEN_WAVES_TTL = 60.0
OPEN_WAVES_LIMIT = 1000
_open_waves: dict[str, Any] = {"at": None, "day": None, "rows": []}


def forget_open_waves() -> None:
    _open_waves["at"] = None


async def _waves_open_on(today: date) -> list[dict[str, Any]]:
    moment = time.monotonic()
    kept = _open_waves["at"] is not None and moment - _open_waves["at"] < OPEN_WAVES_TTL
    if not kept or _open_waves["day"] != today:
        rows = (
            await NpsWave.select(NpsWave.id, NpsWave.complex, NpsWave.closes_on)
            .where((NpsWave.opens_on <= today) & (NpsWave.closes_on >= today))
            .order_by(NpsWave.opens_on, ascending=False)
            .order_by(NpsWave.id, ascending=False)
            .limit(OPEN_WAVES_LIMIT)
        )
        _open_waves.update(at=moment, day=today, rows=rows)
    return _open_waves["rows"]


async def open_wave_for(principal: Principal, today: date) -> OpenWave | None:
    """The NPS wave open today in the complex of one of the resident's houses (the first), if any: the resident's
    accounts with their houses and complexes (on the home page read once for every section that asks,
    ``accounts.queries.accounts_of_user``), the waves open today (kept a minute by the process), and the resident's
    answer when one is open."""
    if principal.user_id is None or not principal.account_ids:
        return None
    complex_of = {h.house_id: (h.complex_id, h.complex_name) for h in await houses_of_accounts(principal)}
    if not complex_of:
        return None
    complexes = {c for c, _ in complex_of.values()}
    wave = next((w for w in await _waves_open_on(today) if w["complex"] in complexes), None)
    if wave is None:
        return None
    house = next(h for h, (c, _) in sorted(complex_of.items()) if c == wave["complex"])
    answer = (
        await NpsAnswer.select(NpsAnswer.score, NpsAnswer.comment)
        .where((NpsAnswer.wave == wave["id"]) & (NpsAnswer.user == principal.user_id))
        .first()
    )
    return OpenWave(
        wave_id=wave["id"],
        house_id=house,
        complex_name=complex_of[house][1],
        closes_on=as_date(wave["closes_on"]),
        score=answer["score"] if answer else None,
        comment=answer["comment"] if answer else "",
    )


async def last_waves(complex_ids: Sequence[int]) -> dict[int, date]:
    """The opening day of the latest wave of each complex (one grouped query)."""
    if not complex_ids:
        return {}
    rows = (
        await NpsWave.select(NpsWave.complex, Max(NpsWave.opens_on).as_alias("opens_on"))
        .where(NpsWave.complex.is_in(list(complex_ids)))
        .group_by(NpsWave.complex)
    )
    return {r["complex"]: as_date(r["opens_on"]) for r in rows}


# --- KPI and bonus -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Measured:
    """What the portal measures of a complex's month for its KPI: receivables per m² against the month before,
    requests closed on time, NPS of the latest wave against the one before."""

    debt_per_m2: Decimal | None
    debt_per_m2_before: Decimal | None
    on_time: Decimal | None
    nps: int | None
    nps_before: int | None

    @property
    def receivables(self) -> Decimal | None:
        return rules.receivables_achievement(self.debt_per_m2, self.debt_per_m2_before)

    @property
    def nps_trend(self) -> Decimal | None:
        return rules.nps_achievement(self.nps, self.nps_before)


async def measured(houses: Sequence[int], period: date) -> Measured:
    """The measured KPI figures of these houses for ``period`` (four queries)."""
    before = rules.add_months(period, -1)
    money = await money_by_month(houses, [before, period])
    tickets = await tickets_by_month(houses, [period])
    waves = await nps_by_wave(houses, limit=2, until=rules.month_last(period))
    results = [w.result.nps for w in waves]
    return Measured(
        debt_per_m2=money[1].debt_per_m2 if len(money) == 2 and money[1].accounts else None,
        debt_per_m2_before=money[0].debt_per_m2 if money and money[0].accounts else None,
        on_time=tickets[0].on_time_share if tickets else None,
        nps=results[-1] if results else None,
        nps_before=results[-2] if len(results) == 2 else None,
    )


@dataclass(frozen=True)
class BonusLine:
    user_id: int
    name: str
    position: str
    maximum: Decimal
    efficiency: Decimal | None
    bonus: Decimal


@dataclass(frozen=True)
class KpiRecord:
    id: int
    complex_id: int
    period: date
    achievements: dict[rules.Kpi, Decimal | None]
    acts: Decimal | None  # works in the acts matching requests, as the manager entered it
    efficiency: Decimal | None
    status: str
    approved_by: str
    approved_at: datetime | None
    lines: list[BonusLine]
    updated_at: datetime | None = None  # its version: the month's form carries it (core.stale)

    @property
    def approved(self) -> bool:
        return self.status == KpiStatus.APPROVED

    @property
    def total(self) -> Decimal:
        return sum((line.bonus for line in self.lines), Decimal("0.00"))


def _pct(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value)).quantize(rules.TENTH)


async def kpi_record(complex_id: int, period: date) -> KpiRecord | None:
    """The KPI month of a complex with its bonus lines (two queries)."""
    row = (
        await KpiMonth.select(KpiMonth.all_columns(), KpiMonth.approved_by.full_name.as_alias("approver"))
        .where((KpiMonth.complex == complex_id) & (KpiMonth.period == period))
        .first()
    )
    if row is None:
        return None
    lines = (
        await KpiBonus.select(KpiBonus.all_columns(), KpiBonus.user.full_name.as_alias("name"))
        .where(KpiBonus.kpi_month == row["id"])
        .order_by(KpiBonus.id)
    )
    return KpiRecord(
        id=row["id"],
        complex_id=row["complex"],
        period=as_date(row["period"]),
        achievements={
            rules.Kpi.NPS: _pct(row["nps_pct"]),
            rules.Kpi.PLAN: _pct(row["plan_pct"]),
            rules.Kpi.RECEIVABLES: _pct(row["receivables_pct"]),
            rules.Kpi.DISPATCH: _pct(row["dispatch_pct"]),
        },
        acts=_pct(row["acts_pct"]),
        efficiency=_pct(row["efficiency_pct"]),
        status=row["status"],
        approved_by=row["approver"] or "",
        approved_at=row["approved_at"],
        updated_at=row["updated_at"],
        lines=[
            BonusLine(
                user_id=r["user"],
                name=r["name"] or "",
                position=r["position"],
                maximum=from_kopecks(r["maximum_kopecks"]),
                efficiency=_pct(r["efficiency_pct"]),
                bonus=from_kopecks(r["bonus_kopecks"]),
            )
            for r in lines
        ],
    )


async def kpi_by_id(principal: Principal, kpi_id: int) -> KpiRecord | None:
    """A KPI month, if its complex has houses the principal works with."""
    row = await KpiMonth.select(KpiMonth.complex, KpiMonth.period).where(KpiMonth.id == kpi_id).first()
    if row is None or not (await scope(principal, row["complex"])).ids:
        return None
    return await kpi_record(row["complex"], as_date(row["period"]))


@dataclass(frozen=True)
class StaffRef:
    id: int
    name: str


async def staff_of(houses: Sequence[int], limit: int = 200) -> list[StaffRef]:
    """The staff members who work with any of these houses, by name."""
    if not houses:
        return []
    rows = (
        await StaffHouse.select(StaffHouse.user.id.as_alias("id"), StaffHouse.user.full_name.as_alias("name"))
        .where(StaffHouse.house.is_in(list(houses)) & (StaffHouse.user.is_active == True))  # noqa: E712
        .distinct()
        .limit(limit)
    )
    return sorted((StaffRef(r["id"], r["name"] or "") for r in rows), key=lambda s: (s.name, s.id))


__all__ = ["Dashboard", "MonthMoney", "MonthTickets", "Scope", "dashboard", "latest_period", "scope"]
