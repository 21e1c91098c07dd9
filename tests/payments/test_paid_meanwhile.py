"""A utilities checkout paid on the gateway's page in another tab, its webhook not arrived yet: «Продолжить оплату»
(in the payer's language or in another one) asks the gateway how it stands and opens no second checkout of the
same debt; the payment's page says the payment came in. The sandbox gateway over real HTTP, its webhooks held back
(both engines)."""

from __future__ import annotations

import uuid
from datetime import UTC
from datetime import datetime
from decimal import Decimal

import httpx
import pytest

from portal.billing.ledger import balance_of
from portal.payments.tables import Payment
from tests.payments.test_pay_flow import start


async def _rows(account: int) -> list[dict]:
    return await Payment.select(Payment.id, Payment.status).where(Payment.account == account).order_by(Payment.id)


@pytest.mark.parametrize("lang", ["ru", "en"])
async def test_continuing_a_checkout_paid_in_another_tab_opens_no_second_one(client, login, household, gateway, lang):
    a = household["accounts"][0]
    url = await start(client, login, household, {a: "3540.00"})
    gateway.faults(reorder=True)  # the webhooks are held: the portal has not heard of the payment yet
    assert (await gateway.pay(url, "4242424242424242")).status_code == 303
    payment = (await _rows(a))[0]
    assert payment["status"] == "open"

    await client.speak(lang)  # «Продолжить оплату» from the stale tab, here or in another language
    again = await client.form(f"/payments/{payment['id']}/continue")
    assert again.status_code == 303 and again.headers["location"] == f"/payments/{payment['id']}"
    assert await _rows(a) == [{"id": payment["id"], "status": "succeeded"}]
    assert await balance_of(a) == Decimal("0.00")
    page = (await client.get(f"/payments/{payment['id']}")).text
    assert ("Платёж получен" if lang == "ru" else "Payment received") in page
    gateway.flush()
    await gateway.settle()  # the held webhooks change nothing more
    assert await _rows(a) == [{"id": payment["id"], "status": "succeeded"}]
    assert await balance_of(a) == Decimal("0.00")


async def test_paying_again_from_the_sheet_after_paying_in_another_tab_opens_nothing(client, login, household, gateway):
    """The pay sheet's «Оплатить» closes a checkout of the same accounts left unfinished; one paid meanwhile (its
    webhook still on its way) is recorded as paid, and no new checkout opens with the sheet's amounts, which that
    payment has just paid: the payer is taken to its page."""
    a = household["accounts"][0]
    url = await start(client, login, household, {a: "3540.00"})
    gateway.faults(reorder=True)
    assert (await gateway.pay(url, "4242424242424242")).status_code == 303
    payment = (await _rows(a))[0]
    again = await client.form("/pay", {f"pay_{a}": "1", f"amount_{a}": "3540.00"})
    assert again.status_code == 303 and again.headers["location"] == f"/payments/{payment['id']}"
    assert await _rows(a) == [{"id": payment["id"], "status": "succeeded"}]
    page = (await client.get(again.headers["location"])).text
    assert "Платёж по этим счетам только что поступил; новый не открыт." in page and "Платёж получен" in page
    assert await balance_of(a) == Decimal("0.00")


async def test_a_declined_cards_page_still_open_is_closed_by_a_new_payment_of_the_same_accounts(
    client, login, household, gateway
):
    """A declined card leaves the gateway's page open for another card: a new payment from the sheet closes it, as
    it closes one left unfinished, so only one page of the same debt can be paid."""
    a = household["accounts"][0]
    url = await start(client, login, household, {a: "3540.00"})
    assert (await gateway.pay(url, "4000000000000002")).status_code == 402
    await gateway.settle()
    declined = await Payment.select(Payment.id, Payment.status, Payment.session_id).where(Payment.account == a)
    assert [r["status"] for r in declined] == ["failed"]
    second = await start(client, login, household, {a: "3540.00"})
    await gateway.settle()
    async with httpx.AsyncClient() as browser:
        assert (await browser.get(url)).status_code == 410  # the declined one's page can no longer be paid
        assert (await browser.get(second)).status_code == 200
    rows = await _rows(a)
    assert [r["status"] for r in rows] == ["failed", "open"]
    history = (await client.get("/payments")).text  # the declined one's page is closed: no other card for it
    assert f'action="/payments/{rows[0]["id"]}/continue"' not in history
    assert f'action="/payments/{rows[1]["id"]}/continue"' in history
    page = (await client.get(f"/payments/{rows[0]['id']}")).text
    assert "Оплатить другой картой" not in page and "остаётся открытой" not in page


async def test_a_checkout_of_the_same_accounts_opening_in_another_tab_keeps_a_second_one_from_opening(
    client, login, household, gateway
):
    """«Оплатить» pressed in two tabs at once: while the first request has recorded its checkout and waits for the
    gateway's session, the second opens none (its page would be a second one to pay) and leads to the first."""
    a = household["accounts"][0]
    await login(client, household["resident"])
    opening = Payment(
        uid=str(uuid.uuid4()),
        batch=str(uuid.uuid4()),
        account=a,
        amount_kopecks=354000,
        description="ЖКУ",
        kind="checkout",
        status="created",
        idempotency_key=str(uuid.uuid4()),
        created_by=household["resident"],
        created_at=datetime.now(UTC),
    )
    first = (await Payment.insert(opening).returning(Payment.id))[0]["id"]
    again = await client.form("/pay", {f"pay_{a}": "1", f"amount_{a}": "3540.00"})
    assert again.status_code == 303 and again.headers["location"] == f"/payments/{first}"
    assert [r["status"] for r in await _rows(a)] == ["created"]
    assert (await Payment.select(Payment.session_id).where(Payment.account == a).first())["session_id"] is None


async def test_a_checkout_opened_in_another_tab_meanwhile_keeps_a_second_one_from_opening(
    client, login, household, gateway, monkeypatch
):
    """The second tab looked for checkouts to close before the first tab's opened: it finds the first one open
    when it records its own, and opens none."""
    from portal.payments import queries

    a = household["accounts"][0]
    url = await start(client, login, household, {a: "3540.00"})
    payment = (await _rows(a))[0]

    async def too_early(*args, **kwargs):
        return []

    monkeypatch.setattr(queries, "open_checkouts_of", too_early)
    again = await client.form("/pay", {f"pay_{a}": "1", f"amount_{a}": "3540.00"})
    assert again.status_code == 303 and again.headers["location"] == f"/payments/{payment['id']}"
    assert await _rows(a) == [{"id": payment["id"], "status": "open"}]
    async with httpx.AsyncClient() as browser:
        assert (await browser.get(url)).status_code == 200


@pytest.mark.parametrize("press", ["cancel", "continue in another language"])
async def test_a_checkout_paid_just_before_the_portal_closes_it_is_recorded_as_paid(
    client, login, household, gateway, monkeypatch, press
):
    """The payer's card goes through between the portal's look at the session (open) and its request to close it:
    the gateway refuses to expire a paid session, and the portal asks again and records the payment as paid, on
    «Cancel the payment» as on «Continue» in another language; nothing is cancelled and no new checkout opens."""
    from portal.payments.gateway import GatewayClient

    a = household["accounts"][0]
    url = await start(client, login, household, {a: "3540.00"})
    gateway.faults(reorder=True)  # the webhooks are held: only the gateway's answers tell the portal
    payment = (await _rows(a))[0]
    expire = GatewayClient.expire_session

    async def paid_first(self, session_id):
        assert (await gateway.pay(url, "4242424242424242")).status_code == 303
        return await expire(self, session_id)

    monkeypatch.setattr(GatewayClient, "expire_session", paid_first)
    if press == "cancel":
        response = await client.form(f"/payments/{payment['id']}/cancel")
    else:
        await client.speak("en")
        response = await client.form(f"/payments/{payment['id']}/continue")
    assert response.status_code == 303 and response.headers["location"] == f"/payments/{payment['id']}"
    assert await _rows(a) == [{"id": payment["id"], "status": "succeeded"}]
    assert await balance_of(a) == Decimal("0.00")
