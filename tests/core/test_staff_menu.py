"""The staff menu of each role holds exactly the sections that role can open: every item answers 200, and every
section it leaves out answers 403 (the admin's menu lists every section)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from portal.core.security import StaffRole


def menu(page: str) -> list[str]:
    nav = re.search(r'<nav class="sidebar"[^>]*>(.*?)</nav>', page, re.S)
    assert nav, "no staff menu on the page"
    return re.findall(r'<a href="([^"]+)"', nav.group(1))


@pytest.mark.parametrize("role", [r.value for r in StaffRole if r != StaffRole.ADMIN])
async def test_the_menu_holds_exactly_what_the_role_may_open(
    client: Any, new_client: Any, login: Any, make_user: Any, role: str
) -> None:
    admin = new_client()
    await login(admin, await make_user(roles=("admin",)))
    every = menu((await admin.get("/staff")).text)
    assert {"/staff/tickets", "/staff/billing", "/staff/payments", "/staff/users", "/staff/jobs"} <= set(every)

    await login(client, await make_user(roles=(role,)))
    shown = menu((await client.get("/staff")).text)
    opens = {}
    for href in every:
        status = (await client.get(href)).status_code
        assert status in (200, 403), (href, status)
        opens[href] = status == 200
    assert shown == [href for href in every if opens[href]]
    assert "/staff/jobs" not in shown  # the background jobs are the administrators' alone
    if role in ("dispatcher", "executor", "moderator"):
        assert "/staff/billing" not in shown and "/staff/payments" not in shown


@pytest.mark.parametrize(("locale", "words"), [("ru", "Мои заявки"), ("en", "My requests")])
async def test_the_executors_menu_names_their_list_as_its_page_does(
    client: Any, login: Any, make_user: Any, locale: str, words: str
) -> None:
    """The English menu said «My work» over a page headed «My requests» (one thing, one name, as in Russian)."""
    await login(client, await make_user(roles=("executor",), locale=locale))
    page = (await client.get("/staff/my-tickets")).text
    nav = re.search(r'<nav class="sidebar"[^>]*>(.*?)</nav>', page, re.S)
    assert nav and re.search(rf'<a href="/staff/my-tickets"[^>]*>.*?{words}.*?</a>', nav.group(1), re.S)
    assert re.search(rf"<h1[^>]*>\s*{words}\s*</h1>", page)
