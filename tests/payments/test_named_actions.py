"""The resident's money pages as a screen reader reads them: where a page repeats a form per account or card (the
sheet of several accounts, the autopay page, a history with open checkouts), the error summary above it and the
buttons in each name which account or card they are about — «Включить автоплатёж» twice in a list of buttons says
nothing. The sandbox gateway over real HTTP (both engines)."""

from __future__ import annotations

import re

import pytest

from portal.housing.tables import PersonalAccount
from tests.payments.test_pay_flow import start
from tests.payments.test_refunds_autopay import save_card


async def _number(account: int) -> str:
    return (await PersonalAccount.select(PersonalAccount.number).where(PersonalAccount.id == account).first())["number"]


def _words(html: str) -> str:
    """The text of an HTML fragment as read aloud: the tags dropped (a visually hidden part included), spaces joined."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).replace("\u00a0", " ").split())


def _buttons(html: str, action: str) -> list[str]:
    """The accessible names of the buttons of the forms posting to ``action``."""
    forms = re.findall(rf'<form method="post" action="{re.escape(action)}"[^>]*>(.*?)</form>', html, re.S)
    return [_words(b) for f in forms for b in re.findall(r"<button[^>]*>(.*?)</button>", f, re.S)]


@pytest.mark.parametrize(("lang", "label"), [("ru", "Лицевой счёт"), ("en", "Account")])
async def test_the_summary_of_a_sheet_of_several_accounts_names_the_account_of_each_wrong_amount(
    client, login, household, gateway, lang, label
):
    a, b = household["accounts"]
    await login(client, household["resident"])
    await client.speak(lang)
    response = await client.form(
        "/pay", {f"pay_{a}": "1", f"amount_{a}": "две тысячи", f"pay_{b}": "1", f"amount_{b}": "0"}
    )
    assert response.status_code == 422
    summary = _words(response.text.split('class="error-summary"')[1].split("</div>")[0])
    assert f"{label} {await _number(a)}: " in summary
    assert f"{label} {await _number(b)}: " in summary
    assert 'value="две тысячи"' in response.text  # kept as typed


async def test_each_continue_of_the_history_names_its_amount_and_account(client, login, household, gateway):
    a = household["accounts"][0]
    await start(client, login, household, {a: "3540.00"})
    page = await client.get("/payments")
    (payment_id,) = re.findall(r'action="/payments/(\d+)/continue"', page.text)
    names = _buttons(page.text, f"/payments/{payment_id}/continue")
    assert names == [f"продолжить оплату на 3 540,00 ₽, лицевой счёт {await _number(a)}"]


async def test_each_autopay_button_names_its_account_and_each_remove_its_card(client, login, household, gateway):
    a, b = household["accounts"]
    card = await save_card(client, login, household, gateway, "4242424242424242")
    assert card is not None
    await client.speak("en")
    page = (await client.get("/autopay")).text
    assert _buttons(page, f"/autopay/{a}") == [f"Turn autopay on for account {await _number(a)}"]
    assert _buttons(page, f"/autopay/{b}") == [f"Turn autopay on for account {await _number(b)}"]
    assert _buttons(page, f"/autopay/cards/{card}/remove") == ["Remove card VISA •••• 4242"]
    on = await client.form(f"/autopay/{a}", {f"card_{a}": str(card), f"limit_{a}": "10000"})
    assert on.status_code == 303
    await client.speak("ru")
    page = (await client.get("/autopay")).text
    assert _buttons(page, f"/autopay/{a}/off") == [f"Выключить автоплатёж для лицевого счёта {await _number(a)}"]


async def test_each_date_of_the_history_names_its_payment(client, login, household, gateway):
    """Payments made in the same minute (a retry, a second tab) would be links of the same words to other pages."""
    a = household["accounts"][0]
    await start(client, login, household, {a: "3540.00"})
    page = (await client.get("/payments")).text
    (payment_id,) = re.findall(r'<a href="/payments/(\d+)"', page)
    (name,) = [_words(t) for t in re.findall(rf'<a href="/payments/{payment_id}">(.*?)</a>', page, re.S)]
    assert name.endswith(f", Платёж № {payment_id}")


async def test_each_accounts_address_is_marked_russian_on_english_pay_and_autopay_pages(
    client, login, household, gateway
):
    """The house's address is recorded in Russian: a screen reader's English voice read it as gibberish; the flat's
    words are the page's own."""
    await save_card(client, login, household, gateway, "4242424242424242")
    await client.speak("en")
    house = re.compile(r'<span lang="ru">ул\. Тестовая, \w+</span>, flat [12]<')
    assert len(house.findall((await client.get("/autopay")).text)) == 2
    assert len(house.findall((await client.get("/pay")).text)) == 2
    await client.speak("ru")
    page = (await client.get("/autopay")).text
    assert ", кв. 1<" in page and '<span lang="ru">ул.' not in page
