"""Autopay that turns itself off says why: the card the gateway will never charge again (detached at the gateway,
expired, lost), or a payer who may no longer pay the account. The mandate keeps why and when, the autopay page and
the staff's account page say so, and the payer is told once in their language with the way back. A card declined
for another reason (lack of funds, the bank's plain no) keeps autopay on: that month's charge failed, and the next
month's is tried on its receipt day. The sandbox gateway over real HTTP, on both database engines."""

from __future__ import annotations

import json
from datetime import UTC
from datetime import datetime

from portal.accounts.tables import Residency
from portal.accounts.tables import User
from portal.core.i18n import format_day
from portal.core.tables import OutboxMessage
from portal.housing.tables import PersonalAccount
from portal.payments import actions
from portal.payments.tables import AutopayMandate
from portal.payments.tables import Payment
from portal.payments.tables import PaymentMethod
from tests.payments.test_autopay_co_owners import _card_and_autopay
from tests.payments.test_refunds_autopay import RECEIPT_DAY
from tests.payments.test_refunds_autopay import save_card
from tests.payments.test_refunds_autopay import turn_on

NEXT_MONTH = datetime(2027, 1, 3, 9, 0, tzinfo=UTC)


async def _mandate(user: int) -> dict:
    return await AutopayMandate.select().where(AutopayMandate.user == user).first()


async def _told(user: int) -> list[dict]:
    return await OutboxMessage.select(OutboxMessage.channel, OutboxMessage.template, OutboxMessage.body).where(
        OutboxMessage.user_id == user
    )


async def _number(account: int) -> str:
    return (await PersonalAccount.select(PersonalAccount.number).where(PersonalAccount.id == account).first())["number"]


async def test_autopay_whose_card_the_gateway_no_longer_takes_turns_off_says_why_and_tells_once(
    client, new_client, login, household, gateway
):
    a = household["accounts"][0]
    resident = household["resident"]
    card = await save_card(client, login, household, gateway, "4242424242424242")
    await turn_on(client, household, card)
    pm = await PaymentMethod.select(PaymentMethod.gateway_id).where(PaymentMethod.id == card).first()
    # The card is detached from the payer at the gateway (the bank closed it, the payer took it back there).
    gateway.http.post(f"/v1/payment_methods/{pm['gateway_id']}/detach").raise_for_status()
    before = {m["template"] for m in await _told(resident)}

    assert await gateway.exclusive(actions.run_autopay(RECEIPT_DAY)) == 0
    await gateway.settle()
    mandate = await _mandate(resident)
    assert not mandate["active"] and mandate["stopped"] == "card_gone" and mandate["stopped_at"] is not None
    charge = await Payment.select(Payment.status).where(Payment.kind == "autopay").first()
    assert charge["status"] == "failed", "nothing was taken"
    removed = await PaymentMethod.select(PaymentMethod.removed_at).where(PaymentMethod.id == card).first()
    assert removed["removed_at"] is not None, "the dead card is no longer offered"
    told = [m for m in await _told(resident) if m["template"] not in before]
    assert {m["template"] for m in told} == {"autopay_card_gone"}, "one message, not a «payment failed» besides"
    assert len(told) == len({m["channel"] for m in told}) >= 1
    says = f"Автоплатёж по лицевому счёту {await _number(a)} отключён: банк сообщил, что с карты •••• 4242"
    assert all(says in m["body"] for m in told), told

    day = format_day(mandate["stopped_at"], "day_month", "ru")
    page = (await client.get("/autopay")).text
    assert f"Автоплатёж отключён {day}: карта больше не действует. Подключите другую карту." in page
    staff = new_client()
    await login(staff, household["accountant"])
    assert f"Отключён {day}: карта больше не действует." in (await staff.get(f"/staff/accounts/{a}")).text

    # Next month: nothing is charged, nobody is told again.
    assert await gateway.exclusive(actions.run_autopay(NEXT_MONTH)) == 0
    assert await Payment.count().where(Payment.kind == "autopay") == 1
    assert len([m for m in await _told(resident) if m["template"] not in before]) == len(told)

    # Another card, autopay on again: the reason is gone.
    await save_card(client, login, household, gateway, "5555555555554444")
    new = await PaymentMethod.select(PaymentMethod.id).where(PaymentMethod.removed_at.is_null()).first()
    await turn_on(client, household, new["id"])
    mandate = await _mandate(resident)
    assert mandate["active"] and (mandate["stopped"], mandate["stopped_at"]) == ("", None)
    assert "Автоплатёж отключён" not in (await client.get("/autopay")).text


async def test_a_card_declined_for_an_ordinary_reason_keeps_autopay_on_for_next_month(
    client, login, household, gateway
):
    """0341 saves, then every charge is declined (generic_decline, as lack of funds): the month's charge failed and
    is not tried again that month; autopay stays on and next month's receipt day tries again."""
    card = await save_card(client, login, household, gateway, "4000000000000341")
    await turn_on(client, household, card)
    assert await gateway.exclusive(actions.run_autopay(RECEIPT_DAY)) == 0
    assert await gateway.exclusive(actions.run_autopay(RECEIPT_DAY)) == 0
    mandate = await _mandate(household["resident"])
    assert mandate["active"] and (mandate["stopped"], mandate["last_status"]) == ("", "failed")
    assert await Payment.count().where(Payment.kind == "autopay") == 1, "not tried again the same month"
    assert await gateway.exclusive(actions.run_autopay(NEXT_MONTH)) == 0
    assert await Payment.count().where(Payment.kind == "autopay") == 2, "tried again next month"
    assert (await _mandate(household["resident"]))["active"]


async def test_autopay_of_a_payer_no_longer_allowed_to_pay_turns_off_and_tells_them_in_their_language(
    client, new_client, login, make_user, household, gateway
):
    a, b = household["accounts"]
    co_owner = await make_user(name="Jane Smith", accounts={a: "owner", b: "owner"}, locale="en")
    browser = new_client()
    await login(browser, co_owner)
    await _card_and_autopay(browser, co_owner, gateway, a)
    # Their share of the first flat is sold: they are no longer an owner of its account (the second one stays theirs).
    await Residency.update({Residency.revoked_at: datetime.now(UTC)}).where(
        (Residency.user == co_owner) & (Residency.account == a)
    )
    assert await gateway.exclusive(actions.run_autopay(RECEIPT_DAY)) == 0
    assert await Payment.count().where(Payment.kind == "autopay") == 0
    mandate = await _mandate(co_owner)
    assert not mandate["active"] and mandate["stopped"] == "no_right"
    told = [m for m in await _told(co_owner) if m["template"] == "autopay_no_right"]
    number = await _number(a)
    says = f"Autopay on account {number} has been turned off: you may no longer pay for this account."
    assert told and all(says in m["body"] for m in told), told
    assert all("/autopay" in m["body"] for m in told if m["channel"] == "email"), "the way back"
    locale = (await User.select(User.locale).where(User.id == co_owner).first())["locale"]
    assert locale == "en"
    page = (await browser.get("/autopay")).text
    day = format_day(mandate["stopped_at"], "day_month", "en")
    assert f"Autopay turned off on {day}: you may no longer pay for this account." in page
    assert number in page
    assert await gateway.exclusive(actions.run_autopay(NEXT_MONTH)) == 0
    assert len([m for m in await _told(co_owner) if m["template"] == "autopay_no_right"]) == len(told)


async def test_a_payer_left_with_no_account_is_sent_to_the_home_page_not_to_the_autopay_page_they_cannot_open(
    new_client, login, make_user, household, gateway
):
    """The message is written for what its reader can open then: the autopay page answers 403 to a user with no
    account, so the way back is the home page; a payer who still has another account keeps the autopay link."""
    a, b = household["accounts"]
    only_a = await make_user(name="Петров Пётр", accounts={a: "owner"})
    both = await make_user(name="Сидоров Семён", accounts={a: "owner", b: "owner"})
    for user in (only_a, both):
        browser = new_client()
        await login(browser, user)
        await _card_and_autopay(browser, user, gateway, a)
    await Residency.update({Residency.revoked_at: datetime.now(UTC)}).where(Residency.account == a)

    assert await gateway.exclusive(actions.run_autopay(RECEIPT_DAY)) == 0
    links = {}
    for user in (only_a, both):
        told = await OutboxMessage.select(OutboxMessage.channel, OutboxMessage.context, OutboxMessage.body).where(
            (OutboxMessage.user_id == user) & (OutboxMessage.template == "autopay_no_right")
        )
        inapp = [m for m in told if m["channel"] == "inapp"]
        assert len(inapp) == 1, told
        context = inapp[0]["context"]
        links[user] = (context if isinstance(context, dict) else json.loads(context))["link"]
        mailed = [m["body"] for m in told if m["channel"] == "email"]
        assert all(("/autopay" in body) == (user == both) for body in mailed), mailed
    assert links == {only_a: "/", both: f"/autopay#account-{a}"}

    browser = new_client()
    await login(browser, only_a)
    assert (await browser.get("/autopay")).status_code == 403
    assert (await browser.get(links[only_a])).status_code == 200
