"""Back from the gateway's success page to the order (a GET): the payment takes what the gateway says of it, never
more. While the gateway cannot be asked nothing is written: the order's page (the return's, and the order's own
after it) says the payment is being checked, offers neither «Оплатить» nor «Отменить заказ», and «Обновить» asks
again. The sandbox gateway over real HTTP (both engines)."""

from __future__ import annotations

from urllib.parse import urlsplit

from portal.catalog.tables import Order
from portal.payments.tables import Payment
from tests.catalog.test_routes import _plumber_ordered

CHECKING = "Проверяем оплату: платёжный сервис сейчас не отвечает."


async def _statuses() -> list[str]:
    return [r["status"] for r in await Payment.select(Payment.status).order_by(Payment.id)]


async def test_the_return_to_an_order_records_nothing_while_the_gateway_cannot_be_asked(
    client, login, household, shop, gateway
):
    order_id = await _plumber_ordered(client, login, household, shop)
    order_page = f"/services/orders/{order_id}"
    checkout = (await client.form(f"{order_page}/pay")).headers["location"]
    gateway.faults(reorder=True)  # the webhooks are held
    paid = urlsplit((await gateway.pay(checkout, "4242424242424242")).headers["location"])
    back = f"{paid.path}?{paid.query}"
    gateway.faults(fail_next=50, fail_mode="before")

    page = await client.get(back)
    later = await client.get(order_page)  # the order's own page, from «Мои заказы» or a reload

    assert page.status_code == 200
    assert await _statuses() == ["open"]  # shown as being checked, not recorded so
    for shown in (page.text, later.text):
        assert CHECKING in shown
        assert f'action="{order_page}/pay"' not in shown  # no second payment offered
        assert f'href="{order_page}/cancel"' not in shown  # nor a cancel that could keep the money
        assert f'action="{order_page}/pay-cancel"' not in shown
        assert f'href="{back}"' in shown  # «Обновить» asks again
    await client.speak("en")
    english = (await client.get(order_page)).text
    assert "We are checking the payment: the payment service is not answering right now." in english
    await client.speak("ru")
    gateway.faults(fail_next=0)
    again = await client.get(back)
    assert again.status_code == 303 and again.headers["location"] == order_page
    assert await _statuses() == ["succeeded"]
    assert (await Order.select(Order.status).first())["status"] == "accepted"
    paid = (await client.get(order_page)).text
    assert "Оплата получена. Заказ передан диспетчеру." in paid
    assert CHECKING not in paid and f'href="{order_page}/cancel"' in paid  # paid, cancelled before work as usual


async def test_the_return_address_of_an_order_not_paid_records_nothing(client, login, household, shop, gateway):
    order_id = await _plumber_ordered(client, login, household, shop)
    order_page = f"/services/orders/{order_id}"
    await client.form(f"{order_page}/pay")
    session = (await Payment.select(Payment.session_id).first())["session_id"]
    gateway.faults(fail_next=50, fail_mode="before")

    await client.get(f"{order_page}/paid?session_id={session}")

    assert await _statuses() == ["open"]
    gateway.faults(fail_next=0)


async def test_a_head_on_the_order_return_addresses_records_nothing_and_tells_nothing(
    client, login, household, shop, gateway
):
    """Link checkers, previews and prefetchers ask with HEAD, which runs the page's GET: the order's return from the
    gateway and its «cancel and return» recorded the payment and took the «Оплата получена» meant for the payer."""
    order_id = await _plumber_ordered(client, login, household, shop)
    order_page = f"/services/orders/{order_id}"
    checkout = (await client.form(f"{order_page}/pay")).headers["location"]
    gateway.faults(reorder=True)  # the webhooks are held
    paid = urlsplit((await gateway.pay(checkout, "4242424242424242")).headers["location"])
    back = f"{paid.path}?{paid.query}"

    for path in (f"{order_page}/pay-cancel", back):
        head = await client.head(path)
        assert head.status_code == 303 and head.headers["location"] == order_page, path
        assert await _statuses() == ["open"], path
    page = (await client.get(order_page)).text
    assert "Оплата получена" not in page and CHECKING not in page

    assert (await client.get(back)).status_code == 303
    assert await _statuses() == ["succeeded"]
    assert "Оплата получена. Заказ передан диспетчеру." in (await client.get(order_page)).text
