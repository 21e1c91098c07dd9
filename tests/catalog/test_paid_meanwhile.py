"""An order's checkout paid on the gateway's page in another tab, its webhook not arrived yet: «Продолжить оплату»
(in the payer's language or in another one) asks the gateway how the checkout stands before anything else, and
opens no second checkout the payer could pay again; the order's page says the payment came in or is being
confirmed. The sandbox gateway over real HTTP, its webhooks held back (both engines)."""

from __future__ import annotations

from typing import Any

import pytest

from portal.catalog.tables import Order
from portal.payments.actions import CheckoutUnderway
from portal.payments.tables import Payment
from tests.catalog.test_pay_is_a_post import _session
from tests.catalog.test_routes import _plumber_ordered


async def _rows() -> list[dict[str, Any]]:
    return await Payment.select(Payment.status, Payment.session_id).order_by(Payment.id)


@pytest.mark.parametrize("lang", ["ru", "en"])
async def test_continuing_a_checkout_paid_in_another_tab_opens_no_second_one(
    client, login, household, shop, gateway, lang
):
    order_id = await _plumber_ordered(client, login, household, shop)
    order_page = f"/services/orders/{order_id}"
    checkout = (await client.form(f"{order_page}/pay")).headers["location"]
    gateway.faults(reorder=True)  # the webhooks are held: the portal has not heard of the payment yet
    paid = await gateway.pay(checkout, "4242424242424242")
    assert paid.status_code == 303
    assert [r["status"] for r in await _rows()] == ["open"]

    await client.speak(lang)  # «Продолжить оплату», here or in another language, from the stale tab
    again = await client.form(f"{order_page}/pay")
    assert again.status_code == 303 and again.headers["location"] == order_page
    rows = await _rows()
    assert [r["status"] for r in rows] == ["succeeded"]  # asked of the gateway, not a second checkout
    assert (await _session(gateway, rows[0]["session_id"]))["status"] == "complete"
    assert (await Order.select(Order.status).first())["status"] == "accepted"
    page = (await client.get(order_page)).text
    received = "Оплата получена. Заказ передан диспетчеру." if lang == "ru" else "Payment received."
    assert received in page
    assert f'action="{order_page}/pay"' not in page

    gateway.flush()
    await gateway.settle()  # the held webhooks change nothing more
    assert [r["status"] for r in await _rows()] == ["succeeded"]


async def test_a_payment_being_confirmed_is_not_paid_again(client, login, household, shop, gateway):
    """Back from the gateway's success page while the gateway could not be asked (the payment reads «being
    confirmed»): the order's page offers no «Оплатить», and a «Pay» posted from a stale tab opens nothing new."""
    order_id = await _plumber_ordered(client, login, household, shop)
    order_page = f"/services/orders/{order_id}"
    checkout = (await client.form(f"{order_page}/pay")).headers["location"]
    gateway.faults(reorder=True)
    assert (await gateway.pay(checkout, "4242424242424242")).status_code == 303
    await Payment.update({Payment.status: "pending"}, force=True)  # the return recorded, the gateway not reached then

    page = (await client.get(order_page)).text
    assert "Платёж обрабатывается; страница покажет его, когда банк подтвердит." in page
    assert f'action="{order_page}/pay"' not in page
    again = await client.form(f"{order_page}/pay")
    assert again.status_code == 303 and again.headers["location"] == order_page
    assert [r["status"] for r in await _rows()] == ["succeeded"]
    assert (await Order.select(Order.status).first())["status"] == "accepted"


async def test_pay_pressed_in_two_tabs_opens_one_checkout_of_the_order(db, household, shop, gateway):
    """Both tabs read the order before either had a checkout: the second «Pay» finds the first one's checkout when
    it records its own, and opens none."""
    from portal.catalog import actions
    from portal.catalog import queries
    from tests.catalog.test_actions import _order

    resident, placed = await _order(household, shop, (shop["plumber"], "1"))
    stale = await queries.order_for_resident(resident, placed.id)
    assert stale is not None and stale.payment is None
    first = await gateway.exclusive(actions.start_payment(resident, stale, "http://testserver"))
    assert isinstance(first, str)
    second = await gateway.exclusive(actions.start_payment(resident, stale, "http://testserver"))
    assert isinstance(second, CheckoutUnderway) and second.status == "open"
    assert [r["status"] for r in await _rows()] == ["open"]
