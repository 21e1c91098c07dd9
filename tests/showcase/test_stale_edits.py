"""Two staff members on one listing at once, on a committed database of each engine: both open its form, Анна saves
a new price, then Борис saves the form he opened before. Refused (409): her price stays, his typed one comes back
with who changed it and when, and «changed» at the price (core.stale). A step taken by two at once (publish,
reserve…) is refused to the second saying what the listing is now."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from portal.core.tables import AuditEvent
from portal.showcase.tables import Listing
from tests.conftest import committed
from tests.two_staff import FIRST
from tests.two_staff import SECOND
from tests.two_staff import make_registry
from tests.two_staff import remove_registry
from tests.two_staff import two_staff
from tests.two_staff import version


@pytest.fixture(params=["sqlite", "postgres"])
async def listing(request: pytest.FixtureRequest, engines: dict[str, Any]) -> AsyncIterator[dict[str, Any]]:
    """A draft listing of a premise typed by hand in a house, committed."""
    async with committed(engines, request.param):
        ids = await make_registry()
        made = Listing(kind="commercial", house=ids["house"], complex=ids["complex"], premise_number="1Н",
                       address="Помещение 1Н", area="84.09", floor=1, price_kopecks=120000,
                       price_unit="m2_month")  # fmt: skip
        await made.save()
        try:
            yield {**ids, "listing": made.id}
        finally:
            await AuditEvent.delete().where((AuditEvent.entity == "listing") & (AuditEvent.entity_id == made.id))
            await Listing.delete().where(Listing.id == made.id)
            await remove_registry(ids)


async def test_a_price_saved_from_a_form_read_before_someone_elses_change_is_refused(app, listing):
    url = f"/staff/showcase/{listing['listing']}/edit"
    form = {"kind": "commercial", "house": str(listing["house"]), "source": "free", "premise_number": "1Н",
            "area": "84,09", "floor": "1", "price_unit": "m2_month", "description": "Помещение у входа"}  # fmt: skip
    async with two_staff(app, roles=("manager",), houses=(listing["house"],)) as (anna, boris):
        hers, his = version(await anna.get(url)), version(await boris.get(url))
        saved = await anna.form(url, {**form, "price": "1500", "version": hers})
        assert saved.status_code == 303, saved.text[-2000:]

        refused = await boris.form(url, {**form, "price": "1350", "version": his})
        assert refused.status_code == 409, refused.text[-3000:]
        assert f"Пока вы правили, запись изменил(а) {FIRST}" in refused.text
        assert 'value="1350"' in refused.text  # what he typed is kept
        assert "Изменено, пока вы правили" in refused.text  # at the price she changed
        row = await Listing.select(Listing.price_kopecks).where(Listing.id == listing["listing"]).first()
        assert row["price_kopecks"] == 150000
        # Typed to exactly what she saved, his stale form is no conflict: «saved», and nothing written.
        same = await boris.form(url, {**form, "price": "1500", "version": his})
        assert same.status_code == 303, same.text[-2000:]
        assert await AuditEvent.count().where(AuditEvent.actor_name == SECOND) == 0

        # Both move it at once: the second to close a listing Анна has just closed is told it is closed.
        page = {"referer": f"http://testserver/staff/showcase/{listing['listing']}"}
        move = f"/staff/showcase/{listing['listing']}/move"
        assert (await anna.form(move, {"move": "close"}, headers=page)).status_code == 303
        second = await boris.form(move, {"move": "close"}, headers=page)
        told = (await boris.get(second.headers["location"])).text
        assert "С объявлением сейчас так нельзя: его состояние — «Закрыто»." in told, told


async def test_an_owners_request_answered_by_two_at_once_is_answered_once(db, make_account, make_user, place_of):
    """Анна and Борис both read the owner's request while it waits; Анна lists the flat, then Борис's answer, from
    his reading, is refused with how it was answered, and his listing is not left behind."""
    from portal.core.security import Principal
    from portal.core.web import Refused
    from portal.showcase import actions
    from portal.showcase import queries
    from portal.showcase.tables import ListingOffer

    flat = await make_account(premise_number="12", area="54.30", floor=5)
    owner = await make_user(accounts={flat.account: "owner"})
    offer = ListingOffer(premise=flat.premise, house=flat.house, account=flat.account, user=owner, kind="rent",
                         price_kopecks=3_500_000)  # fmt: skip
    await offer.save()
    houses = frozenset({flat.house})
    anna, boris = (Principal(user_id=None, name=name, staff_roles=frozenset({"manager"}), house_ids=houses)
                   for name in ("Анна Первая", "Борис Второй"))  # fmt: skip
    hers, his = await queries.staff_offer(anna, offer.id), await queries.staff_offer(boris, offer.id)
    place = await place_of(flat.house, "12", "54.30", 5)
    await actions.turn_into_listing(anna, hers, place)
    for answer in (actions.turn_into_listing(boris, his, place), actions.decline_offer(boris, his, "Нет", "кв. 12")):
        with pytest.raises(Refused, match=r"На эту заявку уже ответили: «Размещено»\."):
            await answer
    assert await Listing.count().where(Listing.house == flat.house) == 1
    row = await ListingOffer.select(ListingOffer.status, ListingOffer.answer).where(ListingOffer.id == offer.id).first()
    assert row == {"status": "listed", "answer": ""}
