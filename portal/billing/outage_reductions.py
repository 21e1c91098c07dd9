"""Interruptions of utilities and the resident's money (DOMAIN.md §5; ПП РФ № 354, прил. 1): when the dispatch
service closes an outage, each account it reached gets its row of ``OutageReduction`` — how long the service was
off, the permitted interruption, the hours beyond it that this outage adds in its month and the reduction of the
month's charge for the service (``rules``, outages). The rows go to the billing system with the month's export of
readings, and each resident sees theirs on the account page.

Contract for the tickets domain: ``record_outage`` (in the transaction that closes the outage; once per outage).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from datetime import datetime
from decimal import Decimal
from typing import Any

from portal.billing import rules
from portal.billing.tables import Charge
from portal.billing.tables import OutageReduction
from portal.core import bulk
from portal.core import clock
from portal.core.db import atomic
from portal.core.db import from_kopecks
from portal.core.i18n import format_day
from portal.core.i18n import format_money
from portal.core.i18n import format_number
from portal.core.i18n import format_percent
from portal.core.i18n import gettext
from portal.core.i18n import lazy
from portal.core.rows import built_once
from portal.core.values import as_date
from portal.core.values import chunks
from portal.housing.tables import PersonalAccount
from portal.housing.tables import PremiseRiser

# What a new reduction is written with: every column in the table's order but those the database fills.
COLUMNS = tuple(
    c._meta.name for c in OutageReduction.all_columns(exclude=[OutageReduction.id, OutageReduction.created_at])
)


@dataclass(frozen=True)
class OutageFacts:
    """An outage as the dispatch service closed it: where, what, from when until when, and the room temperature
    measured during a heating outage."""

    id: int
    service: str
    house: int
    entrance: int | None
    riser: int | None
    started_at: datetime
    ended_at: datetime
    room_temperature: Decimal | None = None


async def _accounts_reached(outage: OutageFacts) -> list[int]:
    """The accounts of the premises the outage reached: its riser, else its entrance, else its house."""
    query = PersonalAccount.select(PersonalAccount.id)
    if outage.riser is not None:
        premises = [
            r["premise"]
            for r in await PremiseRiser.select(PremiseRiser.premise).where(PremiseRiser.riser == outage.riser)
        ]
        if not premises:
            return []
        query = query.where(PersonalAccount.premise.is_in(premises))
    elif outage.entrance is not None:
        query = query.where(PersonalAccount.premise.entrance == outage.entrance)
    else:
        query = query.where(PersonalAccount.premise.house == outage.house)
    return [r["id"] for r in await query.order_by(PersonalAccount.id)]


def _as_decimal(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


HOURS_PLACES, PERCENT_PLACES = 2, 4  # the columns' scales (tables.OutageReduction)


def _stored(value: Any, places: int) -> Decimal:
    """A number as its column stores it, with all its decimals on either engine (SQLite hands 1.00 back as 1.0),
    so that the export to the billing system writes it alike."""
    return Decimal(str(value)).quantize(Decimal(1).scaleb(-places))


async def _earlier(
    accounts: Sequence[int], period: date, service: str, outage_id: int
) -> dict[int, list[rules.Interruption]]:
    """The month's earlier interruptions of the service at each account (from their rows)."""
    rows = await OutageReduction.select(
        OutageReduction.account, OutageReduction.outage_hours, OutageReduction.permitted_hours
    ).where(
        OutageReduction.account.is_in(list(accounts))
        & (OutageReduction.period == period)
        & (OutageReduction.service == service)
        & (OutageReduction.outage != outage_id)
    )
    found: dict[int, list[rules.Interruption]] = {}
    for r in rows:
        hours = _as_decimal(r["outage_hours"]) or Decimal(0)
        found.setdefault(r["account"], []).append(rules.Interruption(hours, _as_decimal(r["permitted_hours"])))
    return found


async def record_outage(outage: OutageFacts) -> int:
    """Write the rows of a closed outage for every account it reached, once (a second call writes nothing); returns
    how many rows were written. Runs inside the caller's transaction (or its own)."""
    if not rules.covered(outage.service) or outage.ended_at <= outage.started_at:
        return 0
    period = rules.month_start(clock.local(outage.started_at).date())
    hours = rules.hours_between(outage.started_at, outage.ended_at)
    permitted = rules.permitted_at_once(outage.service, room_temperature=outage.room_temperature)
    new = rules.Interruption(hours, permitted)
    written = 0
    async with atomic():
        if await OutageReduction.exists().where(OutageReduction.outage == outage.id):
            return 0
        accounts = await _accounts_reached(outage)
        for chunk in chunks(accounts):
            earlier = await _earlier(chunk, period, outage.service, outage.id)
            rows = []
            for account in chunk:
                beyond = rules.added_hours_beyond(outage.service, earlier.get(account, []), new)
                percent = rules.reduction_percent(beyond)
                rows.append(
                    (
                        outage.id,
                        account,
                        period,
                        outage.service,
                        outage.started_at,
                        outage.ended_at,
                        hours,
                        permitted,
                        beyond,
                        percent,
                    )
                )
            done = await bulk.insert_rows(
                OutageReduction, COLUMNS, rows, returning=("id",), conflict="(outage, account) DO NOTHING"
            )
            written += len(done)
    return written


# --- reading them -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Reduction:
    """A reduction of one account's charge for a service in a month, as the resident and the export show it."""

    outage: int
    account: int
    account_number: str
    period: date
    service: str
    started_at: datetime
    ended_at: datetime
    outage_hours: Decimal
    permitted_hours: Decimal | None
    hours_beyond: Decimal
    percent: Decimal
    charge: Decimal | None  # the month's charge for the service, once imported
    amount: Decimal | None  # the reduction in roubles, once the charge is known


async def _charges(keys: set[tuple[int, date, str]]) -> dict[tuple[int, date, str], Decimal]:
    """The charge of each (account, month, service code), summed with its recalculations."""
    if not keys:
        return {}
    accounts = sorted({k[0] for k in keys})
    periods = sorted({k[1] for k in keys})
    rows = await Charge.select(
        Charge.account,
        Charge.period,
        Charge.service.code.as_alias("code"),
        Charge.amount_kopecks,
        Charge.recalculation_kopecks,
    ).where(
        Charge.account.is_in(accounts)
        & Charge.period.is_in(periods)
        & Charge.service.code.is_in(sorted({k[2] for k in keys}))
    )
    found: dict[tuple[int, date, str], Decimal] = {}
    for r in rows:
        key = (r["account"], as_date(r["period"]), r["code"])
        if key in keys:
            found[key] = found.get(key, Decimal(0)) + from_kopecks(r["amount_kopecks"] + r["recalculation_kopecks"])
    return found


@built_once
def _reduction_columns() -> tuple[Any, ...]:
    """A reduction's own columns and its account's number (built once: ``core.rows.built_once``)."""
    return (*OutageReduction.all_columns(), OutageReduction.account.number.as_alias("number"))


async def _reductions(where: Any, limit: int) -> list[Reduction]:
    rows = (
        await OutageReduction.select(*_reduction_columns())
        .where(where & (OutageReduction.hours_beyond > 0))
        .order_by(OutageReduction.period, ascending=False)
        .order_by(OutageReduction.id)
        .limit(limit)
    )
    charges = await _charges({(r["account"], as_date(r["period"]), r["service"]) for r in rows})
    found = []
    for r in rows:
        period = as_date(r["period"])
        charge = charges.get((r["account"], period, r["service"]))
        percent = _stored(r["percent"], PERCENT_PLACES)
        found.append(
            Reduction(
                outage=r["outage"],
                account=r["account"],
                account_number=r["number"],
                period=period,
                service=r["service"],
                started_at=r["started_at"],
                ended_at=r["ended_at"],
                outage_hours=_stored(r["outage_hours"], HOURS_PLACES),
                permitted_hours=None if r["permitted_hours"] is None else _stored(r["permitted_hours"], HOURS_PLACES),
                hours_beyond=_stored(r["hours_beyond"], HOURS_PLACES),
                percent=percent,
                charge=charge,
                amount=None if charge is None else rules.reduction_amount(charge, percent),
            )
        )
    return found


async def of_account(account_id: int, limit: int = 12) -> list[Reduction]:
    """The account's latest reductions for outages (one bounded query and one for the charges)."""
    return await _reductions(OutageReduction.account == account_id, limit)


async def of_period(period: date, house_ids: Sequence[int] | None, limit: int = 100_000) -> list[Reduction]:
    """The reductions of a month in these houses (None: every house), for the export to the billing system."""
    where = OutageReduction.period == period
    if house_ids is not None:
        if not house_ids:
            return []
        where &= OutageReduction.account.premise.house.is_in(list(house_ids))
    return await _reductions(where, limit)


# --- what the resident reads ------------------------------------------------------------------------------------

SERVICE_NAMES = {
    "cold_water": lazy("cold water supply"),
    "hot_water": lazy("hot water supply"),
    "sewerage": lazy("sewerage"),
    "electricity": lazy("electricity supply"),
    "gas": lazy("gas supply"),
    "heating": lazy("heating"),
}


def sentence(r: Reduction) -> str:
    """«Отключение длилось на 1 ч дольше допустимых 16 ч: плата за отопление за декабрь 2026 будет уменьшена на
    0,15 % (5,40 ₽).» — by the at-once limit when this outage alone crossed it, else by the month's total."""
    name = SERVICE_NAMES[r.service]() if r.service in SERVICE_NAMES else r.service
    values: dict[str, object] = {
        "hours": format_number(r.hours_beyond),
        "service": name,
        "month": format_day(r.period, "LLLL y"),
        "percent": format_percent(r.percent, 4, fixed=False),
    }
    own = None if r.permitted_hours is None else r.outage_hours - r.permitted_hours
    if own is not None and own >= r.hours_beyond:
        values["permitted"] = format_number(r.permitted_hours or Decimal(0))
        head = gettext("This outage lasted %(hours)s h beyond the permitted %(permitted)s h", **values)
    else:
        values["permitted"] = format_number(rules.MONTHLY_LIMIT.get(r.service) or Decimal(0))
        head = gettext(
            "With this outage the service was off %(hours)s h beyond the permitted %(permitted)s h a month", **values
        )
    if r.amount is not None:
        tail = gettext(
            "your charge for %(service)s for %(month)s will be reduced by %(percent)s (%(amount)s).",
            amount=format_money(r.amount),
            **values,
        )
    else:
        tail = gettext(
            "your charge for %(service)s for %(month)s will be reduced by %(percent)s of the month's charge.",
            **values,
        )
    return f"{head}: {tail}"
