"""The demo registry: the promised shape, the ids other domains read, every premise's shares within the whole."""

import random
from datetime import date
from fractions import Fraction

from portal.demo import DemoContext
from portal.housing import demo
from portal.housing import rules
from portal.housing.tables import Complex
from portal.housing.tables import House
from portal.housing.tables import Ownership
from portal.housing.tables import PersonalAccount
from portal.housing.tables import Premise
from tests.querylog import captured


async def test_demo_registry_has_the_promised_shape_and_shares(db):
    ctx = DemoContext(rng=random.Random(20261125), today=date(2026, 11, 25))
    with captured(db) as seen:
        await demo.seed(ctx)
    assert len(seen) < 50, f"{len(seen)} queries: the rows go in by batches, not one by one"
    assert await Complex.count() == 2
    assert await House.count() == 4
    assert 550 <= await Premise.count() <= 650
    kinds = {r["kind"] for r in await Premise.select(Premise.kind).distinct()}
    assert {"flat", "nonresidential", "parking"} <= kinds
    houses = ctx.shared["houses"]
    assert len(houses) == 4 and ctx.shared["complexes"]
    by_house = ctx.shared["accounts_by_house"]
    assert ctx.shared["resident_accounts"] == [by_house[houses[0]][0], by_house[houses[1]][0]]
    assert ctx.shared["second_resident_account"] == by_house[houses[0]][1]
    numbers = [r["number"] for r in await PersonalAccount.select(PersonalAccount.number)]
    assert all(len(n) == 10 and n.isdigit() for n in numbers)
    assert len(set(numbers)) == len(numbers) == await Premise.count().where(Premise.kind == "flat")
    shares: dict[int, list[tuple[Fraction, bool]]] = {}
    for r in await Ownership.select():
        shares.setdefault(r["premise"], []).append((Fraction(r["share_numerator"], r["share_denominator"]), r["joint"]))
    assert all(rules.total_share(s) == 1 for s in shares.values())
    assert any(len(s) == 2 and all(j for _f, j in s) for s in shares.values())  # spouses
    assert any(len(s) == 2 and not any(j for _f, j in s) for s in shares.values())  # halves
