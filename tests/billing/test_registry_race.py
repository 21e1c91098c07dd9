"""Registries applied at the same moment, on a database of the test's own where everything is committed: each apply
takes a connection of its own and sees what the others wrote, as two accountants loading two files do."""

from __future__ import annotations

import asyncio
from decimal import Decimal as D

from portal.billing import ledger
from portal.billing.registry_tables import LineStatus
from portal.billing.registry_tables import RegistryPayment
from tests.billing.test_registries import bank_file
from tests.billing.test_registries import line
from tests.billing.test_registries import load
from tests.meetings.test_code_race import committed_url  # noqa: F401 (fixture)
from tests.meetings.test_code_race import db  # noqa: F401 (fixture)


async def test_two_senders_files_with_the_same_new_id_applied_at_once_credit_both(make_account, catalog):
    """Both took the new id «1» for their own and credited it as ``registry:1``: the second's ledger entry met the
    first's reference and was skipped, its line said credited, the resident's money not on the account."""
    first = (await make_account(number="7700000001")).account
    second = (await make_account(number="7700000002")).account
    bank = bank_file(line("1", "7700000001", "100,00"))
    post = bank_file(line("1", "7700000002", "300,00"))
    await asyncio.gather(load(bank, "bank.txt"), load(post, "post.txt"))
    assert await ledger.balance_of(first) == D("-100.00")
    assert await ledger.balance_of(second) == D("-300.00"), "the second file's payment is credited too"
    assert await RegistryPayment.count().where(RegistryPayment.status == LineStatus.CREDITED) == 2
