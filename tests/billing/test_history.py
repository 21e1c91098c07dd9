"""The whole history of an account's charges and payments: the account page shows the latest twelve payments and
/payments the portal's own, so a bank payment of an earlier month was nowhere; its history holds every entry, newest
first, a page at a time; on both engines."""

from datetime import UTC
from datetime import datetime
from decimal import Decimal as D

from portal.billing import ledger
from portal.billing.tables import EntryKind
from tests.querylog import captured


async def _thirteen_payments(account: int) -> None:
    """A payment a month from January 2025 to January 2026: the oldest of 1 001,00 ₽, each next one a rouble more."""
    for n in range(13):
        paid = datetime(2025 + n // 12, n % 12 + 1, 10, 9, tzinfo=UTC)
        await ledger.post_payment(account, D(1001 + n), f"bank-{n}", paid, note="Оплата через банк")


async def test_the_thirteenth_payment_back_is_on_the_second_page_of_the_history(client, login, make_user, make_account):
    place = await make_account()
    await _thirteen_payments(place.account)
    await login(client, await make_user(accounts={place.account: "owner"}))
    account_page = (await client.get(f"/accounts/{place.account}")).text
    assert "1\u00a0001,00\u00a0₽" not in account_page  # the account page keeps to the latest twelve
    assert f'href="/accounts/{place.account}/history">Вся история начислений и оплат<' in account_page
    first = (await client.get(f"/accounts/{place.account}/history?size=10")).text
    assert "1\u00a0013,00\u00a0₽" in first and "1\u00a0001,00\u00a0₽" not in first
    assert first.index("1\u00a0013,00\u00a0₽") < first.index("1\u00a0012,00\u00a0₽")  # newest first
    second = await client.get(f"/accounts/{place.account}/history?size=10&page=2")
    assert second.status_code == 200
    assert "1\u00a0001,00\u00a0₽" in second.text and "10 января 2025" in second.text
    assert "Показаны 11–13 из 13" in second.text
    # Its channel, as a registry's payment says it (the kind said once), and the day it was credited.
    assert 'Оплата · <span class="payment-channel">через банк</span>' in second.text
    assert "Оплата через банк" not in second.text and "зачислен" in second.text
    await client.speak("en")
    english = (await client.get(f"/accounts/{place.account}/history?size=10&page=2")).text
    assert "History of charges and payments" in english
    assert 'Payment · <span class="payment-channel">through a bank</span>' in english


async def test_another_residents_account_history_is_not_found(client, login, make_user, make_account):
    mine, theirs = await make_account(), await make_account()
    await _thirteen_payments(theirs.account)
    await login(client, await make_user(accounts={mine.account: "owner"}))
    assert (await client.get(f"/accounts/{theirs.account}/history")).status_code == 404
    assert (await client.get(f"/accounts/{theirs.account}/history?page=2&size=10")).status_code == 404
    empty = await client.get(f"/accounts/{mine.account}/history")
    assert empty.status_code == 200 and "Начислений и оплат пока нет." in empty.text


async def test_the_payment_list_sends_to_each_accounts_history_for_bank_payments(
    client, login, make_user, make_account
):
    """/payments lists the portal's own payments: a bank payment is not there, and the page says where it is."""
    first, second, theirs = await make_account(), await make_account(), await make_account()
    await _thirteen_payments(first.account)
    await login(client, await make_user(accounts={first.account: "owner", second.account: "owner"}))
    page = (await client.get("/payments")).text
    assert "Платежи через банк или кассу — в истории начислений и оплат:" in page
    for mine in (first, second):  # each named in the sentence's own lower case, not as a heading
        assert f'href="/accounts/{mine.account}/history">лицевой счёт {mine.number}</a>' in page
    await client.speak("en")
    english = (await client.get("/payments")).text
    assert f'href="/accounts/{first.account}/history">account {first.number}</a>' in english
    assert f'href="/accounts/{theirs.account}/history"' not in page
    # A paid service's payment (a plumber's visit paid by card) is with its order, and the page says where.
    assert 'Оплаты платных услуг и справок — в\u00a0заказах: <a href="/services/orders">мои заказы</a>.' in page


async def test_a_refund_in_the_history_is_said_a_refund_of_a_payment_and_why_it_is_charged(
    client, login, make_user, make_account
):
    """A refund adds to the debt, so it stands under «Начислено»; the row and a line under the table say it is a
    payment returned, not a charge; a history with no refund has no such line."""
    place, plain = await make_account(), await make_account()
    await _thirteen_payments(plain.account)
    await ledger.post_payment(place.account, D("500.00"), "bank-paid", datetime(2026, 11, 5, 9, tzinfo=UTC))
    await ledger.post_refund(place.account, D("200.00"), "refund-1", datetime(2026, 11, 9, 9, tzinfo=UTC))
    await login(client, await make_user(accounts={place.account: "owner", plain.account: "owner"}))
    page = (await client.get(f"/accounts/{place.account}/history")).text
    assert "Возврат оплаты" in page
    assert "Возврат оплаты стоит в графе «Начислено»: возвращённые вам деньги снова входят в долг." in page
    assert "стоит в графе «Начислено»" not in (await client.get(f"/accounts/{plain.account}/history")).text
    await client.speak("en")
    english = (await client.get(f"/accounts/{place.account}/history")).text
    assert "Refund of a payment" in english and "stands under “Charged”: the money returned to you" in english


async def test_the_account_page_reads_its_payments_and_penalties_in_one_statement(
    db, client, login, make_user, make_account
):
    """The latest twelve payments and the latest penalties come from one read of the ledger, each list its own
    twelve: thirteen payments newer than every penalty leave the penalties shown all the same."""
    place = await make_account()
    for month, kopecks in ((11, 4_217), (12, 5_309)):
        await ledger.post_entry(place.account, EntryKind.PENALTY, kopecks, datetime(2024, month, 25, 9, tzinfo=UTC))
    await _thirteen_payments(place.account)
    await login(client, await make_user(accounts={place.account: "owner"}))
    await client.get(f"/accounts/{place.account}")  # the first load builds the principal kept in the session
    with captured(db) as seen:
        page = (await client.get(f"/accounts/{place.account}")).text
    reads = [str(q) for q in seen if 'FROM "ledger_entry"' in str(q)]
    assert len(reads) == 1, reads
    assert "1\u00a0013,00\u00a0₽" in page and "1\u00a0002,00\u00a0₽" in page and "1\u00a0001,00\u00a0₽" not in page
    assert "42,17\u00a0₽" in page and "53,09\u00a0₽" in page
    assert page.index("1\u00a0013,00\u00a0₽") < page.index("1\u00a0012,00\u00a0₽")  # newest first
    assert page.index("53,09\u00a0₽") < page.index("42,17\u00a0₽")
