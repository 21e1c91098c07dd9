"""The staff page of the owners who vote, on both engines: a house's owners come a page at a time, with the user
each is linked to, and linking one goes back to the page it was made on."""

from __future__ import annotations

import re

from portal.housing.tables import Owner
from portal.housing.tables import Ownership
from portal.meetings.tables import OwnerLink


async def test_the_owners_who_vote_come_a_page_at_a_time_and_a_link_goes_back_to_its_page(
    client, login, make_user, example_house
):
    """A house's every owner on one page made a page of some 37 000 px on a phone (209 owners in the demo)."""
    house = await example_house()
    for n in range(8):  # 7 owners in the example house, 15 with these
        owner = Owner(kind="person", name=f"Ящиков {n}")
        await owner.save()
        await Ownership(premise=house.premises["1"], owner=owner.id, share_numerator=1, share_denominator=9).save()
    voter_user = await make_user(email="voter@example.ru")
    await OwnerLink(user=voter_user, owner=house.owners["A"]).save()
    await login(client, await make_user(roles=("manager",), houses=(house.house,)))

    first = (await client.get(f"/staff/meetings/owners?house={house.house}&size=10")).text
    names = re.findall(r'<td class="primary">([^<]*)</td>', first)
    assert len(names) == 10 and names[0] == "Собственник A" and "Показаны 1–10 из 15" in first
    assert "voter@example.ru" in first  # A is linked
    second = (await client.get(f"/staff/meetings/owners?house={house.house}&size=10&page=2")).text
    names = re.findall(r'<td class="primary">([^<]*)</td>', second)
    assert names == [f"Ящиков {n}" for n in range(3, 8)], names
    assert 'name="page" value="2"' in second

    await make_user(email="owner3@example.ru")
    owner = (await Owner.select(Owner.id).where(Owner.name == "Ящиков 7").first())["id"]
    linked = await client.form(
        "/staff/meetings/owners", {"owner": owner, "house": house.house, "email": "owner3@example.ru", "page": "2"}
    )
    assert linked.status_code == 303 and linked.headers["location"].endswith(f"?house={house.house}&page=2")
