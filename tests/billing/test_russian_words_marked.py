"""The payer's name on a personal account's page is the company's record, in Russian: on an English page it is
marked ``lang="ru"`` (a screen reader reads it with a Russian voice). Both engines."""

from __future__ import annotations


async def test_the_payers_name_is_marked_russian_on_english_pages_only(client, login, make_user, make_account):
    place = await make_account(payer="Иванов Иван Иванович")
    await login(client, await make_user(accounts={place.account: "owner"}))
    await client.speak("en")
    english = (await client.get(f"/accounts/{place.account}")).text
    assert '<span lang="ru">Иванов Иван Иванович</span>' in english
    await client.speak("ru")
    russian = (await client.get(f"/accounts/{place.account}")).text
    assert "Иванов Иван Иванович" in russian and '<span lang="ru">Иванов' not in russian


async def test_payees_and_the_acts_of_key_rates_are_marked_russian_on_english_staff_pages(
    client, login, make_user, catalog
):
    """A payee's name and bank and the act a penalty period rests on are Russian data: each says ``lang="ru"`` on
    an English page."""
    await login(client, await make_user(roles=("accountant",)))
    await client.speak("en")
    payees = (await client.get("/staff/billing/payees")).text
    assert '<span lang="ru">ООО «УК Монолит Комфорт»</span></a>' in payees
    assert '<span class="visually-hidden"> <span lang="ru">ООО «УК Монолит Комфорт»</span></span>' in payees
    rates = (await client.get("/staff/billing/key-rates")).text
    assert '<td data-label="Act"><span lang="ru">ПП РФ № 474' in rates
    await client.speak("ru")
    assert '<span lang="ru">ООО' not in (await client.get("/staff/billing/payees")).text
