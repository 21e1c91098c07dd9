"""Two co-owners of one account, each with autopay: one debt is charged once, whatever the gateway's speed. A
charge whose answer is not in yet (a slow gateway, a webhook held back) stays pending, and the second mandate waits for
it; once it is paid its month is done, paid by the co-owner. The wait has an end: once the gateway's answer window has
passed, the second mandate asks the gateway how the charge stands and records it, instead of looking again every
hour for an answer that may never come."""

from __future__ import annotations

from datetime import timedelta

from portal.core import clock
from portal.core.i18n import format_moment
from portal.payments import actions
from portal.payments import rules
from portal.payments.tables import AutopayMandate
from portal.payments.tables import Payment
from portal.payments.tables import PaymentMethod
from portal.settings import get_settings
from tests.payments.test_refunds_autopay import _path


async def _card_and_autopay(browser, user: int, gateway, account: int) -> None:
    response = await browser.form("/autopay/cards")
    assert response.status_code == 303
    hosted = await gateway.pay(response.headers["location"], "4242424242424242")
    assert "/autopay/cards/return" in hosted.headers["location"]
    await gateway.settle()
    assert (await browser.get(_path(hosted.headers["location"]))).status_code == 303
    card = await PaymentMethod.select(PaymentMethod.id).where(PaymentMethod.user == user).first()
    turned = await browser.form(
        f"/autopay/{account}", {f"card_{account}": str(card["id"]), f"limit_{account}": "10000"}
    )
    assert turned.status_code == 303, turned.text


def _unanswered(gateway) -> None:
    """The gateway answers nothing for now (500s): a charge stays pending, for reconciliation to ask again."""
    gateway.faults(fail_next=50, fail_mode="before")


async def test_the_second_co_owners_autopay_does_not_charge_a_debt_the_first_ones_pending_charge_pays(
    client, new_client, login, make_user, household, gateway
):
    a = household["accounts"][0]
    await login(client, household["resident"])
    await _card_and_autopay(client, household["resident"], gateway, a)
    second = await make_user(name="Иванова Мария", accounts={a: "owner"}, rights=("view", "pay"))
    browser = new_client()
    await login(browser, second)
    await _card_and_autopay(browser, second, gateway, a)
    _unanswered(gateway)
    await gateway.exclusive(actions.run_autopay(clock.now()))
    gateway.faults(fail_next=0)
    charges = await Payment.select(Payment.amount_kopecks, Payment.status).where(
        (Payment.account == a) & (Payment.kind == "autopay")
    )
    assert [c["amount_kopecks"] for c in charges] == [354000], "one debt, charged once"
    results = {
        m["user"]: (m["last_status"], m["last_message"])
        for m in await AutopayMandate.select(
            AutopayMandate.user, AutopayMandate.last_status, AutopayMandate.last_message
        ).where(AutopayMandate.account == a)
    }
    assert results[household["resident"]][0] == "pending"
    assert results[second] == ("waiting_co_owner", ""), "not charged, not failed, and not done for the month either"
    first = await Payment.select().where((Payment.account == a) & (Payment.kind == "autopay")).first()
    since = format_moment(first["created_at"], get_settings().time_zone, "ru")
    assert f"Пока не списано: ждём ответа банка по платежу, начатому {since}." in (await browser.get("/autopay")).text
    await gateway.exclusive(actions.run_autopay(clock.now()))  # still no answer: still waiting, nothing charged
    assert len(await Payment.select(Payment.id).where((Payment.account == a) & (Payment.kind == "autopay"))) == 1

    # The gateway answers again; reconciliation sends the first owner's charge, and it is paid.
    earlier = clock.now() - timedelta(minutes=10)
    await Payment.update({Payment.created_at: earlier, Payment.updated_at: earlier}).where(Payment.id == first["id"])
    await gateway.exclusive(actions.reconcile())
    await gateway.settle()
    assert (await Payment.select(Payment.status).where(Payment.id == first["id"]).first())["status"] == "succeeded"
    await gateway.exclusive(actions.run_autopay(clock.now()))
    mandate = await AutopayMandate.select().where(AutopayMandate.user == second).first()
    assert (mandate["last_status"], mandate["last_period"]) == ("paid_by_co_owner", "2026-12"), "done for the month"
    assert "В этом месяце не списано: уже оплачено совладельцем." in (await browser.get("/autopay")).text
    charges = await Payment.select(Payment.amount_kopecks).where((Payment.account == a) & (Payment.kind == "autopay"))
    assert [c["amount_kopecks"] for c in charges] == [354000], "one debt, charged once"


async def _two_co_owners_autopay(client, new_client, login, make_user, household, gateway) -> tuple[int, int]:
    a = household["accounts"][0]
    await login(client, household["resident"])
    await _card_and_autopay(client, household["resident"], gateway, a)
    second = await make_user(name="Иванова Мария", accounts={a: "owner"}, rights=("view", "pay"))
    browser = new_client()
    await login(browser, second)
    await _card_and_autopay(browser, second, gateway, a)
    return a, second


async def _window_passed(account: int, second: int) -> None:
    """The gateway's answer window (``rules.CONFIRMATION_WAIT``) passes since the charge was sent and looked at."""
    earlier = clock.now() - rules.CONFIRMATION_WAIT - timedelta(minutes=1)
    await Payment.update({Payment.created_at: earlier, Payment.updated_at: earlier}).where(Payment.account == account)
    await AutopayMandate.update({AutopayMandate.updated_at: earlier}).where(AutopayMandate.user == second)


async def test_a_co_owner_s_unanswered_charge_is_asked_about_once_its_answer_window_passed(
    client, new_client, login, make_user, household, gateway
):
    """The gateway took the money but its answer and event were lost: within the window the second mandate is not
    looked at again; after it, the second mandate asks the gateway, records the charge as paid and its month is done
    (the gateway charged once)."""
    a, second = await _two_co_owners_autopay(client, new_client, login, make_user, household, gateway)
    # Made, then a 500, and the look-up after it answered 500 too; its events never come.
    gateway.faults(fail_next=2, fail_mode="after", drop_webhooks=-1)
    await gateway.exclusive(actions.run_autopay(clock.now()))
    first = await Payment.select().where((Payment.account == a) & (Payment.kind == "autopay")).first()
    assert first["status"] == "pending"
    waiting = await AutopayMandate.select().where(AutopayMandate.user == second).first()
    assert (waiting["last_status"], waiting["waiting_until"]) == ("waiting_co_owner", None)

    await gateway.exclusive(actions.run_autopay(clock.now()))  # within the window: not looked at again
    assert (await AutopayMandate.select().where(AutopayMandate.user == second).first()) == waiting
    assert (await Payment.select(Payment.status).where(Payment.id == first["id"]).first())["status"] == "pending"

    await _window_passed(a, second)
    await gateway.exclusive(actions.run_autopay(clock.now()))
    assert (await Payment.select(Payment.status).where(Payment.id == first["id"]).first())["status"] == "succeeded"
    mandate = await AutopayMandate.select().where(AutopayMandate.user == second).first()
    assert mandate["last_status"] == "paid_by_co_owner", "recorded, and the month is done"
    intents = gateway.http.get("/v1/payment_intents", params={"limit": 100}).json()["data"]
    assert len([i for i in intents if i["metadata"].get("payment_id") == first["uid"]]) == 1, "charged once"
    before = mandate["updated_at"]
    await gateway.exclusive(actions.run_autopay(clock.now()))
    assert (await AutopayMandate.select().where(AutopayMandate.user == second).first())["updated_at"] == before


async def test_a_co_owner_s_charge_the_gateway_never_made_is_sent_again_once_asked_about(
    client, new_client, login, make_user, household, gateway
):
    """The gateway answered nothing and made nothing: asked after the window, the first owner's charge is sent
    again (as reconciliation would), paid, and the second owner's month is done without a charge of its own."""
    a, second = await _two_co_owners_autopay(client, new_client, login, make_user, household, gateway)
    _unanswered(gateway)
    await gateway.exclusive(actions.run_autopay(clock.now()))
    gateway.faults(fail_next=0)
    await _window_passed(a, second)
    await gateway.exclusive(actions.run_autopay(clock.now()))
    await gateway.settle()
    charges = await Payment.select(Payment.amount_kopecks, Payment.status).where(
        (Payment.account == a) & (Payment.kind == "autopay")
    )
    assert [(c["amount_kopecks"], c["status"]) for c in charges] == [(354000, "succeeded")]
    mandate = await AutopayMandate.select().where(AutopayMandate.user == second).first()
    assert mandate["last_status"] == "paid_by_co_owner"
