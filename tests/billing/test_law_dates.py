"""The dates of the law in force from 1 March 2026 (DOMAIN.md §2.1, ЖК ст. 155 ч. 1–2 as amended by 177-ФЗ):
the receipt reaches residents by the 5th, payment is due by the 15th (moved past a weekend), readings by the 25th,
and the penalty starts on day 31 after the due date (§2.2, §2.6 example 6) — checked where the product uses them."""

from __future__ import annotations

from datetime import UTC
from datetime import date
from datetime import datetime
from decimal import Decimal as D

import pytest

from portal.billing import receipts
from portal.billing import rules
from portal.billing.tables import Receipt
from portal.meters import rules as meter_rules
from portal.meters.reminders import window
from tests.billing.conftest import import_sample


@pytest.mark.parametrize(
    ("billing_month", "receipt_by", "due_by"),
    [
        # §2.1: billing months up to January 2026 — the 1st and the 10th (10.01.2026 is a Saturday → 12.01).
        (date(2025, 12, 1), date(2026, 1, 1), date(2026, 1, 12)),
        (date(2026, 1, 1), date(2026, 2, 1), date(2026, 2, 10)),
        # §2.1: from February 2026 — the 5th and the 15th (15.03.2026 is a Sunday → 16.03).
        (date(2026, 2, 1), date(2026, 3, 5), date(2026, 3, 16)),
        (date(2026, 3, 1), date(2026, 4, 5), date(2026, 4, 15)),
        (date(2026, 11, 1), date(2026, 12, 5), date(2026, 12, 15)),
    ],
)
def test_receipt_and_due_dates_of_domain_2_1(billing_month, receipt_by, due_by):
    assert rules.receipt_day(billing_month) == receipt_by
    assert rules.due_date(billing_month) == due_by
    assert rules.receipt_day(billing_month) < rules.due_date(billing_month)


def test_no_contract_changes_the_dates_from_february_2026():
    """§2.1: «Contract may change it? — no» for billing months from February 2026."""
    assert rules.contract_may_change(date(2026, 1, 1))
    assert not rules.contract_may_change(date(2026, 2, 1))
    assert rules.due_day(date(2026, 2, 1)) == 15 and rules.due_day(date(2026, 1, 1)) == 10


def test_readings_are_collected_until_the_25th_and_reminded_before():
    """§2.1 with §4.1: readings by the 25th; the reminder window of the meters closes that day."""
    assert window().closes(date(2026, 3, 1)) == date(2026, 3, rules.READINGS_DAY)
    assert window().is_open(date(2026, 3, 25)) and not window().is_open(date(2026, 3, 26))
    closing = meter_rules.reminders_due(date(2026, 3, 23), window(), passed=False)
    assert [d.kind for d in closing] == [meter_rules.Reminder.WINDOW_CLOSING]
    assert meter_rules.reminders_due(date(2026, 3, 26), window(), passed=False) == []


def test_the_penalty_starts_on_day_31_after_the_15th():
    """§2.6 example 6: a March 2026 charge is due 15.04.2026; paid 15.05 (day 30) → 0; day 31 is 16.05."""
    due = rules.due_date(date(2026, 3, 1))
    assert due == date(2026, 4, 15)
    assert rules.penalty(D("5000.00"), due, date(2026, 5, 15), billing_month=date(2026, 3, 1)).amount == 0
    first = rules.penalty(D("5000.00"), due, date(2026, 5, 16), billing_month=date(2026, 3, 1))
    assert first.amount > 0 and first.lines[0].first == date(2026, 5, 16)


async def test_an_issued_receipt_carries_the_due_date_of_the_law(make_account, catalog):
    """§2.1: the February 2026 receipt says «pay by 16.03.2026»; the November 2026 one by 15.12.2026."""
    place = await make_account(number="7700000001")
    await make_account(number="7700000002", house=place.house)
    for period in (date(2026, 2, 1), date(2026, 11, 1)):
        await import_sample(period)
        await receipts.issue(period, [place.account], now=datetime(2026, 12, 1, tzinfo=UTC))
    found = {r["period"]: r["due_date"] for r in await Receipt.select(Receipt.period, Receipt.due_date)}
    assert found == {date(2026, 2, 1): date(2026, 3, 16), date(2026, 11, 1): date(2026, 12, 15)}
