"""The words of a post's audience on the staff pages name one entrance, floor, riser or account in the singular
(«подъезд 2», «этаж 3») and several in the plural («подъезды 1, 2»), in each language."""

from __future__ import annotations

import pytest

from portal.content.forms import AudienceChoice
from portal.content.queries import audience_of
from portal.core import i18n


@pytest.mark.parametrize(
    ("lang", "said"),
    [
        (
            "ru",
            [
                "подъезд 2; этаж 6",
                "подъезды 1, 2; этажи 3–6",
                "стояк ХВС-1",
                "лицевой счёт {a}",
                "лицевые счета {a}, {b}",
            ],
        ),
        (
            "en",
            ["entrance 2; floor 6", "entrances 1, 2; floors 3–6", "riser ХВС-1", "account {a}", "accounts {a}, {b}"],
        ),
    ],
)
async def test_one_is_named_in_the_singular_and_several_in_the_plural(db, town, lang, said):
    t = await town()
    a, b = t["places"][0].number, t["places"][1].number
    choices = [
        AudienceChoice(houses=(t["house"],), entrances=(2,), floor_from=6, floor_to=6),
        AudienceChoice(houses=(t["house"],), entrances=(1, 2), floor_from=6, floor_to=3),
        AudienceChoice(houses=(t["house"],), risers=("ХВС-1",)),
        AudienceChoice(accounts=(a,)),
        AudienceChoice(accounts=(a, b)),
    ]
    i18n.set_locale(lang)
    try:
        labels = [(await audience_of(choice))[1] for choice in choices]
    finally:
        i18n.set_locale("ru")
    address = "г. Симферополь, ул. Ручьевая, д. 1; "
    assert labels == [address + said[0], address + said[1], address + said[2], said[3].format(a=a, b=b),
                      said[4].format(a=a, b=b)]  # fmt: skip
