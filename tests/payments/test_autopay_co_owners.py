"""Two co-owners of one account, each with autopay: one debt is charged once, whatever the gateway's speed. A
charge whose answer is not in yet (a slow gateway, a webhook held back) stays pending, and the second mandate waits for
it; once it is paid its month is done, paid by the co-owner."""

from __future__ import annotations

from datetime import timedelta

from portal.core import clock
from portal.core.i18n import format_moment
from portal.payments import actions
from portal.payments.tables import AutopayMandate
from portal.payments.tables import Payment
from portal.payments.tables import PaymentMethod
from portal.settings import get_settings
from tests.payments.test_refunds_autopay import RECEIPT_DAY
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
    await gateway.exclusive(actions.run_autopay(RECEIPT_DAY))
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
    await gateway.exclusive(actions.run_autopay(RECEIPT_DAY))  # still no answer: still waiting, nothing charged
    assert len(await Payment.select(Payment.id).where((Payment.account == a) & (Payment.kind == "autopay"))) == 1

    # The gateway answers again; reconciliation sends the first owner's charge, and it is paid.
    earlier = clock.now() - timedelta(minutes=10)
    await Payment.update({Payment.created_at: earlier, Payment.updated_at: earlier}).where(Payment.id == first["id"])
    await gateway.exclusive(actions.reconcile())
    await gateway.settle()
    assert (await Payment.select(Payment.status).where(Payment.id == first["id"]).first())["status"] == "succeeded"
    await gateway.exclusive(actions.run_autopay(RECEIPT_DAY))
    mandate = await AutopayMandate.select().where(AutopayMandate.user == second).first()
    assert (mandate["last_status"], mandate["last_period"]) == ("paid_by_co_owner", "2026-12"), "done for the month"
    assert "В этом месяце не списано: уже оплачено совладельцем." in (await browser.get("/autopay")).text
    charges = await Payment.select(Payment.amount_kopecks).where((Payment.account == a) & (Payment.kind == "autopay"))
    assert [c["amount_kopecks"] for c in charges] == [354000], "one debt, charged once"
