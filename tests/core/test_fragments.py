"""A block rendered alone (an HTMX fragment) sees what the whole page sees: the template's imports, its own
macros and top-level ``set``s; and every sort, page and page-size link keeps the filters, multi-value ones too."""

from __future__ import annotations

import html
import re
from typing import Any

from portal.core import clock
from portal.tickets import actions
from tests.tickets import conftest as tickets_fixtures

make_premise = tickets_fixtures.make_premise  # a house with a premise and an account
HX = {"HX-Request": "true", "HX-Target": "list"}


def paging_links(text: str) -> list[str]:
    links = [html.unescape(h) for h in re.findall(r'href="([^"]*)"', text)]
    return [h for h in links if h.startswith("?") and re.search(r"(^|[?&])(sort|page|size)=", h)]


async def test_the_filter_button_of_the_request_list_renders_the_list(
    client: Any, login: Any, make_user: Any, make_premise: Any
) -> None:
    place = await make_premise()
    for n in range(12):
        await actions.open_ticket(
            account_id=place["account"],
            category="leaking_taps",
            description=f"Течёт кран {n}",
            author_name="Житель",
            now=clock.now(),
        )
    await login(client, await make_user(roles=("dispatcher",), houses=(place["house"],)))
    wanted = f"status=new&status=accepted&house={place['house']}&size=10"
    for headers in ({}, HX, {"HX-Request": "true"}):
        r = await client.get(f"/staff/tickets?{wanted}", headers=headers)
        assert r.status_code == 200, r.text[:2000]
        assert 'id="list"' in r.text
        assert ("<html" in r.text) == (not headers)
        links = paging_links(r.text)
        assert any("page=2" in h for h in links) and any("sort=" in h for h in links)
        for link in links:
            assert "status=new&status=accepted" in link and f"house={place['house']}" in link, link
    part = await client.get(f"/staff/tickets?part=list&{wanted}", headers={"HX-Request": "true"})
    # The list alone: not the filter form around it (the rows carry their own forms for actions in place).
    assert part.status_code == 200 and 'id="list"' in part.text and 'role="search"' not in part.text


async def test_the_debtors_filter_renders_through_htmx(
    client: Any, login: Any, make_user: Any, make_premise: Any
) -> None:
    place = await make_premise()
    await login(client, await make_user(roles=("accountant",), houses=(place["house"],)))
    r = await client.get(f"/staff/billing/debtors?house={place['house']}", headers=HX)
    assert r.status_code == 200, r.text[:2000]
    assert 'id="list"' in r.text and "<html" not in r.text
