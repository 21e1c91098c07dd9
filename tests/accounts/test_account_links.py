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
