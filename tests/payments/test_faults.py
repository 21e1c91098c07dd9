"""The acceptance points of the gateway's fault switches: duplicated and reordered webhooks, lost webhooks,
timeouts and saved 500s on create, forged and stale signatures."""

from __future__ import annotations

import asyncio
import json
import time
from decimal import Decimal

import httpx

from portal.billing.ledger import balance_of
from portal.billing.tables import LedgerEntry
from portal.core.tables import AuditEvent
from portal.payments import actions
from portal.payments.gateway import GatewayClient
from portal.payments.gateway import sign_payload
from portal.payments.gateway import use_client
from portal.payments.tables import Payment
from portal.payments.tables import WebhookEvent
from tests.payments.conftest import SECRET
from tests.payments.test_pay_flow import start

WHSEC = "whsec_portal_sandbox"


async def sessions_for(gateway, batch: str) -> list[dict]:
    async with httpx.AsyncClient(base_url=gateway.url, headers={"Authorization": f"Bearer {SECRET}"}) as c:
        page = (await c.get("/v1/checkout/sessions", params={"limit": 100})).json()
    return [s for s in page["data"] if s["metadata"].get("payment_id") == batch]


async def credits(account_id: int) -> int:
    return await LedgerEntry.count().where((LedgerEntry.account == account_id) & (LedgerEntry.kind == "payment"))


async def test_a_webhook_delivered_three_times_and_out_of_order_credits_once(client, login, household, gateway):
    a = household["accounts"][0]
    url = await start(client, login, household, {a: "3540"})
    gateway.faults(duplicate_webhooks=3, reorder=True)
    # A declined attempt first, then a good card: its payment_failed event will arrive last.
    await gateway.pay(url, "4000000000000002")
    await gateway.pay(url, "4242424242424242")
    released = gateway.flush()
    assert released == 9  # payment_failed, payment_intent.succeeded, checkout.session.completed, three times each
    rows = await gateway.settle()
    delivered = [r for r in rows[:released] if r["state"] == "delivered"]
    assert len(delivered) == 9
    # Newest first: the session's completion came before the intent's success, the failure last.
    order = [r["type"] for r in sorted(rows[:released], key=lambda r: r["next_at"])]
    assert order[0] == "checkout.session.completed" and order[-1] == "payment_intent.payment_failed"
    assert await credits(a) == 1
    assert await balance_of(a) == Decimal("0.00")
    payment = await Payment.select().where(Payment.account == a).first()
    assert payment["status"] == "succeeded"
    assert await WebhookEvent.count() == 3


async def test_a_dropped_webhook_is_recovered_by_reconciliation(client, login, household, gateway):
    a = household["accounts"][0]
    url = await start(client, login, household, {a: "1000"})
    gateway.faults(drop_webhooks=-1)
    await gateway.pay(url, "4242424242424242")
    await gateway.settle()
    payment = await Payment.select().where(Payment.account == a).first()
    assert payment["status"] == "open"
    assert await credits(a) == 0
    gateway.faults(drop_webhooks=0)
    fixed = await gateway.exclusive(actions.reconcile())
    assert fixed.payments >= 1 and fixed.refunds == 0
    assert (await Payment.select(Payment.status).where(Payment.id == payment["id"]).first())["status"] == "succeeded"
    assert await credits(a) == 1
    assert await gateway.exclusive(actions.reconcile()) == actions.Reconciled()  # nothing left, nothing credited twice
    assert await credits(a) == 1


async def test_staff_button_runs_reconciliation(client, new_client, login, household, gateway):
    a = household["accounts"][0]
    url = await start(client, login, household, {a: "1000"})
    gateway.faults(drop_webhooks=-1)
    await gateway.pay(url, "4242424242424242")
    await gateway.settle()
    staff = new_client()
    await login(staff, household["accountant"])
    response = await staff.form("/staff/payments/reconcile")
    assert response.status_code == 303, response.text[-3000:]
    assert await credits(a) == 1
    told = await staff.get(response.headers["location"])
    # A refund ended is not counted as a payment; a run that got through everything says nothing of a rest.
    assert "Платежей и возвратов сверено с платёжным сервисом: 1. Обновлено платежей: 1, возвратов: 0." in told.text
    assert "плановая сверка" not in told.text
    audited = await AuditEvent.select(AuditEvent.changes).where(AuditEvent.action == "payment.reconcile").first()
    changes = audited["changes"]
    assert (json.loads(changes) if isinstance(changes, str) else changes) == {"payments": 1, "refunds": 0, "checked": 1}


async def test_a_create_whose_answer_times_out_is_retried_with_the_same_key_and_makes_one_payment(
    client, login, household, gateway
):
    a = household["accounts"][0]
    use_client(GatewayClient(gateway.url, SECRET, timeout=0.5, max_retries=6, backoff=0.2))
    gateway.faults(slow_ms=1500, slow_next=1)
    url = await start(client, login, household, {a: "700"})
    payment = await Payment.select().where(Payment.account == a).first()
    found = await sessions_for(gateway, payment["batch"])
    assert len(found) == 1
    assert url == found[0]["url"]
    assert payment["session_id"] == found[0]["id"]
    assert payment["status"] == "open"


async def test_a_500_on_create_leads_to_a_look_up_not_a_second_payment(client, login, household, gateway):
    a = household["accounts"][0]
    gateway.faults(fail_next=1, fail_mode="after")
    url = await start(client, login, household, {a: "700"})
    payment = await Payment.select().where(Payment.account == a).first()
    found = await sessions_for(gateway, payment["batch"])
    assert len(found) == 1 and found[0]["url"] == url
    # The same key replays the saved 500: the client must not have tried to create anew.
    async with httpx.AsyncClient(base_url=gateway.url, headers={"Authorization": f"Bearer {SECRET}"}) as c:
        again = await c.post(
            "/v1/checkout/sessions",
            headers={"Idempotency-Key": payment["idempotency_key"]},
            content=b"",
        )
    assert again.status_code == 400  # other parameters than the first request: never executed again
    assert again.json()["error"]["type"] == "idempotency_error"


async def test_a_500_before_anything_was_made_fails_plainly_and_charges_nothing(client, login, household, gateway):
    a = household["accounts"][0]
    gateway.faults(fail_next=1, fail_mode="before")
    await login(client, household["resident"])
    response = await client.form("/pay", {f"pay_{a}": "1", f"amount_{a}": "700"})
    assert response.status_code == 503  # the service is away: its notice, not one of the payer's mistakes
    assert "Платёжный сервис сейчас недоступен" in response.text and "Исправьте, пожалуйста" not in response.text
    payment = await Payment.select().where(Payment.account == a).first()
    assert payment["status"] == "failed"
    assert await sessions_for(gateway, payment["batch"]) == []


async def _event_for(client, login, household, gateway) -> tuple[dict, bytes, int]:
    a = household["accounts"][0]
    url = await start(client, login, household, {a: "500"})
    gateway.faults(drop_webhooks=-1)
    await gateway.pay(url, "4242424242424242")
    await gateway.settle()
    payment = await Payment.select().where(Payment.account == a).first()
    event = {
        "id": "evt_forged_1",
        "object": "event",
        "type": "checkout.session.completed",
        "created": int(time.time()),
        "data": {"object": {"id": payment["session_id"], "object": "checkout.session", "mode": "payment"}},
    }
    return payment, json.dumps(event).encode(), a


async def test_forged_or_stale_signatures_are_refused_and_change_nothing(client, login, household, gateway):
    payment, body, a = await _event_for(client, login, household, gateway)
    now = int(time.time())
    bad = [
        {},
        {"stripe-signature": sign_payload(body, "whsec_wrong")},
        {"stripe-signature": sign_payload(body, WHSEC, now - 301)},
        {"stripe-signature": sign_payload(body, WHSEC).replace("v1=", "v0=")},
        {"stripe-signature": "t=abc,v1=00"},
        {"stripe-signature": sign_payload(body + b" ", WHSEC)},
    ]
    for headers in bad:
        response = await client.post("/payments/webhook", content=body, headers=headers)
        assert response.status_code == 400, headers
    assert await WebhookEvent.count() == 0
    assert (await Payment.select(Payment.status).where(Payment.id == payment["id"]).first())["status"] == "open"
    assert await credits(a) == 0
    # The same bytes, properly signed (among other v1 values and a v0): accepted and applied once.
    good = sign_payload(body, WHSEC)
    header = f"{good},v1={'0' * 64},v0=deadbeef"
    for _ in range(2):
        response = await client.post("/payments/webhook", content=body, headers={"stripe-signature": header})
        assert response.status_code == 200
    assert await WebhookEvent.count() == 1
    assert await credits(a) == 1


async def test_an_event_for_an_unknown_payment_is_logged_and_answered_200(client, gateway):
    body = json.dumps(
        {
            "id": "evt_unknown",
            "type": "payment_intent.succeeded",
            "data": {"object": {"id": "pi_nobody", "metadata": {}}},
        }
    ).encode()
    response = await client.post(
        "/payments/webhook", content=body, headers={"stripe-signature": sign_payload(body, WHSEC)}
    )
    assert response.status_code == 200
    row = await WebhookEvent.select().where(WebhookEvent.event_id == "evt_unknown").first()
    assert row["outcome"] == "unknown"


async def test_webhooks_are_retried_until_the_portal_answers_2xx(client, login, household, gateway):
    a = household["accounts"][0]
    url = await start(client, login, household, {a: "500"})
    # While the gateway cannot be asked (its answers fail), the portal answers 503 and the event comes again.
    gateway.faults(reorder=True)
    await gateway.pay(url, "4242424242424242")
    gateway.faults(fail_next=2, fail_mode="before", reorder=False)
    gateway.flush()
    rows = await gateway.settle()
    assert any(r["attempt"] > 1 and r["state"] == "delivered" for r in rows)
    assert await credits(a) == 1


async def test_twenty_simultaneous_deliveries_of_one_event_credit_once(client, login, household, gateway):
    payment, body, a = await _event_for(client, login, household, gateway)
    headers = {"stripe-signature": sign_payload(body, WHSEC)}
    answers = await asyncio.gather(
        *(client.post("/payments/webhook", content=body, headers=headers) for _ in range(20))
    )
    assert [r.status_code for r in answers] == [200] * 20
    assert await WebhookEvent.count() == 1
    assert await credits(a) == 1
    assert (await Payment.select(Payment.status).where(Payment.id == payment["id"]).first())["status"] == "succeeded"
