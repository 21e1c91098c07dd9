"""A meter's place is the company's own words (no English column): on an English page it stays Russian, marked
``lang="ru"`` so that a screen reader reads it with a Russian voice. Both engines."""

from __future__ import annotations

from portal.meters.tables import Meter


async def test_a_meters_place_is_marked_russian_on_english_pages_only(client, login, flat):
    await Meter.update({Meter.place: "санузел"}).where(Meter.id == flat.cold)
    await login(client, flat.resident)
    english = (await client.get("/meters", headers={"accept-language": "en"})).text
    assert ', <span lang="ru">санузел</span>' in english
    russian = (await client.get("/meters", headers={"accept-language": "ru"})).text
    assert ", санузел</span>" in russian and '<span lang="ru">санузел' not in russian
