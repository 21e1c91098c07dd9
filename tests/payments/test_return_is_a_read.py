"""Coming back from the gateway's page is a GET (a reload, a prefetcher, a bookmark): it records what the gateway
says of the checkout, as a webhook would, and never more. The payer's arrival alone does not make a payment
«Обрабатывается»; a GET repeated changes nothing; when the gateway cannot be asked, nothing is written and the page
shows the payment as being processed, asking again. The sandbox gateway over real HTTP (both engines)."""

from __future__ import annotations

from decimal import Decimal

from portal.billing.ledger import balance_of
from portal.billing.tables import LedgerEntry
from portal.payments.tables import Payment
from tests.payments.test_pay_flow import _path
from tests.payments.test_pay_flow import start


async def _statuses(account: int) -> list[str]:
    rows = await Payment.select(Payment.status).where(Payment.account == account).order_by(Payment.id)
    return [r["status"] for r in rows]


async def _credits(account: int) -> int:
    return await LedgerEntry.count().where((LedgerEntry.account == account) & (LedgerEntry.kind == "payment"))


async def test_the_return_address_of_a_checkout_not_paid_records_nothing(client, login, household, gateway):
    a = household["accounts"][0]
    await start(client, login, household, {a: "250"})
    session = (await Payment.select(Payment.session_id).where(Payment.account == a).first())["session_id"]

    page = await client.get(f"/pay/return?session_id={session}")

    assert page.status_code == 200
    assert await _statuses(a) == ["open"]  # not «Обрабатывается»: the gateway says nothing was paid
    assert "Оплата не завершена" in page.text and "every 2s" not in page.text


async def test_the_return_records_the_payment_the_gateway_took_once_however_often_it_is_opened(
    client, login, household, gateway
):
    a = household["accounts"][0]
    url = await start(client, login, household, {a: "3540.00"})
    gateway.faults(reorder=True)  # the webhooks are held: the payer is back before them
    back = _path((await gateway.pay(url, "4242424242424242")).headers["location"])

    for _ in range(2):
        page = await client.get(back)
        assert "Платёж получен" in page.text and "every 2s" not in page.text
    assert await _statuses(a) == ["succeeded"]
    assert await _credits(a) == 1 and await balance_of(a) == Decimal("0.00")
    gateway.flush()
    await gateway.settle()
    assert await _credits(a) == 1 and await balance_of(a) == Decimal("0.00")


async def test_the_return_shows_processing_without_recording_it_while_the_gateway_cannot_be_asked(
    client, login, household, gateway
):
    a = household["accounts"][0]
    url = await start(client, login, household, {a: "10"})
    gateway.faults(reorder=True)
    back = _path((await gateway.pay(url, "4242424242424242")).headers["location"])
    gateway.faults(fail_next=50, fail_mode="before")

    waiting = await client.get(back)

    assert waiting.status_code == 200
    assert "обрабатывается" in waiting.text and "Не завершён" not in waiting.text  # the row's badge too
    assert f'hx-get="{back}"' in waiting.text and 'hx-trigger="every 2s"' in waiting.text  # it asks again there
    assert f'href="{back}"' in waiting.text  # and so does the plain refresh link
    assert await _statuses(a) == ["open"]  # shown as being processed, not recorded so
    gateway.faults(fail_next=0)
    fragment = await client.get(back, headers={"HX-Request": "true"})
    assert "Платёж получен" in fragment.text and "every 2s" not in fragment.text and "<html" not in fragment.text
    assert await _statuses(a) == ["succeeded"] and await _credits(a) == 1
