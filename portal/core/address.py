"""Addresses as people read them: the house's address with the premise named by its kind, in whole phrases.

«г. Симферополь, ул. Балаклавская, д. 68, кв. 12», «…, пом. 3Н», «…, машино-место М-1», «…, кладовая 7»;
in English "…, flat 12", "…, premise 3Н", "…, parking space М-1", "…, storage room 7". The house's own address
is data and is shown as recorded: Russian on an English page too, where the ``address`` filter marks it
``lang="ru"`` and leaves the premise's English words unmarked.
"""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Iterable
from typing import Any

from markupsafe import Markup

from portal.core.i18n import gettext
from portal.core.i18n import in_russian_and_english
from portal.core.i18n import russian_markup


class Address(str):
    """A full address as text (it is a ``str`` everywhere), knowing which part of it is the house's address as
    recorded, for the ``address`` filter."""

    house: str

    def __new__(cls, text: str, house: str = "") -> Address:
        made = super().__new__(cls, text)
        made.house = house
        return made


def premise_name(kind: str | None, number: str | None) -> str:
    """The premise alone: «кв. 12», «пом. 3Н», «машино-место М-1», «кладовая 7»."""
    if not number:
        return ""
    phrases = {
        "flat": gettext("flat %(number)s", number=number),
        "nonresidential": gettext("premise %(number)s", number=number),
        "parking": gettext("parking space %(number)s", number=number),
        "storage": gettext("storage room %(number)s", number=number),
    }
    return phrases.get(kind or "flat", phrases["flat"])


def full_address(house_address: str | None, kind: str | None = None, number: str | None = None) -> str:
    """The house's address and the premise in it, as one phrase."""
    house = (house_address or "").strip()
    premise = premise_name(kind, number)
    if not premise:
        return Address(house, house)
    if not house:
        return premise
    return Address(gettext("%(house)s, %(premise)s", house=house, premise=premise), house)


def part_of_house(entrance: int | None = None, riser: str | None = None, name: Callable[[str], str] = str) -> str:
    """An entrance or a riser of a house (or both), in the reader's language: «подъезд 2», "riser ХВС-1"; empty for
    the whole house. ``name`` is applied to the riser's code, kept as the company typed it (``house_place``)."""
    parts = [gettext("entrance %(n)s", n=entrance)] if entrance is not None else []
    if riser:
        parts.append(gettext("riser %(code)s", code=name(riser)))
    return ", ".join(parts)


def house_place(
    house_address: str | None, entrance: int | None = None, riser: str | None = None, name: Callable[[str], str] = str
) -> str:
    """A house, or an entrance or a riser of it (where an outage is): «ул. Ручьевая, д. 1, подъезд 2», in English
    "ул. Ручьевая, д. 1, entrance 2" — the house's address as recorded, the rest in the reader's language, as
    ``full_address`` says a premise. ``name`` is applied to what the company typed (the address, the riser's code):
    ``content.rules.names_marked`` passes one that marks them ``lang="ru"`` on a page in another language."""
    house = name((house_address or "").strip())
    part = part_of_house(entrance, riser, name)
    return gettext("%(house)s, %(premise)s", house=house, premise=part) if part else house


def recorded_address(house_address: str | None, kind: str | None = None, number: str | None = None) -> str:
    """The full address as a record keeps it (a showcase listing's): in Russian, the registry's language, whoever
    writes it — one written in the language of an English-reading staff member read «…, flat 12» to every
    visitor and in the classifieds' feed."""
    russian, _english = in_russian_and_english(lambda: str(full_address(house_address, kind, number)))
    return russian


def address_markup(address: str | None) -> Markup:
    """An address as HTML for a page's text (never an attribute's value): on a page not in Russian the house's
    recorded address, Russian data, is marked ``<span lang="ru">`` and the premise's words of the page's language
    are not («<span lang="ru">г. Симферополь, ул. Киевская, д. 189</span>, flat 1»)."""
    text = address or ""
    return russian_markup(str(text), getattr(text, "house", None) or None)


class PremiseAddress:
    """The ``address`` of a record read with its premise's kind and number and its house's address."""

    house_address: str
    premise_kind: str
    premise_number: str

    @property
    def address(self) -> str:
        """«г. Симферополь, ул. Балаклавская, д. 68, кв. 12» in the reader's language."""
        return full_address(self.house_address, self.premise_kind, self.premise_number)


def house_choices(houses: Iterable[Any]) -> list[tuple[Any, str]]:
    """The options of a house dropdown: (id, address) pairs, or records with ``id`` and ``address``. When every
    address begins with the same locality («г. Симферополь, …») and keeps its street and house without it, the
    locality is left out («ул. Киевская, д. 189А»): said once for all, it only cut the longest addresses off in
    a phone's closed dropdown. Houses of several towns keep their whole addresses."""
    pairs = [tuple(h) if isinstance(h, (tuple, list)) else (h.id, h.address) for h in houses]
    parts = [str(text).split(", ") for _key, text in pairs]
    localities = {p[0] for p in parts}
    if len(localities) != 1 or any(len(p) < 3 for p in parts):
        return [(key, str(text)) for key, text in pairs]
    return [(key, ", ".join(p[1:])) for (key, _text), p in zip(pairs, parts, strict=True)]
