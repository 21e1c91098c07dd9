"""The home page's meetings cost the same few statements whatever the number of meetings shown: the owner's register
lines and ballots of every meeting are read at once, not four statements a meeting."""

from __future__ import annotations

import re

import pytest

from portal.meetings import queries
from portal.meetings import rules
from portal.meetings.tables import Meeting
from tests.meetings.test_actions import _admin
from tests.meetings.test_actions import _owner_user
from tests.meetings.test_actions import _vote
from tests.querylog import captured


async def test_the_home_meetings_read_a_fixed_number_of_statements_for_two_meetings_or_three(
    db, example_house, make_meeting, make_user, principal_of_user
):
    house = await example_house()
    owner = await principal_of_user(await _owner_user(make_user, house, "A", "1"))
    first = await make_meeting(house.house)
    second = await make_meeting(house.house, days_left=9, form=rules.Form.IN_PERSON)
    assert await _vote(owner, await queries.meeting_for_staff(await _admin(), first)) == 1

    with captured(db) as two:
        shown = await queries.home_meetings(owner)
    assert {m.id: (m.may_vote, m.voted) for m in shown or []} == {first: (True, True), second: (False, False)}

    third = await make_meeting(house.house, days_left=2)
    with captured(db) as three:
        shown = await queries.home_meetings(owner)
    assert {m.id: (m.may_vote, m.voted) for m in shown or []} == {
        first: (True, True),
        second: (False, False),
        third: (True, False),
    }
    # the houses of the accounts, the owner links and their houses, the meetings, the lines of them all, their ballots
    assert len(two) == len(three) == 6, [str(q)[:120] for q in three]


async def test_the_home_page_of_an_owner_reads_their_accounts_and_the_owner_links_once(
    db, client, login, example_house, make_meeting, make_user
):
    """The balances, the accounts, the NPS prompt and the meetings (the houses of the accounts) all need the
    resident's accounts, and the meetings' houses and ballots both need the owner links: each is read once for
    the page."""
    house = await example_house()
    user = await _owner_user(make_user, house, "A", "1")
    await make_meeting(house.house)
    await make_meeting(house.house, days_left=9)
    await login(client, user)
    await client.get("/")  # the first load builds the principal kept in the session
    with captured(db) as seen:
        page = await client.get("/")
    assert page.status_code == 200 and page.text.count("<strong>Годовое собрание</strong>") == 2
    statements = [str(q) for q in seen]
    accounts = [s for s in statements if 'FROM "residency"' in s or 'FROM "personal_account"' in s]
    owner_links = [s for s in statements if 'FROM "owner_link"' in s]
    assert (len(accounts), len(owner_links)) == (1, 1), statements


@pytest.mark.parametrize(
    ("lang", "vote", "open_", "roof", "annual"),
    [
        ("ru", "Проголосовать", "Открыть собрание", "Ремонт крыши", "Годовое собрание"),
        ("en", "Vote", "Open the meeting", "Roof repair", "Годовое собрание"),  # no English title: the Russian
    ],
)
async def test_each_meetings_link_on_the_home_page_names_its_meeting(
    client, login, example_house, make_meeting, make_user, lang, vote, open_, roof, annual
):
    """Two meetings on the home page: «Проголосовать» and «Открыть собрание» each say, in visually hidden words,
    which meeting they open, in the reader's language, so a screen reader's list of links tells them apart."""
    house = await example_house()
    user = await _owner_user(make_user, house, "A", "1")
    first = await make_meeting(house.house)
    second = await make_meeting(house.house, days_left=9, form=rules.Form.IN_PERSON)
    await Meeting.update({Meeting.title: "Ремонт крыши", Meeting.title_en: "Roof repair"}).where(Meeting.id == first)
    await login(client, user)
    await client.speak(lang)
    main = (await client.get("/")).text.split("<main", 1)[1]
    links = re.findall(r'<a [^>]*href="/meetings/(\d+)"[^>]*>(.*?)</a>', main, re.S)
    names = {int(id_): " ".join(re.sub(r"<[^>]+>", "", words).split()) for id_, words in links}
    assert names == {first: f"{vote}: {roof}", second: f"{open_}: {annual}"}, names
