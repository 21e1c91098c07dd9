"""The dates of ЖК ст. 155 ч. 1–2 in force from 1 March 2026 (177-ФЗ; DOMAIN.md §2.1), in one place: the payment
document reaches the resident by the 5th, the payment is due by the 15th (``rules.due_date``), the meter readings
by the 25th (``meters.rules.Window``); no contract changes them. Before, the document came by the 1st and the
payment was due by the 10th, and a contract could change it."""

from __future__ import annotations

from datetime import date

from portal.billing import rules

# The billing month from which the new dates apply (the Минстрой letter of 20.02.2026 № 9202-ДН/04).
NEW_DATES_FROM = date(2026, 2, 1)
RECEIPT_DAY_TABLE: tuple[tuple[date, int], ...] = ((date(2000, 1, 1), 1), (NEW_DATES_FROM, 5))
READINGS_DAY = 25


def receipt_day(billing_month: date) -> date:
    """The day by which the payment document of a billing month reaches the resident: the 5th of the next month
    from February 2026, the 1st before."""
    day = RECEIPT_DAY_TABLE[0][1]
    for valid_from, value in RECEIPT_DAY_TABLE:
        if rules.month_start(billing_month) >= valid_from:
            day = value
    return rules.add_months(rules.month_start(billing_month), 1).replace(day=day)


def contract_may_change(billing_month: date) -> bool:
    """Whether a management contract may set other dates (no longer, from February 2026's charges)."""
    return rules.month_start(billing_month) < NEW_DATES_FROM
