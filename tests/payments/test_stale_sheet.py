"""A pay sheet opened before someone else's payment of the same account came in: its «Оплатить» would pay the amounts
it showed, the same debt a second time. The form carries the balances the sheet showed; the checkout's start
compares them with the ledger under the accounts' lock and opens nothing when one has fallen: the sheet is shown again
with the amounts of now and says why. A payment ahead from a sheet that is not stale is still taken. The sandbox
gateway over real HTTP, the co-owner's payment credited by its webhook (both engines)."""

from __future__ import annotations

from decimal import Decimal
from html.parser import HTMLParser

import pytest

from portal.billing.ledger import balance_of
from portal.payments.tables import Payment
from tests.payments.test_co_owners import _co_owner


class _Sheet(HTMLParser):
    """The fields the pay form would send as the page stands (checked boxes only, no CSRF token)."""

    def __init__(self) -> None:
        super().__init__()
        self.fields: dict[str, str] = {}
        self.inside = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "form" and a.get("action") == "/pay":
            self.inside = True
        elif (
            tag == "input"
            and self.inside
            and a.get("name") not in (None, "_csrf_token")
            and (a.get("type") != "checkbox" or "checked" in a)
        ):
            self.fields[a["name"] or ""] = a.get("value") or ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.inside = False


def _fields(html: str) -> dict[str, str]:
    sheet = _Sheet()
    sheet.feed(html)
    return sheet.fields


async def _rows(account: int, user: int) -> list[dict]:
    return await (
        Payment.select(Payment.id)
        .where((Payment.account == account) & (Payment.created_by == user))
        .order_by(Payment.id)
    )


def _newest_session(gateway) -> str:
    found = gateway.http.get("/v1/checkout/sessions", params={"limit": 1})
    found.raise_for_status()
    return found.json()["data"][0]["id"]


async def _paid_by_co_owner(household, make_user, new_client, login, gateway, amount: str) -> None:
    """The co-owner pays ``amount`` of the first account on the gateway's page; the webhook credits it."""
    a = household["accounts"][0]
    _, browser = await _co_owner(household, make_user, new_client, login)
    opened = await browser.form("/pay", {f"pay_{a}": "1", f"amount_{a}": amount})
    assert opened.status_code == 303, opened.text
    assert (await gateway.pay(opened.headers["location"], "4242424242424242")).status_code == 303
    await gateway.settle()


@pytest.mark.parametrize("lang", ["ru", "en"])
async def test_a_sheet_opened_before_a_co_owners_payment_came_in_opens_nothing_and_shows_the_amounts_of_now(
    client, login, household, gateway, make_user, new_client, lang
):
    a, b = household["accounts"]
    await login(client, household["resident"])
    await client.speak(lang)
    old = _fields((await client.get("/pay")).text)
    assert old[f"amount_{a}"] == ("3540,00" if lang == "ru" else "3540.00")
    await _paid_by_co_owner(household, make_user, new_client, login, gateway, "1000")
    assert await balance_of(a) == Decimal("2540.00")
    newest = _newest_session(gateway)

    refused = await client.form("/pay", old)
    assert refused.status_code == 422
    assert await _rows(a, household["resident"]) == []  # nothing recorded ...
    assert _newest_session(gateway) == newest  # ... and no checkout asked of the gateway
    page = _fields(refused.text)
    if lang == "ru":
        assert (
            "Пока страница была открыта, по счёту поступила оплата — суммы обновлены. "
            "Проверьте и нажмите «Оплатить» ещё раз." in refused.text
        )
        assert (page[f"amount_{a}"], page[f"amount_{b}"]) == ("2540,00", "1200,50")
        assert "Оплатить 3\u00a0740,50\u00a0₽" in refused.text
    else:
        assert (
            "While this page was open, a payment came in on the account, so the amounts are updated. "
            "Check them and press &#34;Pay&#34; again." in refused.text
        )
        assert (page[f"amount_{a}"], page[f"amount_{b}"]) == ("2540.00", "1200.50")
        assert "Pay ₽3,740.50" in refused.text

    again = await client.form("/pay", page)  # the sheet as shown again is paid as it says
    assert again.status_code == 303 and again.headers["location"].startswith(gateway.url)
    amounts = await Payment.select(Payment.account, Payment.amount_kopecks).where(
        Payment.created_by == household["resident"]
    )
    assert sorted((r["account"], r["amount_kopecks"]) for r in amounts) == [(a, 254000), (b, 120050)]


async def test_after_the_whole_debt_came_in_the_sheet_offers_nothing_and_an_advance_is_still_taken(
    client, login, household, gateway, make_user, new_client
):
    a = household["accounts"][0]
    await login(client, household["resident"])
    old = _fields((await client.get(f"/pay?account={a}")).text)
    await _paid_by_co_owner(household, make_user, new_client, login, gateway, "3540")
    assert await balance_of(a) == Decimal("0.00")

    refused = await client.form("/pay", old)
    assert refused.status_code == 422
    assert await _rows(a, household["resident"]) == []
    assert "суммы обновлены" in refused.text and "Задолженности нет" in refused.text
    page = _fields(refused.text)
    assert page[f"amount_{a}"] == ""

    page[f"amount_{a}"] = "500"  # paying ahead, knowingly, from the sheet as it stands now
    ahead = await client.form("/pay", page)
    assert ahead.status_code == 303 and ahead.headers["location"].startswith(gateway.url)
    assert [r["id"] for r in await _rows(a, household["resident"])]


async def test_paying_more_than_is_due_from_a_sheet_that_is_not_stale_is_an_advance(client, login, household, gateway):
    a = household["accounts"][0]
    await login(client, household["resident"])
    sheet = _fields((await client.get(f"/pay?account={a}")).text)
    sheet[f"amount_{a}"] = "5000,00"
    opened = await client.form("/pay", sheet)
    assert opened.status_code == 303 and opened.headers["location"].startswith(gateway.url)
    rows = await Payment.select(Payment.amount_kopecks).where(Payment.account == a)
    assert rows == [{"amount_kopecks": 500000}]


async def test_a_sheet_shown_again_with_an_error_keeps_the_balance_its_amounts_were_read_against(
    client, login, household, gateway, make_user, new_client
):
    """The payer's typo is shown back after the co-owner paid: «Оплатить» of the corrected sheet is still refused,
    the amounts it showed were read against the old balance."""
    a = household["accounts"][0]
    await login(client, household["resident"])
    old = _fields((await client.get(f"/pay?account={a}")).text)
    await _paid_by_co_owner(household, make_user, new_client, login, gateway, "3540")
    typo = await client.form("/pay", {**old, f"amount_{a}": "35x0"})
    assert typo.status_code == 422 and "суммы обновлены" not in typo.text
    corrected = {**_fields(typo.text), f"amount_{a}": "3540,00"}
    refused = await client.form("/pay", corrected)
    assert refused.status_code == 422 and "суммы обновлены" in refused.text
    assert await _rows(a, household["resident"]) == []
