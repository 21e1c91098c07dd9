"""Fixtures of the tickets tests: a small house with premises and accounts, users, photos."""

from __future__ import annotations

import io
import secrets
from typing import Any

import pytest
from PIL import Image


@pytest.fixture
def make_premise(db: Any) -> Any:
    """``await make_premise(house=None)`` -> {"house", "entrance", "premise", "account"} ids (a new house if none)."""
    from portal.housing.tables import Complex, Entrance, House, PersonalAccount, Premise

    async def make(house: int | None = None, entrance: int | None = None) -> dict[str, int]:
        tag = secrets.token_hex(4)
        if house is None:
            complex_ = Complex(name=f"ЖК {tag}", city="Симферополь")
            await complex_.save()
            row = House(complex=complex_.id, address=f"ул. Тестовая, д. {tag}", floors=9)
            await row.save()
            house = row.id
            ent = Entrance(house=house, number=1, floors=9)
            await ent.save()
            entrance = ent.id
        premise = Premise(house=house, entrance=entrance, kind="flat", number=tag[:6], floor=2, area="54.30")
        await premise.save()
        account = PersonalAccount(
            number=f"9{secrets.randbelow(10**11):011d}", premise=premise.id, payer_name="Иванов И. И."
        )
        await account.save()
        return {"house": house, "entrance": entrance, "premise": premise.id, "account": account.id}

    return make


def jpeg_bytes(size: tuple[int, int] = (64, 48), gps: bool = False) -> bytes:
    image = Image.new("RGB", size, (200, 30, 30))
    out = io.BytesIO()
    if gps:
        exif = Image.Exif()
        exif[0x010F] = "PhoneMaker"  # Make
        gps_ifd = {1: "N", 2: (44.0, 57.0, 8.0), 3: "E", 4: (34.0, 6.0, 9.0)}
        exif[0x8825] = gps_ifd
        image.save(out, format="JPEG", exif=exif)
    else:
        image.save(out, format="JPEG")
    return out.getvalue()


@pytest.fixture
def photo() -> bytes:
    return jpeg_bytes()
