"""A house dropdown's options: the town all the houses share is said once (it only cut the longest addresses off
in a phone's closed dropdown), and never at the cost of the street and the house or of telling towns apart."""

from __future__ import annotations

from typing import NamedTuple

import pytest

from portal.core.address import address_markup
from portal.core.address import full_address
from portal.core.address import house_choices
from portal.core.address import house_place
from portal.core.i18n import set_locale


class Ref(NamedTuple):
    id: int
    address: str


class House:
    def __init__(self, id: int, address: str) -> None:
        self.id, self.address = id, address


@pytest.mark.parametrize(
    ("addresses", "shown"),
    [
        (
            ["г. Симферополь, ул. Киевская, д. 189А", "г. Симферополь, ул. Балаклавская, д. 68"],
            ["ул. Киевская, д. 189А", "ул. Балаклавская, д. 68"],
        ),
        (["г. Симферополь, ул. Киевская, д. 189А"], ["ул. Киевская, д. 189А"]),
        (
            ["г. Симферополь, ул. Киевская, д. 1", "г. Евпатория, ул. Киевская, д. 1"],
            ["г. Симферополь, ул. Киевская, д. 1", "г. Евпатория, ул. Киевская, д. 1"],
        ),
        (["ул. Киевская, д. 1", "ул. Киевская, д. 3"], ["ул. Киевская, д. 1", "ул. Киевская, д. 3"]),
        (
            ["г. Симферополь, ул. Киевская, д. 1", "г. Симферополь, Киевская 3"],
            ["г. Симферополь, ул. Киевская, д. 1", "г. Симферополь, Киевская 3"],
        ),
        ([], []),
    ],
    ids=[
        "one town: said once",
        "a single house too",
        "two towns: whole addresses",
        "no town written: the street stays",
        "an address without street and house apart keeps the town for all",
        "no houses",
    ],
)
def test_the_town_every_house_shares_is_left_out_of_the_options(addresses, shown):
    pairs = [(n, a) for n, a in enumerate(addresses)]
    assert house_choices(pairs) == list(enumerate(shown))


def test_records_with_an_id_and_an_address_are_options_too():
    assert house_choices([Ref(7, "г. Симферополь, ул. Киевская, д. 1")]) == [(7, "ул. Киевская, д. 1")]
    assert house_choices([House(8, "г. Ялта, ул. Морская, д. 2")]) == [(8, "ул. Морская, д. 2")]


def test_on_an_english_page_the_house_stays_russian_marked_and_the_premise_reads_english():
    """A house's address is recorded in Russian and shown as recorded; the premise is said in the page's words.
    On an English page the Russian part is marked for the screen reader's voice, the English one is not."""
    house = "г. Симферополь, ул. Киевская, д. 189"
    set_locale("en")
    try:
        shown = address_markup(full_address(house, "flat", "1"))
        assert shown == f'<span lang="ru">{house}</span>, flat 1'
        assert address_markup(house) == f'<span lang="ru">{house}</span>'
    finally:
        set_locale("ru")
    assert address_markup(full_address(house, "flat", "1")) == f"{house}, кв. 1"
    assert address_markup(None) == ""


@pytest.mark.parametrize(
    ("locale", "entrance", "riser", "said"),
    [
        ("ru", None, None, "ул. Ручьевая, д. 1"),
        ("ru", 2, None, "ул. Ручьевая, д. 1, подъезд 2"),
        ("en", 2, None, "ул. Ручьевая, д. 1, entrance 2"),
        ("en", None, "ХВС-1", "ул. Ручьевая, д. 1, riser ХВС-1"),
        ("en", 2, "ХВС-1", "ул. Ручьевая, д. 1, entrance 2, riser ХВС-1"),
    ],
)
def test_a_place_in_a_house_keeps_the_address_as_recorded_and_says_the_rest_in_the_readers_language(
    locale, entrance, riser, said
):
    set_locale(locale)
    try:
        assert house_place("ул. Ручьевая, д. 1", entrance, riser) == said
        named = house_place("ул. Ручьевая, д. 1", entrance, riser, name=lambda text: f"<{text}>")
        assert "<ул. Ручьевая, д. 1>" in named and (riser is None or f"<{riser}>" in named)
    finally:
        set_locale("ru")
