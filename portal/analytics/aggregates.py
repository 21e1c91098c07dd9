"""The dashboard's monthly aggregates: one row per house and month (``HouseMonth``), the requests by category
and executor (``TicketMonth``) and the NPS waves opened in the month by house (``NpsHouse``), each with the
company's totals (house None), counted from the large tables (balances, payments, the ledger, readings,
requests, orders, residencies) by a scheduled job so that the dashboard reads a few thousand small rows.

``refresh(period)`` is idempotent: it deletes the month's rows and writes them again in one transaction, so a
second run (or a run after late payments) gives the month as it stands. Each count is one grouped query by house.
"""

# ruff: noqa: S608 (the SQL below is built from constants of this module; values go as placeholders)
from __future__ import annotations

from collections import defaultdict
from datetime import date
from datetime import datetime
from decimal import Decimal
from typing import Any

from portal.analytics import rules
from portal.analytics.queries import BREAKDOWN_FIGURES
from portal.analytics.queries import TICKET_FIGURES
from portal.analytics.queries import month_bounds
from portal.analytics.queries import ticket_sums
from portal.analytics.tables import HouseMonth
from portal.analytics.tables import NpsHouse
from portal.analytics.tables import TicketMonth
from portal.billing.queries import receivables_by_house
from portal.core import clock
from portal.core.db import atomic
from portal.core.values import as_date
from portal.core.values import placeholders
from portal.housing.tables import FLOOR_AREA_KINDS
from portal.housing.tables import House

PAID = ("succeeded", "partially_refunded", "refunded")  # a payment that reached the company (refunds apart)
PORTAL = "portal"


async def _rows(sql: str, *args: Any) -> list[dict[str, Any]]:
    return await House.raw(sql, *args)


async def _money(period: date) -> list[dict[str, Any]]:
    """Each house's month: the accounts billed, charged (the services, as the receipts' «Начислено»; penalties
    apart), the balance corrections (signed), paid (net of the refunds made in the month), and the receivables
    (``billing.queries.receivables_by_house``): as the billing overview counts them."""
    sums = await _rows(
        "SELECT p.house AS house, COUNT(*) AS accounts, SUM(b.charged_kopecks) AS charged, "
        "SUM(b.other_kopecks) AS other, SUM(b.paid_kopecks) AS paid "
        "FROM balance b JOIN personal_account a ON a.id = b.account JOIN premise p ON p.id = a.premise "
        "WHERE b.period = {} GROUP BY p.house",
        period,
    )
    # A refund is written among the other entries of the balance: money given back, neither paid nor a correction.
    refunds = await _rows(
        "SELECT p.house AS house, SUM(e.amount_kopecks) AS refunded "
        "FROM ledger_entry e JOIN personal_account a ON a.id = e.account JOIN premise p ON p.id = a.premise "
        "WHERE e.period = {} AND e.kind = 'refund' GROUP BY p.house",
        period,
    )
    refunded = {r["house"]: _int(r["refunded"]) for r in refunds}
    debt = await receivables_by_house(period)
    found = {r["house"]: {"accounts": _int(r["accounts"]), "charged": _int(r["charged"]), "other": _int(r["other"]),
                          "paid": _int(r["paid"])} for r in sums}  # fmt: skip
    for house in refunded.keys() | debt.keys():
        found.setdefault(house, {"accounts": 0, "charged": 0, "other": 0, "paid": 0})
    for house, values in found.items():
        values["corrections"] = values.pop("other") - refunded.get(house, 0)
        values["paid"] -= refunded.get(house, 0)
        values["debt"] = debt.get(house, 0)
    return [{"house": house, **values} for house, values in found.items()]


FLOOR_AREA = ", ".join(f"'{kind}'" for kind in FLOOR_AREA_KINDS)  # SQL of the kinds (constants, not input)


async def _area() -> list[dict[str, Any]]:
    """Each house's floor area (flats and non-residential premises), what receivables per m² are measured by."""
    return await _rows(f"SELECT house, SUM(area) AS area FROM premise WHERE kind IN ({FLOOR_AREA}) GROUP BY house")


async def _portal_payments(start: datetime, end: datetime) -> list[dict[str, Any]]:
    """Payments made through the portal in the month, by channel: autopay, СБП, and the card checkout."""
    return await _rows(
        "SELECT p.house AS house, "
        "CASE WHEN y.kind = 'autopay' THEN 'autopay' WHEN y.method = 'sbp' THEN 'sbp' ELSE 'card' END AS channel, "
        "COUNT(*) AS n, SUM(y.amount_kopecks) AS total "
        "FROM payment y JOIN personal_account a ON a.id = y.account JOIN premise p ON p.id = a.premise "
        f"WHERE y.purpose = 'utilities' AND y.status IN ({placeholders(PAID)}) "
        "AND y.paid_at >= {} AND y.paid_at < {} "
        "GROUP BY p.house, CASE WHEN y.kind = 'autopay' THEN 'autopay' WHEN y.method = 'sbp' THEN 'sbp' "
        "ELSE 'card' END",
        *PAID,
        start,
        end,
    )


async def _other_payments(period: date) -> list[dict[str, Any]]:
    """Every payment the ledger credits to the month that did not come through the portal (bank and post
    office registries, the cash desk)."""
    return await _rows(
        "SELECT p.house AS house, COUNT(*) AS n, -SUM(e.amount_kopecks) AS total "
        "FROM ledger_entry e JOIN personal_account a ON a.id = e.account JOIN premise p ON p.id = a.premise "
        "WHERE e.period = {} AND e.kind = 'payment' AND (e.reference IS NULL OR e.reference NOT LIKE 'payment:%') "
        "GROUP BY p.house",
        period,
    )


async def _uptake(period: date, start: datetime, end: datetime) -> dict[str, list[dict[str, Any]]]:
    requests = await _rows(
        "SELECT house, COUNT(*) AS n FROM ticket WHERE created_at >= {} AND created_at < {} AND source = {} "
        "GROUP BY house",
        start,
        end,
        PORTAL,
    )
    orders = await _rows(
        "SELECT house, COUNT(*) AS n FROM service_order WHERE created_at >= {} AND created_at < {} GROUP BY house",
        start,
        end,
    )
    readings = await _rows(
        "SELECT p.house AS house, COUNT(*) AS n, SUM(CASE WHEN r.source = {} THEN 1 ELSE 0 END) AS portal "
        "FROM meter_reading r JOIN meter m ON m.id = r.meter JOIN personal_account a ON a.id = m.account "
        "JOIN premise p ON p.id = a.premise WHERE r.period = {} GROUP BY p.house",
        PORTAL,
        period,
    )
    connected = await _rows(
        "SELECT p.house AS house, COUNT(DISTINCT r.account) AS n FROM residency r "
        "JOIN personal_account a ON a.id = r.account JOIN premise p ON p.id = a.premise "
        "WHERE r.role = 'owner' AND r.created_at < {} AND (r.revoked_at IS NULL OR r.revoked_at >= {}) "
        "GROUP BY p.house",
        end,
        end,
    )
    return {"requests": requests, "orders": orders, "readings": readings, "connected": connected}


async def _tickets(start: datetime, end: datetime, by: str) -> list[dict[str, Any]]:
    """The month's requests by house, by (house, category) or by (house, executor): received in the month,
    closed in it (done or closed, by the completion time), of those on time, rated."""
    sums, args = ticket_sums(start, end)
    key = {"house": "", "category": ", t.category", "executor": ", t.executor"}[by]
    label = {"house": "", "category": ", t.category AS key", "executor": ", t.executor AS key"}[by]
    return await _rows(
        f"SELECT t.house AS house{label}, {sums} FROM ticket t "
        "WHERE (t.created_at >= {} AND t.created_at < {}) OR (t.completed_at >= {} AND t.completed_at < {}) "
        f"GROUP BY t.house{key}",
        *args,
        start,
        end,
        start,
        end,
    )


async def _nps(period: date) -> list[NpsHouse]:
    """The answers of the waves opened in ``period``'s month by house, and their totals (house None)."""
    rows = await _rows(
        "SELECT w.opens_on AS opens_on, MAX(w.closes_on) AS closes_on, a.house AS house, COUNT(*) AS responses, "
        "SUM(CASE WHEN a.score >= {} THEN 1 ELSE 0 END) AS promoters, "
        "SUM(CASE WHEN a.score <= {} THEN 1 ELSE 0 END) AS detractors "
        "FROM nps_answer a JOIN nps_wave w ON w.id = a.wave WHERE w.opens_on >= {} AND w.opens_on < {} "
        "GROUP BY w.opens_on, a.house",
        rules.PROMOTER_FROM,
        rules.DETRACTOR_UP_TO,
        period,
        rules.add_months(period, 1),
    )
    found: list[NpsHouse] = []
    totals: dict[Any, dict[str, Any]] = {}
    for r in rows:
        opens_on, closes_on = as_date(r["opens_on"]), as_date(r["closes_on"])
        figures = {f: _int(r[f]) for f in ("responses", "promoters", "detractors")}
        found.append(NpsHouse(opens_on=opens_on, closes_on=closes_on, house=r["house"], **figures))
        total = totals.setdefault(opens_on, {"closes_on": closes_on, "responses": 0, "promoters": 0, "detractors": 0})
        total["closes_on"] = max(total["closes_on"], closes_on)
        for name, value in figures.items():
            total[name] += value
    found += [NpsHouse(opens_on=day, house=None, **values) for day, values in sorted(totals.items())]
    return found


def _int(value: Any) -> int:
    return int(value or 0)


async def refresh(period: date, now: datetime | None = None) -> int:
    """Count ``period``'s month of every house again and replace its rows (and the company's totals, house None);
    returns the houses written."""
    period = period.replace(day=1)
    now = now or clock.now()
    (start, end) = month_bounds([period])[0]
    rows: dict[int, dict[str, Any]] = defaultdict(dict)
    for r in await _money(period):
        rows[r["house"]].update(
            accounts=_int(r["accounts"]),
            charged_kopecks=_int(r["charged"]),
            corrections_kopecks=_int(r["corrections"]),
            paid_kopecks=_int(r["paid"]),
            debt_kopecks=_int(r["debt"]),
        )
    for r in await _portal_payments(start, end):
        rows[r["house"]].update({f"{r['channel']}_count": _int(r["n"]), f"{r['channel']}_kopecks": _int(r["total"])})
    for r in await _other_payments(period):
        rows[r["house"]].update(other_count=_int(r["n"]), other_kopecks=_int(r["total"]))
    uptake = await _uptake(period, start, end)
    for r in uptake["requests"]:
        rows[r["house"]]["portal_requests"] = _int(r["n"])
    for r in uptake["orders"]:
        rows[r["house"]]["orders"] = _int(r["n"])
    for r in uptake["readings"]:
        rows[r["house"]].update(readings=_int(r["n"]), portal_readings=_int(r["portal"]))
    for r in uptake["connected"]:
        rows[r["house"]]["connected"] = _int(r["n"])
    for r in await _tickets(start, end, "house"):
        rows[r["house"]].update({f: _int(r[f]) for f in TICKET_FIGURES})
    breakdown = [
        TicketMonth(
            period=period,
            house=r["house"],
            dimension=by,
            key="" if r["key"] is None else str(r["key"]),
            **{f: _int(r[f]) for f in BREAKDOWN_FIGURES},
        )
        for by in ("category", "executor")
        for r in await _tickets(start, end, by)
    ]
    area = {r["house"]: Decimal(str(r["area"] or 0)).quantize(rules.CENT) for r in await _area()} if rows else {}
    houses = [
        HouseMonth(period=period, house=house, area=area.get(house, Decimal("0.00")), refreshed_at=now, **values)
        for house, values in sorted(rows.items())
    ]
    # The company's totals (house None): what a user who works with every house reads, one row a month.
    if rows:
        totals: dict[str, int] = defaultdict(int)
        for values in rows.values():
            for name, value in values.items():
                totals[name] += value
        houses.append(
            HouseMonth(
                period=period, house=None, area=sum((area.get(h, Decimal(0)) for h in rows), Decimal("0.00")),
                refreshed_at=now, **totals,
            )
        )  # fmt: skip
        summed: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
        for line in breakdown:
            for name in BREAKDOWN_FIGURES:
                summed[(line.dimension, line.key)][name] += getattr(line, name)
        breakdown += [
            TicketMonth(period=period, house=None, dimension=dimension, key=key, **values)
            for (dimension, key), values in sorted(summed.items())
        ]
    nps = await _nps(period)
    async with atomic():
        await HouseMonth.delete().where(HouseMonth.period == period)
        await TicketMonth.delete().where(TicketMonth.period == period)
        await NpsHouse.delete().where((NpsHouse.opens_on >= period) & (NpsHouse.opens_on < rules.add_months(period, 1)))
        if nps:
            await NpsHouse.insert(*nps)
        for chunk in range(0, len(houses), 500):
            await HouseMonth.insert(*houses[chunk : chunk + 500])
        for chunk in range(0, len(breakdown), 500):
            await TicketMonth.insert(*breakdown[chunk : chunk + 500])
    return len(rows)


# Every month the dashboard's month filter offers: counted again each night, so that what changed in an older
# month (a request reopened or rated after its month, a late correction) reaches its figures within a day.
EVERY_MONTH = rules.MAX_MONTHS + 12


def months_to_refresh(
    today: date, newest: date | None, count: int = rules.DEFAULT_MONTHS + 1, every: bool = False
) -> list[date]:
    """The months the scheduled job counts again: the running month and the one before it (late payments and
    requests closed late still move them), and every month of the last ``count`` when none was counted yet or
    ``every`` is asked (the nightly run)."""
    this_month = today.replace(day=1)
    recent = [rules.add_months(this_month, -1), this_month]
    if newest is None or every:
        return [rules.add_months(this_month, -n) for n in range(count - 1, -1, -1)]
    return recent


async def newest_period() -> date | None:
    row = await HouseMonth.select(HouseMonth.period).order_by(HouseMonth.period, ascending=False).first()
    if row is None:
        return None
    value = row["period"]
    return date.fromisoformat(value[:10]) if isinstance(value, str) else value


async def refresh_due(today: date, every: bool = False) -> list[date]:
    """What the scheduled jobs do: refresh the months ``months_to_refresh`` names (hourly the recent ones, nightly
    ``every`` month the dashboard offers); returns them."""
    count = EVERY_MONTH if every else rules.DEFAULT_MONTHS + 1
    months = months_to_refresh(today, await newest_period(), count, every)
    for period in months:
        await refresh(period)
    return months
