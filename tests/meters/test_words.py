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


SAID = {
    "cold_water": ("счётчика холодной воды", "of the cold water meter"),
    "hot_water": ("счётчика горячей воды", "of the hot water meter"),
    "electricity": ("счётчика электроэнергии", "of the electricity meter"),
    "heating": ("счётчика тепловой энергии", "of the heating meter"),
    "gas": ("счётчика газа", "of the gas meter"),
}


@pytest.mark.parametrize("name", ["verification_due", "reading_rejected", "reading_corrected"])
@pytest.mark.parametrize("service", sorted(SAID))
def test_a_meters_message_names_the_meter_in_a_phrase_of_its_own_in_each_language(name: str, service: str) -> None:
    from portal.notifications.messages import get
    from portal.notifications.messages import render

    template = get(f"meters/{name}")
    context = {**template.sample, "service": service, "serial": "X-1"}
    for locale, phrase in zip(("ru", "en"), SAID[service], strict=True):
        text = render(template, locale, context).text
        assert f" {phrase} № X-1 " in text if locale == "ru" else f" {phrase} No. X-1 " in text, text
