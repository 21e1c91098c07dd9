"""Paying through the portal and the sandbox gateway over real HTTP: checkout, return page, webhook, ledger."""

from __future__ import annotations

from decimal import Decimal
from urllib.parse import urlsplit

from portal.billing.ledger import balance_of
from portal.billing.tables import LedgerEntry
from portal.core.tables import OutboxMessage
from portal.payments.tables import Payment


def _path(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + ("?" + parts.query if parts.query else "")


async def start(client, login, household, amounts: dict[int, str]):
    await login(client, household["resident"])
    data = {}
    for account_id, amount in amounts.items():
        data[f"pay_{account_id}"] = "1"
        data[f"amount_{account_id}"] = amount
    response = await client.form("/pay", data)
    assert response.status_code == 303, response.text
    return response.headers["location"]


async def test_pay_form_prefills_the_amount_due_of_each_account(client, login, household, gateway):
    await login(client, household["resident"])
    page = await client.get("/pay")
    assert page.status_code == 200
    assert 'value="3540,00"' in page.text
    assert 'value="1200,50"' in page.text
    only = await client.get(f"/pay?account={household['accounts'][1]}")
    assert (
        f'id="f-pay_{household["accounts"][1]}" type="checkbox" name="pay_{household["accounts"][1]}" value="1" checked'
        in only.text
    )
    assert f'name="pay_{household["accounts"][0]}" value="1" checked' not in only.text


async def test_paying_two_accounts_with_4242_credits_each_once_and_queues_an_email(client, login, household, gateway):
    a, b = household["accounts"]
    url = await start(client, login, household, {a: "3540,00", b: "100"})
    assert url.startswith(gateway.url + "/c/pay/cs_test_")
    hosted = await gateway.pay(url, "4242 4242 4242 4242")
    assert hosted.status_code == 303
    back = _path(hosted.headers["location"])
    assert back.startswith("/pay/return?session_id=cs_test_")
    await gateway.settle()
    page = await client.get(back)
    assert page.status_code == 200
    assert "Платёж получен" in page.text
    assert await balance_of(a) == Decimal("0.00")
    assert await balance_of(b) == Decimal("1100.50")
    rows = await Payment.select().where(Payment.account.is_in([a, b]))
    assert {r["status"] for r in rows} == {"succeeded"}
    assert len({r["batch"] for r in rows}) == 1
    credits = await LedgerEntry.count().where(LedgerEntry.account.is_in([a, b]) & (LedgerEntry.kind == "payment"))
    assert credits == 2
    mails = await OutboxMessage.select().where(
        (OutboxMessage.user_id == household["resident"]) & (OutboxMessage.channel == "email")
    )
    assert len(mails) == 1 and mails[0]["template"] == "payment_succeeded"


async def test_return_page_shows_processing_and_polls_until_the_webhook(client, login, household, gateway):
    a = household["accounts"][0]
    url = await start(client, login, household, {a: "10"})
    gateway.faults(reorder=True)  # hold the webhooks: the resident comes back before they arrive
    hosted = await gateway.pay(url, "4242424242424242")
    back = _path(hosted.headers["location"])
    await gateway.settle()
    waiting = await client.get(back)
    assert "обрабатывается" in waiting.text
    assert 'hx-trigger="every 2s"' in waiting.text
    payment = await Payment.select(Payment.id).where(Payment.account == a).first()
    assert f'href="/payments/{payment["id"]}"' in waiting.text  # the plain refresh link
    gateway.flush()
    await gateway.settle()
    fragment = await client.get(f"/payments/{payment['id']}", headers={"HX-Request": "true"})
    assert "Платёж получен" in fragment.text
    assert "every 2s" not in fragment.text
    assert "<html" not in fragment.text


async def test_a_declined_card_says_so_and_posts_nothing(client, login, household, gateway):
    a = household["accounts"][0]
    before = await balance_of(a)
    url = await start(client, login, household, {a: "3540"})
    hosted = await gateway.pay(url, "4000 0000 0000 0002")
    assert hosted.status_code == 402
    assert "Your card was declined." in hosted.text
    await gateway.settle()
    payment = await Payment.select().where(Payment.account == a).first()
    assert payment["status"] == "failed"
    assert payment["failure_code"] == "generic_decline"
    page = await client.get(f"/payments/{payment['id']}")
    assert "Платёж отклонён" in page.text
    assert "Банк отклонил карту" in page.text
    assert await balance_of(a) == before
    # The resident gives up: the cancel link expires the session and nothing is ever posted.
    cancel = await client.get(f"/pay/cancel?payment={payment['batch']}")
    assert cancel.status_code == 303
    await gateway.settle()
    assert await balance_of(a) == before
    assert await LedgerEntry.count().where((LedgerEntry.account == a) & (LedgerEntry.kind == "payment")) == 0


async def test_cancelled_payment_says_nothing_was_charged(client, login, household, gateway):
    a = household["accounts"][0]
    await start(client, login, household, {a: "50"})
    payment = await Payment.select().where(Payment.account == a).first()
    response = await client.get(f"/pay/cancel?payment={payment['batch']}")
    assert response.headers["location"] == f"/payments/{payment['id']}"
    await gateway.settle()
    page = await client.get(f"/payments/{payment['id']}")
    assert "Платёж отменён" in page.text
    assert (await Payment.select(Payment.status).where(Payment.id == payment["id"]).first())["status"] == "canceled"


async def test_amounts_are_checked(client, login, household, gateway):
    a, b = household["accounts"]
    await login(client, household["resident"])
    response = await client.form(
        "/pay", {f"pay_{a}": "1", f"amount_{a}": "0,50", f"pay_{b}": "1", f"amount_{b}": "600000"}
    )
    assert response.status_code == 422
    assert "Наименьший платёж" in response.text
    assert "500 000" in response.text
    assert 'value="0,50"' in response.text
    nothing = await client.form("/pay", {f"amount_{a}": "100"})
    assert nothing.status_code == 422
    assert await Payment.count().where(Payment.account.is_in([a, b])) == 0


async def test_another_users_payment_is_not_found(client, new_client, login, household, gateway):
    a = household["accounts"][0]
    await start(client, login, household, {a: "10"})
    payment = await Payment.select().where(Payment.account == a).first()
    other = new_client()
    await login(other, household["stranger"])
    from portal.accounts.tables import Residency

    assert not await Residency.exists().where(Residency.user == household["stranger"])
    # A user without accounts is not a resident at all; give them an account of their own elsewhere.
    response = await other.get(f"/payments/{payment['id']}")
    assert response.status_code in (403, 404)
    response = await other.get(f"/pay/return?session_id={payment['session_id']}")
    assert response.status_code in (403, 404)


async def test_sbp_payment_is_confirmed_on_the_test_page(client, login, household, gateway):
    a = household["accounts"][0]
    url = await start(client, login, household, {a: "3540"})
    session_id = url.rsplit("/", 1)[-1]
    page = await gateway.post(f"/c/pay/{session_id}/sbp", {"action": "confirm"})
    assert page.status_code == 303
    await gateway.settle()
    assert await balance_of(a) == Decimal("0.00")
