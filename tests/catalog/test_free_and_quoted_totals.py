"""How an order's amount reads where it is shown: a free order (total 0) says «Бесплатно» / "Free" — in «Мои заказы»,
on its page, in the staff list and on the cart — never «0,00 ₽»; an order of a «from» service reads «цена по
расчёту» until staff name the price, then that price (both engines)."""

from __future__ import annotations

import re

from portal.catalog.tables import Order
from portal.catalog.tables import PaidService
from tests.catalog.test_routes import _visit_day

ZERO = re.compile(r"0,00\u00a0₽|₽0\.00")


def _plain(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


async def _order(client, household, service: int) -> tuple[str, int]:
    """The service put in the cart and ordered for a day ahead: the cart's page as it was, and the order's id."""
    account = household["accounts"][0]
    await client.form("/services/cart", {"service": service, "account": account})
    cart = await client.get("/services/cart")
    placed = await client.form(
        "/services/cart/order", {"account": account, "day": _visit_day(), "slot": "09:00–12:00", "phone": ""}
    )
    assert placed.status_code == 303, placed.text
    return cart.text, (await Order.select(Order.id).order_by(Order.id, ascending=False).first())["id"]


async def _dispatcher(new_client, login, make_user, household):
    staff = new_client()
    await login(staff, await make_user(roles=("dispatcher",), houses=(household["house"],)))
    return staff


async def test_a_free_order_reads_free_everywhere_it_is_shown(client, new_client, login, household, shop, make_user):
    bulb = PaidService(category=shop["works"], title="Замена лампочки", description="", price_kopecks=0)
    await bulb.save()
    await login(client, household["resident"])
    cart, order_id = await _order(client, household, bulb.id)
    assert (await Order.select(Order.total_kopecks).where(Order.id == order_id).first())["total_kopecks"] == 0

    staff = await _dispatcher(new_client, login, make_user, household)
    pages = {
        "cart": cart,
        "mine": (await client.get("/services/orders")).text,
        "order": (await client.get(f"/services/orders/{order_id}")).text,
        "staff list": (await staff.get("/staff/orders")).text,
        "staff order": (await staff.get(f"/staff/orders/{order_id}")).text,
    }
    for name, page in pages.items():
        assert not ZERO.search(page), name
        assert "Бесплатно" in page, name
    await client.speak("en")
    assert "Placed" in (mine := _plain((await client.get("/services/orders")).text))
    assert " · Free · " in mine and not ZERO.search(mine)
    await client.speak("en")
    english = _plain((await client.get(f"/services/orders/{order_id}")).text)
    assert "Total Free" in english and not ZERO.search(english)


async def test_an_order_of_a_from_price_reads_by_quote_until_staff_name_the_price(
    client, new_client, login, household, shop, make_user
):
    await login(client, household["resident"])
    _, order_id = await _order(client, household, shop["repair"])
    staff = await _dispatcher(new_client, login, make_user, household)

    mine = _plain((await client.get("/services/orders")).text)
    assert "цена по расчёту" in mine and "Бесплатно" not in mine
    page = _plain((await client.get(f"/services/orders/{order_id}")).text)
    assert "по расчёту" in page and "Итого цену назовут сотрудники" in page and "Бесплатно" not in page
    listed = _plain((await staff.get("/staff/orders")).text)
    assert "по расчёту" in listed and "Бесплатно" not in listed

    quoted = await staff.form(f"/staff/orders/{order_id}/quote", {"amount": "2 500", "note": ""})
    assert quoted.status_code == 303, quoted.text
    mine = _plain((await client.get("/services/orders")).text)
    assert "2 500,00 ₽" in mine.replace("\u00a0", " ") and "по расчёту" not in mine
    listed = _plain((await staff.get("/staff/orders")).text).replace("\u00a0", " ")
    assert "2 500,00 ₽" in listed
