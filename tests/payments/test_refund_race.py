"""Two accountants refunding one payment at the same moment, on a database of the test's own where everything is
committed: each refund takes a connection of its own and sees what the other wrote. Together they cannot ask for
more than was paid: the second waits for the first at the payment's row lock (SQLite: its one writer) and is then
held to what the first left."""

from __future__ import annotations

import asyncio
from decimal import Decimal
from typing import Any

from portal.accounts.principal import load_principal_for
from portal.payments import actions
from portal.payments import queries
from portal.payments import rules
from portal.payments.tables import Payment
from portal.payments.tables import Refund
from tests.meetings.test_code_race import committed_url  # noqa: F401 (fixture)
from tests.meetings.test_code_race import db  # noqa: F401 (fixture)
from tests.payments.test_refunds_autopay import paid


async def test_two_refunds_at_once_cannot_together_exceed_the_payment(client, login, household, gateway, monkeypatch):
    payment = await paid(client, login, household, gateway, "1000")
    first, second = [await load_principal_for(household["accountant"]) for _ in range(2)]
    read = queries.pending_refunds

    async def slowly(payment_ids: Any) -> dict[int, int]:
        """Each refund lingers after reading what is pending, so that the other reads it too unless it waits."""
        found = await read(payment_ids)
        await asyncio.sleep(0.3)
        return found

    monkeypatch.setattr(queries, "pending_refunds", slowly)
    answers = await asyncio.gather(
        actions.refund(first, payment["id"], Decimal("600.00"), "Двойная оплата"),
        actions.refund(second, payment["id"], Decimal("600.00"), "Двойная оплата"),
        return_exceptions=True,
    )
    refused = [a for a in answers if isinstance(a, actions.RefundRefused)]
    assert len(refused) == 1, answers
    assert refused[0].reason == rules.RefundProblem.TOO_LARGE, "held by the portal, not sent to the payment service"
    assert actions.RefundState.REFUNDED in answers
    assert await Refund.count().where(Refund.payment == payment["id"]) == 1
    row = await Payment.select(Payment.refunded_kopecks).where(Payment.id == payment["id"]).first()
    assert row["refunded_kopecks"] == 60000
