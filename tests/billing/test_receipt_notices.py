"""«Квитанция готова»: a month's receipts issued by staff tell each person of each account once, in their language,
with the sum the receipt asks for — on both engines, without HTTP."""

import json
from datetime import UTC
from datetime import date
from datetime import datetime
from decimal import Decimal

from portal.accounts.tables import Residency
from portal.accounts.tables import User
from portal.billing import actions
from portal.billing import issuing
from portal.billing import notices
from portal.billing import queries
from portal.billing.tables import ReceiptNotice
from portal.core import clock
from portal.core.tables import OutboxMessage
from portal.notifications.messages import registered
from portal.notifications.messages import render
from tests.billing.conftest import EVERY_HOUSE
from tests.billing.conftest import import_sample
from tests.querylog import captured

JANUARY = date(2026, 1, 1)


async def _charged(make_account, make_user):
    """The sample's two accounts charged for January; the first with its owner (Russian) and a family member
    (English), the second with its owner and a person whose access was revoked, and someone of neither."""
    first = await make_account(number="7700000001", payer="Иванов Иван Иванович")
    second = await make_account(number="7700000002", payer="Петрова Анна Сергеевна", area="38.10")
    await import_sample(JANUARY, datetime(2026, 1, 31, tzinfo=UTC))
    people = {
        "owner": await make_user(accounts={first.account: "owner"}),
        "family": await make_user(accounts={first.account: "family"}),
        "second": await make_user(accounts={second.account: "owner"}),
        "revoked": await make_user(accounts={second.account: "family"}),
        "outsider": await make_user(),
    }
    await User.update({User.locale: "en"}).where(User.id == people["family"])
    await Residency.update({Residency.revoked_at: clock.now()}).where(Residency.user == people["revoked"])
    return first, second, people


async def _issue_month() -> None:
    """January's receipts issued for every house, as the receipts page's job issues them."""
    await issuing.start(EVERY_HOUSE, JANUARY, None)
    await issuing.work(clock.now())


async def _told() -> list[dict]:
    return await OutboxMessage.select(
        OutboxMessage.user_id, OutboxMessage.channel, OutboxMessage.recipient, OutboxMessage.body, OutboxMessage.context
    ).where(OutboxMessage.template == "billing/receipt_ready")


async def test_each_person_of_each_account_is_told_once_in_their_language(db, catalog, make_account, make_user):
    first, second, people = await _charged(make_account, make_user)
    await _issue_month()
    assert await _told() == [], "the issue's request only leaves the accounts waiting; the job tells them"
    assert await notices.tell_waiting(clock.now()) == 2
    told = await _told()
    by_person = {(r["user_id"], r["channel"]) for r in told}
    assert by_person == {(people[p], c) for p in ("owner", "family", "second") for c in ("inapp", "email")}
    receipt = await queries.receipt_of(first.account, JANUARY)
    assert receipt is not None and receipt.to_pay > 0
    inapp = {r["user_id"]: r["body"].replace("\xa0", " ") for r in told if r["channel"] == "inapp"}
    rubles = f"{receipt.to_pay:,.2f}"  # as the receipt shows it: «1 234,56 ₽», "₽1,234.56"
    ru_sum, due = rubles.replace(",", " ").replace(".", ","), receipt.due_date.day
    assert inapp[people["owner"]] == (
        f"Квитанция за январь 2026 по лицевому счёту 7700000001 готова: к оплате {ru_sum} ₽ до {due} февраля."
    ), inapp[people["owner"]]
    assert inapp[people["family"]].startswith("The receipt for January 2026 for account 7700000001 is ready: ₽")
    assert f"₽{rubles} to pay" in inapp[people["family"]]
    email = next(r for r in told if r["channel"] == "email" and r["user_id"] == people["owner"])
    kept = email["context"] if isinstance(email["context"], dict) else json.loads(email["context"])
    assert kept["link"].endswith(f"/accounts/{first.account}/receipts/2026-01")
    assert f"/pay?account={first.account}" in kept["html"]

    # Issued again, the whole month or one receipt: nobody is told twice.
    await _issue_month()
    await actions.reissue_receipt(EVERY_HOUSE, second.account, JANUARY)
    assert await notices.tell_waiting(clock.now()) == 0
    assert len(await _told()) == len(told)


async def test_the_job_tells_a_batch_in_a_few_queries_whatever_its_size(db, catalog, make_account, make_user):
    """No query per account: two accounts cost what one does (the outbox rows in one statement)."""
    first, second, _ = await _charged(make_account, make_user)
    await _issue_month()
    await ReceiptNotice.update({ReceiptNotice.sent_at: clock.now()}).where(ReceiptNotice.account == second.account)
    with captured(db) as one:
        assert await notices.tell_waiting(clock.now()) == 1
    await ReceiptNotice.delete(force=True)
    await OutboxMessage.delete().where(OutboxMessage.template == "billing/receipt_ready")
    await notices.wait(JANUARY, [first.account, second.account], clock.now())
    with captured(db) as two:
        assert await notices.tell_waiting(clock.now()) == 2
    assert len(two) == len(one), ([str(q) for q in one], [str(q) for q in two])


def test_an_overpaid_or_settled_month_says_there_is_nothing_to_pay():
    template = registered()["billing/receipt_ready"]
    overpaid = {**template.sample, "to_pay": Decimal("0.00"), "overpaid": Decimal("120.00"), "link": "/r"}
    message = render(template, "ru", overpaid)
    assert message.inapp.replace("\xa0", " ") == (
        "Квитанция за ноябрь 2026 по лицевому счёту 9101000001 готова. Переплата 120,00 ₽ — платить не нужно."
    )
    assert "/pay" not in message.text  # nothing to pay: no way to pay offered
    settled = {**overpaid, "overpaid": Decimal("0.00")}
    assert render(template, "en", settled).inapp == (
        "The receipt for November 2026 for account 9101000001 is ready. Nothing to pay."
    )
