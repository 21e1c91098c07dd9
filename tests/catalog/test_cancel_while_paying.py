"""An order is not cancelled while its payment is paid (its webhook not arrived yet), being confirmed, or may still
go through: the order's page and the staff order's page offer no «Отменить заказ», and a cancel posted anyway (a
stale tab) is refused with words saying why, the order not cancelled and nothing refunded. An open checkout is
closed at the gateway before the order is cancelled, and the gateway asked how it stands. The sandbox gateway over
real HTTP, its webhooks held back (both engines)."""

from __future__ import annotations

from typing import Any

from portal.catalog.tables import Order
from portal.payments.tables import Payment
from tests.catalog.test_pay_is_a_post import _session
from tests.catalog.test_routes import _plumber_ordered

PAID_MEANWHILE = "Оплата заказа только что поступила, поэтому он не отменён."
UNDERWAY = "Оплата заказа подтверждается или ещё может пройти, поэтому отменить его сейчас нельзя."


async def _order() -> dict[str, Any]:
    return await Order.select(Order.status, Order.paid_at, Order.refunded_at, Order.cancelled_at).first()


async def _payments() -> list[dict[str, Any]]:
    return await Payment.select(Payment.status, Payment.session_id).order_by(Payment.id)


async def _paid_unheard(client, login, household, shop, gateway) -> int:
    """An order whose checkout was paid on the gateway's page, its webhook held back: the portal has not heard."""
    order_id = await _plumber_ordered(client, login, household, shop)
    checkout = (await client.form(f"/services/orders/{order_id}/pay")).headers["location"]
    gateway.faults(reorder=True)
    assert (await gateway.pay(checkout, "4242424242424242")).status_code == 303
    return order_id


async def _refused(response, client, words: str) -> None:
    assert response.status_code == 303
    for _ in range(3):  # back where the person was: no referer here, so their home page
        response = await client.get(response.headers["location"])
        if response.status_code != 303:
            break
    assert words in response.text


async def _paid_not_cancelled() -> None:
    """The order took its payment (the gateway's word) and was neither cancelled nor refunded."""
    order = await _order()
    assert order["status"] == "accepted" and order["paid_at"] is not None
    assert order["cancelled_at"] is None and order["refunded_at"] is None
    assert [p["status"] for p in await _payments()] == ["succeeded"]


async def _refused_being_confirmed(response, client, gateway) -> None:
    """Refused, nothing changed; the webhooks, let through, then bring the payment to the order."""
    await _refused(response, client, UNDERWAY)
    assert (await _order())["status"] == "awaiting_payment"
    assert [p["status"] for p in await _payments()] == ["pending"]
    gateway.flush()
    await gateway.settle()
    await _paid_not_cancelled()


async def test_a_payment_being_confirmed_keeps_the_order_from_being_cancelled(client, login, household, shop, gateway):
    order_id = await _paid_unheard(client, login, household, shop, gateway)
    order_page = f"/services/orders/{order_id}"
    await Payment.update({Payment.status: "pending"}, force=True)  # back from the success page, the gateway not asked

    page = (await client.get(order_page)).text
    assert f'href="{order_page}/cancel"' not in page
    asked = (await client.get(f"{order_page}/cancel")).text
    assert f'action="{order_page}/cancel"' not in asked and "Этот заказ уже нельзя отменить." in asked
    await _refused_being_confirmed(await client.form(f"{order_page}/cancel"), client, gateway)


async def test_a_checkout_paid_in_another_tab_is_asked_of_the_gateway_before_the_order_is_cancelled(
    client, login, household, shop, gateway
):
    """The portal still reads the checkout open (its page offers «Отменить заказ», which closes it): the cancel
    asks the gateway first, learns it was paid, and cancels nothing."""
    order_id = await _paid_unheard(client, login, household, shop, gateway)
    order_page = f"/services/orders/{order_id}"
    assert [p["status"] for p in await _payments()] == ["open"]
    await _refused(await client.form(f"{order_page}/cancel"), client, PAID_MEANWHILE)
    await _paid_not_cancelled()
    assert (await _session(gateway, (await _payments())[0]["session_id"]))["status"] == "complete"


async def test_a_checkout_the_gateway_cannot_be_asked_about_keeps_the_order(client, login, household, shop, gateway):
    order_id = await _plumber_ordered(client, login, household, shop)
    order_page = f"/services/orders/{order_id}"
    assert (await client.form(f"{order_page}/pay")).status_code == 303
    gateway.faults(fail_next=20, fail_mode="before")  # every answer a 500: not reached
    refused = await client.form(f"{order_page}/cancel")
    assert refused.status_code == 303
    assert UNDERWAY in (await client.get(refused.headers["location"])).text
    assert (await _order())["status"] == "awaiting_payment"
    assert [p["status"] for p in await _payments()] == ["open"]


async def test_an_unpaid_checkout_is_closed_and_the_order_cancelled(client, login, household, shop, gateway):
    order_id = await _plumber_ordered(client, login, household, shop)
    order_page = f"/services/orders/{order_id}"
    assert (await client.form(f"{order_page}/pay")).status_code == 303
    assert f'href="{order_page}/cancel"' in (await client.get(order_page)).text
    assert (await client.form(f"{order_page}/cancel")).status_code == 303
    assert (await _order())["status"] == "cancelled"
    payments = await _payments()
    assert [p["status"] for p in payments] == ["canceled"]
    assert (await _session(gateway, payments[0]["session_id"]))["status"] == "expired"


async def test_staff_do_not_cancel_an_order_whose_payment_is_being_confirmed(
    client, new_client, login, household, shop, gateway, make_user
):
    order_id = await _paid_unheard(client, login, household, shop, gateway)
    await Payment.update({Payment.status: "pending"}, force=True)
    dispatcher = new_client()
    await login(dispatcher, await make_user(roles=("dispatcher",), houses=(household["house"],)))
    staff_page = f"/staff/orders/{order_id}"
    page = (await dispatcher.get(staff_page)).text
    assert f'action="{staff_page}/cancel"' not in page
    assert "Платёж обрабатывается; страница покажет его, когда банк подтвердит." in page
    asked = await dispatcher.form(f"{staff_page}/cancel", {"reason": "Мастер в отпуске"})  # no «are you sure?»
    assert asked.status_code == 303 and asked.headers["location"] == staff_page
    told = (await dispatcher.get(staff_page)).text
    assert UNDERWAY in told and "Да, отменить заказ" not in told
    done = await dispatcher.form(f"{staff_page}/cancel", {"reason": "Мастер в отпуске", "confirm": "1"})
    await _refused_being_confirmed(done, dispatcher, gateway)
