"""The demo showcase: at least 30 commercial premises on show (the deck's promise), a dozen flats to let and to
sell, every card on show with a photo, leads in every status and an owner's request to list a flat."""

import random
from datetime import date

from portal.demo import DemoContext
from portal.showcase import queries
from portal.showcase.rules import ListingFilter
from portal.showcase.tables import Lead
from portal.showcase.tables import LeadStatus
from portal.showcase.tables import ListingKind
from portal.showcase.tables import ListingOffer
from portal.showcase.tables import ListingPhoto


async def _all_cards(kind: ListingKind) -> list[queries.Card]:
    first = await queries.cards(ListingFilter(kind=kind), 1)
    found = list(first.items)
    for number in range(2, first.pages + 1):
        found += (await queries.cards(ListingFilter(kind=kind), number)).items
    return found


async def test_demo_showcase(db):
    from portal.accounts import demo as accounts_demo
    from portal.housing import demo as housing_demo
    from portal.showcase import demo

    ctx = DemoContext(rng=random.Random(20261125), today=date(2026, 11, 25))
    await housing_demo.seed(ctx)
    await accounts_demo.seed(ctx)
    await demo.seed(ctx)

    commercial = await _all_cards(ListingKind.COMMERCIAL)
    rent, sale = await _all_cards(ListingKind.RENT), await _all_cards(ListingKind.SALE)
    assert len(commercial) >= 30
    assert len(rent) + len(sale) >= 12 and rent and sale
    shown = [*commercial, *rent, *sale]
    assert all(c.cover_photo is not None for c in shown), "every card on show has its photo"
    covers = {r["id"] for r in await ListingPhoto.select(ListingPhoto.id).where(
        ListingPhoto.id.is_in([c.cover_photo for c in shown]))}  # fmt: skip
    assert covers == {c.cover_photo for c in shown}
    assert all(c.title.startswith("ЖК «") and c.title.endswith("\u00a0м²") for c in commercial)
    assert len({c.complex_name for c in commercial}) >= 2, "across the demo complexes"
    statuses = {r["status"] for r in await Lead.select(Lead.status)}
    assert statuses == {s.value for s in LeadStatus}
    assert await ListingOffer.count() == 1
