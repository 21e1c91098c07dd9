"""The dashboard's first card: the latest month's figures against the month before's."""

from datetime import date
from decimal import Decimal

from portal.analytics.queries import Latest
from portal.analytics.queries import MonthMoney
from portal.analytics.queries import MonthTickets
from portal.analytics.queries import MonthUptake


def _money(month: int, charged: str) -> MonthMoney:
    return MonthMoney(date(2026, month, 1), 10, Decimal(charged), Decimal("0"), Decimal("0"), Decimal("1"))


def _tickets(month: int, received: int) -> MonthTickets:
    return MonthTickets(date(2026, month, 1), received, 0, 0, 0, 0, 0)


def _uptake(month: int) -> MonthUptake:
    return MonthUptake(date(2026, month, 1), 10, 0, 0, 0, 0, Decimal("0"), 0)


def test_each_figure_is_a_percentage_of_the_month_before_and_none_without_it() -> None:
    latest = Latest(_money(2, "1100.00"), _money(1, "1000.00"), _tickets(2, 3), None, _uptake(2), _uptake(1))
    assert latest.change("money.charged") == Decimal("110.0")
    assert latest.change("tickets.received") is None  # the period starts with this month: no month before known
    assert latest.change("uptake.paid") is None  # nothing paid the month before: no percentage of it
