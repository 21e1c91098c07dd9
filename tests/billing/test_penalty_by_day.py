"""The penalty computed run by run of days equals the same rule applied one calendar day at a time (DOMAIN.md §2.2:
``penalty = Σ over days of S_k × r × coeff_k``), for arbitrary amounts, dates, payments and table settings."""

from __future__ import annotations

from datetime import date
from datetime import timedelta
from decimal import Decimal

from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from portal.billing import rules
from portal.billing.rules import CapMode
from portal.billing.rules import PenaltySettings
from portal.billing.rules import daily_rate
from portal.billing.rules import penalty


def by_day(
    amount: Decimal,
    due: date,
    until: date,
    payments: list[tuple[date, Decimal]],
    capital_repair: bool,
    accrue_from: date | None,
    table: PenaltySettings,
) -> Decimal:
    """The exact sum, the formula literally: every day k of every unpaid part, its share and rate, summed exactly."""
    billing_month = rules.add_months(rules.month_start(due), -1)
    parts, left = [], amount
    for day, paid in sorted(payments):
        part = min(paid, left)
        if part > 0:
            parts.append((min(day, until), part))
            left -= part
    if left > 0:
        parts.append((until, left))
    total = Decimal(0)
    for paid_on, part in parts:
        day = max(due + timedelta(days=1), accrue_from or date.min)
        while day <= paid_on:
            k = (day - due).days
            divisor = 300 if capital_repair else (None if k <= 30 else (300 if k <= 90 else 130))
            if divisor:
                total += part * daily_rate(day, paid_on, billing_month, table) / Decimal(100) / Decimal(divisor)
            day += timedelta(days=1)
    return total


TINY = Decimal("1e-12")
days = st.dates(min_value=date(2018, 6, 1), max_value=date(2027, 6, 1))
money = st.integers(min_value=1, max_value=5_000_000).map(lambda k: Decimal(k) / 100)


@settings(max_examples=150, deadline=None)
@given(
    amount=money,
    due=days,
    span=st.integers(min_value=0, max_value=900),
    paid=st.lists(st.tuples(st.integers(min_value=0, max_value=900), money), max_size=3),
    capital_repair=st.booleans(),
    window=st.one_of(st.none(), st.integers(min_value=0, max_value=900)),
    by_payment_day=st.booleans(),
    bankruptcy=st.booleans(),
)
def test_runs_of_days_give_the_sum_of_single_days(
    amount, due, span, paid, capital_repair, window, by_payment_day, bankruptcy
):
    until = due + timedelta(days=span)
    payments = [(due + timedelta(days=offset), value) for offset, value in paid]
    accrue_from = due + timedelta(days=window) if window is not None else None
    table = PenaltySettings(
        cap_mode=CapMode.PAYMENT_DAY if by_payment_day else CapMode.DAY,
        flags=frozenset({"bankruptcy_moratorium_2022"}) if bankruptcy else frozenset(),
    )
    found = penalty(
        amount,
        due,
        until,
        payments=payments,
        capital_repair=capital_repair,
        accrue_from=accrue_from,
        settings=table,
    )
    # Equal up to the last of Decimal's 28 digits (a day at a time divides 60 times where a run divides once).
    assert abs(found.exact - by_day(amount, due, until, payments, capital_repair, accrue_from, table)) < TINY
    assert found.amount == rules.money(found.exact)
