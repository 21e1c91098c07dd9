"""An order is not personal: every member of the household with the right to see the account sees it (its list and
page) and may pay it. While the checkout one of them started could still be paid, the other may neither continue it
(in another language that would close the page the first may be paying on and open a second), nor cancel it, nor
cancel the order with it: they are told another member of the household is paying, and nothing changes at the
gateway — the rule the utilities follow. The sandbox gateway over real HTTP (both engines)."""

from __future__ import annotations

import httpx
import pytest

from portal.catalog.tables import Order
from portal.core import clock
from portal.payments.tables import Payment
from tests.catalog.test_routes import _plumber_ordered
from tests.payments.test_co_owners import _co_owner

PAYING = "Этот заказ оплачивает другой член вашей семьи"
# Who pays the order, since when, until when it may still go through, and what the co-owner can do then: the order's
# words, not the utilities' (which name the account and say «then you can pay here»). Who: by name to an owner, who
# sees the payer on the account's access list; «another member of your household» to a family member, who does not.
# The name stays Russian on an English page, and says so (``lang="ru"``) to a screen reader's voice.
WORDS = {
    ("ru", "family"): (
        "Этот заказ оплачивает другой член вашей семьи: страница оплаты открыта в {since} и будет открыта до {until}. "
        "Продолжить или отменить этот платёж может только он. Если к {until} заказ не будет оплачен, вы сможете "
        "оплатить его сами или отменить."
    ),
    ("en", "family"): (
        "Another member of your household is paying this order: they opened its payment page at {since}, and it "
        "stays open until {until}. Only they can continue or cancel that payment. If the order is not paid by "
        "{until}, you can pay it yourself or cancel it."
    ),
    ("ru", "owner"): (
        "Этот заказ оплачивает Иванов Иван: страница оплаты открыта в {since} и будет открыта до {until}. "
        "Продолжить или отменить этот платёж может только плательщик. Если к {until} заказ не будет оплачен, вы "
        "сможете оплатить его сами или отменить."
    ),
    ("en", "owner"): (
        '<span lang="ru">Иванов Иван</span> is paying this order: they opened its payment page at {since}, and it '
        "stays open until {until}. "
        "Only they can continue or cancel that payment. If the order is not paid by {until}, you can pay it yourself "
        "or cancel it."
    ),
}


async def _state() -> tuple[str, list[str]]:
    order = await Order.select(Order.status).first()
    return order["status"], [r["status"] for r in await Payment.select(Payment.status).order_by(Payment.id)]


async def _told(browser, response, words: str) -> None:
    assert response.status_code == 303
    assert words in (await browser.get(response.headers["location"])).text


async def test_a_co_owner_sees_the_order_but_neither_takes_over_nor_closes_the_others_checkout(
    client, login, household, shop, gateway, make_user, new_client
):
    order_id = await _plumber_ordered(client, login, household, shop)
    page = f"/services/orders/{order_id}"
    checkout = (await client.form(f"{page}/pay")).headers["location"]
    _, browser = await _co_owner(household, make_user, new_client, login, "family")  # told of no one by name

    assert f'href="{page}"' in (await browser.get("/services/orders")).text  # the household's order, listed
    seen = (await browser.get(page)).text
    assert PAYING in seen
    for action in ("pay", "pay-cancel"):
        assert f'action="{page}/{action}"' not in seen
    assert f'href="{page}/cancel"' not in seen

    await browser.speak("en")  # «Pay» in another language would close the first page and open a second
    await _told(browser, await browser.form(f"{page}/pay"), "Another member of your household is paying this order")
    await browser.speak("ru")
    await _told(browser, await browser.form(f"{page}/pay-cancel"), PAYING)
    await _told(browser, await browser.form(f"{page}/cancel"), PAYING)

    assert await _state() == ("awaiting_payment", ["open"])
    async with httpx.AsyncClient() as payer:  # the first one's page is still theirs to pay
        assert (await payer.get(checkout)).status_code == 200
    again = await client.form(f"{page}/pay")  # and they continue it
    assert again.status_code == 303 and again.headers["location"] == checkout


async def test_a_co_owner_pays_the_order_once_the_others_checkout_closed_unpaid(
    client, login, household, shop, gateway, make_user, new_client
):
    order_id = await _plumber_ordered(client, login, household, shop)
    page = f"/services/orders/{order_id}"
    await client.form(f"{page}/pay")
    assert (await client.form(f"{page}/pay-cancel")).status_code == 303
    _, browser = await _co_owner(household, make_user, new_client, login)

    opened = await browser.form(f"{page}/pay")
    assert opened.status_code == 303 and opened.headers["location"].startswith(gateway.url)
    assert await _state() == ("awaiting_payment", ["canceled", "open"])


def _unescaped(html: str) -> str:
    return " ".join(html.replace("&#39;", "'").replace("&quot;", '"').split())


@pytest.mark.parametrize(("lang", "role"), list(WORDS))
async def test_a_co_owner_is_told_in_the_orders_words_who_pays_it_until_when_and_what_they_can_do_then(
    client, login, household, shop, gateway, make_user, new_client, lang, role
):
    order_id = await _plumber_ordered(client, login, household, shop)
    page = f"/services/orders/{order_id}"
    await client.form(f"{page}/pay")
    row = await Payment.select(Payment.created_at, Payment.expires_at).first()
    words = WORDS[lang, role].format(
        since=clock.local(row["created_at"]).strftime("%H:%M"), until=clock.local(row["expires_at"]).strftime("%H:%M")
    )
    _, browser = await _co_owner(household, make_user, new_client, login, role)
    await browser.speak(lang)

    seen = _unescaped((await browser.get(page)).text)
    assert words in seen
    assert lang == "en" or '<span lang="ru">' not in seen
    for action in ("pay", "pay-cancel", "cancel"):  # a direct POST is refused with the same words
        response = await browser.form(f"{page}/{action}")
        assert response.status_code == 303
        told = _unescaped((await browser.get(response.headers["location"])).text)
        assert told.count(words) == 2, action  # the order's notice, and the refusal said above it
        assert lang == "en" or '<span lang="ru">' not in told  # on a Russian page nothing is marked
        assert "then you can pay here" not in told and "тогда вы сможете оплатить здесь" not in told
        assert role == "owner" or "Иванов Иван" not in told
    assert await _state() == ("awaiting_payment", ["open"])
