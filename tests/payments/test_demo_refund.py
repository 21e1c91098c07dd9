"""The demo's card payments on the portal are known to the sandbox gateway the portal is served with: an accountant
refunds one through the real gateway over HTTP (it answered «No such payment_intent» when the demo made its ids
up); on both engines."""

from __future__ import annotations

import dataclasses
import random
import sys
from datetime import date

from portal.billing import demo as billing_demo
from portal.demo import DemoContext
from portal.housing import demo as housing_demo
from portal.housing.tables import PersonalAccount
from portal.payments.gateway import GatewayClient
from portal.payments.gateway import use_client
from portal.payments.tables import Payment
from portal.settings import get_settings
from portal.settings import use_settings
from tests.conftest import free_port
from tests.conftest import running
from tests.payments.conftest import SECRET


async def test_the_accountant_refunds_a_demo_card_payment_through_the_gateway(
    client, login, make_user, monkeypatch, tmp_path
):
    # The portal's folder, and its sandbox gateway's address: the gateway `portal serve` starts serves from there.
    monkeypatch.setenv("PORTAL_VAR_DIR", str(tmp_path))
    monkeypatch.delenv("SANDBOX_DB", raising=False)
    url = f"http://127.0.0.1:{free_port()}"
    monkeypatch.setenv("PAYMENT_GATEWAY_URL", url)
    before = get_settings()
    use_settings(dataclasses.replace(before, payment_gateway_url=url))
    try:
        ctx = DemoContext(rng=random.Random(20261125), today=date(2026, 12, 2))
        await housing_demo.seed(ctx)
        await billing_demo.seed(ctx)
    finally:
        use_settings(before)
    payment = (
        await Payment.select(Payment.id, Payment.amount_kopecks, Payment.method, Payment.account)
        .where(Payment.intent_id.is_not_null())
        .order_by(Payment.paid_at, ascending=False)
        .first()
    )
    assert payment is not None and payment["method"] == "card"
    house = await PersonalAccount.select(PersonalAccount.premise.house.as_alias("house")).where(
        PersonalAccount.id == payment["account"]
    )
    accountant = await make_user(name="Бухгалтер", roles=("accountant",), houses=(house[0]["house"],))
    await login(client, accountant)

    env = {
        "PATH": "/usr/bin:/bin",
        "PORTAL_VAR_DIR": str(tmp_path),
        "PAYMENT_GATEWAY_URL": url,
        "SANDBOX_WEBHOOK_URL": f"http://127.0.0.1:{free_port()}/payments/webhook",
    }
    with running([sys.executable, "-m", "portal.sandbox_gateway"], env, tmp_path / "gateway.log", f"{url}/healthz"):
        use_client(GatewayClient(url, SECRET, timeout=5, backoff=0.05))
        try:
            response = await client.form(
                f"/staff/payments/{payment['id']}/refund",
                {"amount": "100,00", "reason": "Оплачено дважды", "confirm": "1"},
            )
        finally:
            use_client(None)
    assert response.status_code == 303, response.text
    row = await Payment.select(Payment.status, Payment.refunded_kopecks).where(Payment.id == payment["id"]).first()
    assert (row["status"], row["refunded_kopecks"]) == ("partially_refunded", 10000)
