"""Autopay on a closed personal account (the flat passed to a new owner): it still charges the debt left, which is
the previous owner's; once nothing is owed it is turned off and its payer told once, instead of a «nothing due»
every month for ever. On an open account with nothing due, autopay stays on for the next receipt."""

from __future__ import annotations

from datetime import UTC
from datetime import date
from datetime import datetime

from portal.billing.ledger import EntryKind
from portal.billing.ledger import post_entry
from portal.core.tables import OutboxMessage
from portal.housing.tables import PersonalAccount
from portal.payments import actions
from portal.payments.tables import AutopayMandate
from portal.payments.tables import Payment
from tests.payments.test_autopay_co_owners import _card_and_autopay
from tests.payments.test_refunds_autopay import RECEIPT_DAY

NEXT_MONTH = datetime(2027, 1, 3, 9, 0, tzinfo=UTC)
MONTH_AFTER = datetime(2027, 2, 3, 9, 0, tzinfo=UTC)


async def _mandate(account: int) -> dict:
    return await AutopayMandate.select().where(AutopayMandate.account == account).first()


async def _told(user: int) -> list[dict]:
    """The messages about it, one per channel (e-mail, the portal's own)."""
    return await OutboxMessage.select(OutboxMessage.channel, OutboxMessage.body).where(
        (OutboxMessage.user_id == user) & (OutboxMessage.template == "autopay_closed_account")
    )


async def test_a_closed_account_s_autopay_pays_its_debt_then_turns_itself_off(client, login, household, gateway):
    closed, still_open = household["accounts"]
    resident = household["resident"]
    await login(client, resident)
    await _card_and_autopay(client, resident, gateway, closed)
    await _card_and_autopay(client, resident, gateway, still_open)
    await post_entry(still_open, EntryKind.PAYMENT, -120050, RECEIPT_DAY, reference=f"test-paid-{still_open}")
    await PersonalAccount.update({PersonalAccount.closed_on: date(2026, 8, 2)}).where(PersonalAccount.id == closed)

    # The closed account's debt is charged: it is the previous owner's to pay.
    assert await gateway.exclusive(actions.run_autopay(RECEIPT_DAY)) == 1
    await gateway.settle()
    charges = await Payment.select(Payment.account, Payment.amount_kopecks, Payment.status).where(
        Payment.kind == "autopay"
    )
    assert [(c["account"], c["amount_kopecks"], c["status"]) for c in charges] == [(closed, 354000, "succeeded")]
    assert (await _mandate(closed))["active"] and not await _told(resident)

    # Next month nothing is owed on it: autopay is turned off, why recorded, the owner told in Russian.
    assert await gateway.exclusive(actions.run_autopay(NEXT_MONTH)) == 0
    mandate = await _mandate(closed)
    assert not mandate["active"]
    assert (mandate["last_status"], mandate["stopped"]) == ("nothing_due", "account_closed")
    told = await _told(resident)
    row = await PersonalAccount.select(PersonalAccount.number).where(PersonalAccount.id == closed).first()
    number = row["number"]
    channels = sorted(m["channel"] for m in told)
    assert len(channels) == len(set(channels)) >= 1, channels
    says = f"Автоплатёж по закрытому лицевому счёту {number} отключён: долга нет."
    assert all(says in m["body"] for m in told), told

    # The open account with nothing due keeps its autopay, and nobody is told twice.
    assert await gateway.exclusive(actions.run_autopay(MONTH_AFTER)) == 0
    kept = await _mandate(still_open)
    assert kept["active"] and (kept["last_period"], kept["last_status"]) == ("2027-02", "nothing_due")
    assert len(await _told(resident)) == len(channels)
    assert await Payment.count().where(Payment.kind == "autopay") == 1


async def test_a_closed_account_s_autopay_turned_off_before_says_why_in_its_own_column(db, household):
    """Before, the reason was written in the last message (``account_closed``); the migration moves it to
    ``stopped``, dated when it was turned off, and leaves autopay turned off by its payer as it is."""
    import importlib

    from portal.payments.tables import PaymentMethod

    migration = importlib.import_module("migrations.payments.payments_2026_12_06t15_51_25_000000")
    a, b = household["accounts"]
    user = household["resident"]
    card = await PaymentMethod.insert(PaymentMethod(user=user, gateway_id="pm_old", last4="4242")).returning(
        PaymentMethod.id
    )
    when = datetime(2026, 12, 1, 7, 0, tzinfo=UTC)
    for account, message in ((a, "account_closed"), (b, "")):
        await AutopayMandate.insert(
            AutopayMandate(
                account=account,
                user=user,
                payment_method=card[0]["id"],
                monthly_limit_kopecks=1000000,
                active=False,
                last_period="2026-12",
                last_status="nothing_due",
                last_message=message,
                updated_at=when,
            )
        )
    for _ in range(2):
        await migration.account_closed(db)
        rows = await AutopayMandate.select(
            AutopayMandate.account, AutopayMandate.stopped, AutopayMandate.stopped_at, AutopayMandate.last_message
        )
        assert {r["account"]: (r["stopped"], r["stopped_at"], r["last_message"]) for r in rows} == {
            a: ("account_closed", when, ""),
            b: ("", None, ""),
        }
