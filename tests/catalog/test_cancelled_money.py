"""A cancelled order's money, as its payer sees it on the order's page and in «Мои заказы»: not «оплачен» while it
is still with the company (a refund the payment service is still to make, or one staff return by hand), but
«деньги вернём»; once it is back, «деньги возвращены» with the day it was returned."""

from __future__ import annotations

import html
import re
from datetime import UTC
from datetime import datetime
from typing import Any

import pytest

from portal.accounts.principal import load_principal_for
from portal.catalog import actions
from portal.catalog import queries
from portal.catalog.rules import Money
from portal.catalog.rules import money_state
from tests.catalog.test_actions import _paid_order
from tests.catalog.test_refund_by_hand import _cancelled
from tests.catalog.test_refund_by_hand import _outside_gateway


@pytest.mark.parametrize(
    ("stored", "paid", "refunded", "money"),
    [
        ("awaiting_payment", False, False, Money.NONE),
        ("accepted", True, False, Money.PAID),
        ("done", True, False, Money.PAID),
        ("cancelled", False, False, Money.NONE),  # cancelled before it was paid: nothing to return
        ("cancelled", True, False, Money.RETURNING),  # the refund is pending, or staff return it by hand
        ("cancelled", True, True, Money.RETURNED),
    ],
)
def test_a_cancelled_orders_money_is_being_returned_until_it_is_returned(stored, paid, refunded, money):
    assert money_state(stored, paid, refunded) == money


def _badges(page: str) -> list[str]:
    return re.findall(r'<span class="badge badge-[\w-]+">([^<]*)</span>', html.unescape(page))


async def _seen(client: Any, order_id: int) -> tuple[list[str], list[str]]:
    """The badges of the order on its page and in the resident's list of orders."""
    page = await client.get(f"/services/orders/{order_id}")
    listed = await client.get("/services/orders")
    assert page.status_code == listed.status_code == 200
    return _badges(page.text), _badges(listed.text)


async def test_an_order_whose_refund_the_payment_service_has_not_made_yet_reads_as_money_to_be_returned(
    client, login, household, shop, gateway
):
    _, order = await _paid_order(household, shop, gateway)
    await login(client, household["resident"])
    assert await _seen(client, order.id) == (["Принят", "оплачен"], ["Принят", "оплачен"])
    gateway.faults(fail_next=1000, fail_mode="before")  # the service answers nothing: the refund stays pending
    await _cancelled(household, order, gateway)
    assert await _seen(client, order.id) == (["Отменён", "деньги вернём"], ["Отменён", "деньги вернём"])


async def test_an_order_returned_by_hand_reads_as_money_returned_on_its_day(
    client, login, household, shop, gateway, make_user
):
    order = await _cancelled(household, await _outside_gateway(household, shop, gateway), gateway)
    await login(client, household["resident"])
    assert await _seen(client, order.id) == (["Отменён", "деньги вернём"], ["Отменён", "деньги вернём"])
    accountant = await load_principal_for(await make_user(roles=("accountant",), houses=(household["house"],)))
    staff_order = await queries.order_for_staff(accountant, order.id)
    # 22:30 UTC on 5 December is past midnight of the 6th in the company's zone (UTC+3): the payer's day is the 6th.
    await actions.refunded_by_hand(accountant, staff_order, "п/п 17", datetime(2026, 12, 5, 22, 30, tzinfo=UTC))
    returned = ["Отменён", "деньги возвращены 6 декабря 2026"]
    assert await _seen(client, order.id) == (returned, returned)
