"""Fixtures of the showcase tests: listings made as staff make them (or inserted in bulk for the filter tests),
photos, the staff of the showcase."""

from __future__ import annotations

import io
import secrets
from decimal import Decimal
from typing import Any

import httpx
import pytest
from PIL import Image

from portal.core.security import Principal
from portal.core.security import StaffRole
from tests.conftest import PortalClient


def jpeg_bytes(size: tuple[int, int] = (320, 240), colour: tuple[int, int, int] = (120, 160, 200)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, format="JPEG")
    return out.getvalue()


ADMIN = Principal(user_id=None, name="Тест", staff_roles=frozenset({StaffRole.ADMIN}), house_ids=None)


@pytest.fixture
def place_of(db: Any) -> Any:
    """``await place_of(house_id, number, area, floor)`` → an ``actions.Place`` entered by hand in that house."""
    from portal.core.address import full_address
    from portal.housing.tables import House
    from portal.showcase.actions import Place

    async def make(house: int, number: str = "1Н", area: str = "84.09", floor: int = 1) -> Place:
        row = await House.select(House.address, House.complex).where(House.id == house).first()
        return Place(house_id=house, complex_id=row["complex"], address=full_address(row["address"], "nonresidential",
                     number), premise_id=None, premise_number=number, area=Decimal(area), floor=floor)  # fmt: skip

    return make


@pytest.fixture
def make_listing(db: Any, make_account: Any, place_of: Any) -> Any:
    """``await make_listing(house=None, kind="commercial", price="1200", unit="m2_month", photos=1, publish=True)``
    → the listing's id, made through the actions staff use (a new house when none is given)."""
    from portal.showcase import actions
    from portal.showcase import queries
    from portal.showcase.rules import Move
    from portal.showcase.tables import ListingKind
    from portal.showcase.tables import PriceUnit

    async def make(*, house: int | None = None, kind: str = "commercial", area: str = "84.09", floor: int = 1,
                   price: str = "1200", unit: str = "m2_month", photos: int = 1, publish: bool = True,
                   manager: int | None = None, number: str = "1Н") -> int:  # fmt: skip
        if house is None:
            house = (await make_account()).house
        place = await place_of(house, number, area, floor)
        data = actions.ListingInput(kind=ListingKind(kind), price_kopecks=int(Decimal(price) * 100),
                                    price_unit=PriceUnit(unit), description="Тестовое помещение", manager=manager,
                                    rooms=2 if kind != "commercial" else None)  # fmt: skip
        listing_id = await actions.create_listing(ADMIN, data, place)
        if photos:
            view = await queries.staff_listing(ADMIN, listing_id)
            await actions.add_photos(ADMIN, view, [jpeg_bytes(colour=(20 * i, 100, 150)) for i in range(photos)])
        if publish:
            await actions.move_listing(ADMIN, await queries.staff_listing(ADMIN, listing_id), Move.PUBLISH)
        return listing_id

    return make


@pytest.fixture
async def visitor(app: Any, db: Any) -> Any:
    """``await visitor()``: an anonymous browser from an address of its own (the lead limit counts per IP)."""
    made: list[PortalClient] = []

    async def make(ip: str | None = None) -> PortalClient:
        address = ip or f"10.{secrets.randbelow(250)}.{secrets.randbelow(250)}.{secrets.randbelow(250) + 1}"
        transport = httpx.ASGITransport(app=app, client=(address, 40000))
        c = PortalClient(transport=transport, base_url="http://testserver", follow_redirects=False)
        made.append(c)
        return c

    yield make
    for c in made:
        await c.aclose()
