"""Every paged list, of residents and of staff, answers a page past its end (an old link, a list grown shorter) by
going to its last page, its filters kept, and saying there was no such page — not with an empty page under
«Показаны 0 из 12» or an empty state above a list that has rows. A page number that is not a number, or is below
one, is the first page. The behaviour lives in ``core.pagination`` (``Page`` raises ``PastTheEnd``); this walk
checks that every list gets it, and fails when a new paged list is not named here."""

from __future__ import annotations

import inspect
import re

import pytest

# Every GET page whose handler takes ``paging``, with who opens it; ``{account}`` and ``{house}`` are filled in.
RESIDENT_LISTS = ("/payments", "/tickets", "/services/orders", "/notifications", "/accounts/{account}/history")
STAFF_LISTS = (
    "/staff/audit",
    "/staff/outbox",
    "/staff/jobs",
    "/staff/users",
    "/staff/billing/accounts/{account}",
    "/staff/billing/debtors",
    "/staff/billing/payments",
    "/staff/billing/registries/queue",
    "/staff/billing/reconciliation",
    "/staff/orders",
    "/staff/posts",
    "/staff/houses/{house}",
    "/staff/housing",
    "/staff/accounts",
    "/staff/owners",
    "/staff/meetings",
    "/staff/meetings/owners",
    "/staff/meters",
    "/staff/meters/missing",
    "/staff/meters/review",
    "/staff/payments",
    "/staff/showcase",
    "/staff/showcase/leads",
    "/staff/showcase/offers",
    "/staff/tickets",
    "/staff/documents",
    "/staff/inspections",
)
# Paged lists that read their page number themselves: the resident's news feed, the public showcase's cards.
FEEDS = ("/news",)
PUBLIC_LISTS = ("/showcase/rent",)
STAFF_ROLES = ("admin", "manager", "accountant", "dispatcher", "operator", "moderator")


def test_every_paged_list_is_walked(app):
    """A new list that takes ``paging`` must be named above, so that the walk below opens it past its end."""
    paged = set()
    for route in app.routes:
        for handler in getattr(route, "route_handlers", []):
            if "paging" in inspect.signature(handler.fn).parameters and "GET" in handler.http_methods:
                paged.add(re.sub(r"\{(\w+)_id:int\}", r"{\1}", route.path))
    assert paged == {*RESIDENT_LISTS, *STAFF_LISTS}


@pytest.fixture
async def people(make_user, make_account):
    place = await make_account()
    resident = await make_user(accounts={place.account: "owner"})
    staff = await make_user(roles=STAFF_ROLES, houses=(place.house,))
    return place, resident, staff


async def test_a_page_past_the_end_of_any_list_goes_to_its_last_page_with_its_filters(client, login, people):
    place, resident, staff = people
    walked = [(path, resident) for path in RESIDENT_LISTS] + [(path, staff) for path in STAFF_LISTS]
    walked += [(path, resident) for path in FEEDS] + [(path, None) for path in PUBLIC_LISTS]
    wrong = {}
    for template, user in walked:
        client.cookies.clear()
        if user is not None:
            await login(client, user)
        path = template.format(account=place.account, house=place.house)
        past = await client.get(f"{path}?page=999&size=10")
        if past.status_code != 303 or past.headers["location"] != f"{path}?size=10":
            wrong[path] = (past.status_code, past.headers.get("location"))
            continue
        for odd in ("0", "-3", "abc", "1.5"):
            first = await client.get(f"{path}?page={odd}")
            if first.status_code != 200:
                wrong[f"{path}?page={odd}"] = first.status_code
    assert not wrong


async def test_the_last_page_says_the_page_asked_for_is_not_there(client, login, make_user):
    admin = await make_user(roles=("admin",))
    for _ in range(11):
        await make_user(roles=("dispatcher",))
    await login(client, admin)
    past = await client.get("/staff/users?size=10&page=7")
    assert past.status_code == 303 and past.headers["location"] in (
        "/staff/users?page=2&size=10",
        "/staff/users?size=10&page=2",
    )
    last = await client.get(past.headers["location"])
    assert "Страницы 7 нет: список кончается на странице 2." in last.text
    assert 'aria-current="page" class="current">2<' in last.text
    await client.speak("en")
    past = await client.get("/staff/users?size=10&page=7")
    assert "There is no page 7: the list ends on page 2." in (await client.get(past.headers["location"])).text


async def test_a_list_fragment_past_its_end_sends_the_page_to_the_last_one(client, login, make_user):
    """The list's own controls ask for the list alone (HTMX): the answer moves the whole page, filters kept."""
    await login(client, await make_user(roles=("admin",)))
    past = await client.get("/staff/users?size=10&page=3", headers={"HX-Request": "true", "HX-Target": "list"})
    assert past.status_code == 200 and past.headers["hx-redirect"] == "/staff/users?size=10"


HOSTILE_PAST_THE_END = (
    "//staff/users?page=9&next=//evil.example",  # a path that starts with «//», a «next» to another site
    "/staff/users?page=9&q=%0d%0aSet-Cookie:%20planted=1",  # a line break into the answer's headers
    "/staff/users?page=9&%2F%2Fevil.example%2F=1",  # a key that reads as another site's address
)


@pytest.mark.parametrize("fragment", [False, True], ids=["page", "fragment"])
async def test_the_filters_kept_cannot_send_the_person_to_another_site_or_add_a_header(
    client, login, make_user, fragment
):
    """SECURITY.md (open redirect, header injection): the last page's address is this list's own path with the query
    kept only as encoded values — never «//host», never a line break that would start a header of its own."""
    await login(client, await make_user(roles=("admin",)))
    headers = {"HX-Request": "true", "HX-Target": "list"} if fragment else {}
    for asked in HOSTILE_PAST_THE_END:
        past = await client.get(str(client.base_url).rstrip("/") + asked, headers=headers)
        assert past.status_code == (200 if fragment else 303), (asked, past.status_code)
        target = past.headers["hx-redirect" if fragment else "location"]
        assert target.startswith("/staff/users") and not target.startswith("//"), target
        assert not set("\r\n\\") & set(target) and "planted" not in past.headers.get("set-cookie", ""), target
        assert "//evil" not in target, target
