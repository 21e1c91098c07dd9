"""An owner of several accounts gets one «У кого есть доступ» link per account: each link says which account it
opens, for a screen reader that lists links apart from their text around them. Both engines."""

from __future__ import annotations

import re


async def test_each_who_has_access_link_names_its_account(client, make_user, make_house, login):
    house = await make_house(accounts=2)
    first, second = house["accounts"]
    await login(client, await make_user(accounts={first: "owner", second: "owner"}))
    for path in ("/accounts/link", "/"):
        page = (await client.get(path)).text
        links = dict(re.findall(r'<a href="/accounts/(\d+)/people">(.*?)</a>', page))
        assert set(links) == {str(first), str(second)}, path
        for account, number in zip((first, second), house["numbers"], strict=True):
            words = re.sub(r"<[^>]+>", "", links[str(account)])
            assert words == f"У кого есть доступ: Лицевой счёт {number}", (path, words)


async def test_my_accounts_page_opens_each_account_for_every_role(client, make_user, make_house, login):
    """«Мои лицевые счета» (the menu's «Ещё») listed the accounts with no way into them: a tenant's entry had no
    link at all, an owner's only «У кого есть доступ». Each entry opens its account's charges and payments."""
    house = await make_house(accounts=2)
    owned, rented = house["accounts"]
    await login(client, await make_user(accounts={owned: "owner", rented: "tenant"}))
    page = (await client.get("/accounts/link")).text
    links = dict(re.findall(r'<a href="/accounts/(\d+)">(.*?)</a>', page))
    assert set(links) == {str(owned), str(rented)}
    for account, number in zip((owned, rented), house["numbers"], strict=True):
        words = re.sub(r"<[^>]+>", "", links[str(account)])
        assert words == f"Начисления и оплаты: Лицевой счёт {number}"
        assert (await client.get(f"/accounts/{account}")).status_code == 200
