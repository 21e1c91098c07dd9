"""The meetings' lists cost the same few statements whatever the number of meetings: the staff list reads the
participation and the paper ballots waiting for moderation of the whole page at once, not two statements a meeting."""

from __future__ import annotations

from typing import Any

from portal.meetings import queries
from tests.meetings.test_actions import _admin
from tests.meetings.test_actions import _owner_user
from tests.meetings.test_actions import _paper_ballots
from tests.meetings.test_actions import _vote
from tests.querylog import captured


async def _voted_meetings(house: Any, make_meeting: Any, owner: Any, count: int) -> list[int]:
    """``count`` meetings of the example house, each with owner A's electronic ballot counted (50 of 350 m²: 14,29 %)
    and F's paper ballot waiting for moderation."""
    made = []
    for n in range(count):
        meeting_id = await make_meeting(house.house, days_left=5 + n)
        assert await _vote(owner, await queries.meeting_for_staff(await _admin(), meeting_id)) == 1
        await _paper_ballots(house, meeting_id, "F")
        made.append(meeting_id)
    return made


async def _statements(db: Any, client: Any, url: str) -> tuple[int, str]:
    """How many statements the second load of ``url`` runs, and the page."""
    await client.get(url)  # the first load builds the principal kept in the session
    with captured(db) as seen:
        page = await client.get(url)
    assert page.status_code == 200
    return len(seen), page.text


async def test_the_staff_list_reads_the_same_statements_for_two_meetings_or_four(
    db, client, login, make_user, example_house, make_meeting, principal_of_user
):
    house = await example_house()
    owner = await principal_of_user(await _owner_user(make_user, house, "A", "1"))
    await login(client, await make_user(roles=("manager", "moderator"), houses=(house.house,)))

    first = await _voted_meetings(house, make_meeting, owner, 2)
    two, page = await _statements(db, client, "/staff/meetings")
    assert page.count("14,29\u00a0%") == 2, page
    assert all(f'href="/staff/meetings/{m}/moderation">1</a>' in page for m in first), page

    more = await _voted_meetings(house, make_meeting, owner, 2)
    four, page = await _statements(db, client, "/staff/meetings")
    assert page.count("14,29\u00a0%") == 4, page
    assert all(f'href="/staff/meetings/{m}/moderation">1</a>' in page for m in first + more), page
    assert two == four, (two, four)


async def test_the_resident_meetings_page_reads_the_owner_links_and_the_houses_of_the_accounts_once(
    db, client, login, make_user, example_house, make_meeting, principal_of_user
):
    """The meetings, the owners' demands and the «you are an owner» hint all need the owner links, and the first
    two the houses of the accounts: the page reads each once."""
    from portal.meetings import actions

    house = await example_house()
    user = await _owner_user(make_user, house, "A", "1")
    await make_meeting(house.house)
    await make_meeting(house.house, days_left=9)
    await actions.start_initiative(await principal_of_user(user), house.house, "Заменить лифт", "Замена лифта.")
    await login(client, user)
    await client.get("/meetings")  # the first load builds the principal kept in the session
    with captured(db) as seen:
        page = await client.get("/meetings")
    assert page.status_code == 200 and page.text.count("Годовое собрание") == 2 and "Заменить лифт" in page.text
    statements = [str(q) for q in seen]
    accounts = [s for s in statements if 'FROM "residency"' in s or 'FROM "personal_account"' in s]
    owner_links = [s for s in statements if 'FROM "owner_link"' in s]
    assert (len(accounts), len(owner_links)) == (1, 1), statements
    # the session's check, the accounts with their houses, the owner links, their premises' houses, the meetings, the
    # demands and their support, the unread count at «Ещё»: QUERY_BUDGETS["/meetings"] in portal/meetings/routes.py
    assert len(statements) == 8, statements


async def _demand_form(db: Any, client: Any, login: Any, user: int) -> tuple[int, str]:
    await login(client, user)
    return await _statements(db, client, "/meetings/initiatives/new")


async def test_the_form_of_a_demand_reads_the_addresses_of_one_house_or_three_with_the_same_statements(
    db, new_client, login, make_user, make_account
):
    """The form offers each of the resident's houses by its address: read at once, not a statement a house."""
    from portal.housing.tables import House

    one = [await make_account()]
    three = [await make_account() for _ in range(3)]
    single, page = await _demand_form(db, new_client(), login, await make_user(accounts={one[0].account: "owner"}))
    many, page = await _demand_form(
        db, new_client(), login, await make_user(accounts={p.account: "owner" for p in three})
    )
    for place in three:
        address = (await House.select(House.address).where(House.id == place.house).first())["address"]
        assert f'<option value="{place.house}">{address.split(", ", 1)[-1]}</option>' in page, page
    assert single == many, (single, many)
