"""Refunds by an accountant and autopay with saved cards, on both database engines."""

from __future__ import annotations

import html
import json
import re
from datetime import UTC
from datetime import datetime
from decimal import Decimal
from urllib.parse import urlsplit

from portal.accounts.tables import Residency
from portal.billing.ledger import balance_of
from portal.billing.tables import LedgerEntry
from portal.core.tables import AuditEvent
from portal.core.tables import OutboxMessage
from portal.housing.tables import PersonalAccount
from portal.payments import actions
from portal.payments.tables import AutopayMandate
from portal.payments.tables import Payment
from portal.payments.tables import PaymentMethod
from portal.payments.tables import Refund
from tests.payments.test_pay_flow import start
from tests.tickets.test_audit_trail import CLIENT_IP
from tests.words import as_read

RECEIPT_DAY = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)


def _path(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + "?" + parts.query


async def paid(client, login, household, gateway, amount: str = "3540") -> dict:
    a = household["accounts"][0]
    url = await start(client, login, household, {a: amount})
    await gateway.pay(url, "4242424242424242")
    await gateway.settle()
    return await Payment.select().where(Payment.account == a).first()


async def test_accountant_refunds_partly_then_the_rest(client, new_client, login, household, gateway):
    payment = await paid(client, login, household, gateway)
    a = household["accounts"][0]
    assert await balance_of(a) == Decimal("0.00")
    staff = new_client()
    await login(staff, household["accountant"])
    form = await staff.get(f"/staff/payments/{payment['id']}/refund")
    assert form.status_code == 200
    assert "Отменить это нельзя" in form.text
    unconfirmed = await staff.form(f"/staff/payments/{payment['id']}/refund", {"amount": "1000", "reason": "Ошибка"})
    assert unconfirmed.status_code == 422
    response = await staff.form(
        f"/staff/payments/{payment['id']}/refund", {"amount": "1000,00", "reason": "Двойная оплата", "confirm": "1"}
    )
    assert response.status_code == 303, response.text
    await gateway.settle()  # refund.created and charge.refunded arrive and change nothing more
    assert await balance_of(a) == Decimal("1000.00")
    row = await Payment.select().where(Payment.id == payment["id"]).first()
    assert row["status"] == "partially_refunded" and row["refunded_kopecks"] == 100000
    audit = await AuditEvent.select().where(
        (AuditEvent.action == "payment.refund") & (AuditEvent.entity_id == row["id"])
    )
    assert len(audit) == 1 and audit[0]["actor_id"] == household["accountant"]
    too_much = await staff.form(
        f"/staff/payments/{payment['id']}/refund", {"amount": "2540,01", "reason": "Остаток", "confirm": "1"}
    )
    assert too_much.status_code == 422
    assert "больше, чем осталось" in too_much.text
    rest = await staff.form(
        f"/staff/payments/{payment['id']}/refund", {"amount": "2540", "reason": "Остаток", "confirm": "1"}
    )
    assert rest.status_code == 303
    await gateway.settle()
    assert await balance_of(a) == Decimal("3540.00")
    row = await Payment.select().where(Payment.id == payment["id"]).first()
    assert row["status"] == "refunded"
    refunds = await LedgerEntry.count().where((LedgerEntry.account == a) & (LedgerEntry.kind == "refund"))
    assert refunds == 2
    assert await Refund.count().where(Refund.payment == payment["id"]) == 2
    # the payment's page names each refund's status in the reader's language, not by its stored code
    statuses = re.compile(r'data-label="Статус">([^<]*)</td>')
    assert statuses.findall((await staff.get(f"/staff/payments/{payment['id']}")).text) == ["Выполнен", "Выполнен"]
    await staff.speak("en")
    page = (await staff.get(f"/staff/payments/{payment['id']}")).text
    assert re.findall(r'data-label="Status">([^<]*)</td>', page) == ["Done", "Done"]


async def test_a_resident_cannot_refund(client, login, household, gateway):
    payment = await paid(client, login, household, gateway)
    response = await client.form(
        f"/staff/payments/{payment['id']}/refund", {"amount": "10", "reason": "Хочу", "confirm": "1"}
    )
    assert response.status_code == 403
    assert await Refund.count() == 0


async def save_card(client, login, household, gateway, number: str, approve: bool | None = None) -> int | None:
    await login(client, household["resident"])
    response = await client.form("/autopay/cards")
    assert response.status_code == 303
    hosted = await gateway.pay(response.headers["location"], number)
    if approve is not None:
        assert hosted.headers["location"].endswith("/auth")
        session_id = hosted.headers["location"].split("/")[-2]
        hosted = await gateway.post(f"/c/pay/{session_id}/auth", {"action": "approve" if approve else "fail"})
    if hosted.status_code != 303 or "/autopay/cards/return" not in hosted.headers["location"]:
        return None
    await gateway.settle()
    back = await client.get(_path(hosted.headers["location"]))
    assert back.status_code == 303
    card = await PaymentMethod.select().where(PaymentMethod.user == household["resident"]).first()
    return card["id"] if card else None


async def turn_on(client, household, card_id: int, limit: str = "10000") -> None:
    a = household["accounts"][0]
    response = await client.form(f"/autopay/{a}", {f"card_{a}": str(card_id), f"limit_{a}": limit})
    assert response.status_code == 303, response.text


async def test_a_refused_autopay_limit_is_shown_as_typed(client, login, household, gateway):
    a = household["accounts"][0]
    card = await save_card(client, login, household, gateway, "4242424242424242")
    assert card is not None
    refused = await client.form(f"/autopay/{a}", {f"card_{a}": str(card), f"limit_{a}": "5 000 рублей в год"})
    assert refused.status_code == 422
    assert f'id="e-limit_{a}"' in refused.text
    assert 'value="5 000 рублей в год"' in refused.text, "the field keeps the limit as it was typed, not a default"
    assert f'<option value="{card}" selected' in refused.text


async def test_a_refused_autopay_limit_is_told_as_a_limit_not_as_a_payment(client, login, household, gateway):
    """A limit of a billion was told «Наибольший платёж за раз — 500 000,00 ₽. Разделите его на несколько
    платежей», and a limit of nought «Наименьший платёж — 1,00 ₽»: a limit is not a payment, and autopay cannot
    be split. The words speak of the limit."""
    a = household["accounts"][0]
    card = await save_card(client, login, household, gateway, "4242424242424242")
    said = {}
    for typed in ("1000000000", "0", "много"):
        page = await client.form(f"/autopay/{a}", {f"card_{a}": str(card), f"limit_{a}": typed})
        assert page.status_code == 422
        said[typed] = page.text
    assert (
        "Лимит не может быть больше 500\u00a0000,00\u00a0₽: автоплатёж списывает за раз не больше этого."
        in said["1000000000"]
    )
    assert "Лимит не может быть меньше 1,00\u00a0₽." in said["0"]
    assert "Введите лимит в рублях, например 5000 или 5000,50." in said["много"]
    assert all("Разделите" not in text and "Наименьший платёж" not in text for text in said.values())


async def test_a_limit_with_three_digits_after_the_comma_says_how_to_write_it_and_whose_it_is(
    client, login, household, gateway
):
    """«5,000» is not five thousand to a Russian resident, nor five rubles: the limit is refused with how to write it.
    The page has a form per account, so the summary above it names the account, as the pay sheet's does."""
    a, _ = household["accounts"]
    card = await save_card(client, login, household, gateway, "4242424242424242")
    number = (await PersonalAccount.select(PersonalAccount.number).where(PersonalAccount.id == a).first())["number"]
    page = await client.form(f"/autopay/{a}", {f"card_{a}": str(card), f"limit_{a}": "5,000"})
    assert page.status_code == 422
    said = "После запятой — не больше двух цифр (копейки): напишите сумму так: 5000 или 5000,50."
    assert f'<a href="#f-limit_{a}">Лицевой счёт {number}: {said}</a>' in page.text
    assert 'value="5,000"' in page.text
    assert await AutopayMandate.count() == 0


async def test_autopay_charges_the_amount_due_with_the_saved_card(client, login, household, gateway):
    a = household["accounts"][0]
    card = await save_card(client, login, household, gateway, "4242424242424242")
    assert card is not None
    page = await client.get("/autopay")
    assert "••••&nbsp;4242 <span" in page.text  # the saved card's mask stays on one line at 390 px
    await turn_on(client, household, card)
    # «Карта ••••» over «4242» at 390 px: the mask of the card autopay charges is one word too.
    assert "Карта ••••\u00a04242, не больше" in (await client.get("/autopay")).text
    assert await gateway.exclusive(actions.run_autopay(RECEIPT_DAY)) == 1
    await gateway.settle()
    assert await balance_of(a) == Decimal("0.00")
    payment = await Payment.select().where((Payment.account == a) & (Payment.kind == "autopay")).first()
    assert payment["status"] == "succeeded"
    assert await LedgerEntry.count().where((LedgerEntry.account == a) & (LedgerEntry.kind == "payment")) == 1
    # The same month is never charged twice, whatever the number of runs.
    assert await gateway.exclusive(actions.run_autopay(RECEIPT_DAY)) == 0


async def test_autopay_with_a_card_that_fails_when_charged_is_reported(client, login, household, gateway):
    a = household["accounts"][0]
    card = await save_card(client, login, household, gateway, "4000000000000341")
    assert card is not None  # 0341 attaches to the customer...
    await turn_on(client, household, card)
    before = await balance_of(a)
    assert await gateway.exclusive(actions.run_autopay(RECEIPT_DAY)) == 0  # ...but every charge fails
    await gateway.settle()
    assert await balance_of(a) == before
    payment = await Payment.select().where((Payment.account == a) & (Payment.kind == "autopay")).first()
    assert payment["status"] == "failed" and payment["failure_code"] == "generic_decline"
    mandate = await AutopayMandate.select().where(AutopayMandate.account == a).first()
    assert mandate["last_status"] == "failed"
    told = await OutboxMessage.select().where(
        (OutboxMessage.user_id == household["resident"]) & (OutboxMessage.template == "payment_failed")
    )
    assert told and all("Банк отклонил карту" in m["body"] for m in told), told
    page = await client.get("/autopay")
    assert "Последнее списание не прошло" in page.text


async def test_autopay_that_needs_authentication_is_reported(client, login, household, gateway):
    a = household["accounts"][0]
    card = await save_card(client, login, household, gateway, "4000002760003184", approve=True)
    assert card is not None
    await turn_on(client, household, card)
    assert await gateway.exclusive(actions.run_autopay(RECEIPT_DAY)) == 0
    await gateway.settle()
    payment = await Payment.select().where((Payment.account == a) & (Payment.kind == "autopay")).first()
    assert payment["status"] == "failed" and payment["failure_code"] == "authentication_required"
    told = await OutboxMessage.select().where(
        (OutboxMessage.user_id == household["resident"]) & (OutboxMessage.template == "payment_failed")
    )
    assert told and all("подтвердить платёж" in m["body"] for m in told), told


async def test_3155_set_up_with_authentication_then_succeeds_off_session(client, login, household, gateway):
    a = household["accounts"][0]
    card = await save_card(client, login, household, gateway, "4000002500003155", approve=True)
    await turn_on(client, household, card)
    assert await gateway.exclusive(actions.run_autopay(RECEIPT_DAY)) == 1
    assert await balance_of(a) == Decimal("0.00")


async def test_a_declining_card_cannot_be_saved(client, login, household, gateway):
    assert await save_card(client, login, household, gateway, "4000000000000002") is None
    assert await save_card(client, login, household, gateway, "4000000000009995") is None
    assert await PaymentMethod.count().where(PaymentMethod.user == household["resident"]) == 0


async def test_turning_autopay_off_takes_effect_at_once(client, login, household, gateway):
    a = household["accounts"][0]
    card = await save_card(client, login, household, gateway, "4242424242424242")
    await turn_on(client, household, card)
    response = await client.form(f"/autopay/{a}/off")
    assert response.status_code == 303
    assert await gateway.exclusive(actions.run_autopay(RECEIPT_DAY)) == 0
    assert await Payment.count().where(Payment.kind == "autopay") == 0


async def test_autopay_over_the_limit_charges_nothing_and_tells_the_resident(client, login, household, gateway):
    card = await save_card(client, login, household, gateway, "4242424242424242")
    await turn_on(client, household, card, limit="1000")
    assert await gateway.exclusive(actions.run_autopay(RECEIPT_DAY)) == 0
    assert await Payment.count().where(Payment.kind == "autopay") == 0
    assert await OutboxMessage.exists().where(OutboxMessage.template == "autopay_over_limit")


async def test_autopay_stops_when_the_right_to_pay_is_gone(client, login, household, gateway):
    a = household["accounts"][0]
    card = await save_card(client, login, household, gateway, "4242424242424242")
    await turn_on(client, household, card)
    await Residency.update({Residency.revoked_at: datetime.now(UTC)}).where(
        (Residency.user == household["resident"]) & (Residency.account == a)
    )
    assert await gateway.exclusive(actions.run_autopay(RECEIPT_DAY)) == 0
    assert await Payment.count().where(Payment.kind == "autopay") == 0


async def test_removing_the_card_switches_autopay_off(client, login, household, gateway):
    card = await save_card(client, login, household, gateway, "4242424242424242")
    await turn_on(client, household, card)
    response = await client.form(f"/autopay/cards/{card}/remove")
    assert response.status_code == 303
    mandate = await AutopayMandate.select().where(AutopayMandate.user == household["resident"]).first()
    assert mandate["active"] is False


async def test_the_payer_sees_how_much_of_a_payment_was_returned(client, new_client, login, household, gateway):
    """After a refund the payer's page of the payment still read only «Спасибо! 3 540,00 ₽ зачислено» with a
    «Частично возвращён» badge: how much came back was nowhere. It says the sum returned, on the page and by the
    row, in both languages."""
    payment = await paid(client, login, household, gateway)
    page = (await client.get(f"/payments/{payment['id']}")).text
    assert "возвращено" not in page
    staff = new_client()
    await login(staff, household["accountant"])
    refund = {"amount": "1000", "reason": "Двойная оплата", "confirm": "1"}
    assert (await staff.form(f"/staff/payments/{payment['id']}/refund", refund)).status_code == 303
    page = _words((await client.get(f"/payments/{payment['id']}")).text)
    assert "Из этой суммы 1 000,00 ₽ вам возвращено; баланс ниже учитывает возврат." in page
    assert "Частично возвращён возвращено 1 000,00 ₽" in page
    await client.speak("en")
    page = _words((await client.get(f"/payments/{payment['id']}")).text)
    assert "₽1,000.00 of it has since been returned to you" in page and "returned ₽1,000.00" in page


def _words(html: str) -> str:
    """The page's text as read: no tags, one space between words (a no-break space too)."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).replace("\u00a0", " ").split())


async def test_the_payer_is_told_of_a_refund_once(client, new_client, login, household, gateway):
    """The payer was told of the payment («Платёж получен») but of its refund not at all: the money came back and
    the debt grew with no word. A refund tells the payer in the portal and by e-mail, in their language, once —
    the gateway's later word about the same refund adds nothing."""
    payment = await paid(client, login, household, gateway)
    staff = new_client()
    await login(staff, household["accountant"])
    refund = {"amount": "1000", "reason": "Двойная оплата", "confirm": "1"}
    assert (await staff.form(f"/staff/payments/{payment['id']}/refund", refund)).status_code == 303
    await gateway.settle()
    told = await OutboxMessage.select().where(
        (OutboxMessage.user_id == household["resident"]) & (OutboxMessage.template == "payment_refunded")
    )
    assert sorted(m["channel"] for m in told) == ["email", "inapp"]
    inapp = next(m for m in told if m["channel"] == "inapp")
    number = await Payment.select(Payment.account.number.as_alias("n")).where(Payment.id == payment["id"]).first()
    assert inapp["subject"] == "Деньги возвращены"
    assert inapp["body"].startswith(
        f"Вам возвращено 1\u00a0000,00\u00a0₽ по платежу №\u00a0{payment['id']}, лицевой счёт {number['n']}"
    )
    page = (await client.get("/notifications")).text
    assert "Деньги возвращены" in page and f"/notifications/{inapp['id']}/open" in page


async def test_the_residents_autopay_and_card_decisions_are_in_the_audit_log(
    client, new_client, login, make_user, household, gateway
):
    """Autopay spends a resident's money every month: saving a card, turning autopay on, changing its limit,
    turning it off and removing the card it used are in the audit log, signed by the resident, with the address they
    acted from (a card saved by the gateway's webhook, before the resident is back, with the address they asked to
    save it from), the card, the limit before and after and how many accounts' autopay a removed card stopped; a
    second «off» writes nothing, and the card saved is recorded once though both the webhook and the return page
    came."""
    a = household["accounts"][0]
    card = await save_card(client, login, household, gateway, "4242424242424242")
    await turn_on(client, household, card)
    await turn_on(client, household, card, limit="5000")
    assert (await client.form(f"/autopay/{a}/off")).status_code == 303
    assert (await client.form(f"/autopay/{a}/off")).status_code == 303
    await turn_on(client, household, card, limit="7000,50")
    assert (await client.form(f"/autopay/cards/{card}/remove")).status_code == 303

    actions_ = ["card.save", "autopay.on", "autopay.off", "card.remove"]
    events = await AuditEvent.select().where(AuditEvent.action.is_in(actions_))
    events.sort(key=lambda e: e["id"])
    assert [(e["action"], e["entity"], e["entity_id"]) for e in events] == [
        ("card.save", "card", card), ("autopay.on", "personal_account", a), ("autopay.on", "personal_account", a),
        ("autopay.off", "personal_account", a), ("autopay.on", "personal_account", a), ("card.remove", "card", card),
    ]  # fmt: skip
    assert {(e["actor_id"], e["ip"]) for e in events} == {(household["resident"], CLIENT_IP)}
    changes = [json.loads(e["changes"]) if isinstance(e["changes"], str) else e["changes"] for e in events]
    assert changes == [
        {"card": "visa •••• 4242"}, {"limit": [None, 1000000]}, {"limit": [1000000, 500000]}, {},
        {"limit": [None, 700050]}, {"autopay_off": 1},
    ]  # fmt: skip

    staff = new_client()
    await login(staff, await make_user(roles=("admin",)))
    log = as_read(html.unescape((await staff.get("/staff/audit")).text))
    said = (
        "Карта сохранена жителем", "visa •••• 4242", "Автоплатёж включён или изменён жителем",
        "Автоплатёж отключён жителем", "Лимит в месяц",
        "7\u00a0000,50\u00a0₽", "Сохранённая карта удалена жителем", "Лицевых счетов, где отключён автоплатёж",
    )  # fmt: skip
    assert [words for words in said if words not in log] == []
