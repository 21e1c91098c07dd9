"""The newest receipt of each account is read in one statement (the resident home, the pay page), and it is the
newest one of each account even when the accounts' newest months differ."""

from __future__ import annotations

from datetime import date

from portal.billing.history import build_history
from portal.billing.ledger import latest_snapshots
from portal.billing.queries import last_receipts
from tests.querylog import captured


async def test_each_accounts_newest_receipt_in_one_statement(db, make_account, catalog):
    behind, current, without = [(await make_account()).account for _ in range(3)]
    await build_history([behind], date(2026, 9, 1), 3)
    await build_history([current], date(2026, 11, 1), 5)
    with captured(db) as seen:
        found = await last_receipts([behind, current, without])
    assert len(seen) == 1, [str(q) for q in seen]
    assert {account: info.period for account, info in found.items()} == {
        behind: date(2026, 9, 1),
        current: date(2026, 11, 1),
    }


async def test_newest_snapshot_before_a_month_is_still_read(db, make_account, catalog):
    account = (await make_account()).account
    await build_history([account], date(2026, 11, 1), 4)
    newest = await latest_snapshots([account])
    before = await latest_snapshots([account], before=date(2026, 10, 1))
    assert newest[account]["period"] == date(2026, 11, 1)
    assert before[account]["period"] == date(2026, 9, 1)
