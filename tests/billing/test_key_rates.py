"""The key rate as data (issue 13, DOMAIN.md §2.3): the shipped table merged with what accountants enter, the staff
page with its audit event, and the penalty job reading the result; on both engines."""

from __future__ import annotations

import re
from datetime import date
from datetime import datetime
from datetime import time
from decimal import Decimal as D

import pytest
from piccolo.query.functions.aggregate import Sum

from portal.billing import ledger
from portal.billing import penalties
from portal.billing import rules
from portal.billing.tables import Charge
from portal.billing.tables import EntryKind
from portal.billing.tables import KeyRate
from portal.billing.tables import LedgerEntry
from portal.core import clock
from portal.core.db import to_kopecks
from portal.core.tables import AuditEvent

# DOMAIN.md §2.3: seed data (from-date → %) that an admin keeps updated; a new decision adds a row, an entry of a
# date already in the table corrects it.
MERGES = [
    ([(date(2025, 10, 27), D("16.50"))], [], [(date(2025, 10, 27), D("16.50"))]),
    (
        [(date(2025, 10, 27), D("16.50"))],
        [(date(2026, 3, 23), D("15.00"))],
        [(date(2025, 10, 27), D("16.50")), (date(2026, 3, 23), D("15.00"))],
    ),
    ([(date(2025, 10, 27), D("16.50"))], [(date(2025, 10, 27), D("16.00"))], [(date(2025, 10, 27), D("16.00"))]),
    (
        [(date(2025, 10, 27), D("16.50")), (date(2025, 12, 22), D("16.00"))],
        [(date(2025, 11, 1), D("7.00"))],
        [(date(2025, 10, 27), D("16.50")), (date(2025, 11, 1), D("7.00")), (date(2025, 12, 22), D("16.00"))],
    ),
]


@pytest.mark.parametrize(("shipped", "entered", "expected"), MERGES)
def test_entered_rates_add_to_the_shipped_table_and_correct_a_date_of_it(shipped, entered, expected):
    merged = rules.merge_key_rates(shipped, entered)
    assert list(merged) == expected


def _at(day: date, hour: int = 12) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=clock.zone())


async def _penalty_total(account: int) -> int:
    row = (
        await LedgerEntry.select(Sum(LedgerEntry.amount_kopecks).as_alias("total"))
        .where((LedgerEntry.account == account) & (LedgerEntry.kind == EntryKind.PENALTY))
        .first()
    )
    return int(row["total"] or 0)


async def test_a_rate_entered_on_the_staff_page_prices_the_next_run(client, login, make_user, make_account, catalog):
    """November 2026's 10 000.00, due 15.12.2026, unpaid: the days of 2027 are past the 9.5 % cap (ПП № 474 as
    amended ends on 31.12.2026) and take the key rate of the calculation day. The accountant records 14.00 % from
    01.02.2027; February's run prices the unpaid debt at it instead of the shipped 15.50 %."""
    place = await make_account(number="7700001310")
    account, november = place.account, date(2026, 11, 1)
    await Charge.insert(
        Charge(
            account=account,
            period=november,
            service=catalog["services"]["maintenance"],
            volume=D("1"),
            amount_kopecks=1_000_000,
        )
    )
    await ledger.post_entry(account, EntryKind.CHARGE, 1_000_000, _at(date(2026, 11, 30)), period=november)
    debts = [rules.DebtItem(november, D("10000.00"))]

    def rule(settings: rules.PenaltySettings) -> int:
        return sum(
            to_kopecks(i.amount) for i in rules.account_penalties(debts, [], date(2027, 2, 28), settings=settings)
        )

    accountant = await make_user(roles=("accountant",), houses=(place.house,))
    await login(client, accountant)
    refused = await client.form("/staff/billing/key-rates", {"valid_from": "2027-02-01", "rate": "140"})
    assert refused.status_code == 422
    assert "Введите годовую ставку" in refused.text
    assert await KeyRate.count() == 0
    recorded = await client.form(
        "/staff/billing/key-rates", {"valid_from": "01.02.2027", "rate": "14,00", "source": "решение от 29.01.2027"}
    )
    assert recorded.status_code == 303
    page = await client.get("/staff/billing/key-rates")
    assert page.status_code == 200 and "решение от 29.01.2027" in page.text
    # Rates in the Russian way, with a decimal comma: «14,00» in the table, «9,5 %» in the cap's rule.
    assert re.search(r'data-label="Ставка, % годовых">14,00</td>', page.text)
    assert "9,5\u00a0%" in page.text and "9,5 %" not in page.text  # the sign kept on the line of its number
    assert ">14.00<" not in page.text and "9.5 %" not in page.text
    assert "Ключевая ставка 14,00\u00a0% с 01.02.2027 записана" in page.text
    await client.speak("en")
    english = (await client.get("/staff/billing/key-rates")).text
    assert "9.5%" in english and "9.5 %" not in english and "9,5" not in english  # English writes no space
    await client.speak("ru")
    # Two forms with fields of the same names: every id once, so each label leads to its own field.
    ids = re.findall(r'\sid="([^"]+)"', page.text)
    assert len(ids) == len(set(ids)), sorted({i for i in ids if ids.count(i) > 1})
    event = await AuditEvent.select().where(AuditEvent.action == "billing.key_rate.set").output(load_json=True).first()
    assert event["actor_id"] == accountant and event["changes"]["rate"] == ["15.50", "14.00"]

    for month in (date(2026, 12, 1), date(2027, 1, 1), date(2027, 2, 1)):
        await penalties.post_penalties(month, [account], now=_at(rules.month_end(month), 23))
    entered = rules.PenaltySettings(key_rates=rules.merge_key_rates(rules.KEY_RATES, [(date(2027, 2, 1), D("14"))]))
    assert await _penalty_total(account) == rule(entered)
    assert rule(entered) < rule(rules.DEFAULT_SETTINGS)
