"""Fixtures of the tickets tests: photos (houses and accounts come from ``make_account`` in tests/conftest.py)."""

from __future__ import annotations

import io
from typing import Any

import pytest
from PIL import Image


@pytest.fixture
def make_premise(make_account: Any) -> Any:
    """``await make_premise(house=None)`` -> {"house", "entrance", "premise", "account"} ids: the shared
    ``make_account`` factory, as a dict for the tests that still read it so."""

    async def make(house: int | None = None, entrance: int | None = None) -> dict[str, int]:
        place = await make_account(house=house, entrance=entrance)
        return {"house": place.house, "entrance": place.entrance, "premise": place.premise, "account": place.account}

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
