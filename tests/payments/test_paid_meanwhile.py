"""A utilities checkout paid on the gateway's page in another tab, its webhook not arrived yet: «Продолжить оплату»
(in the payer's language or in another one) asks the gateway how it stands and opens no second checkout of the
same debt; the payment's page says the payment came in. The sandbox gateway over real HTTP, its webhooks held back
(both engines)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from portal.billing.ledger import balance_of
from portal.payments.tables import Payment
from tests.payments.test_pay_flow import start


async def _rows(account: int) -> list[dict]:
    return await Payment.select(Payment.id, Payment.status).where(Payment.account == account).order_by(Payment.id)


@pytest.mark.parametrize("lang", ["ru", "en"])
async def test_continuing_a_checkout_paid_in_another_tab_opens_no_second_one(client, login, household, gateway, lang):
    a = household["accounts"][0]
    url = await start(client, login, household, {a: "3540.00"})
    gateway.faults(reorder=True)  # the webhooks are held: the portal has not heard of the payment yet
    assert (await gateway.pay(url, "4242424242424242")).status_code == 303
    payment = (await _rows(a))[0]
    assert payment["status"] == "open"

    client.cookies.set("lang", lang)  # «Продолжить оплату» from the stale tab, here or in another language
    again = await client.form(f"/payments/{payment['id']}/continue")
    assert again.status_code == 303 and again.headers["location"] == f"/payments/{payment['id']}"
    assert await _rows(a) == [{"id": payment["id"], "status": "succeeded"}]
    assert await balance_of(a) == Decimal("0.00")
    page = (await client.get(f"/payments/{payment['id']}")).text
    assert ("Платёж получен" if lang == "ru" else "Payment received") in page
    gateway.flush()
    await gateway.settle()  # the held webhooks change nothing more
    assert await _rows(a) == [{"id": payment["id"], "status": "succeeded"}]
    assert await balance_of(a) == Decimal("0.00")
