"""An order's checkout changes only on a POST with the form's CSRF token: «Pay» / «Continue the payment» and «Cancel
the payment» on the order's page are buttons. The gateway's «cancel and return» link (a GET, which a prefetcher, a
mail scanner or a crawler may follow too) closes nothing: neither the portal's payment nor the gateway's session
(the sandbox gateway, over real HTTP), and the order keeps waiting to be paid."""

from __future__ import annotations

from typing import Any

import httpx

from portal.catalog.tables import Order
from portal.payments.tables import Payment
from tests.catalog.test_routes import _plumber_ordered
from tests.payments.conftest import SECRET


async def _session(gateway: Any, session_id: str) -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=gateway.url, headers={"Authorization": f"Bearer {SECRET}"}) as c:
        response = await c.get(f"/v1/checkout/sessions/{session_id}")
        response.raise_for_status()
        return response.json()


async def _state() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The orders and the payments as the database holds them."""
    orders = await Order.select(Order.id, Order.status, Order.updated_at).order_by(Order.id)
    payments = await Payment.select(
        Payment.id, Payment.batch, Payment.status, Payment.session_id, Payment.updated_at
    ).order_by(Payment.id)
    return orders, payments


async def test_the_gateways_cancel_link_closes_nothing_and_the_buttons_do(client, new_client, login, household, shop,
                                                                          gateway, make_user):  # fmt: skip
    order_id = await _plumber_ordered(client, login, household, shop)
    before = await _state()
    orders, payments = before
    assert [o["status"] for o in orders] == ["awaiting_payment"]
    assert [p["status"] for p in payments] == ["open"]
    session_id = payments[0]["session_id"]
    assert (await _session(gateway, session_id))["status"] == "open"
    order_page = f"/services/orders/{order_id}"

    for _ in range(2):  # a prefetcher, then the person back from the gateway's page: the same each time
        back = await client.get(f"{order_page}/pay-cancel")
        assert back.status_code == 303 and back.headers["location"] == order_page
    await gateway.settle()
    assert await _state() == before
    assert (await _session(gateway, session_id))["status"] == "open"

    page = await client.get(order_page)
    assert "Оплата не завершена" in page.text and "Оплата отменена" not in page.text
    assert f'<form method="post" action="{order_page}/pay"' in page.text
    assert f'<form method="post" action="{order_page}/pay-cancel"' in page.text
    assert "Продолжить оплату" in page.text and "Отменить платёж" in page.text
    assert f'href="{order_page}/pay-cancel"' not in page.text
    assert f'action="{order_page}/pay" hx-boost="false"' not in page.text  # boosted, as the other forms

    # Another site's form (no token) changes nothing; another resident finds no such order.
    assert (await client.post(f"{order_page}/pay-cancel")).status_code == 403
    stranger = new_client()
    await login(stranger, await make_user(accounts={household["accounts"][1]: "tenant"}))
    assert (await stranger.get(f"{order_page}/pay-cancel")).status_code == 404
    assert (await stranger.form(f"{order_page}/pay-cancel")).status_code == 404
    await gateway.settle()
    assert await _state() == before
    assert (await _session(gateway, session_id))["status"] == "open"

    # «Continue the payment»: the same open checkout, as a 303 and, for the boosted form, as htmx's whole-page redirect.
    resumed = await client.form(f"{order_page}/pay")
    assert resumed.status_code == 303 and resumed.headers["location"].startswith(gateway.url + "/c/pay/")
    boosted = await client.htmx_form(f"{order_page}/pay", headers={"HX-Boosted": "true"})
    assert boosted.status_code == 200 and boosted.headers["HX-Redirect"] == resumed.headers["location"]
    await gateway.settle()
    assert await _state() == before

    # «Cancel the payment» closes the checkout at the gateway; the order waits to be paid, with a new checkout.
    done = await client.form(f"{order_page}/pay-cancel")
    assert done.status_code == 303 and done.headers["location"] == order_page
    await gateway.settle()
    assert (await _session(gateway, session_id))["status"] == "expired"
    orders, payments = await _state()
    assert [o["status"] for o in orders] == ["awaiting_payment"]
    assert [p["status"] for p in payments] == ["canceled"]
    page = await client.get(order_page)
    assert "Оплата отменена; деньги не списаны. Заказ ждёт оплаты." in page.text
    assert "Оплата не завершена" not in page.text and "Оплатить 1\u00a0500,00\u00a0₽" in page.text
    again = await client.form(f"{order_page}/pay")
    assert again.status_code == 303 and again.headers["location"] != resumed.headers["location"]
    await gateway.settle()
    assert [p["status"] for p in (await _state())[1]] == ["canceled", "open"]


async def test_a_boosted_cancel_of_the_payment_is_answered_as_the_other_forms(client, login, household, shop, gateway):
    order_id = await _plumber_ordered(client, login, household, shop)
    order_page = f"/services/orders/{order_id}"
    done = await client.htmx_form(f"{order_page}/pay-cancel", headers={"HX-Boosted": "true"})
    assert done.status_code == 303 and done.headers["location"] == order_page
    await gateway.settle()
    assert [p["status"] for p in (await _state())[1]] == ["canceled"]


async def test_after_a_declined_card_the_cancel_link_records_the_decline_and_closes_nothing(
    client, login, household, shop, gateway
):
    """A declined card leaves the gateway's page open for another card: «cancel and return» records the decline
    (the order's page says it, until when the gateway's page stays open, and offers to cancel the payment) and
    closes nothing; «Cancel the payment» then closes the gateway's page."""
    order_id = await _plumber_ordered(client, login, household, shop)
    order_page = f"/services/orders/{order_id}"
    session_id = (await _state())[1][0]["session_id"]
    checkout = (await client.form(f"{order_page}/pay")).headers["location"]
    await gateway.pay(checkout, "4000 0000 0000 0002")
    back = await client.get(f"{order_page}/pay-cancel")
    assert back.status_code == 303 and back.headers["location"] == order_page
    await gateway.settle()
    assert [p["status"] for p in (await _state())[1]] == ["failed"]
    assert [o["status"] for o in (await _state())[0]] == ["awaiting_payment"]
    assert (await _session(gateway, session_id))["status"] == "open"
    page = await client.get(order_page)
    assert "Банк отклонил карту. Деньги не списаны." in page.text
    assert "Страница оплаты остаётся открытой для другой карты до " in page.text
    assert "Если вы не хотите платить сейчас, отмените платёж." in page.text
    assert "Оплатить другой картой" in page.text and "Отменить платёж" in page.text
    assert f'<form method="post" action="{order_page}/pay-cancel"' in page.text
    again = await client.form(f"{order_page}/pay")  # another card on the same page
    assert again.status_code == 303 and again.headers["location"] == checkout
    cancelled = await client.form(f"{order_page}/pay-cancel")
    assert cancelled.status_code == 303 and cancelled.headers["location"] == order_page
    await gateway.settle()
    assert [p["status"] for p in (await _state())[1]] == ["canceled"]
    assert [o["status"] for o in (await _state())[0]] == ["awaiting_payment"]  # the order waits to be paid
    assert (await _session(gateway, session_id))["status"] == "expired"
    page = await client.get(order_page)
    assert "Отменить платёж" not in page.text and "Оплатить 1\u00a0500,00\u00a0₽" in page.text
