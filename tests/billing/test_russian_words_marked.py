"""The payer's name on a personal account's page is the company's record, in Russian: on an English page it is
marked ``lang="ru"`` (a screen reader reads it with a Russian voice). Both engines."""

from __future__ import annotations


async def test_the_payers_name_is_marked_russian_on_english_pages_only(client, login, make_user, make_account):
    place = await make_account(payer="Иванов Иван Иванович")
    await login(client, await make_user(accounts={place.account: "owner"}))
    english = (await client.get(f"/accounts/{place.account}", headers={"accept-language": "en"})).text
    assert '<span lang="ru">Иванов Иван Иванович</span>' in english
    russian = (await client.get(f"/accounts/{place.account}", headers={"accept-language": "ru"})).text
    assert "Иванов Иван Иванович" in russian and '<span lang="ru">Иванов' not in russian
