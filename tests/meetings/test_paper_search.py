"""Entering a paper ballot in a house of hundreds of owners: the owner's line of the register is found by a part of
the name or by the premise number (a plain GET without JavaScript, the same answer HTMX redraws), at most a page of
lines is listed to choose from, and a line picked stays picked when the form comes back with an error."""

from __future__ import annotations

import re

import pytest

from portal.meetings import queries
from tests.meetings.test_owner_search import _owner

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF"


def _lines(page: str) -> list[str]:
    """The register lines offered to choose from, as their labels read."""
    found = page.split('id="found"', 1)[1].split("</fieldset>", 1)[0]
    labels = re.findall(r'name="entry"[^>]*>(.*?)</label>', found, re.S)
    return [" ".join(re.sub(r"<[^>]+>", "", x).split()) for x in labels]


@pytest.fixture
async def paper_page(client, login, make_user, example_house, make_meeting):
    house = await example_house()
    await _owner(house, "2", "Ёлкина Анна Петровна")
    meeting_id = await make_meeting(house.house)
    await login(client, await make_user(roles=("moderator",), houses=(house.house,)))
    return f"/staff/meetings/{meeting_id}/paper", meeting_id


async def test_the_owner_is_found_by_a_part_of_the_name_or_by_the_premise_number(client, paper_page):
    url, _ = paper_page
    every_line = _lines((await client.get(url)).text)
    assert len(every_line) == 8 and every_line[0] == "кв. 1 — Собственник A (1)"

    page = (await client.get(url, params={"q": "елкина"})).text
    assert _lines(page) == ["кв. 2 — Ёлкина Анна Петровна (1/2)"]
    assert 'id="f-q" class="search" name="q" type="search" value="елкина"' in page
    assert _lines((await client.get(url, params={"q": "кв. 3"})).text) == [
        "кв. 3 — Собственник D (1, совместная собственность)",  # not two owners of the whole flat each
        "кв. 3 — Собственник E (1, совместная собственность)",
    ]
    assert (
        "Введите не меньше трёх букв имени собственника или номер помещения."
        in (await client.get(url, params={"q": "Ян"})).text
    )
    nothing = (await client.get(url, params={"q": "Петров 4"})).text
    assert "В реестре нет строки, подходящей под «Петров 4»." in nothing and 'name="entry"' not in nothing


async def test_a_long_register_lists_a_page_of_lines_and_says_how_many_more_are_found(client, paper_page, monkeypatch):
    url, _ = paper_page
    monkeypatch.setattr(queries, "REGISTER_SHOWN", 3)
    page = (await client.get(url)).text
    assert len(_lines(page)) == 3
    assert "Найдено ещё 5 строк: добавьте номер помещения или имя полнее." in page


async def test_a_ballot_sent_without_its_owner_keeps_the_search_and_a_picked_line_stays_picked(client, paper_page):
    url, meeting_id = paper_page
    typed = {"q": "кв. 3", "voter_name": "Иванов И. И.", "received_at": "2026-01-01T10:00"}
    refused = await client.form(url, typed, files={"x": ("", b"")})
    assert refused.status_code == 422
    assert '<a href="#f-entry">' in refused.text
    assert _lines(refused.text) == [f"кв. 3 — Собственник {x} (1, совместная собственность)" for x in "DE"]
    assert re.search(r'<input id="f-entry" type="radio" name="entry"', refused.text)

    (line,) = [x for x in await queries.register_of(meeting_id) if x.premise == "кв. 1"]
    refused = await client.form(url, {**typed, "entry": str(line.id)}, files={"x": ("", b"")})
    assert refused.status_code == 422  # no scan: the line picked before the search changed is still there, picked
    assert _lines(refused.text)[0] == "кв. 1 — Собственник A (1)"
    assert re.search(rf'value="{line.id}" required checked>', refused.text)


async def test_a_surname_does_not_find_the_owners_whose_patronymic_starts_with_it(
    client, login, make_user, example_house, make_meeting
):
    """«Андреев» found Смирнов Иван Андреевич and Орлова Анна Андреевна as well: a register of hundreds of owners
    listed every son and daughter of an Андрей. A word within a name still finds it, a patronymic typed whole too."""
    house = await example_house()
    for number, name in (("1", "Андреев Пётр Ильич"), ("2", "Андреева Ольга Петровна"), ("4", "Смирнов Иван Андреевич"),
                         ("3", "Орлова Анна Андреевна"), ("1Н", "Ильина Вера Ильинична")):  # fmt: skip
        await _owner(house, number, name)
    meeting_id = await make_meeting(house.house)
    await login(client, await make_user(roles=("moderator",), houses=(house.house,)))
    url = f"/staff/meetings/{meeting_id}/paper"
    found = _lines((await client.get(url, params={"q": "Андреев"})).text)
    assert found == ["кв. 1 — Андреев Пётр Ильич (1/2)", "кв. 2 — Андреева Ольга Петровна (1/2)"], found
    assert _lines((await client.get(url, params={"q": "ильин"})).text) == ["пом. 1Н — Ильина Вера Ильинична (1/2)"]
    assert _lines((await client.get(url, params={"q": "андреевич"})).text) == ["кв. 4 — Смирнов Иван Андреевич (1/2)"]
    assert _lines((await client.get(url, params={"q": "дреев Ольга"})).text) == [
        "кв. 2 — Андреева Ольга Петровна (1/2)"
    ]
    await login(client, await make_user(roles=("manager",), houses=(house.house,)))  # the owners page says the same
    owners = (await client.get("/staff/meetings/owners", params={"house": house.house, "q": "Андреев"})).text
    assert "Андреев Пётр Ильич" in owners and "Андреева Ольга" in owners and "Андреевич" not in owners


async def test_a_surname_or_its_start_finds_no_patronymic_in_any_form(
    client, login, make_user, example_house, make_meeting
):
    """Only «ич», «на» and «ична» right after the word were taken out: «Андрее» still found Андреевич and Андреевна,
    «Андреев» found Андреевичу and Андреевной (a register written in the dative), «Ильи» lost Ильина. Now the word
    is sought outside the patronymics in every form, wherever in the suffix it stops."""
    house = await example_house()
    for number, name in (("1", "Андреев Пётр Ильич"), ("2", "Андреева Ольга Петровна"), ("4", "Смирнов Иван Андреевич"),
                         ("3", "Орлова Анна Андреевна"), ("1", "Козлову Сергею Андреевичу"),
                         ("2", "Сидоровой Ирине Андреевной"), ("1Н", "Ильина Вера Ильинична"),
                         ("4", "Петрова Анна Ильинична")):  # fmt: skip
        await _owner(house, number, name)
    meeting_id = await make_meeting(house.house)
    await login(client, await make_user(roles=("moderator",), houses=(house.house,)))
    url = f"/staff/meetings/{meeting_id}/paper"
    surname = ["кв. 1 — Андреев Пётр Ильич (1/2)", "кв. 2 — Андреева Ольга Петровна (1/2)"]
    for typed in ("Андреев", "Андрее", "андре", "дрее"):
        assert _lines((await client.get(url, params={"q": typed})).text) == surname, typed
    assert _lines((await client.get(url, params={"q": "Ильи"})).text) == ["пом. 1Н — Ильина Вера Ильинична (1/2)"]
    assert sorted(_lines((await client.get(url, params={"q": "андреевич"})).text)) == [
        "кв. 1 — Козлову Сергею Андреевичу (1/2)",
        "кв. 4 — Смирнов Иван Андреевич (1/2)",
    ]
    assert sorted(_lines((await client.get(url, params={"q": "андреевн"})).text)) == [
        "кв. 2 — Сидоровой Ирине Андреевной (1/2)",
        "кв. 3 — Орлова Анна Андреевна (1/2)",
    ]
