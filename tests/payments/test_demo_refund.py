"""The demo's card payments on the portal are known to the sandbox gateway the portal is served with: an accountant
refunds one through the real gateway over HTTP (it answered «No such payment_intent» when the demo made its ids
up); on both engines."""

from __future__ import annotations

import contextlib
import dataclasses
import random
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

from portal.accounts import demo as accounts_demo
from portal.billing import demo as billing_demo
from portal.demo import DemoContext
from portal.housing import demo as housing_demo
from portal.housing.tables import PersonalAccount
from portal.payments import actions
from portal.payments import demo as payments_demo
from portal.payments.gateway import GatewayClient
from portal.payments.gateway import use_client
from portal.payments.tables import Payment
from portal.payments.tables import Refund
from portal.payments.tables import RefundStatus
from portal.settings import get_settings
from portal.settings import use_settings
from tests.conftest import free_port
from tests.conftest import running
from tests.payments.conftest import SECRET


async def _seed(monkeypatch: Any, tmp_path: Path, today: date, modules: tuple[Any, ...]) -> tuple[str, DemoContext]:
    """The demo seeded for the sandbox gateway `portal serve` would start from the portal's folder: its address, and
    what the demo made."""
    monkeypatch.setenv("PORTAL_VAR_DIR", str(tmp_path))
    monkeypatch.delenv("SANDBOX_DB", raising=False)
    url = f"http://127.0.0.1:{free_port()}"
    monkeypatch.setenv("PAYMENT_GATEWAY_URL", url)
    before = get_settings()
    use_settings(dataclasses.replace(before, payment_gateway_url=url))
    try:
        ctx = DemoContext(rng=random.Random(20261125), today=today)
        for module in modules:
            await module.seed(ctx)
    finally:
        use_settings(before)
    return url, ctx


@contextlib.contextmanager
def _gateway(url: str, tmp_path: Path) -> Iterator[None]:
    """That sandbox gateway running from the portal's folder, and the portal's client talking to it."""
    env = {
        "PATH": "/usr/bin:/bin",
        "PORTAL_VAR_DIR": str(tmp_path),
        "PAYMENT_GATEWAY_URL": url,
        "SANDBOX_WEBHOOK_URL": f"http://127.0.0.1:{free_port()}/payments/webhook",
    }
    with running([sys.executable, "-m", "portal.sandbox_gateway"], env, tmp_path / "gateway.log", f"{url}/healthz"):
        use_client(GatewayClient(url, SECRET, timeout=5, backoff=0.05))
        try:
            yield
        finally:
            use_client(None)


async def test_the_accountant_refunds_a_demo_card_payment_through_the_gateway(
    client, login, make_user, monkeypatch, tmp_path
):
    url, _ = await _seed(monkeypatch, tmp_path, date(2026, 12, 2), (housing_demo, billing_demo))
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

    with _gateway(url, tmp_path):
        response = await client.form(
            f"/staff/payments/{payment['id']}/refund",
            {"amount": "100,00", "reason": "Оплачено дважды", "confirm": "1"},
        )
    assert response.status_code == 303, response.text
    row = await Payment.select(Payment.status, Payment.refunded_kopecks).where(Payment.id == payment["id"]).first()
    assert (row["status"], row["refunded_kopecks"]) == ("partially_refunded", 10000)


async def test_the_demos_refund_waiting_for_the_gateway_stays_waiting_after_reconciliation(
    client, login, monkeypatch, tmp_path
):
    """`make run` reconciles every five minutes: the demo's pending refund is made at the local sandbox as one it
    keeps pending, so reconciliation asks about it and leaves it waiting, and staff keep seeing «Возврат в
    обработке» (it was sent again, returned at once and gone from the demo within five minutes)."""
    url, ctx = await _seed(
        monkeypatch, tmp_path, date(2026, 12, 9), (housing_demo, accounts_demo, billing_demo, payments_demo)
    )
    waiting = await Refund.select().where(Refund.status == RefundStatus.PENDING).first()
    assert waiting is not None and waiting["gateway_refund_id"], "made at the gateway, where it can be asked about"

    with _gateway(url, tmp_path):
        assert await actions.reconcile() == actions.Reconciled()
    refunds = {r["uid"]: r for r in await Refund.select()}
    assert refunds[waiting["uid"]]["status"] == RefundStatus.PENDING and refunds[waiting["uid"]]["posted_at"] is None
    assert RefundStatus.SUCCEEDED in {r["status"] for r in refunds.values()}, "the demo's other refund is returned"
    paid = await Payment.select(Payment.status, Payment.refunded_kopecks).where(Payment.id == waiting["payment"])
    assert (paid[0]["status"], paid[0]["refunded_kopecks"]) == ("succeeded", 0)
    await login(client, ctx.shared["users"]["accountant"])
    listed = await client.get("/staff/payments")
    assert "Возврат в обработке" in listed.text
