"""The payment gateway not listening at all (its port closed), then back: a resident starting a payment is told
plainly and nothing is charged; an autopay charge sent into the silence stays pending — nobody is told it
failed, the month is not lost — and reconciliation charges it once when the gateway answers again.

Over real HTTP: the sandbox gateway, and a closed port for the gateway that is away."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest

from portal.billing.ledger import balance_of
from portal.billing.tables import LedgerEntry
from portal.core import clock
from portal.core.tables import OutboxMessage
from portal.payments import actions
from portal.payments.gateway import GatewayClient
from portal.payments.gateway import GatewayError
from portal.payments.gateway import use_client
from portal.payments.tables import AutopayMandate
from portal.payments.tables import Payment
from tests.conftest import free_port
from tests.payments.conftest import SECRET
from tests.payments.test_refunds_autopay import RECEIPT_DAY
from tests.payments.test_refunds_autopay import save_card
from tests.payments.test_refunds_autopay import turn_on


def gateway_away() -> None:
    use_client(GatewayClient(f"http://127.0.0.1:{free_port()}", SECRET, timeout=1, max_retries=1, backoff=0.01))


def gateway_back(gateway) -> None:
    use_client(GatewayClient(gateway.url, SECRET, timeout=5, backoff=0.05))


async def test_a_payment_started_while_the_gateway_is_away_is_refused_plainly_and_charges_nothing(
    client, login, household, gateway
):
    a = household["accounts"][0]
    await login(client, household["resident"])
    gateway_away()
    response = await client.form("/pay", {f"pay_{a}": "1", f"amount_{a}": "700"})
    assert response.status_code == 503
    # The service's notice, not one of the payer's mistakes under «Исправьте, пожалуйста».
    notice = re.search(r'<p class="notice notice-warning" role="alert"[^>]*>([^<]*)</p>', response.text)
    assert notice and "Платёжный сервис сейчас недоступен. Деньги не списаны." in notice.group(1)
    assert "Исправьте, пожалуйста" not in response.text
    assert 'value="700"' in response.text  # the sum typed is kept
    payment = await Payment.select().where(Payment.account == a).first()
    assert payment["status"] == "failed"
    assert await balance_of(a) == Decimal("3540.00")
    # Its page says the service was away — not a declined card, not a page open «for another card» — and
    # offers to pay again.
    page = await client.get(f"/payments/{payment['id']}")
    assert "Оплата не началась" in page.text and "Платёж отклонён" not in page.text
    assert "Платёжный сервис сейчас недоступен. Попробуйте позже." in page.text
    assert "gateway_unavailable" not in page.text and "другой картой" not in page.text
    assert f'href="/pay?account={a}"' in page.text
    # Its status, there and in the history, is «Не началась» (the words of its page) in grey: no bank declined
    # anything.
    history = await client.get("/payments")
    for shown in (page.text, history.text):
        assert '<span class="badge badge-neutral">Не началась</span>' in shown and "Отклонён" not in shown


async def test_autopay_into_a_silent_gateway_is_charged_once_when_it_answers_again(client, login, household, gateway):
    a = household["accounts"][0]
    card = await save_card(client, login, household, gateway, "4242424242424242")
    await turn_on(client, household, card)
    gateway_away()
    assert await actions.run_autopay(RECEIPT_DAY) == 0
    payment = await Payment.select().where((Payment.account == a) & (Payment.kind == "autopay")).first()
    assert payment["status"] == "pending"
    mandate = await AutopayMandate.select().where(AutopayMandate.account == a).first()
    assert mandate["last_status"] == "pending"
    failed = OutboxMessage.count().where(
        (OutboxMessage.user_id == household["resident"]) & (OutboxMessage.template == "payment_failed")
    )
    assert await failed == 0  # the resident is not told of a failure that may not be one
    page = await client.get("/autopay")
    # In the blue of news to note, beside the red of a charge that failed (a plain box read as part of the form).
    assert (
        '<p class="notice notice-info">Последнее списание ждёт ответа платёжного сервиса. Дважды деньги не спишутся.'
        in page.text
    )
    # Still away at the next reconciliation, minutes later: still pending, nothing lost.
    earlier = clock.now() - timedelta(minutes=10)
    await Payment.update({Payment.created_at: earlier, Payment.updated_at: earlier}).where(Payment.id == payment["id"])
    with pytest.raises(GatewayError):  # the job logs it and runs again five minutes later
        await actions.reconcile()
    assert (await Payment.select(Payment.status).where(Payment.id == payment["id"]).first())["status"] == "pending"

    gateway_back(gateway)
    await gateway.exclusive(actions.reconcile())  # the gateway answered nothing about it yet: sent again
    await gateway.settle()
    row = await Payment.select().where(Payment.id == payment["id"]).first()
    assert row["status"] == "succeeded"
    assert await balance_of(a) == Decimal("0.00")
    assert await LedgerEntry.count().where((LedgerEntry.account == a) & (LedgerEntry.kind == "payment")) == 1
    mandate = await AutopayMandate.select().where(AutopayMandate.account == a).first()
    assert mandate["last_status"] == "succeeded"
    # Asked again, the gateway has one payment for it; nothing is charged twice.
    await Payment.update({Payment.updated_at: earlier}).where(Payment.id == payment["id"])
    await gateway.exclusive(actions.reconcile())
    found = [i async for i in actions.client().list_payment_intents(since=int(earlier.timestamp()) - 60)]
    assert [i.metadata.get("payment_id") for i in found].count(payment["uid"]) == 1
    assert await actions.run_autopay(RECEIPT_DAY) == 0
