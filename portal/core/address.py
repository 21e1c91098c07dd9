"""Addresses as people read them: the house's address with the premise named by its kind, in whole phrases.

«г. Симферополь, ул. Балаклавская, д. 68, кв. 12», «…, пом. 3Н», «…, машино-место М-1», «…, кладовая 7»;
in English "…, flat 12", "…, premise 3Н", "…, parking space М-1", "…, storage room 7". The house's own address
is data and is shown as recorded.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from portal.core.i18n import gettext


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
        return house
    if not house:
        return premise
    return gettext("%(house)s, %(premise)s", house=house, premise=premise)


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
