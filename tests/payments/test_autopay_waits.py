"""Autopay on the day a checkout of the same debt (or part of it) is open: it does not call the month done. It waits
(and says so on the autopay page and the staff's account page) while the checkout may still be paid; once it is paid
autopay charges what is still due (nothing: the month is done), once it closed unpaid the whole debt. The sandbox
gateway over real HTTP, on both database engines."""

from __future__ import annotations

import importlib

from portal.core import clock
from portal.core.i18n import format_moment
from portal.payments import actions
from portal.payments import rules
from portal.payments.tables import AutopayMandate
from portal.payments.tables import Payment
from portal.payments.tables import PaymentMethod
from portal.settings import get_settings
from tests.payments.test_autopay_co_owners import _card_and_autopay
from tests.payments.test_pay_flow import start


async def _autopay_charges(account: int) -> list[tuple[int, str]]:
    rows = await Payment.select(Payment.amount_kopecks, Payment.status).where(
        (Payment.account == account) & (Payment.kind == "autopay")
    )
    return [(r["amount_kopecks"], r["status"]) for r in rows]


async def _mandate(account: int) -> dict:
    return await AutopayMandate.select().where(AutopayMandate.account == account).first()


async def _run() -> None:
    await actions.run_autopay(clock.now())


async def _abandoned_checkout(client, login, household, gateway, amount: str = "3540") -> tuple[int, str, dict]:
    """The resident's autopay is on, and on the charge day they open the card page of the whole debt (or a part)."""
    a = household["accounts"][0]
    await login(client, household["resident"])
    await _card_and_autopay(client, household["resident"], gateway, a)
    url = await start(client, login, household, {a: amount})
    checkout = await Payment.select().where((Payment.account == a) & (Payment.kind == "checkout")).first()
    return a, url, checkout


def _ru(moment) -> str:
    return format_moment(moment, get_settings().time_zone, "ru")


async def test_an_abandoned_checkout_holds_autopay_only_until_it_closes_unpaid(
    client, new_client, login, household, gateway
):
    a, _url, checkout = await _abandoned_checkout(client, login, household, gateway)
    await gateway.exclusive(_run())
    assert await _autopay_charges(a) == [], "the open checkout may still be paid: nothing is charged yet"
    mandate = await _mandate(a)
    assert mandate["last_status"] == "waiting", "not done for the month"
    assert (mandate["waiting_since"], mandate["waiting_until"]) == (checkout["created_at"], checkout["expires_at"])
    page = (await client.get("/autopay")).text
    since, until = _ru(checkout["created_at"]), _ru(checkout["expires_at"])
    if clock.local(checkout["created_at"]).date() == clock.local(checkout["expires_at"]).date():
        until = clock.local(checkout["expires_at"]).strftime("%H:%M")  # «после 17:07» the same day
    assert (
        f"Пока не списано: ждём оплату, начатую {since}. Если её не завершат, спишем автоплатёж после {until}." in page
    )
    staff = new_client()
    await login(staff, household["accountant"])
    account_page = (await staff.get(f"/staff/accounts/{a}")).text
    assert "Автоплатёж" in account_page and f"ждём оплату, начатую {since}" in account_page
    await gateway.exclusive(_run())  # the next hour's run: still open, still waiting
    assert await _autopay_charges(a) == []
    assert (await _mandate(a))["last_status"] == "waiting"

    gateway.http.post(f"/v1/checkout/sessions/{checkout['session_id']}/expire").raise_for_status()
    await gateway.settle()  # the gateway says the page closed unpaid
    await gateway.exclusive(_run())
    assert await _autopay_charges(a) == [(354000, "succeeded")], "charged the same day, once"
    mandate = await _mandate(a)
    assert (mandate["last_status"], mandate["waiting_since"], mandate["waiting_until"]) == ("succeeded", None, None)
    await gateway.exclusive(_run())
    assert await _autopay_charges(a) == [(354000, "succeeded")]


async def test_a_checkout_paid_while_autopay_waits_ends_the_month_with_nothing_charged(
    client, login, household, gateway
):
    a, url, _checkout = await _abandoned_checkout(client, login, household, gateway)
    await gateway.exclusive(_run())
    assert (await _mandate(a))["last_status"] == "waiting"
    await gateway.pay(url, "4242424242424242")
    await gateway.settle()
    await gateway.exclusive(_run())
    assert await _autopay_charges(a) == []
    mandate = await _mandate(a)
    assert (mandate["last_status"], mandate["last_period"]) == ("nothing_due", rules.period_key(clock.today_local()))
    assert "Пока не списано" not in (await client.get("/autopay")).text
    await gateway.exclusive(_run())  # done for the month: not looked at again
    assert await _autopay_charges(a) == []
    assert (await _mandate(a))["updated_at"] == mandate["updated_at"]


async def test_a_checkout_of_part_of_the_debt_holds_autopay_which_then_charges_what_is_still_due(
    client, login, household, gateway
):
    """Charging the rest at once would close the month, and the part left unpaid would wait for next month."""
    a, url, _checkout = await _abandoned_checkout(client, login, household, gateway, "3000")
    await gateway.exclusive(_run())
    assert await _autopay_charges(a) == [], "3 000 of 3 540 is still on its card page: nothing is charged yet"
    assert (await _mandate(a))["last_status"] == "waiting"
    await gateway.pay(url, "4242424242424242")
    await gateway.settle()
    await gateway.exclusive(_run())
    assert await _autopay_charges(a) == [(54000, "succeeded")], "the rest, once"
    assert (await _mandate(a))["last_status"] == "succeeded"
    await gateway.exclusive(_run())
    assert await _autopay_charges(a) == [(54000, "succeeded")]


async def test_a_checkout_of_part_of_the_debt_closed_unpaid_leaves_autopay_the_whole_debt(
    client, login, household, gateway
):
    a, _url, checkout = await _abandoned_checkout(client, login, household, gateway, "3000")
    await gateway.exclusive(_run())
    assert await _autopay_charges(a) == []
    gateway.http.post(f"/v1/checkout/sessions/{checkout['session_id']}/expire").raise_for_status()
    await gateway.settle()
    await gateway.exclusive(_run())
    assert await _autopay_charges(a) == [(354000, "succeeded")], "the whole debt, the same day"


async def test_a_month_skipped_for_a_co_owners_payment_before_reads_as_paid_by_the_co_owner(db, household, make_user):
    """Before, such a month was written as nothing due with the message «paid_by_co_owner»; the migration gives it
    the result it means (the autopay page says «уже оплачено совладельцем»), and leaves other months as they are."""
    migration = importlib.import_module("migrations.payments.payments_2026_12_06t12_46_41_267391")
    a, b = household["accounts"]
    user = household["resident"]
    card = await PaymentMethod.insert(PaymentMethod(user=user, gateway_id="pm_old", last4="4242")).returning(
        PaymentMethod.id
    )
    written = [(a, "nothing_due", "paid_by_co_owner"), (b, "nothing_due", "")]
    for account, status, message in written:
        await AutopayMandate.insert(
            AutopayMandate(
                account=account,
                user=user,
                payment_method=card[0]["id"],
                monthly_limit_kopecks=1000000,
                last_period="2026-11",
                last_status=status,
                last_message=message,
            )
        )
    for _ in range(2):
        await migration.paid_by_co_owner(db)
        rows = await AutopayMandate.select(
            AutopayMandate.account, AutopayMandate.last_status, AutopayMandate.last_message
        )
        assert {r["account"]: (r["last_status"], r["last_message"]) for r in rows} == {
            a: ("paid_by_co_owner", ""),
            b: ("nothing_due", ""),
        }
