"""Who a post reaches is said from two sides: the resident's news asks which stored selections name one of the
resident's places (content.queries, from the resident's accounts), the sending resolves the post's audience to
premises and accounts (notifications.queries.audience_clause, from the audience). The two cannot be one query —
one starts at a resident, the other at an audience — so they are held to one rule here: over a small generated
town and audiences drawn at random (the whole company, complexes, houses, entrances, floors of a house or of one
entrance, risers, premises, accounts, in any mix), the feed shows a post to exactly the residents the sending
reaches, and both agree with the rule for one place (notifications.rules.reaches)."""

from __future__ import annotations

import random
from dataclasses import asdict
from datetime import timedelta
from typing import Any

from portal.content import queries
from portal.content.tables import Post
from portal.content.tables import PostKind
from portal.content.tables import PostStatus
from portal.content.tables import PostTarget
from portal.core import clock
from portal.core.security import Principal
from portal.notifications.queries import PostAudience
from portal.notifications.queries import kinds_of
from portal.notifications.queries import resolve_audience
from portal.notifications.rules import Audience
from portal.notifications.rules import FloorRange
from portal.notifications.rules import Place
from portal.notifications.rules import reaches

AUDIENCES = 60


async def _town(make_account: Any, make_user: Any) -> dict[str, Any]:
    """Complex one: house A (two entrances, floors 1–4, a riser through entrance one's odd floors and one through
    all of entrance two) and house B; complex two: house C. A resident per flat; one resident has a flat in A and
    one in C, one flat has two accounts with a resident each."""
    from portal.housing.tables import Entrance
    from portal.housing.tables import House
    from portal.housing.tables import PremiseRiser
    from portal.housing.tables import Riser

    first = await make_account(floor=1, premise_number="11")
    a = first.house
    one = first.entrance
    complex_one = (await House.select(House.complex).where(House.id == a).first())["complex"]
    two = Entrance(house=a, number=2, floors=4)
    await two.save()
    riser_one = Riser(house=a, code="ХВС-1", kind="cold_water", entrance=one)
    riser_two = Riser(house=a, code="ХВС-2", kind="cold_water", entrance=two.id)
    await riser_one.save()
    await riser_two.save()
    b = House(complex=complex_one, address="г. Симферополь, ул. Соседняя, д. 2", floors=5)
    await b.save()

    places: list[Place] = []
    accounts: dict[int, Any] = {}

    async def flat(made: Any, complex_: int, floor: int, risers: tuple[int, ...] = ()) -> Place:
        for riser in risers:
            await PremiseRiser(premise=made.premise, riser=riser).save()
        place = Place(made.account, made.premise, made.house, complex_, made.entrance, floor, frozenset(risers))
        places.append(place)
        accounts[made.account] = made
        return place

    await flat(first, complex_one, 1, (riser_one.id,))
    for entrance, number in ((one, 1), (two.id, 2)):
        for floor in range(1, 5):
            if (number, floor) == (1, 1):
                continue
            made = await make_account(house=a, entrance=entrance, floor=floor, premise_number=f"{number}{floor}")
            risers = (riser_one.id,) if number == 1 and floor % 2 else (riser_two.id,) if number == 2 else ()
            await flat(made, complex_one, floor, risers)
    for floor in (1, 3):
        await flat(await make_account(house=b.id, floor=floor, premise_number=f"B{floor}"), complex_one, floor)
    c = await make_account(floor=2, premise_number="C2")
    complex_two = (await House.select(House.complex).where(House.id == c.house).first())["complex"]
    await flat(c, complex_two, 2)

    # A second account of the flat on floor 3 of entrance two (another payer of the same premise).
    from portal.housing.tables import PersonalAccount

    shared = next(p for p in places if p.entrance == two.id and p.floor == 3)
    extra = PersonalAccount(number="9100099999", premise=shared.premise, payer_name="Второй плательщик")
    await extra.save()
    places.append(Place(extra.id, shared.premise, a, complex_one, two.id, 3, shared.risers))

    residents: dict[int, list[Place]] = {}
    for place in places:
        if place.premise == c.premise:
            continue  # C's flat belongs to the resident of A's first flat (below)
        user = await make_user(accounts={place.account: "owner"})
        residents[user] = [place]
    both = next(u for u, found in residents.items() if found[0].account == first.account)
    from portal.accounts.tables import Residency

    await Residency(user=both, account=c.account, role="owner", rights=["view"]).save()
    residents[both].append(next(p for p in places if p.premise == c.premise))
    return {
        "complexes": [complex_one, complex_two],
        "houses": [a, b.id, c.house],
        "entrances": [one, two.id],
        "risers": [riser_one.id, riser_two.id],
        "places": places,
        "residents": residents,
    }


def _audience(rng: random.Random, town: dict[str, Any]) -> Audience:
    """A few selections of each kind, each kind present now and then (an empty audience too, now and then)."""

    def some(values: list[int], chance: float) -> list[int]:
        return [v for v in values if rng.random() < chance]

    places = town["places"]
    floors = []
    for _ in range(rng.choice((0, 0, 1, 2))):
        entrance = rng.choice([None, None, *town["entrances"]])
        low, high = rng.randint(1, 5), rng.randint(1, 5)
        floors.append(FloorRange(rng.choice(town["houses"]), low, high, entrance))
    return Audience.of(
        company=rng.random() < 0.05,
        complexes=some(town["complexes"], 0.08),
        houses=some(town["houses"], 0.1),
        entrances=some(town["entrances"], 0.15),
        floors=floors,
        risers=some(town["risers"], 0.15),
        premises=some(sorted({p.premise for p in places}), 0.06),
        accounts=some([p.account for p in places], 0.06),
    )


async def test_the_news_shows_a_post_to_exactly_the_residents_its_sending_reaches(db, make_account, make_user):
    town = await _town(make_account, make_user)
    rng = random.Random(20261203)
    now = clock.now()
    audiences: dict[int, Audience] = {}
    for n in range(AUDIENCES):
        audience = _audience(rng, town)
        post = Post(
            kind=PostKind.NEWS,
            status=PostStatus.PUBLISHED,
            title=f"Новость №{n}",
            publish_at=now - timedelta(minutes=n + 1),
            published_at=now - timedelta(minutes=n + 1),
        )
        await post.save()
        rows = [PostTarget(post=post.id, **asdict(t)) for t in audience.targets()]  # as the post form stores them
        if rows:
            await PostTarget.insert(*rows)
        audiences[post.id] = audience
    kinds = {t.kind for a in audiences.values() for t in a.targets()}
    assert len(kinds) == 8, kinds  # every kind of selection was drawn

    residents = town["residents"]
    sent = {post: {r.user_id for r in await resolve_audience(a)} & set(residents) for post, a in audiences.items()}
    for post in audiences:  # a post's sending reads its audience where it is stored: the same people
        for kinds in (None, await kinds_of(PostAudience(post))):  # walking the people, or from the selections
            found = await resolve_audience(PostAudience(post), kinds=kinds)
            assert {r.user_id for r in found} & set(residents) == sent[post], kinds
    for user, places in residents.items():
        resident = Principal(
            user_id=user, name="Житель", account_rights={p.account: frozenset({"view"}) for p in places}
        )
        shown = {item.id for item in await queries.feed(resident, limit=100)}
        assert shown == await queries.reaching(audiences, resident.account_ids)
        for post, audience in audiences.items():
            by_rule = any(reaches(audience, place) for place in places)
            assert (post in shown) == (user in sent[post]) == by_rule, (audience, places)
    reached = sum(len(users) for users in sent.values())
    assert 0 < reached < len(audiences) * len(residents)  # neither nobody nor everybody every time
