"""The moratoria and caps of penalties as data (issue 13, DOMAIN.md §2.4): the table shipped with the code merged with
what accountants enter on the key-rate page, with the audit log; the penalty job reads the result. Both engines."""

from __future__ import annotations

from datetime import date
from datetime import datetime
from datetime import time
from decimal import Decimal as D

import pytest
from piccolo.query.functions.aggregate import Sum

from portal.billing import forms
from portal.billing import ledger
from portal.billing import penalties
from portal.billing import rules
from portal.billing.rules import PenaltyPeriod
from portal.billing.rules import RuleKind
from portal.billing.tables import Charge
from portal.billing.tables import EntryKind
from portal.billing.tables import LedgerEntry
from portal.billing.tables import PenaltyRule
from portal.core import clock
from portal.core.db import to_kopecks
from portal.core.tables import AuditEvent

MORATORIUM_2020 = PenaltyPeriod(date(2020, 4, 6), date(2020, 12, 31), RuleKind.NO_PENALTY, source="ПП № 424")
CAP = PenaltyPeriod(date(2022, 8, 1), date(2026, 12, 31), RuleKind.CAP, D("9.5"), source="ПП № 474")
CAP_EXTENDED = PenaltyPeriod(date(2022, 8, 1), date(2027, 12, 31), RuleKind.CAP, D("9.5"), source="ПП № 474 в ред.")
NEW_MORATORIUM = PenaltyPeriod(date(2027, 2, 1), date(2027, 2, 28), RuleKind.NO_PENALTY, source="ПП 2027")
CAP_FROM_2027 = PenaltyPeriod(date(2027, 1, 1), date(2027, 12, 31), RuleKind.CAP, D("9.5"), source="ПП 2027")

# DOMAIN.md §2.4: the period table, shipped as seed data; an entry of the same start date and kind corrects a row
# (the cap of ПП № 474 extended), a new entry adds a row (a new moratorium), a fixed rate beside a cap of the same
# start date is another row.
MERGES = [
    ((MORATORIUM_2020, CAP), (), (MORATORIUM_2020, CAP)),
    ((MORATORIUM_2020, CAP), (CAP_EXTENDED,), (MORATORIUM_2020, CAP_EXTENDED)),
    ((MORATORIUM_2020, CAP), (NEW_MORATORIUM,), (MORATORIUM_2020, CAP, NEW_MORATORIUM)),
    ((CAP,), (CAP_FROM_2027, CAP_EXTENDED), (CAP_EXTENDED, CAP_FROM_2027)),
    (
        (CAP,),
        (PenaltyPeriod(date(2022, 8, 1), date(2022, 8, 31), RuleKind.FIXED_RATE, D("7")),),
        (PenaltyPeriod(date(2022, 8, 1), date(2022, 8, 31), RuleKind.FIXED_RATE, D("7")), CAP),
    ),
]


@pytest.mark.parametrize(("shipped", "entered", "expected"), MERGES)
def test_entered_rules_add_to_the_shipped_table_and_correct_a_row_of_it(shipped, entered, expected):
    assert rules.merge_penalty_periods(shipped, entered) == expected


FORMS = [
    ({"kind": "cap", "valid_from": "01.01.2027", "valid_to": "31.12.2027", "rate": "9,5", "source": "ПП 2027"}, set()),
    ({"kind": "no_penalty", "valid_from": "2027-02-01", "valid_to": "2027-02-28", "source": "ПП 2027"}, set()),
    ({"kind": "cap", "valid_from": "01.01.2027", "valid_to": "31.12.2027", "source": "ПП 2027"}, {"rate"}),
    (
        {"kind": "fixed_rate", "valid_from": "01.01.2027", "valid_to": "31.12.2026", "rate": "7", "source": "ПП 2027"},
        {"valid_to"},
    ),
    (
        {"kind": "no_penalty_old_debt", "valid_from": "01.04.2022", "valid_to": "01.10.2022", "source": "ПП № 497"},
        {"debts_before"},
    ),
    ({"kind": "forgive", "valid_from": "1.1.2027", "valid_to": "x", "source": ""}, {"kind", "valid_to", "source"}),
]


@pytest.mark.parametrize(("data", "wrong"), FORMS)
def test_the_form_of_a_rule_refuses_what_the_table_cannot_hold(data, wrong):
    form = forms.penalty_rule_form(data)
    assert set(form.errors.fields) == wrong
    assert (form.period is None) == bool(wrong)


def _at(day: date, hour: int = 12) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=clock.zone())


async def _penalty_total(account: int) -> int:
    row = (
        await LedgerEntry.select(Sum(LedgerEntry.amount_kopecks).as_alias("total"))
        .where((LedgerEntry.account == account) & (LedgerEntry.kind == EntryKind.PENALTY))
        .first()
    )
    return int(row["total"] or 0)


async def test_a_cap_extended_on_the_staff_page_prices_the_next_run(client, login, make_user, make_account, catalog):
    """November 2026's 10 000.00, due 15.12.2026, unpaid. As shipped, the 9.5 % cap of ПП № 474 ends on 31.12.2026
    and January 2027 takes the key rate (15.50 %). The accountant extends the cap to 31.12.2027 and records a
    moratorium for February 2027: February's run prices the whole debt again, January included, at the new table."""
    place = await make_account(number="7700001320")
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

    def rule(settings: rules.PenaltySettings, until: date) -> int:
        return sum(to_kopecks(i.amount) for i in rules.account_penalties(debts, [], until, settings=settings))

    for month in (date(2026, 12, 1), date(2027, 1, 1)):
        await penalties.post_penalties(month, [account], now=_at(rules.month_end(month), 23))
    assert await _penalty_total(account) == rule(rules.DEFAULT_SETTINGS, date(2027, 1, 31)) > 0

    accountant = await make_user(roles=("accountant",), houses=(place.house,))
    await login(client, accountant)
    refused = await client.form(
        "/staff/billing/key-rates/periods", {"kind": "cap", "valid_from": "2022-08-01", "valid_to": "2027-12-31"}
    )
    assert refused.status_code == 422
    assert await PenaltyRule.count() == 0
    extended = {
        "kind": "cap",
        "valid_from": "2022-08-01",
        "valid_to": "2027-12-31",
        "rate": "9,50",
        "source": "ПП 2027",
    }
    assert (await client.form("/staff/billing/key-rates/periods", extended)).status_code == 303
    moratorium = {"kind": "no_penalty", "valid_from": "2027-02-01", "valid_to": "2027-02-28", "source": "мораторий"}
    assert (await client.form("/staff/billing/key-rates/periods", moratorium)).status_code == 303
    page = await client.get("/staff/billing/key-rates")
    assert page.status_code == 200 and "ПП 2027" in page.text and "мораторий" in page.text
    assert "ПП РФ № 424 от 02.04.2020" in page.text  # the shipped rows stay listed
    event = (
        await AuditEvent.select()
        .where(AuditEvent.action == "billing.penalty_rule.set")
        .order_by(AuditEvent.id)
        .output(load_json=True)
        .first()
    )
    assert event["actor_id"] == accountant
    assert (
        event["changes"]["before"]["valid_to"] == "2026-12-31" and event["changes"]["after"]["valid_to"] == "2027-12-31"
    )

    await penalties.post_penalties(date(2027, 2, 1), [account], now=_at(date(2027, 2, 28), 23))
    entered = rules.PenaltySettings(
        periods=rules.merge_penalty_periods(
            rules.PENALTY_PERIODS,
            [
                PenaltyPeriod(date(2022, 8, 1), date(2027, 12, 31), RuleKind.CAP, D("9.5")),
                PenaltyPeriod(date(2027, 2, 1), date(2027, 2, 28), RuleKind.NO_PENALTY),
            ],
        )
    )
    assert await _penalty_total(account) == rule(entered, date(2027, 2, 28))
    assert rule(entered, date(2027, 2, 28)) < rule(rules.DEFAULT_SETTINGS, date(2027, 2, 28))

    # Removing an entry restores the shipped row for the runs that follow; the removal is audited too.
    entry = await PenaltyRule.select(PenaltyRule.id).where(PenaltyRule.kind == "no_penalty").first()
    removed = await client.form(f"/staff/billing/key-rates/periods/{entry['id']}/remove", {})
    assert removed.status_code == 303
    assert await AuditEvent.count().where(AuditEvent.action == "billing.penalty_rule.remove") == 1
    assert (await client.form(f"/staff/billing/key-rates/periods/{entry['id']}/remove", {})).status_code == 404
