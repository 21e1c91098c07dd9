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

        # Both move it at once: the second to close a listing Анна has just closed is told it is closed.
        page = {"referer": f"http://testserver/staff/showcase/{listing['listing']}"}
        move = f"/staff/showcase/{listing['listing']}/move"
        assert (await anna.form(move, {"move": "close"}, headers=page)).status_code == 303
        second = await boris.form(move, {"move": "close"}, headers=page)
        told = (await boris.get(second.headers["location"])).text
        assert "С объявлением сейчас так нельзя: его состояние — «Закрыто»." in told, told
