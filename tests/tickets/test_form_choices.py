"""The resident's request form names the premises as the paid services do: without the town they all share, the
account number only where two accounts share an address (a phone's closed dropdown cut the rest off)."""

from __future__ import annotations

from portal.core.i18n import set_locale
from portal.tickets.queries import Place
from portal.tickets.view import TK


def _place(account_id: int, number: str, house: str, flat: str) -> Place:
    return Place(account_id, number, account_id, "flat", flat, 1, house, None)


def test_the_shared_town_is_left_out_and_an_account_number_only_tells_one_address_apart():
    places = [
        _place(1, "9101000001", "г. Симферополь, ул. Киевская, д. 189", "1"),
        _place(2, "9102000001", "г. Симферополь, ул. Киевская, д. 189А", "1"),
        _place(3, "9102000002", "г. Симферополь, ул. Киевская, д. 189А", "1"),
    ]
    options = dict(TK.place_options(places))
    assert options[1] == "ул. Киевская, д. 189, кв. 1"
    assert options[2].startswith("ул. Киевская, д. 189А, кв. 1") and "9102000001" in options[2]
    assert options[3].startswith("ул. Киевская, д. 189А, кв. 1") and "9102000002" in options[3]


def test_houses_of_two_towns_keep_their_whole_addresses():
    places = [
        _place(1, "9101000001", "г. Симферополь, ул. Киевская, д. 189", "1"),
        _place(2, "9201000001", "г. Ялта, ул. Морская, д. 2", "5"),
    ]
    assert [text for _id, text in TK.place_options(places)] == [
        "г. Симферополь, ул. Киевская, д. 189, кв. 1",
        "г. Ялта, ул. Морская, д. 2, кв. 5",
    ]


def test_on_an_english_page_only_the_house_of_an_option_is_marked_russian():
    places = [
        _place(1, "9101000001", "г. Симферополь, ул. Киевская, д. 189", "1"),
        _place(2, "9102000001", "г. Симферополь, ул. Киевская, д. 189А", "1"),
        _place(3, "9102000002", "г. Симферополь, ул. Киевская, д. 189А", "1"),
    ]
    set_locale("en")
    try:
        options = dict(TK.place_options(places))
    finally:
        set_locale("ru")
    assert options[1] == '<span lang="ru">ул. Киевская, д. 189</span>, flat 1'
    assert options[2] == '<span lang="ru">ул. Киевская, д. 189А</span>, flat 1 (account 9102000001)'
