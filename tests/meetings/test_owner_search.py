"""The search of the owners who vote, on both engines: staff entering a paper ballot or linking an owner find them
by a part of the name (any case, Cyrillic, «ё» as «е») or by the premise number, within the house shown, a page at a
time, and come back to the same page of the same search after a link; the number is found by an index."""

from __future__ import annotations

import html
import re
from typing import Any
from urllib.parse import urlencode

import pytest

from portal.core.db import is_sqlite
from portal.core.pagination import PageRequest
from portal.housing.rules import owner_search_text
from portal.housing.tables import Owner
from portal.housing.tables import Ownership
from portal.meetings import queries
from portal.meetings import rules
from tests.querylog import captured
from tests.querylog import plan_of
from tests.querylog import unindexed_steps


@pytest.mark.parametrize(
    ("typed", "names", "numbers"),
    [
        ("  Иванова   Анна ", "Иванова Анна", ()),
        ("кв. 12", "", ("12",)),
        ("Пом. 1Н", "", ("1Н",)),
        ("№7 Петров", "Петров", ("7",)),
        ("Ян", "Ян", ()),
    ],
    ids=[
        "spaces do not count",
        "«кв.» before a number is left out",
        "a non-residential premise's number keeps its letter",
        "a number and a name together",
        "a short name is kept, though the index cannot answer it",
    ],
)
def test_a_search_is_sorted_into_a_name_and_premise_numbers(typed, names, numbers):
    search = rules.read_owner_search(typed)
    assert (search.names, search.numbers) == (names, numbers)


def test_a_name_of_two_letters_alone_is_not_searched_for_and_a_number_of_one_digit_is():
    """The owners' text index answers words of three letters and more; a flat «5» is matched whole."""
    assert not rules.read_owner_search("Ян").answerable
    assert rules.read_owner_search("5").answerable
    assert rules.read_owner_search("Ёлк").answerable


async def _owner(house: Any, number: str, name: str) -> int:
    owner = Owner(kind="person", name=name, search_text=owner_search_text(name, None, "", ""))
    await owner.save()
    await Ownership(premise=house.premises[number], owner=owner.id, share_numerator=1, share_denominator=2).save()
    return owner.id


def _names(page: str) -> list[str]:
    return [html.unescape(n) for n in re.findall(r'<td class="primary">([^<]*)</td>', page)]


async def _page(client: Any, house: Any, q: str) -> str:
    """The owners page of the example house searched for ``q``."""
    return (await client.get("/staff/meetings/owners", params={"house": house.house, "q": q})).text


async def _found(client: Any, house: Any, q: str) -> list[str]:
    """The owners the page shows for the search ``q`` in the example house."""
    return _names(await _page(client, house, q))


@pytest.fixture
async def searched(db, client, login, make_user, example_house, make_account):
    """The example house with named owners, a neighbour house with a namesake, and a manager of both."""
    house = await example_house()
    await _owner(house, "1", "Ёлкина Мария Петровна")
    await _owner(house, "4", "Иванов Пётр Сергеевич")
    await _owner(house, "1Н", "Иванова Анна Ильинична")
    other = await make_account(premise_number="9")
    stranger = Owner(kind="person", name="Иванов Другой", search_text=owner_search_text("Иванов Другой", None, "", ""))
    await stranger.save()
    await Ownership(premise=other.premise, owner=stranger.id).save()
    await login(client, await make_user(roles=("manager",), houses=(house.house, other.house)))
    return house


async def test_an_owner_is_found_by_a_part_of_the_name_in_any_case(client, searched):
    assert await _found(client, searched, "ИВАНОВ") == [
        "Иванов Пётр Сергеевич",
        "Иванова Анна Ильинична",
    ]  # the namesake of the other house is not this house's owner
    assert await _found(client, searched, "ёлкин") == ["Ёлкина Мария Петровна"]
    assert await _found(client, searched, "елкина мари") == ["Ёлкина Мария Петровна"]
    assert await _found(client, searched, "анна ивановА") == ["Иванова Анна Ильинична"]
    assert 'value="ИВАНОВ"' in await _page(client, searched, "ИВАНОВ")  # the box keeps what was typed


async def test_an_owner_is_found_by_the_premise_number(client, searched):
    assert await _found(client, searched, "2") == ["Собственник B", "Собственник C"]
    # «1» is the flat 1, not the premise 1Н; a number is found in either case and with «кв.» or «пом.» before it
    assert await _found(client, searched, "кв. 1") == ["Ёлкина Мария Петровна", "Собственник A"]
    assert await _found(client, searched, "пом. 1н") == [
        "Иванова Анна Ильинична",
        "Собственник G",
    ]
    assert await _found(client, searched, "Иванов 4") == ["Иванов Пётр Сергеевич"]
    assert await _found(client, searched, "9") == []  # the other house's premise


async def test_a_search_that_finds_no_one_says_so_and_offers_every_owner(client, searched):
    page = await _page(client, searched, "Сидоров")
    assert _names(page) == []
    assert "В этом доме нет собственника по запросу «Сидоров»" in page
    assert f'href="/staff/meetings/owners?house={searched.house}"' in page
    short = await _page(client, searched, "Ян")
    assert _names(short) == [] and "Введите не меньше трёх букв имени собственника или номер помещения." in short


async def test_a_search_is_kept_by_the_pages_and_by_a_link_made_on_one(client, make_user, searched):
    for n in range(12):
        await _owner(searched, "3", f"Ящикова {n:02d}")
    url = f"/staff/meetings/owners?house={searched.house}&q=ящикова&size=10"
    first = (await client.get(url)).text
    assert len(_names(first)) == 10 and "Показаны 1–10 из 12" in first
    assert f"{urlencode({'q': 'ящикова'})}&amp;size=10&amp;page=2" in first  # the next page's link
    second = (await client.get(url + "&page=2")).text
    assert _names(second) == ["Ящикова 10", "Ящикова 11"]
    assert 'name="q" value="ящикова"' in second and 'name="page" value="2"' in second

    await make_user(email="owner11@example.ru")
    owner = (await Owner.select(Owner.id).where(Owner.name == "Ящикова 11").first())["id"]
    form = {"owner": owner, "house": searched.house, "email": "owner11@example.ru", "q": "ящикова", "page": "2"}
    # An e-mail no user has answered 303 to the list with a flash, the e-mail typed gone: now the same page of the
    # same search (422), the message at that owner's e-mail, as typed.
    refused = await client.form("/staff/meetings/owners", {**form, "email": "owner11@exampel.ru", "size": "10"})
    assert refused.status_code == 422 and _names(refused.text) == ["Ящикова 10", "Ящикова 11"]
    field = re.search(
        rf'<p class="error" id="e-{owner}-error">(.*?)</p>\s*<input id="e-{owner}"[^>]*>', refused.text, re.S
    )
    assert field and "Пользователя с такой почтой нет." in field.group(1)
    assert 'value="owner11@exampel.ru"' in field.group(0) and 'aria-invalid="true"' in field.group(0)
    linked = await client.form("/staff/meetings/owners", {**form, "size": "10"})
    assert linked.status_code == 303
    back = linked.headers["location"]
    assert back == f"/staff/meetings/owners?house={searched.house}&{urlencode({'q': 'ящикова'})}&page=2&size=10"
    again = (await client.get(back)).text
    assert "owner11@example.ru" in again and _names(again) == ["Ящикова 10", "Ящикова 11"]


async def test_with_htmx_the_search_answers_with_the_list_and_its_form(client, searched):
    answer = await client.get(
        f"/staff/meetings/owners?house={searched.house}&q=ёлкина", headers={"HX-Request": "true", "HX-Target": "list"}
    )
    assert answer.status_code == 200 and "<html" not in answer.text
    assert 'id="list"' in answer.text and 'id="owner-filters"' in answer.text
    assert _names(answer.text) == ["Ёлкина Мария Петровна"]


async def test_the_search_by_number_reads_the_premises_by_house_and_number(db, searched):
    with captured(db) as seen:
        page = await queries.owner_links(searched.house, PageRequest(), rules.read_owner_search("Иванова 1Н"))
    assert [r.name for r in page.items] == ["Иванова Анна Ильинична"]
    sqlite = is_sqlite(db)
    by_number = [q for q in seen if '"number" IN' in str(q)]
    assert len(by_number) == 2  # the count and the page
    for querystring in by_number:
        plan = await plan_of(db, querystring, forbid_seqscan=True)
        for table in ("owner", "ownership", "premise"):
            assert not unindexed_steps(plan, table, sqlite), plan
        if sqlite:
            assert "premise_house_number (house=? AND number=?)" in plan, plan
