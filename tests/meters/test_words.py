"""The words of meter pages: the tariff zones are named alike in Russian, with the Cyrillic «Т» a reader types
and a screen reader reads as Russian."""

from __future__ import annotations

import pytest

from portal.core.i18n import get_locale
from portal.core.i18n import set_locale
from portal.meters import words


@pytest.mark.parametrize(("zones", "zone"), [(2, 1), (2, 2), (3, 1), (3, 2), (3, 3)])
def test_every_russian_zone_label_starts_with_the_cyrillic_te(zones: int, zone: int) -> None:
    before = get_locale()
    set_locale("ru")
    try:
        label = words.zone_label(zones, zone)
    finally:
        set_locale(before)
    assert label.startswith(f"Т{zone} ("), f"{label!r} starts with {label[0]!r} (U+{ord(label[0]):04X})"
