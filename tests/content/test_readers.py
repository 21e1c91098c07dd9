"""A post's page tells staff who opened it: how many of the people it is for, and their names, latest first. A
manager of one house sees the readers living in their houses only, as the list counts them."""

from __future__ import annotations

import re
from datetime import UTC
from datetime import datetime
from typing import Any

from portal.content.tables import PostRead
from tests.content.test_scoped_audience import _two_houses


def _readers(page: str) -> tuple[str, list[str]]:
    """The section's count line and the names in its table, in order."""
    section = re.search(r'<section class="card" id="readers">(.*?)</section>', page, re.S)
    assert section, page[-2000:]
    line = re.search(r"<p>(.*?)</p>", section[1], re.S)
    names = re.findall(r'<td class="primary">(.*?)</td>', section[1])
    return (line[1].strip() if line else ""), names


async def test_the_post_page_names_who_read_it_latest_first(
    db, client, new_client, login, town, staff_principal, make_user
):
    t = await town()
    post_id, _, _ = await _two_houses(t, staff_principal)
    anna, boris, vera = t["residents"]
    for user, day in ((anna, 1), (vera, 2), (boris, 3)):
        await PostRead(post=post_id, user=user, read_at=datetime(2026, 3, day, 9, 0, tzinfo=UTC)).save()

    admin = new_client()
    await login(admin, await make_user(name="Ада Админ", roles=("admin",)))
    line, names = _readers((await admin.get(f"/staff/posts/{post_id}")).text)
    assert line == "Прочитали 3 из 3"
    assert names == ["Борис Второй", "Вера Другая", "Анна Первая"]

    await login(client, t["manager"])  # of house A: Vera, of house B, is not theirs to see
    line, names = _readers((await client.get(f"/staff/posts/{post_id}")).text)
    assert line == "Прочитали 2 из 2 в ваших домах"
    assert names == ["Борис Второй", "Анна Первая"]


async def test_a_post_nobody_opened_says_so(db, client, login, town, staff_principal: Any):
    t = await town()
    post_id, _, _ = await _two_houses(t, staff_principal)
    await login(client, t["moderator"])
    line, names = _readers((await client.get(f"/staff/posts/{post_id}")).text)
    assert line == "Прочитали 0 из 3" and names == []
    assert "Пока никто не открыл эту запись." in (await client.get(f"/staff/posts/{post_id}")).text
