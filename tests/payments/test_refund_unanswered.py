"""A refund the payment service did not answer (a timeout, a 5xx) may have been made: it stays pending, holding its
amount («Возврат в обработке»), and reconciliation asks again with the same key until the service says how it ended.
Only a definite refusal (a 4xx with the service's error object) fails it at once. Before, it was marked failed and
its amount offered again, although the service may have returned the money: the second refund returned it twice.

Over real HTTP against the sandbox gateway, its webhooks dropped, so that only reconciliation can finish it."""

from __future__ import annotations

import asyncio
import json
import sqlite3
import uuid
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from portal.billing.ledger import balance_of
from portal.billing.tables import LedgerEntry
from portal.core.db import is_sqlite
from portal.core.tables import AuditEvent
from portal.payments import actions
from portal.payments import queries
from portal.payments.gateway import GatewayClient
from portal.payments.gateway import GatewayError
from portal.payments.gateway import _error_of
from portal.payments.gateway import use_client
from portal.payments.tables import Payment
from portal.payments.tables import PaymentPurpose
from portal.payments.tables import Refund
from portal.payments.tables import RefundStatus
from tests.conftest import _RUN
from tests.payments.conftest import SECRET
from tests.payments.test_purposes import _paid_order
from tests.payments.test_purposes import handed  # noqa: F401 (a fixture of this module too)
from tests.payments.test_refund_remainder import _row
from tests.payments.test_refund_remainder import pending
from tests.payments.test_refunds_autopay import paid
from tests.querylog import captured
from tests.querylog import plan_of
from tests.querylog import unindexed_steps
from tests.tickets.test_audit_trail import CLIENT_IP

NO_ANSWER = "Платёжный сервис не ответил"


def gateway_refunds(gateway, intent_id: str) -> list[int]:
    found = gateway.http.get("/v1/refunds", params={"payment_intent": intent_id}).json()["data"]
    return [r["amount"] for r in found]


async def refunds_in_ledger(account: int) -> int:
    return await LedgerEntry.count().where((LedgerEntry.account == account) & (LedgerEntry.kind == "refund"))


async def ask(staff, payment: dict, amount: str) -> httpx.Response:
    return await staff.form(
        f"/staff/payments/{payment['id']}/refund", {"amount": amount, "reason": "Двойная оплата", "confirm": "1"}
    )


@pytest.mark.parametrize("fault", ["timeout", "500"])
async def test_an_unanswered_refund_stays_pending_and_reconciliation_finishes_it_once(
    client, new_client, login, household, gateway, fault
):
    payment = await paid(client, login, household, gateway, "1000")
    account = household["accounts"][0]
    owed = await balance_of(account)
    staff = new_client()
    await login(staff, household["accountant"])
    gateway.faults(drop_webhooks=-1)
    if fault == "timeout":  # the service makes the refund, its answer comes too late for every try
        use_client(GatewayClient(gateway.url, SECRET, timeout=0.3, max_retries=1, backoff=0.05))
        gateway.faults(slow_ms=1500)
    else:  # the refund is made, then a 500 is saved under its key, and the look-up that follows fails too
        gateway.faults(fail_next=2, fail_mode="after")

    response = await ask(staff, payment, "600")
    assert response.status_code == 303, response.text[-2000:]
    told = await staff.get(response.headers["location"])
    assert NO_ANSWER in told.text
    row = await Refund.select(Refund.status).where(Refund.payment == payment["id"]).first()
    assert row["status"] == RefundStatus.PENDING, "not failed: the service may have made it"
    listed = await staff.get("/staff/payments")
    assert "Возврат в обработке" in _row(listed.text, payment["id"])
    form = await staff.get(f"/staff/payments/{payment['id']}/refund")
    assert "Не больше 400,00" in form.text.replace("\xa0", " "), "its amount is held, not offered again"
    assert (await ask(staff, payment, "400,01")).status_code == 422

    gateway.faults(slow_ms=0, fail_next=0)
    assert await gateway.exclusive(actions.reconcile()) == actions.Reconciled(refunds=1)
    row = await Refund.select(Refund.status).where(Refund.payment == payment["id"]).first()
    assert row["status"] == RefundStatus.SUCCEEDED
    done = await Payment.select(Payment.status, Payment.refunded_kopecks).where(Payment.id == payment["id"]).first()
    assert (done["status"], done["refunded_kopecks"]) == ("partially_refunded", 60000)
    assert await balance_of(account) == owed + Decimal("600.00"), "the refund is owed again"
    assert await gateway.exclusive(actions.reconcile()) == actions.Reconciled()
    assert await refunds_in_ledger(account) == 1
    assert gateway_refunds(gateway, payment["intent_id"]) == [60000], "returned once"


async def test_a_refund_retried_after_the_service_forgot_its_key_is_looked_up_not_made_again(
    client, new_client, login, household, gateway
):
    """The service forgets a key after a day, and the same key then makes a new refund: a retry first looks for the
    refund made under the portal's id, so a refund that went unanswered for a day is not returned twice."""
    payment = await paid(client, login, household, gateway, "1000")
    staff = new_client()
    await login(staff, household["accountant"])
    use_client(GatewayClient(gateway.url, SECRET, timeout=0.3, max_retries=1, backoff=0.05))
    gateway.faults(drop_webhooks=-1, slow_ms=1500)
    assert NO_ANSWER in (await staff.get((await ask(staff, payment, "400")).headers["location"])).text
    gateway.faults(slow_ms=0)
    await asyncio.sleep(1.3)  # the slow answer is saved under its key
    key = (await Refund.select(Refund.idempotency_key).where(Refund.payment == payment["id"]).first())[
        "idempotency_key"
    ]
    port = urlsplit(gateway.url).port
    with sqlite3.connect(Path(_RUN) / f"sandbox-{port}" / "gateway.sqlite") as store:  # a day and more later
        aged = store.execute("UPDATE idempotency SET created = created - 90000 WHERE key = ?", (key,)).rowcount
    assert aged == 1
    assert await gateway.exclusive(actions.reconcile()) == actions.Reconciled(refunds=1)
    assert gateway_refunds(gateway, payment["intent_id"]) == [40000], "returned once"
    row = await Refund.select(Refund.status).where(Refund.payment == payment["id"]).first()
    assert row["status"] == RefundStatus.SUCCEEDED


async def test_a_refund_whose_500_was_saved_before_anything_was_made_is_never_sent_under_another_key(
    client, new_client, login, household, gateway
):
    """The service saved a 500 under the refund's key and made nothing: asked again, it replays the 500. The refund
    keeps holding its amount (the service forgets the key after a day, and the same key then makes it); it is never
    sent under a new key, which could return the money twice."""
    payment = await paid(client, login, household, gateway, "1000")
    staff = new_client()
    await login(staff, household["accountant"])
    gateway.faults(drop_webhooks=-1, fail_next=2, fail_mode="before")
    response = await ask(staff, payment, "1000")
    assert NO_ANSWER in (await staff.get(response.headers["location"])).text
    assert await gateway.exclusive(actions.reconcile()) == actions.Reconciled()
    row = await Refund.select(Refund.status, Refund.idempotency_key).where(Refund.payment == payment["id"]).first()
    assert row["status"] == RefundStatus.PENDING
    assert gateway_refunds(gateway, payment["intent_id"]) == []
    assert (await ask(staff, payment, "1")).status_code == 422, "nothing is left to refund while it is pending"


async def test_a_definite_refusal_fails_the_refund_at_once_and_frees_its_amount(
    client, new_client, login, household, gateway
):
    """The service answers 400 with its error object (here: 600 of the payment were returned outside the portal, so
    1000 is more than is left): nothing was made, the accountant reads why, and the amount may be refunded again."""
    payment = await paid(client, login, household, gateway, "1000")
    outside = gateway.http.post(
        "/v1/refunds",
        data={"payment_intent": payment["intent_id"], "amount": "60000"},
        headers={"Idempotency-Key": str(uuid.uuid4())},
    )
    assert outside.status_code == 200
    staff = new_client()
    await login(staff, household["accountant"])
    refused = await ask(staff, payment, "1000")
    assert refused.status_code == 422 and "Платёжный сервис отказал в возврате" in refused.text
    row = await Refund.select(Refund.status).where(Refund.payment == payment["id"]).first()
    assert row["status"] == RefundStatus.FAILED
    assert (await ask(staff, payment, "400")).status_code == 303
    assert gateway_refunds(gateway, payment["intent_id"]) == [40000, 60000]


@pytest.mark.parametrize(
    ("status", "body", "refusal"),
    [
        (400, {"error": {"type": "invalid_request_error", "code": "amount_too_large", "message": "Too large"}}, True),
        (402, {"error": {"type": "card_error", "message": "Declined"}}, True),
        (404, {"error": {"type": "invalid_request_error", "message": "No such payment_intent"}}, True),
        (400, {"error": {"type": "idempotency_error", "message": "Keys for idempotent requests..."}}, False),
        (409, {"error": {"type": "invalid_request_error", "code": "idempotency_key_in_use", "message": "."}}, False),
        (429, {"error": {"type": "invalid_request_error", "code": "rate_limit", "message": "."}}, False),
        (404, "<html>Not Found</html>", False),  # a proxy's page, not the service's answer
        (500, {"error": {"type": "api_error", "message": "An unknown error occurred."}}, False),
        (503, {"error": {"type": "api_error", "message": "Unavailable"}}, False),
    ],
)
def test_only_a_4xx_with_the_services_error_object_is_a_refusal(status, body, refusal):
    answer = httpx.Response(status, text=body) if isinstance(body, str) else httpx.Response(status, json=body)
    assert _error_of(answer).is_refusal is refusal


def test_no_answer_at_all_is_no_refusal():
    assert not GatewayError("The payment service did not answer.", type="api_connection_error").is_refusal


async def test_a_refund_is_in_the_audit_log_with_its_address_when_asked_not_only_once_made(
    client, new_client, login, household, gateway
):
    """A refund left pending (the service did not answer) was in nobody's log until the service confirmed it, and then
    without the accountant's address; the log now says who asked for it, from where, as soon as it is asked for."""
    payment = await paid(client, login, household, gateway, "1000")
    staff = new_client()
    await login(staff, household["accountant"])
    gateway.faults(drop_webhooks=-1, fail_next=2, fail_mode="after")
    assert NO_ANSWER in (await staff.get((await ask(staff, payment, "600")).headers["location"])).text
    asked = await AuditEvent.select().where(
        (AuditEvent.action == "payment.refund_asked") & (AuditEvent.entity_id == payment["id"])
    )
    assert [(e["actor_id"], e["ip"]) for e in asked] == [(household["accountant"], CLIENT_IP)]
    changes = asked[0]["changes"]
    changes = json.loads(changes) if isinstance(changes, str) else changes
    assert (changes["amount"], changes["reason"]) == ("600.00", "Двойная оплата")
    assert not await AuditEvent.exists().where(AuditEvent.action == "payment.refund")
    assert await gateway.exclusive(actions.reconcile()) == actions.Reconciled(refunds=1)
    assert await AuditEvent.count().where(AuditEvent.action == "payment.refund") == 1


async def test_reconciliation_finds_the_pending_refunds_by_their_index(db):
    """Every five minutes: the pending refunds are read through the partial index ``refund_pending_asked``, in its
    order, not by reading every refund ever made (SQLite walked the whole table to keep the order of their ids)."""
    with captured(db) as seen:
        await queries.pending_refunds_to_check()
    assert len(seen) == 1
    plan = await plan_of(db, seen[0], forbid_seqscan=True)
    assert unindexed_steps(plan, "refund", sqlite=is_sqlite(db)) == [], plan
    assert "refund_pending_asked" in plan


async def test_every_pending_refund_has_its_turn_however_many_stay_pending(client, login, household, gateway):
    """A run of reconciliation asks about a bounded number of pending refunds. They were taken by payment, the same
    first ones every run: while those stayed pending (the service not answering about them), the refunds past that
    number were never asked about, their amounts held for ever. A run now takes those asked about least recently."""
    payment = await paid(client, login, household, gateway, "1000")
    for _ in range(3):
        await pending(payment, 10000, household["accountant"])

    async def statuses() -> list[str]:
        rows = await Refund.select(Refund.status).where(Refund.payment == payment["id"]).order_by(Refund.id)
        return [r["status"] for r in rows]

    gateway.faults(drop_webhooks=-1, fail_next=100, fail_mode="before")  # the service answers nothing for now
    assert await gateway.exclusive(actions.retry_refunds(limit=2)) == 0
    assert await statuses() == [RefundStatus.PENDING] * 3
    gateway.faults(fail_next=0)
    assert await gateway.exclusive(actions.retry_refunds(limit=2)) == 2  # the last, never asked, then the first
    assert await statuses() == [RefundStatus.SUCCEEDED, RefundStatus.PENDING, RefundStatus.SUCCEEDED]
    assert await gateway.exclusive(actions.retry_refunds(limit=2)) == 1
    assert await statuses() == [RefundStatus.SUCCEEDED] * 3
    assert sorted(gateway_refunds(gateway, payment["intent_id"])) == [10000] * 3  # each returned once


async def test_a_pending_refund_of_a_payment_the_service_has_no_reference_of_is_left_as_it_is(
    client, login, household, gateway
):
    """Such a refund (the demo's) cannot be asked about: sent without the payment's reference, the service's refusal
    would have marked it failed and offered its amount again."""
    payment = await paid(client, login, household, gateway, "1000")
    await pending(payment, 30000, household["accountant"])
    await Payment.update({Payment.intent_id: None}).where(Payment.id == payment["id"])
    assert await gateway.exclusive(actions.reconcile()) == actions.Reconciled()
    row = await Refund.select(Refund.status).where(Refund.payment == payment["id"]).first()
    assert row["status"] == RefundStatus.PENDING


async def test_an_order_refund_retried_after_the_service_forgot_its_key_is_looked_up_not_made_again(
    household,
    gateway,
    handed,  # noqa: F811
):
    """A cancelled order's refund is asked again every ten minutes until it is made (``catalog.retry_refunds``). One
    the service made without answering, asked again after it forgot the key, was sent anew: with nothing left to
    return the service refused it, the refund was marked failed, and the money it had returned was never recorded
    (the order read as paid, its refund asked for and refused for ever). The retry looks for it first, as
    reconciliation does."""
    await _paid_order(household, gateway, "order:test-forgot", "900.00")
    use_client(GatewayClient(gateway.url, SECRET, timeout=0.3, max_retries=1, backoff=0.05))
    gateway.faults(drop_webhooks=-1, slow_ms=1500)
    asked = actions.refund_purpose(PaymentPurpose.ORDER, "order:test-forgot", "Отмена")
    assert await gateway.exclusive(asked) == actions.RefundState.PENDING
    gateway.faults(slow_ms=0)
    await asyncio.sleep(1.3)  # the slow answer is saved under its key
    row = await Refund.select(Refund.idempotency_key, Refund.payment).first()
    port = urlsplit(gateway.url).port
    with sqlite3.connect(Path(_RUN) / f"sandbox-{port}" / "gateway.sqlite") as store:  # a day and more later
        store.execute("UPDATE idempotency SET created = created - 90000 WHERE key = ?", (row["idempotency_key"],))

    again = actions.refund_purpose(PaymentPurpose.ORDER, "order:test-forgot", "Отмена")
    assert await gateway.exclusive(again) == actions.RefundState.REFUNDED
    intent = (await Payment.select(Payment.intent_id).where(Payment.id == row["payment"]).first())["intent_id"]
    assert gateway_refunds(gateway, intent) == [90000], "returned once"
    assert (await Refund.select(Refund.status).first())["status"] == RefundStatus.SUCCEEDED
    assert handed["refunded"] == ["order:test-forgot"]
