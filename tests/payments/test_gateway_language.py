"""The gateway's page speaks the payer's language, as Stripe's Checkout speaks the session's ``locale``: the portal
opens a session in the language of the request, the page says it in ``lang`` and words (an order's checkout
resumed in another language: tests/catalog/test_checkout_language.py)."""

from __future__ import annotations

import re

import httpx

from tests.payments.test_sandbox_api import SESSION
from tests.payments.test_sandbox_api import api

CYRILLIC = re.compile("[А-Яа-яЁё]")


def _outside_russian_parts(page: str) -> str:
    """The page without the parts marked Russian (the merchant's name) and the lines the merchant worded."""
    page = re.sub(r'<p class="gw-merchant"[^>]*lang="ru"[^>]*>[^<]*</p>', "", page)
    return re.sub(r'<ul class="gw-lines">.*?</ul>', "", page, flags=re.S)


async def test_the_hosted_page_speaks_the_sessions_locale_else_the_browsers(sandbox):
    async with api(sandbox) as c:
        english = (await c.post("/v1/checkout/sessions", data={**_form(), "locale": "en"})).json()
        russian = (await c.post("/v1/checkout/sessions", data={**_form(), "locale": "ru"})).json()
        auto = (await c.post("/v1/checkout/sessions", data={**_form(), "locale": "auto"})).json()
        bad = await c.post("/v1/checkout/sessions", data={**_form(), "locale": "english please"})
        assert bad.status_code == 400 and bad.json()["error"]["param"] == "locale"
        assert (await c.get(f"/v1/checkout/sessions/{english['id']}")).json()["locale"] == "en"
    assert english["locale"] == "en" and russian["locale"] == "ru"
    async with httpx.AsyncClient() as browser:
        page = (await browser.get(english["url"], headers={"Accept-Language": "ru"})).text
        assert '<html lang="en">' in page and "Card number" in page and "Pay ₽3,540.00" in page
        assert 'class="gw-merchant" id="gw-sum" lang="ru"' in page  # the merchant's Russian name, said so
        assert not CYRILLIC.search(_outside_russian_parts(page)), _outside_russian_parts(page)
        page = (await browser.get(russian["url"], headers={"Accept-Language": "en"})).text
        assert '<html lang="ru">' in page and "Номер карты" in page and "Card number" not in page
        assert "Оплатить 3\u00a0540,00\u00a0₽" in page
        assert '<html lang="en">' in (await browser.get(auto["url"], headers={"Accept-Language": "en-GB"})).text
        assert '<html lang="ru">' in (await browser.get(auto["url"])).text
        wrong = await browser.post(english["url"], data={"number": "1234", "expiry": "1/1", "cvc": "x"})
        assert wrong.status_code == 422 and "Your card number is invalid." in wrong.text
        assert "Неверный" not in wrong.text
        declined = await browser.post(
            english["url"], data={"number": "4000000000000002", "expiry": "12/40", "cvc": "123"}
        )
        assert declined.status_code == 402 and "Your card was declined." in declined.text
        declined = await browser.post(
            russian["url"], data={"number": "4000000000000002", "expiry": "12/40", "cvc": "123"}
        )
        assert "Карта отклонена." in declined.text and "declined" not in declined.text


def _form() -> dict[str, str]:
    from portal.payments.gateway import encode_form

    return dict(encode_form(SESSION))


async def test_a_utilities_checkout_continued_in_another_language_is_opened_again_in_it(
    client, login, household, gateway
):
    """Started in English, continued from the payments list in Russian: the English session is closed unpaid and
    the same account and amount open in a new checkout whose page speaks Russian; continued in Russian again, that
    one is resumed as it is."""
    from portal.payments.tables import Payment

    a = household["accounts"][0]
    await login(client, household["resident"])
    await client.speak("en")
    started = await client.form("/pay", {f"pay_{a}": "1", f"amount_{a}": "3540.00"})
    assert started.status_code == 303
    first = started.headers["location"]
    async with httpx.AsyncClient() as browser:
        assert '<html lang="en">' in (await browser.get(first)).text
    payment = await Payment.select(Payment.id).where(Payment.account == a).first()

    await client.speak("ru")
    resumed = await client.form(f"/payments/{payment['id']}/continue")
    await gateway.settle()
    second = resumed.headers["location"]
    assert resumed.status_code == 303 and second.startswith(gateway.url + "/c/pay/") and second != first
    async with httpx.AsyncClient() as browser:
        page = (await browser.get(second)).text
        assert '<html lang="ru">' in page and "Оплатить 3\u00a0540,00\u00a0₽" in page
        assert (await browser.get(first)).status_code == 410  # the English one can no longer be paid
    rows = await Payment.select(Payment.status, Payment.amount_kopecks).where(Payment.account == a).order_by(Payment.id)
    assert rows == [{"status": "expired", "amount_kopecks": 354000}, {"status": "open", "amount_kopecks": 354000}]
    newest = await Payment.select(Payment.id).where(Payment.account == a).order_by(Payment.id, ascending=False).first()
    again = await client.form(f"/payments/{newest['id']}/continue")
    assert again.headers["location"] == second


async def _intent(gateway, intent_id: str) -> dict:
    from tests.payments.conftest import SECRET

    async with httpx.AsyncClient(base_url=gateway.url, headers={"Authorization": f"Bearer {SECRET}"}) as c:
        response = await c.get(f"/v1/payment_intents/{intent_id}")
        response.raise_for_status()
        return response.json()


async def test_the_payments_description_at_the_gateway_is_in_the_payers_language(client, login, household, gateway):
    """The description the gateway keeps on the payment (its receipt and the bank's statement show it) is worded
    in the language the payer pays in, as the lines of the page are."""
    from portal.payments.tables import Payment

    a, b = household["accounts"]
    await login(client, household["resident"])
    for account, lang, words in ((a, "en", "Utilities payment"), (b, "ru", "Оплата ЖКУ")):
        await client.speak(lang)
        started = await client.form("/pay", {f"pay_{account}": "1", f"amount_{account}": "100"})
        assert started.status_code == 303
        assert (await gateway.pay(started.headers["location"], "4242424242424242")).status_code == 303
        await gateway.settle()
        paid = await Payment.select(Payment.status, Payment.intent_id).where(Payment.account == account).first()
        assert paid["status"] == "succeeded"
        assert (await _intent(gateway, paid["intent_id"]))["description"] == words


async def test_an_autopay_charge_is_described_in_the_language_the_payer_chose(client, login, household, gateway):
    """Autopay runs with no request to take a language from: the payer's chosen language words it."""
    from portal.accounts.tables import User
    from portal.payments import actions
    from portal.payments.tables import Payment
    from tests.payments.test_refunds_autopay import RECEIPT_DAY
    from tests.payments.test_refunds_autopay import save_card
    from tests.payments.test_refunds_autopay import turn_on

    a = household["accounts"][0]
    await User.update({User.locale: "en"}).where(User.id == household["resident"])
    card = await save_card(client, login, household, gateway, "4242424242424242")
    assert card is not None
    await turn_on(client, household, card)
    assert await gateway.exclusive(actions.run_autopay(RECEIPT_DAY)) == 1
    await gateway.settle()
    charged = (
        await Payment.select(Payment.intent_id, Payment.account.number.as_alias("number"))
        .where((Payment.account == a) & (Payment.kind == "autopay"))
        .first()
    )
    intent = await _intent(gateway, charged["intent_id"])
    assert intent["description"] == f"Autopay 2026-12, account {charged['number']}"


async def test_a_checkout_continued_in_other_languages_stands_once_in_the_payers_history(
    client, new_client, login, household, gateway
):
    """Switching language and pressing «Продолжить оплату» a few times closes each earlier session unpaid at the
    gateway and opens a new one. The payer's history shows one payment (the open one, to continue), not a row of
    «Не завершён» attempts; an old payment's page leads to the one that replaced it. Each closed checkout keeps its
    row, session and final status for the gateway's events and for staff, who see every one and what replaced it."""
    from portal.payments.tables import Payment

    a = household["accounts"][0]
    await login(client, household["resident"])
    await client.speak("en")
    started = await client.form("/pay", {f"pay_{a}": "1", f"amount_{a}": "3540.00"})
    urls = [started.headers["location"]]
    for lang in ("ru", "en"):
        await client.speak(lang)
        newest = await Payment.select(Payment.id).where(Payment.account == a).order_by(Payment.id, ascending=False)
        resumed = await client.form(f"/payments/{newest[0]['id']}/continue")
        assert resumed.status_code == 303
        urls.append(resumed.headers["location"])
        await gateway.settle()  # the closed session's webhook changes nothing more
    assert len(set(urls)) == 3
    rows = (
        await Payment.select(Payment.id, Payment.status, Payment.session_id, Payment.replaced_by)
        .where(Payment.account == a)
        .order_by(Payment.id)
    )
    first, second, third = (r["id"] for r in rows)
    assert [(r["status"], r["replaced_by"]) for r in rows] == [("expired", second), ("expired", third), ("open", None)]
    assert len({r["session_id"] for r in rows}) == 3  # each session stays on its own row
    async with httpx.AsyncClient() as browser:
        assert [(await browser.get(url)).status_code for url in urls] == [410, 410, 200]

    await client.speak("ru")
    history = (await client.get("/payments")).text
    assert f'href="/payments/{third}"' in history and "продолжить оплату" in history
    assert f'href="/payments/{first}"' not in history and f'href="/payments/{second}"' not in history
    assert history.count("Не завершён") == 1
    old = await client.get(f"/payments/{first}")
    assert old.status_code == 303 and old.headers["location"] == f"/payments/{second}"
    assert "Оплата не завершена" in (await client.get(f"/payments/{second}", follow_redirects=True)).text

    staff = new_client()
    await login(staff, household["accountant"])
    listed = (await staff.get("/staff/payments")).text
    assert all(f'href="/staff/payments/{p}"' in listed for p in (first, second, third))
    assert f"продолжен как №\u00a0{second}" in listed  # the number kept on the line of its sign
    detail = (await staff.get(f"/staff/payments/{first}")).text
    assert f'<a href="/staff/payments/{second}">Платёж №\u00a0{second}</a>' in detail
