"""A meter's place is the company's own words (no English column): on an English page it stays Russian, marked
``lang="ru"`` so that a screen reader reads it with a Russian voice. Both engines."""

from __future__ import annotations

from portal.housing.tables import House
from portal.housing.tables import Premise
from portal.meters.tables import Meter


async def test_a_meters_place_is_marked_russian_on_english_pages_only(client, login, flat):
    await Meter.update({Meter.place: "санузел"}).where(Meter.id == flat.cold)
    await login(client, flat.resident)
    await client.speak("en")
    english = (await client.get("/meters")).text
    assert ', <span lang="ru">санузел</span>' in english
    await client.speak("ru")
    russian = (await client.get("/meters")).text
    assert ", санузел</span>" in russian and '<span lang="ru">санузел' not in russian


async def test_the_house_address_is_marked_russian_and_the_flat_reads_english(client, login, make_user, flat):
    """The house's address is recorded in Russian; on an English page it is marked ``lang="ru"``, the premise's words
    («flat 12») are the page's own."""
    house = (await House.select(House.address).where(House.id == flat.house).first())["address"]
    number = (await Premise.select(Premise.number).where(Premise.id == flat.premise).first())["number"]
    await login(client, await make_user(roles=("operator",), houses=(flat.house,)))
    url = f"/staff/meters/premises/{flat.premise}"
    await client.speak("en")
    english = (await client.get(url)).text
    assert english.count(f'<span lang="ru">{house}</span>, flat {number}') == 2
    await client.speak("ru")
    russian = (await client.get(url)).text
    assert russian.count(f"{house}, кв. {number}") >= 2 and '<span lang="ru">' not in russian


async def test_a_meters_serial_place_and_the_payer_are_marked_russian_on_english_staff_pages(
    client, login, make_user, flat
):
    """A serial number «ХВ-1», a meter's place and the payer's name are Russian data: on an English staff page each
    is marked ``lang="ru"``; the words around them («No.») read English."""
    await Meter.update({Meter.place: "санузел"}).where(Meter.id == flat.cold)
    await login(client, await make_user(roles=("operator",), houses=(flat.house,)))
    await client.speak("en")
    english = (await client.get(f"/staff/meters/accounts/{flat.account}")).text
    assert 'No.\u00a0<span lang="ru">ХВ-1</span>, <span lang="ru">санузел</span></span>' in english
    assert ' · <span lang="ru">Иванов Иван Иванович</span></p>' in english
    await client.speak("en")
    premise = (await client.get(f"/staff/meters/premises/{flat.premise}")).text
    assert 'No.\u00a0<span lang="ru">Э-1</span></a>' in premise
    assert '<td data-label="Place"><span lang="ru">санузел</span></td>' in premise
    await client.speak("en")
    meter = (await client.get(f"/staff/meters/meter/{flat.cold}")).text
    assert '<dd><span lang="ru">санузел</span></dd>' in meter
    await client.speak("ru")
    russian = (await client.get(f"/staff/meters/accounts/{flat.account}")).text
    assert "ХВ-1, санузел</span>" in russian and '<span lang="ru">ХВ-1' not in russian
