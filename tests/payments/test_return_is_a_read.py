"""Coming back from the gateway's page is a GET (a reload, a prefetcher, a bookmark): it records what the gateway
says of the checkout, as a webhook would, and never more. The payer's arrival alone does not make a payment
«Обрабатывается»; a GET repeated changes nothing; when the gateway cannot be asked, nothing is written and the page
shows the payment as being processed, asking again. The sandbox gateway over real HTTP (both engines)."""

from __future__ import annotations

from decimal import Decimal

from portal.billing.ledger import balance_of
from portal.billing.tables import LedgerEntry
from portal.payments.tables import Payment
from portal.payments.tables import PaymentMethod
from tests.payments.test_pay_flow import _path
from tests.payments.test_pay_flow import start

SAVED = "Карта сохранена. Теперь включите автоплатёж для лицевого счёта."


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


async def test_a_head_on_the_return_addresses_asks_the_gateway_nothing_and_records_nothing(
    client, login, household, gateway
):
    """Link checkers, previews and prefetchers ask with HEAD, which runs the page's GET: the return from the gateway's
    success page and its «cancel and return» asked the gateway and recorded the payment it took. A HEAD answers as
    the page stands and leaves the recording to the payer's own return (or the webhook)."""
    a = household["accounts"][0]
    url = await start(client, login, household, {a: "3540.00"})
    gateway.faults(reorder=True)  # the webhooks are held
    back = _path((await gateway.pay(url, "4242424242424242")).headers["location"])
    payment = await Payment.select(Payment.batch).where(Payment.account == a).first()

    for path, status in ((f"/pay/cancel?payment={payment['batch']}", 303), (back, 200)):
        head = await client.head(path)
        assert head.status_code == status and head.content == b"", path
        assert await _statuses(a) == ["open"] and await _credits(a) == 0, path
    assert head.headers["content-type"].startswith("text/html")  # the payment's page as recorded
    assert (await client.head("/pay/return?session_id=cs_unknown")).status_code == 404

    page = await client.get(back)
    assert "Платёж получен" in page.text
    assert await _statuses(a) == ["succeeded"] and await _credits(a) == 1


async def test_a_head_on_the_card_return_leaves_the_card_and_its_message_to_the_payer(
    client, login, household, gateway
):
    """A HEAD on the card's return saved the card and took its «Карта сохранена»: the payer, back a moment later,
    was not told. Now the payer's own return saves it and says so."""
    await login(client, household["resident"])
    setup = await client.form("/autopay/cards")
    gateway.faults(reorder=True)  # the webhook that would save the card is held
    back = _path((await gateway.pay(setup.headers["location"], "4242424242424242")).headers["location"])

    head = await client.head(back)
    assert head.status_code == 303 and head.headers["location"] == "/autopay"
    assert await PaymentMethod.count() == 0
    assert SAVED not in (await client.get("/autopay")).text

    assert (await client.get(back)).status_code == 303
    assert SAVED in (await client.get("/autopay")).text and await PaymentMethod.count() == 1
