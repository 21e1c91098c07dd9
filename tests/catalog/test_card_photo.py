"""The services list shows each service's photo narrowed for its card (a phone downloads a card's photo, not the
photo as staff uploaded it, up to 2560 pixels wide); the service's own page shows it whole."""

from __future__ import annotations

import io
import re

import httpx
from PIL import Image

from portal.catalog.routes import CARD_PHOTO_WIDTH
from tests.walker import sign_in


def test_the_list_links_each_card_to_its_narrowed_photo(live_server: str) -> None:
    with httpx.Client(base_url=live_server, timeout=60) as resident:
        sign_in(resident, "resident@demo.ru")
        listing = resident.get("/services").text
        cards = re.findall(r'<img class="service-photo" src="(/services/photos/(\d+)/card)"', listing)
        assert cards
        assert "/services/photos/" not in re.sub(r"/services/photos/\d+/card", "", listing)
        address, service = cards[0]
        card = resident.get(address)
        whole = resident.get(f"/services/photos/{service}")
        assert card.status_code == whole.status_code == 200
        assert card.headers["content-type"] == "image/jpeg"
        with Image.open(io.BytesIO(card.content)) as small, Image.open(io.BytesIO(whole.content)) as big:
            assert small.width == min(CARD_PHOTO_WIDTH, big.width)
        assert len(card.content) < len(whole.content)
        assert resident.get("/services/photos/999999/card").status_code == 404
    with httpx.Client(base_url=live_server, timeout=60) as visitor:
        assert visitor.get(address, follow_redirects=False).status_code in (302, 303, 401)
