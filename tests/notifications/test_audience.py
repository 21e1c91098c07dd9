"""The audience (DESIGN §5): a union of selections resolved to people in one bounded query, on both engines."""

from __future__ import annotations

from datetime import UTC
from datetime import datetime
from typing import Any

import pytest

from portal.notifications.queries import count_audience
from portal.notifications.queries import resolve_audience
from portal.notifications.rules import Audience
from portal.notifications.rules import FloorRange
from portal.notifications.rules import Place
from portal.notifications.rules import TargetKind
from portal.notifications.rules import reaches
from tests.querylog import captured


async def _house(make_account: Any, make_user: Any) -> dict[str, Any]:
    """House X: two entrances, floors 1–12, a resident per flat; riser R1 through flats 1xx of entrance 1."""
    from portal.housing.tables import Entrance
    from portal.housing.tables import PremiseRiser
    from portal.housing.tables import Riser

    first = await make_account(floor=1, premise_number="101")
    house = first.house
    entrance_two = Entrance(house=house, number=2, floors=12)
    await entrance_two.save()
    riser = Riser(house=house, code="ХВС-1", kind="cold_water", entrance=first.entrance)
    await riser.save()
    people: dict[str, dict[str, Any]] = {}

    async def flat(number: str, entrance: int, floor: int, on_riser: bool) -> None:
        place = (
            first
            if number == "101"
            else await make_account(house=house, entrance=entrance, floor=floor, premise_number=number)
        )
        user = await make_user(accounts={place.account: "owner"})
        if on_riser:
            await PremiseRiser(premise=place.premise, riser=riser.id).save()
        people[number] = {"user": user, "place": place, "entrance": entrance, "floor": floor}

    for floor in range(1, 13):
        await flat(f"1{floor:02d}", first.entrance, floor, on_riser=floor % 2 == 1)
        await flat(f"2{floor:02d}", entrance_two.id, floor, on_riser=False)
    other = await make_account(floor=5)
    people["other"] = {"user": await make_user(accounts={other.account: "owner"}), "place": other}
    return {
        "house": house,
        "entrance_one": first.entrance,
        "entrance_two": entrance_two.id,
        "riser": riser.id,
        "people": people,
    }


def _users(people: dict[str, dict[str, Any]], numbers: list[str]) -> set[int]:
    return {people[n]["user"] for n in numbers}


async def _resolved(audience: Audience) -> set[int]:
    found = await resolve_audience(audience)
    ids = [r.user_id for r in found]
    assert len(ids) == len(set(ids)), "a person was counted twice"
    return set(ids)


async def test_an_entrance_reaches_exactly_its_residents(db, make_account, make_user):
    x = await _house(make_account, make_user)
    got = await _resolved(Audience.of(entrances=[x["entrance_two"]]))
    assert got == _users(x["people"], [f"2{f:02d}" for f in range(1, 13)])
    assert await count_audience(Audience.of(entrances=[x["entrance_two"]])) == 12


async def test_floors_five_to_nine_reach_exactly_those_floors(db, make_account, make_user):
    x = await _house(make_account, make_user)
    got = await _resolved(Audience.of(floors=[FloorRange(x["house"], 5, 9)]))
    assert got == _users(x["people"], [f"{e}{f:02d}" for e in (1, 2) for f in range(5, 10)])
    # The same floors of one entrance only; a range given backwards is the same range.
    got = await _resolved(Audience.of(floors=[FloorRange(x["house"], 9, 5, x["entrance_one"])]))
    assert got == _users(x["people"], [f"1{f:02d}" for f in range(5, 10)])


async def test_a_riser_reaches_exactly_the_premises_on_it(db, make_account, make_user):
    x = await _house(make_account, make_user)
    got = await _resolved(Audience.of(risers=[x["riser"]]))
    assert got == _users(x["people"], [f"1{f:02d}" for f in range(1, 13, 2)])


async def test_overlapping_selections_count_a_person_once(db, make_account, make_user):
    from portal.accounts.tables import Residency

    x = await _house(make_account, make_user)
    people = x["people"]
    # The resident of 205 also has the account of 105: two accounts, one person.
    await Residency(user=people["205"]["user"], account=people["105"]["place"].account, role="owner").save()
    audience = Audience.of(
        houses=[x["house"]],
        entrances=[x["entrance_two"]],
        floors=[FloorRange(x["house"], 1, 12)],
        risers=[x["riser"]],
        premises=[people["105"]["place"].premise],
        accounts=[people["205"]["place"].account],
    )
    found = await resolve_audience(audience)
    assert [r.user_id for r in found] == sorted({p["user"] for n, p in people.items() if n != "other"})
    assert await count_audience(audience) == 24


async def test_the_whole_company_and_a_complex(db, make_account, make_user):
    from portal.housing.tables import House

    x = await _house(make_account, make_user)
    everyone = await _resolved(Audience.of(company=True))
    assert {p["user"] for p in x["people"].values()} <= everyone
    complex_id = (await House.select(House.complex).where(House.id == x["house"]).first())["complex"]
    got = await _resolved(Audience.of(complexes=[complex_id]))
    assert got == {p["user"] for n, p in x["people"].items() if n != "other"}
    assert await _resolved(Audience()) == set()


async def test_resolution_is_one_bounded_query_paged_by_user(db, make_account, make_user):
    x = await _house(make_account, make_user)
    audience = Audience.of(houses=[x["house"]], risers=[x["riser"]], floors=[FloorRange(x["house"], 2, 3)])
    with captured(db) as seen:
        first = await resolve_audience(audience, limit=10)
    assert len(seen) == 1
    assert "LIMIT" in str(seen[0]).upper()
    assert len(first) == 10
    rest = await resolve_audience(audience, after_user=first[-1].user_id, limit=100)
    assert len(rest) == 14
    assert {r.user_id for r in first}.isdisjoint({r.user_id for r in rest})


async def test_contacts_and_consents_of_only_live_residents(db, make_account, make_user):
    from portal.accounts.tables import ConsentRecord
    from portal.accounts.tables import Residency
    from portal.accounts.tables import User

    x = await _house(make_account, make_user)
    people = x["people"]
    await User.update({User.phone: "+79780000101"}).where(User.id == people["101"]["user"])
    await User.update({User.phone: "+79780000102"}).where(User.id == people["102"]["user"])
    await ConsentRecord.update({ConsentRecord.withdrawn_at: datetime.now(UTC)}).where(
        ConsentRecord.user == people["102"]["user"]
    )
    await Residency.update({Residency.revoked_at: datetime.now(UTC)}).where(Residency.user == people["103"]["user"])
    await User.update({User.is_active: False}).where(User.id == people["104"]["user"])
    found = {r.user_id: r for r in await resolve_audience(Audience.of(entrances=[x["entrance_one"]]))}
    assert people["103"]["user"] not in found and people["104"]["user"] not in found
    with_consent = found[people["101"]["user"]]
    assert with_consent.consent and with_consent.phone == "+79780000101" and with_consent.email
    assert with_consent.consents == {"processing"}
    # A withdrawal leaves the contacts for what the law still requires (emergencies, debt: 152-ФЗ ст. 6 ч. 1
    # п. 5); what may use them is decided per topic by accounts.rules.may_send.
    withdrawn = found[people["102"]["user"]]
    assert not withdrawn.consent and withdrawn.consents == frozenset() and withdrawn.phone == "+79780000102"


PLACE = Place(account=7, premise=70, house=1, complex=100, entrance=11, floor=6, risers=frozenset({500}))


@pytest.mark.parametrize(
    ("audience", "reached"),
    [
        (Audience.of(company=True), True),
        (Audience.of(complexes=[100]), True),
        (Audience.of(complexes=[101]), False),
        (Audience.of(houses=[1]), True),
        (Audience.of(houses=[2]), False),
        (Audience.of(entrances=[11]), True),
        (Audience.of(entrances=[12]), False),
        (Audience.of(floors=[FloorRange(1, 5, 9)]), True),
        (Audience.of(floors=[FloorRange(1, 7, 9)]), False),
        (Audience.of(floors=[FloorRange(2, 5, 9)]), False),
        (Audience.of(floors=[FloorRange(1, 5, 9, entrance=12)]), False),
        (Audience.of(risers=[500]), True),
        (Audience.of(risers=[501]), False),
        (Audience.of(premises=[70]), True),
        (Audience.of(accounts=[7]), True),
        (Audience.of(accounts=[8], houses=[2]), False),
        (Audience(), False),
    ],
)
def test_reaches_one_place(audience: Audience, reached: bool) -> None:
    assert reaches(audience, PLACE) is reached


def test_an_audience_survives_being_stored_as_rows() -> None:
    audience = Audience.of(
        company=False,
        houses=[3, 1],
        entrances=[4],
        floors=[FloorRange(1, 9, 5), FloorRange(1, 2, 2, entrance=4)],
        risers=[8],
        premises=[9],
        accounts=[10],
        complexes=[2],
    )
    rows = audience.targets()
    assert {r.kind for r in rows} == set(TargetKind) - {TargetKind.COMPANY}
    assert Audience.from_targets(rows) == audience
    assert (Audience.of(houses=[1]) | Audience.of(houses=[2], company=True)) == Audience.of(company=True, houses=[1, 2])
