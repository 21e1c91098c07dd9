"""The sandbox gateway's API as a Stripe client meets it: auth, errors, idempotency, lists, refunds."""

from __future__ import annotations

import asyncio
import uuid

import httpx

from portal.payments.gateway import GatewayClient
from portal.payments.gateway import GatewayError
from portal.payments.gateway import encode_form
from tests.payments.conftest import SECRET

SESSION = {
    "mode": "payment",
    "line_items": [
        {"price_data": {"currency": "rub", "unit_amount": 354000, "product_data": {"name": "ЖКУ"}}, "quantity": 1}
    ],
    "success_url": "http://portal/pay/return?session_id={CHECKOUT_SESSION_ID}",
    "payment_intent_data": {"metadata": {"payment_id": "p1"}},
    "metadata": {"payment_id": "p1"},
}


def api(gateway, **headers) -> httpx.AsyncClient:
    return httpx.AsyncClient(base_url=gateway.url, headers={"Authorization": f"Bearer {SECRET}", **headers})


async def test_auth_errors_and_the_error_envelope(sandbox):
    async with httpx.AsyncClient(base_url=sandbox.url) as c:
        assert (await c.get("/v1/payment_intents")).status_code == 401
        wrong = await c.get("/v1/payment_intents", headers={"Authorization": "Bearer sk_test_wrong"})
        assert wrong.status_code == 401 and wrong.json()["error"]["type"] == "invalid_request_error"
    async with api(sandbox) as c:
        missing = await c.post("/v1/checkout/sessions", data={"mode": "payment"})
        assert missing.status_code == 400
        assert missing.json()["error"] == {
            "type": "invalid_request_error",
            "code": "parameter_missing",
            "param": "success_url",
            "message": "Missing required param: success_url.",
        }
        absent = await c.get("/v1/payment_intents/pi_123")
        assert absent.status_code == 404 and absent.json()["error"]["code"] == "resource_missing"
        assert absent.headers["request-id"].startswith("req_")


async def test_idempotency_replays_rejects_other_parameters_and_refuses_concurrent_use(sandbox):
    key = str(uuid.uuid4())
    body = encode_form(SESSION)
    async with api(sandbox, **{"Idempotency-Key": key}) as c:
        first = await c.post("/v1/checkout/sessions", data=dict(body))
        again = await c.post("/v1/checkout/sessions", data=dict(body))
        assert again.headers["idempotent-replayed"] == "true"
        assert again.json()["id"] == first.json()["id"]
        other = await c.post("/v1/checkout/sessions", data={**dict(body), "metadata[payment_id]": "p2"})
        assert other.status_code == 400 and other.json()["error"]["type"] == "idempotency_error"
    sandbox.faults(slow_ms=3000, slow_next=1)
    try:
        slow_key = str(uuid.uuid4())
        async with api(sandbox, **{"Idempotency-Key": slow_key}) as c:
            running = asyncio.ensure_future(c.post("/v1/customers", data={"email": "a@b.ru"}))
            # The second is sent once the first is being answered (its slow answer taken), not after a guessed pause:
            # sent first on a busy machine, the second would have been the slow one and the first the clash.
            while (await asyncio.to_thread(sandbox.http.get, "/_sandbox/faults")).json()["slow_next"]:
                assert not running.done(), running.result()
                await asyncio.sleep(0.02)
            clash = await c.post("/v1/customers", data={"email": "a@b.ru"})
            assert clash.status_code == 409
            assert clash.json()["error"]["code"] == "idempotency_key_in_use"
            assert clash.headers["stripe-should-retry"] == "true"
            assert (await running).status_code == 200
    finally:
        sandbox.reset()


async def test_a_saved_500_is_replayed_unchanged(sandbox):
    sandbox.faults(fail_next=1)
    key = str(uuid.uuid4())
    try:
        async with api(sandbox, **{"Idempotency-Key": key}) as c:
            first = await c.post("/v1/customers", data={"email": "x@y.ru"})
            again = await c.post("/v1/customers", data={"email": "x@y.ru"})
        assert first.status_code == again.status_code == 500
        assert again.headers["idempotent-replayed"] == "true"
        assert again.json()["error"]["type"] == "api_error"
    finally:
        sandbox.reset()


async def test_lists_are_newest_first_and_page_with_starting_after(sandbox):
    client = GatewayClient(sandbox.url, SECRET)
    customer = (await client.post("/v1/customers", {"email": "list@x.ru"}))["id"]
    made = []
    for i in range(5):
        intent = await client.post(
            "/v1/payment_intents",
            {
                "amount": 100 + i,
                "currency": "rub",
                "customer": customer,
                "payment_method": "pm_card_visa",
                "confirm": True,
            },
        )
        made.append(intent["id"])
    first = await client.get("/v1/payment_intents", {"customer": customer, "limit": 2})
    assert [i["id"] for i in first["data"]] == made[::-1][:2] and first["has_more"] is True
    seen = [i async for i in client.iterate("/v1/payment_intents", {"customer": customer}, limit=2)]
    assert [i["id"] for i in seen] == made[::-1]


async def test_partial_refunds_up_to_the_amount(sandbox):
    client = GatewayClient(sandbox.url, SECRET)
    intent = await client.post(
        "/v1/payment_intents", {"amount": 1000, "currency": "rub", "payment_method": "pm_card_visa", "confirm": True}
    )
    assert intent["status"] == "succeeded"
    part = await client.create_refund(
        payment_intent=intent["id"], amount=400, reason=None, refund_id="r1", idempotency_key=str(uuid.uuid4())
    )
    assert part.amount == 400 and part.status == "succeeded"
    try:
        await client.create_refund(
            payment_intent=intent["id"], amount=700, reason=None, refund_id="r2", idempotency_key=str(uuid.uuid4())
        )
    except GatewayError as exc:
        assert exc.status == 400 and exc.code == "amount_too_large"
    else:
        raise AssertionError("a refund beyond the amount must fail")
    rest = await client.create_refund(
        payment_intent=intent["id"], amount=None, reason=None, refund_id="r3", idempotency_key=str(uuid.uuid4())
    )
    assert rest.amount == 600


async def test_test_cards_off_session(sandbox):
    client = GatewayClient(sandbox.url, SECRET)
    customer = (await client.post("/v1/customers", {"email": "cards@x.ru"}))["id"]
    try:
        await client.post(
            "/v1/payment_intents",
            {
                "amount": 100,
                "currency": "rub",
                "payment_method": "pm_card_visa_chargeDeclinedInsufficientFunds",
                "confirm": True,
            },
        )
    except GatewayError as exc:
        assert exc.status == 402 and exc.decline_code == "insufficient_funds"
        assert exc.payment_intent["status"] == "requires_payment_method"
        assert exc.payment_intent["last_payment_error"]["message"] == "Your card has insufficient funds."
    else:
        raise AssertionError("9995 must decline")
    assert customer.startswith("cus_")
