"""Payments for something other than utilities (an order of paid services): paid and refunded through the sandbox
gateway over real HTTP, handed to their owner once, and never written to the account's ledger."""

from __future__ import annotations

from decimal import Decimal
from urllib.parse import urlsplit

import pytest

from portal.accounts.principal import load_principal_for
from portal.billing.ledger import balance_of
from portal.billing.tables import LedgerEntry
from portal.core.pagination import PageRequest
from portal.core.security import Principal
from portal.core.tables import AuditEvent
from portal.payments import actions
from portal.payments import queries
from portal.payments.gateway import use_client
from portal.payments.tables import Payment
from portal.payments.tables import PaymentPurpose
from portal.payments.tables import Refund
from tests.payments.test_refund_remainder import DecliningGateway

ADDRESS = "203.0.113.7"


def _path(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + ("?" + parts.query if parts.query else "")


@pytest.fixture
def handed(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[str]]:
    """The hooks of the order purpose, recording what they were handed."""
    calls: dict[str, list[str]] = {"paid": [], "refunded": []}

    async def paid(reference, now):
        calls["paid"].append(reference)

    async def refunded(reference, now):
        calls["refunded"].append(reference)

    monkeypatch.setitem(actions._purposes, "order", actions.PurposeHooks(paid, refunded))
    return calls


async def _paid_order(household, gateway, reference: str, amount: str = "1500.00") -> actions.Started:
    resident = Principal(
        user_id=household["resident"], account_rights={a: frozenset({"view"}) for a in household["accounts"]}
    )
    started = await actions.start_purpose_checkout(
        resident,
        account_id=household["accounts"][0],
        amount=Decimal(amount),
        purpose=PaymentPurpose.ORDER,
        reference=reference,
        title="Заказ №1: вызов сантехника",
        return_path="/services/orders/1/paid",
        cancel_path="/services/orders/1",
        base_url="http://testserver",
    )
    hosted = await gateway.pay(started.url, "4242 4242 4242 4242")
    assert hosted.status_code == 303
    assert _path(hosted.headers["location"]).startswith("/services/orders/1/paid?session_id=cs_test_")
    await gateway.settle()
    return started


async def test_an_order_payment_is_handed_over_once_and_never_touches_the_ledger(household, gateway, handed):
    account = household["accounts"][0]
    before = await balance_of(account)
    entries_before = await LedgerEntry.count().where(LedgerEntry.account == account)
    started = await _paid_order(household, gateway, "order:test-1")
    # The payer's return asks the gateway again after the webhook did: still handed over once.
    assert await gateway.exclusive(actions.refresh_checkout(started.batch)) == "succeeded"
    assert handed["paid"] == ["order:test-1"]
    assert await balance_of(account) == before
    assert await LedgerEntry.count().where(LedgerEntry.account == account) == entries_before
    row = await Payment.select().where(Payment.batch == started.batch).first()
    assert row["purpose"] == "order" and row["status"] == "succeeded" and row["credited_at"] is not None
    # The resident's history of utility payments does not show it; the order's own read does.
    resident = Principal(user_id=household["resident"], account_rights={account: frozenset({"view"})})
    history = await queries.payments_of_user(resident, PageRequest(1, 30))
    assert started.batch not in {p.batch for p in history.items}
    found = await queries.payments_for(PaymentPurpose.ORDER, ["order:test-1", "order:none"])
    assert set(found) == {"order:test-1"} and found["order:test-1"].status == "succeeded"


async def test_refunding_an_order_twice_returns_the_money_once_and_leaves_the_ledger_alone(household, gateway, handed):
    account = household["accounts"][0]
    before = await balance_of(account)
    await _paid_order(household, gateway, "order:test-2", "2400.00")
    first = await gateway.exclusive(actions.refund_purpose(PaymentPurpose.ORDER, "order:test-2", "Отмена заказа"))
    second = await gateway.exclusive(actions.refund_purpose(PaymentPurpose.ORDER, "order:test-2", "Отмена заказа"))
    await gateway.settle()
    assert (first, second) == ("refunded", "refunded")
    assert handed["refunded"] == ["order:test-2"]
    payment = await queries.paid_payment_for(PaymentPurpose.ORDER, "order:test-2")
    assert payment is not None and payment.status == "refunded" and payment.refunded == Decimal("2400.00")
    assert await Refund.count().where(Refund.payment == payment.id) == 1
    refunds = gateway.http.get("/v1/refunds", params={"payment_intent": payment.intent_id}).json()["data"]
    assert [r["amount"] for r in refunds] == [240000]
    assert await balance_of(account) == before
    assert not await LedgerEntry.exists().where((LedgerEntry.account == account) & (LedgerEntry.kind == "refund"))


async def test_nothing_paid_is_nothing_to_refund(household, gateway, handed):
    assert await actions.refund_purpose(PaymentPurpose.ORDER, "order:never-paid", "Отмена") == "none"
    assert handed == {"paid": [], "refunded": []}


@pytest.mark.parametrize("status", ["failed", "canceled"])
async def test_an_order_refund_the_payment_service_declines_at_once_holds_nothing(household, gateway, handed, status):
    """The order's refund answered failed on the spot stayed «в обработке», holding the whole payment: neither the
    order nor an accountant could return the money another time."""
    await _paid_order(household, gateway, "order:test-3", "900.00")
    use_client(DecliningGateway(gateway.url, status))
    state = await gateway.exclusive(actions.refund_purpose(PaymentPurpose.ORDER, "order:test-3", "Отмена заказа"))
    assert state == actions.RefundState.FAILED
    payment = await queries.paid_payment_for(PaymentPurpose.ORDER, "order:test-3")
    assert payment is not None
    row = await Refund.select(Refund.status).where(Refund.payment == payment.id).first()
    assert row["status"] == status
    assert await queries.refundable_locked(payment.id) == 90000
    assert handed["refunded"] == []


async def test_an_order_refund_is_audited_when_asked_and_when_made_with_the_address_it_came_from(
    household, gateway, handed
):
    """The refund of an order cancelled by staff was audited without the address they acted from («IP: —»), as no
    other staff write is, and only once the payment service had made it."""
    await _paid_order(household, gateway, "order:test-4", "900.00")
    accountant = await load_principal_for(household["accountant"])
    for _ in range(2):  # asked twice: the second finds the first, and asks for nothing more
        refunded = actions.refund_purpose(PaymentPurpose.ORDER, "order:test-4", "Отмена", actor=accountant, ip=ADDRESS)
        assert await gateway.exclusive(refunded) == actions.RefundState.REFUNDED
    events = (
        await AuditEvent.select(AuditEvent.action, AuditEvent.actor_id, AuditEvent.ip)
        .where(AuditEvent.entity == "payment")
        .order_by(AuditEvent.id)
    )
    assert [(e["action"], e["actor_id"], e["ip"]) for e in events] == [
        ("payment.refund_asked", household["accountant"], ADDRESS),
        ("payment.refund", household["accountant"], ADDRESS),
    ]
