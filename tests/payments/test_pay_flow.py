"""Paying through the portal and the sandbox gateway over real HTTP: checkout, return page, webhook, ledger."""

from __future__ import annotations

from datetime import UTC
from datetime import datetime
from datetime import timedelta
from decimal import Decimal
from urllib.parse import urlsplit

import httpx

from portal.billing.ledger import balance_of
from portal.billing.tables import LedgerEntry
from portal.core.tables import OutboxMessage
from portal.payments import actions
from portal.payments import rules
from portal.payments.tables import Payment
from tests.payments.conftest import SECRET


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


async def test_pay_sheet_prefills_the_amount_due_and_states_the_total(client, login, household, gateway):
    a, b = household["accounts"]
    await login(client, household["resident"])
    page = await client.get("/pay")
    assert page.status_code == 200
    assert 'value="3540,00"' in page.text
    assert 'value="1200,50"' in page.text
    assert f'name="pay_{a}" value="1" checked' in page.text and f'name="pay_{b}" value="1" checked' in page.text
    assert "Оплатить 4\u00a0740,50\u00a0₽" in page.text  # the button states the total of both debts
    # From the home button: one account's sheet, nothing to choose, its amount in the button.
    only = await client.get(f"/pay?account={b}")
    assert 'value="1200,50"' in only.text
    assert f'name="amount_{a}"' not in only.text
    assert 'type="checkbox"' not in only.text
    assert f'name="only" value="{b}"' in only.text
    assert "Оплатить 1\u00a0200,50\u00a0₽" in only.text
    assert 'href="/pay">' in only.text  # the way to pay for both
    await client.speak("en")
    english = await client.get(f"/pay?account={b}")
    assert 'value="1200.50"' in english.text and "Pay ₽1,200.50" in english.text


async def test_the_sheet_of_one_account_pays_that_account_alone(client, login, household, gateway):
    a, b = household["accounts"]
    await login(client, household["resident"])
    response = await client.form("/pay", {"only": str(b), f"amount_{b}": "1 000,5", f"amount_{a}": "3540"})
    assert response.status_code == 303, response.text
    rows = await Payment.select(Payment.account, Payment.amount_kopecks).where(Payment.account.is_in([a, b]))
    assert rows == [{"account": b, "amount_kopecks": 100050}]


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
    assert {r["method"] for r in rows} == {"card"}  # the dashboard's payments by channel
    credits = await LedgerEntry.count().where(LedgerEntry.account.is_in([a, b]) & (LedgerEntry.kind == "payment"))
    assert credits == 2
    mails = await OutboxMessage.select().where(
        (OutboxMessage.user_id == household["resident"]) & (OutboxMessage.channel == "email")
    )
    assert len(mails) == 1 and mails[0]["template"] == "payment_succeeded"
    assert "Подтверждение отправлено на e-mail." in page.text
    # one checkout of two accounts: «на лицевые счета», not «на счёт» as if one account had it all
    assert "Спасибо! 3\u00a0640,00\u00a0₽ зачислено на лицевые счета. Подтверждение" in page.text
    assert "на счёт" not in page.text
    numbers = ", ".join(r["number"] for r in await Payment.select(Payment.account.number.as_alias("number")).where(
        Payment.account.is_in([a, b])).order_by(Payment.id))  # fmt: skip
    inapp = await OutboxMessage.select(OutboxMessage.body).where(
        (OutboxMessage.user_id == household["resident"]) & (OutboxMessage.channel == "inapp")
    )
    assert [m["body"] for m in inapp] == [
        f"Мы получили ваш платёж на сумму 3\u00a0640,00\u00a0₽ по лицевым счетам {numbers}. Спасибо!"
    ]


async def test_a_payer_who_turned_e_mail_off_is_not_told_a_confirmation_was_e_mailed(client, login, household, gateway):
    """«Подтверждение отправлено на e-mail» was said to every payer, also to one who had turned e-mail off in
    the profile and got no letter: the page says it only where the letter goes."""
    from portal.accounts.tables import User

    a, _ = household["accounts"]
    await User.update({User.notify_email: False}).where(User.id == household["resident"])
    url = await start(client, login, household, {a: "100"})
    hosted = await gateway.pay(url, "4242 4242 4242 4242")
    await gateway.settle()
    page = await client.get(_path(hosted.headers["location"]))
    assert "Платёж получен" in page.text and "Спасибо! 100,00\u00a0₽ зачислено на счёт." in page.text
    assert "e-mail" not in page.text.split("Платёж получен")[1].split("</section>")[0]
    inapp = await OutboxMessage.select(OutboxMessage.body).where(OutboxMessage.user_id == household["resident"]).first()
    assert " по лицевому счёту " in inapp["body"]
    assert (
        await OutboxMessage.count().where(
            (OutboxMessage.user_id == household["resident"]) & (OutboxMessage.channel == "email")
        )
        == 0
    )


async def test_a_declined_card_says_so_and_posts_nothing(client, login, household, gateway):
    a = household["accounts"][0]
    before = await balance_of(a)
    url = await start(client, login, household, {a: "3540"})
    hosted = await gateway.pay(url, "4000 0000 0000 0002")
    assert hosted.status_code == 402
    assert "Карта отклонена." in hosted.text  # the page speaks the payer's language (Russian here)
    await gateway.settle()
    payment = await Payment.select().where(Payment.account == a).first()
    assert payment["status"] == "failed"
    assert payment["failure_code"] == "generic_decline"
    page = await client.get(f"/payments/{payment['id']}")
    assert "Платёж отклонён" in page.text
    assert f"<h1>Платёж №\u00a0{payment['id']}</h1>" in page.text
    await client.speak("en")
    assert f"<h1>Payment No. {payment['id']}</h1>" in (await client.get(f"/payments/{payment['id']}")).text
    await client.speak("ru")
    assert "Банк отклонил карту" in page.text
    assert await balance_of(a) == before
    # The resident gives up: «Cancel the payment» expires the session and nothing is ever posted.
    cancel = await client.form(f"/payments/{payment['id']}/cancel")
    assert cancel.status_code == 303
    await gateway.settle()
    assert await balance_of(a) == before
    assert await LedgerEntry.count().where((LedgerEntry.account == a) & (LedgerEntry.kind == "payment")) == 0


async def test_cancelled_payment_says_nothing_was_charged(client, login, household, gateway):
    a = household["accounts"][0]
    await start(client, login, household, {a: "50"})
    payment = await Payment.select().where(Payment.account == a).first()
    response = await client.form(f"/payments/{payment['id']}/cancel")
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
    assert "Наименьший платёж — 1,00\u00a0₽." in response.text
    assert "Наибольший платёж за раз — 500\u00a0000,00\u00a0₽." in response.text  # the sum as every sum on the page
    assert 'value="0,50"' in response.text
    await client.speak("en")
    response = await client.form("/pay", {f"pay_{a}": "1", f"amount_{a}": "600000"})
    assert "The largest payment at once is ₽500,000.00." in response.text
    await client.speak("ru")
    nothing = await client.form("/pay", {f"amount_{a}": "100"})
    assert nothing.status_code == 422
    assert await Payment.count().where(Payment.account.is_in([a, b])) == 0


async def test_a_resident_of_another_account_finds_none_of_these_payments(
    client, new_client, login, household, gateway, make_user, make_account
):
    a = household["accounts"][0]
    await start(client, login, household, {a: "10"})
    payment = await Payment.select().where(Payment.account == a).first()
    elsewhere = await make_account()  # a flat of their own in another house: a resident, past the guard
    other = new_client()
    await login(other, await make_user(name="Сосед", accounts={elsewhere.account: "owner"}))
    assert (await other.get("/payments")).status_code == 200
    for path in (
        f"/payments/{payment['id']}",
        f"/payments/{payment['id']}/continue",
        f"/pay/return?session_id={payment['session_id']}",
        f"/pay/cancel?payment={payment['batch']}",
    ):
        response = await other.get(path)
        assert response.status_code == 404, path  # as for a payment that does not exist
    for path in (f"/payments/{payment['id']}/continue", f"/payments/{payment['id']}/cancel"):
        assert (await other.form(path)).status_code == 404, path
    assert f"/payments/{payment['id']}" not in (await other.get("/payments")).text
    assert f'name="amount_{a}"' not in (await other.get(f"/pay?account={a}")).text
    response = await other.form("/pay", {"only": str(a), f"pay_{a}": "1", f"amount_{a}": "10"})
    assert response.status_code == 422
    assert await Payment.count().where(Payment.account == a) == 1
    assert (await Payment.select(Payment.status).where(Payment.id == payment["id"]).first())["status"] == "open"


async def _gateway_call(gateway, method: str, path: str) -> dict:
    async with httpx.AsyncClient(base_url=gateway.url, headers={"Authorization": f"Bearer {SECRET}"}) as c:
        response = await c.request(method, path)
        response.raise_for_status()
        return response.json()


async def test_a_checkout_left_on_the_gateway_page_can_be_continued_until_the_gateway_closes_it(
    client, login, household, gateway
):
    a = household["accounts"][0]
    before = datetime.now(UTC)
    url = await start(client, login, household, {a: "250"})
    payment = await Payment.select().where(Payment.account == a).first()
    assert payment["status"] == "open"
    session = await _gateway_call(gateway, "GET", f"/v1/checkout/sessions/{payment['session_id']}")
    # The gateway closes the unpaid page an hour after it was opened, and the portal knows when.
    assert abs(session["expires_at"] - (before + rules.CHECKOUT_LIFETIME).timestamp()) < 60
    assert payment["expires_at"] == datetime.fromtimestamp(session["expires_at"], UTC)
    history = await client.get("/payments")
    assert "Не завершён" in history.text and "Обрабатывается" not in history.text
    assert f'action="/payments/{payment["id"]}/continue"' in history.text
    page = await client.get(f"/payments/{payment['id']}")
    assert "Оплата не завершена" in page.text and "every 2s" not in page.text
    again = await client.form(f"/payments/{payment['id']}/continue")
    assert again.status_code == 303 and again.headers["location"] == url
    # Its time runs out: the gateway expires the session (as it does at expires_at) and says so by webhook.
    await _gateway_call(gateway, "POST", f"/v1/checkout/sessions/{payment['session_id']}/expire")
    await gateway.settle()
    assert (await Payment.select(Payment.status).where(Payment.id == payment["id"]).first())["status"] == "expired"
    history = await client.get("/payments")
    # The payer reads it as they left it, «Не завершён»; «Срок истёк» is the staff's word.
    assert "Не завершён" in history.text and "Срок истёк" not in history.text and "Отменён" not in history.text
    assert "/continue" not in history.text and "Обрабатывается" not in history.text
    closed = await client.form(f"/payments/{payment['id']}/continue")
    assert closed.headers["location"] == f"/payments/{payment['id']}"
    page = (await client.get(f"/payments/{payment['id']}")).text
    assert "Оплата не завершена" in page and "Деньги не списаны, баланс не изменился." in page
    assert await LedgerEntry.count().where((LedgerEntry.account == a) & (LedgerEntry.kind == "payment")) == 0


async def test_no_payment_stays_unfinished_or_processing_when_the_webhook_is_lost(client, login, household, gateway):
    a, b = household["accounts"]
    await start(client, login, household, {a: "250"})
    await start(client, login, household, {b: "300"})
    left = await Payment.select().where(Payment.account == a).first()
    returned = await Payment.select().where(Payment.account == b).first()
    gateway.faults(drop_webhooks=-1)
    await _gateway_call(gateway, "POST", f"/v1/checkout/sessions/{left['session_id']}/expire")
    await gateway.settle()
    # One left on the gateway's page past its hour; the other "returned" without paying (its page still open): the
    # return asked the gateway and recorded nothing, so only the first has no final word.
    past = datetime.now(UTC) - timedelta(minutes=1)
    await Payment.update({Payment.expires_at: past, Payment.created_at: past - rules.CHECKOUT_LIFETIME}).where(
        Payment.id == left["id"]
    )
    assert (await client.get(f"/pay/return?session_id={returned['session_id']}")).status_code == 200
    await Payment.update({Payment.created_at: past - rules.CONFIRMATION_WAIT}).where(Payment.id == returned["id"])
    history = await client.get("/payments")
    assert "Не завершён" in history.text  # shown as it is before the gateway's word arrives
    assert f'action="/payments/{left["id"]}/continue"' not in history.text
    assert await Payment.select(Payment.status).where(Payment.id == returned["id"]).first() == {"status": "open"}
    assert await gateway.exclusive(actions.reconcile()) == actions.Reconciled(payments=1)
    statuses = {r["id"]: r["status"] for r in await Payment.select(Payment.id, Payment.status)}
    assert statuses[left["id"]] == "expired"
    assert statuses[returned["id"]] == "open"  # not «Обрабатывается»: the gateway says it was never paid


async def test_after_the_first_card_payment_autopay_is_offered(client, login, household, gateway):
    a, b = household["accounts"]
    for account, offered in ((a, True), (b, False)):
        url = await start(client, login, household, {account: "100"})
        hosted = await gateway.pay(url, "4242424242424242")
        await gateway.settle()
        page = await client.get(_path(hosted.headers["location"]))
        assert "Платёж получен" in page.text
        assert ("Включить автоплатёж?" in page.text) is offered
        assert ('href="/autopay#account-' in page.text) is offered


async def test_hostile_amounts_and_ids_are_answered_plainly(client, login, household, gateway):
    a = household["accounts"][0]
    await login(client, household["resident"])
    for amount in ("9" * 40, "1e30", "NaN", "Infinity", "-5", "²", "1,2,3", "1" * 5000):
        response = await client.form("/pay", {f"pay_{a}": "1", f"amount_{a}": amount})
        assert response.status_code == 422, amount
    assert await Payment.count().where(Payment.account == a) == 0
    for path in (
        f"/payments/{10**20}",
        f"/payments/{10**20}/continue",
        "/payments/²",
        "/pay/cancel?payment=" + "x" * 500,
    ):
        assert (await client.get(path)).status_code == 404, path
    assert (await client.form(f"/payments/{10**20}/continue")).status_code == 404
    assert (await client.get("/pay?account=" + str(10**30))).status_code == 200
    assert (await client.get("/payments?page=" + str(10**30) + "&size=-5", follow_redirects=True)).status_code == 200
    limit = await client.form(f"/autopay/{a}", {f"card_{a}": str(10**30), f"limit_{a}": "9" * 40})
    assert limit.status_code == 422
    assert (await client.form(f"/autopay/{10**20}", {})).status_code == 404


async def test_sbp_payment_is_confirmed_on_the_test_page(client, login, household, gateway):
    a = household["accounts"][0]
    url = await start(client, login, household, {a: "3540"})
    session_id = url.rsplit("/", 1)[-1]
    page = await gateway.post(f"/c/pay/{session_id}/sbp", {"action": "confirm"})
    assert page.status_code == 303
    await gateway.settle()
    assert await balance_of(a) == Decimal("0.00")
    paid = await Payment.select(Payment.method, Payment.status).where(Payment.account == a)
    assert paid == [{"method": "sbp", "status": "succeeded"}]  # counted as СБП on the dashboard


async def test_a_new_payment_closes_the_one_left_unfinished_so_the_same_debt_is_not_paid_twice(
    client, login, household, gateway
):
    """The resident left the gateway's page without paying and pays again from the pay page: the first checkout
    is closed on the gateway, so the history no longer offers «продолжить оплату» of the same debt. Closed unpaid,
    not cancelled: the resident cancelled nothing. The new payment replaced it: the history shows that one, to
    continue, not a second «Не завершён» row beside it (in either language), and the old one's page leads to it."""
    a, b = household["accounts"]
    await start(client, login, household, {a: "250"})
    await start(client, login, household, {b: "300"})  # another account's checkout is not the same debt
    left = await Payment.select().where(Payment.account == a).first()
    other = await Payment.select().where(Payment.account == b).first()
    await start(client, login, household, {a: "250"})
    await gateway.settle()
    newest = await Payment.select().where(Payment.account == a).order_by(Payment.id, ascending=False).first()
    statuses = {r["id"]: r["status"] for r in await Payment.select(Payment.id, Payment.status)}
    assert (statuses[left["id"]], statuses[other["id"]], newest["status"]) == ("expired", "open", "open")
    session = await _gateway_call(gateway, "GET", f"/v1/checkout/sessions/{left['session_id']}")
    assert session["status"] == "expired"
    words = (("ru", "Не завершён", "продолжить оплату"), ("en", "Not completed", "continue the payment"))
    for lang, unfinished, resume in words:
        await client.speak(lang)
        history = (await client.get("/payments")).text
        assert "Отменён" not in history and "Срок истёк" not in history and "Cancelled" not in history
        assert history.count(unfinished) == 2  # the other account's and the new one, each to continue
        assert history.count(resume) == 2
        assert f'href="/payments/{left["id"]}"' not in history
        assert f'action="/payments/{left["id"]}/continue"' not in history
        assert f'action="/payments/{other["id"]}/continue"' in history
        assert f'action="/payments/{newest["id"]}/continue"' in history
    page = await client.get(f"/payments/{left['id']}")
    assert page.status_code == 303 and page.headers["location"] == f"/payments/{newest['id']}"
    replaced = {r["id"]: r["replaced_by"] for r in await Payment.select(Payment.id, Payment.replaced_by)}
    assert (replaced[left["id"]], replaced[other["id"]]) == (newest["id"], None)  # staff see what replaced it


async def test_back_from_the_gateway_page_without_paying_the_sheet_offers_the_whole_amount_again(
    client, login, household, gateway
):
    """A resident left the card page with the phone's back button: the sheet said the amount was «уже в
    обработке», left it empty, and «Оплатить» answered «Введите сумму». Nothing is being paid — a new payment
    replaces the one left unfinished — so the sheet offers what is due, and paying it closes the first one."""
    a = household["accounts"][0]
    await login(client, household["resident"])
    due = (await client.get(f"/pay?account={a}")).text.split(f'name="amount_{a}" type="text" value="', 1)[1]
    due = due.split('"', 1)[0]
    await start(client, login, household, {a: due})
    left = await Payment.select().where(Payment.account == a).first()
    page = (await client.get(f"/pay?account={a}")).text
    assert f'name="amount_{a}" type="text" value="{due}"' in page and "уже в обработке" not in page
    again = await client.form("/pay", {"only": str(a), f"amount_{a}": due})
    assert again.status_code == 303, again.text
    await gateway.settle()
    assert (await Payment.select(Payment.status).where(Payment.id == left["id"]).first())["status"] == "expired"


async def test_the_sheet_names_the_payers_own_unfinished_payment_and_continues_it(
    client, new_client, login, household, gateway, make_user
):
    """Back on the sheet after leaving the card page, the resident is told in one line that their payment is not
    finished and may go on with it in one press, as the history offers; the amount stays offered, not held back. A
    co-owner of the account is not offered it: only its payer may continue it. Once paid, the line is gone."""
    a = household["accounts"][0]
    await start(client, login, household, {a: "3540,00"})
    left = await Payment.select(Payment.id).where(Payment.account == a).first()
    page = (await client.get(f"/pay?account={a}")).text
    line = page.split(f'<form method="post" action="/payments/{left["id"]}/continue" class="notice', 1)[1]
    line = line.split("</form>", 1)[0]
    assert "Начатая вами оплата на 3\u00a0540,00\u00a0₽ не завершена:" in line and "продолжить оплату" in line
    assert f'name="amount_{a}" type="text" value="3540,00"' in page and "уже в обработке" not in page
    co_owner = new_client()
    await login(co_owner, await make_user(name="Совладелец", accounts={a: "owner"}))
    assert "pay-unfinished" not in (await co_owner.get(f"/pay?account={a}")).text
    resumed = await client.form(f"/payments/{left['id']}/continue")
    assert resumed.status_code == 303 and resumed.headers["location"].startswith(gateway.url), resumed.text
    assert (await gateway.pay(resumed.headers["location"], "4242 4242 4242 4242")).status_code == 303
    await gateway.settle()
    assert "pay-unfinished" not in (await client.get(f"/pay?account={a}")).text


async def test_an_overpaid_account_is_told_nothing_is_due_and_may_still_pay_ahead(client, login, household, gateway):
    """«Оплатить» of an account in overpayment opened an empty amount under «Можно изменить»: there was nothing to
    change. The sheet says the overpayment, that nothing is due now, and offers to type an amount to pay ahead."""
    from portal.billing.ledger import EntryKind
    from portal.billing.ledger import post_entry

    a, b = household["accounts"]
    await post_entry(b, EntryKind.PAYMENT, -132050, datetime.now(UTC), reference=f"test-overpay-{b}")  # 120,00 over
    await login(client, household["resident"])
    page = (await client.get(f"/pay?account={b}")).text
    assert 'Переплата: <span class="money">120,00\u00a0₽</span>' in page
    assert "Платить сейчас не нужно: переплата пойдёт в счёт следующих начислений." in page
    assert f'name="amount_{b}" type="text" value=""' in page
    assert "Чтобы заплатить вперёд, введите сумму: от" in page
    assert "Можно изменить" not in page
    # An account with a debt keeps its prefilled amount, which may be changed.
    owed = (await client.get(f"/pay?account={a}")).text
    assert 'value="3540,00"' in owed and "Можно изменить: от" in owed and "Платить сейчас не нужно" not in owed
    await client.speak("en")
    english = (await client.get(f"/pay?account={b}")).text
    assert "Nothing to pay now: the overpayment goes towards the next charges." in english
    assert "To pay in advance, enter the amount: from" in english
    # Paying ahead is still a payment like any other.
    response = await client.form("/pay", {"only": str(b), f"amount_{b}": "500"})
    assert response.status_code == 303, response.text
    rows = await Payment.select(Payment.amount_kopecks).where(Payment.account == b)
    assert rows == [{"amount_kopecks": 50000}]


async def test_back_from_a_declined_card_the_payer_can_cancel_the_page_the_gateway_keeps_open(
    client, login, household, gateway
):
    """A declined card keeps the gateway's page open for another card, and that page cannot close it: back by its
    «Cancel and return» link, the payer reads why, until when the page stays open, and may cancel the payment here,
    which closes the page at the gateway (a later word about the decline leaves it cancelled)."""
    a = household["accounts"][0]
    url = await start(client, login, household, {a: "3540"})
    hosted = await gateway.pay(url, "4000 0000 0000 0002")
    assert hosted.status_code == 402
    back = hosted.text.split('<p class="gw-cancel"><a href="')[1].split('"')[0].replace("&amp;", "&")
    returned = await client.get(_path(back))
    await gateway.settle()
    payment = await Payment.select().where(Payment.account == a).first()
    assert returned.headers["location"] == f"/payments/{payment['id']}"
    page = (await client.get(returned.headers["location"])).text
    assert "Платёж отклонён" in page and "Банк отклонил карту." in page
    assert "Страница оплаты остаётся открытой для другой карты до " in page
    assert "Если вы не хотите платить сейчас, отмените платёж." in page
    assert f'action="/payments/{payment["id"]}/cancel"' in page and "Отменить платёж" in page
    assert f'action="/payments/{payment["id"]}/continue"' in page  # or another card on the same page
    cancelled = await client.form(f"/payments/{payment['id']}/cancel")
    assert cancelled.status_code == 303
    await gateway.settle()
    row = await Payment.select(Payment.status, Payment.failure_code).where(Payment.id == payment["id"]).first()
    assert row == {"status": "canceled", "failure_code": "generic_decline"}  # the decline stays on record
    page = (await client.get(f"/payments/{payment['id']}")).text
    assert "Платёж отменён" in page and "Отменить платёж" not in page and "Оплатить другой картой" not in page
    async with httpx.AsyncClient() as browser:
        assert (await browser.get(url)).status_code == 410  # the gateway's page is closed
    await client.speak("en")
    assert "The payment was cancelled" in (await client.get(f"/payments/{payment['id']}")).text


async def test_a_sum_typed_with_three_digits_after_the_comma_is_refused_with_how_to_write_it(
    client, login, household, gateway
):
    """«1,005» is not a thousand and five rubles to a Russian resident, nor one ruble: the sheet comes back with what
    was typed and how to write the sum; «1 005,50» is paid as written."""
    a, b = household["accounts"]
    await login(client, household["resident"])
    response = await client.form("/pay", {"only": str(a), f"amount_{a}": "1,005"})
    assert response.status_code == 422
    assert "После запятой — не больше двух цифр (копейки): напишите сумму так: 1005 или 1005,50." in response.text
    assert 'value="1,005"' in response.text
    assert await Payment.count().where(Payment.account.is_in([a, b])) == 0
    paid = await client.form("/pay", {"only": str(a), f"amount_{a}": "1 005,50"})
    assert paid.status_code == 303
    rows = await Payment.select(Payment.amount_kopecks).where(Payment.account == a)
    assert rows == [{"amount_kopecks": 100550}]
