"""Two runs of the autopay job at once (two workers, or a run slower than the hour), on a database of the test's own
where everything is committed, each run on its own connection: a mandate waiting for a checkout that has just
closed unpaid is claimed by one run only, and the debt is charged once."""

from __future__ import annotations

import asyncio
from typing import Any

from portal.core import clock
from portal.payments import actions
from portal.payments import queries
from portal.payments.tables import AutopayMandate
from portal.payments.tables import Payment
from tests.meetings.test_code_race import committed_url  # noqa: F401 (fixture)
from tests.meetings.test_code_race import db  # noqa: F401 (fixture)
from tests.payments.test_autopay_waits import _abandoned_checkout
from tests.payments.test_autopay_waits import _autopay_charges


async def test_two_runs_at_once_charge_a_mandate_that_waited_once(client, login, household, gateway, monkeypatch):
    a, _url, checkout = await _abandoned_checkout(client, login, household, gateway)
    await gateway.exclusive(actions.run_autopay(clock.now()))
    assert (await AutopayMandate.select(AutopayMandate.last_status).first())["last_status"] == "waiting"
    gateway.http.post(f"/v1/checkout/sessions/{checkout['session_id']}/expire").raise_for_status()
    await gateway.settle()
    assert (await Payment.select(Payment.status).where(Payment.id == checkout["id"]).first())["status"] == "expired"
    read = queries.customer_id_of

    async def slowly(user_id: int) -> Any:
        """Each run lingers after reading the waiting mandate, so that the other reads it too."""
        found = await read(user_id)
        await asyncio.sleep(0.3)
        return found

    monkeypatch.setattr(queries, "customer_id_of", slowly)
    now = clock.now()
    charged = await gateway.exclusive(asyncio.gather(actions.run_autopay(now), actions.run_autopay(now)))
    assert sorted(charged) == [0, 1]
    assert await _autopay_charges(a) == [(354000, "succeeded")]
    assert (await AutopayMandate.select(AutopayMandate.last_status).first())["last_status"] == "succeeded"
