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
        assert f" {phrase} №\u00a0X-1 " in text if locale == "ru" else f" {phrase} No. X-1 " in text, text


DAY_MESSAGES = (
    "Readings for this month are accepted until the %(day)s.",
    "The window for readings is from the %(start)s to the %(end)s of each month. You can pass them earlier; they "
    "are used for this month.",
    "Readings entered now are for %(month)s (house meters are read from the %(start)s to the %(end)s).",
)
DIGIT_MESSAGES = (
    "A meter shows from 4 to 9 digits before the comma.",
    "Too many digits after the comma: this meter shows %(decimals)s. Check the reading.",
    ("The meter shows at most %(num)s digit before the comma. Check the reading.",
     "The meter shows at most %(num)s digits before the comma. Check the reading."),
)  # fmt: skip


@pytest.mark.parametrize("message", DAY_MESSAGES)
def test_the_english_window_of_readings_names_days_of_the_month_not_bare_numbers(message: str) -> None:
    """«from the 15 to the 25» and «until the 25» are not English: the days are said «day 15», «day 25»."""
    from portal.core.i18n import domain_translations

    english = domain_translations("en", "meters").ugettext(message) % {"day": 25, "start": 15, "end": 25, "month": "X"}
    russian = domain_translations("ru", "meters").ugettext(message) % {"day": 25, "start": 15, "end": 25, "month": "X"}
    assert "the 15" not in english and "the 25" not in english, english
    assert "day 25" in english, english
    assert "25 числа" in russian or "по 25 число" in russian, russian


@pytest.mark.parametrize("message", DIGIT_MESSAGES)
def test_english_speaks_of_the_decimal_point_where_russian_says_запятая(message: str | tuple[str, str]) -> None:
    from portal.core.i18n import domain_translations

    def said(language: str) -> str:
        catalog = domain_translations(language, "meters")
        return catalog.ungettext(*message, 5) if isinstance(message, tuple) else catalog.ugettext(message)

    english = said("en")
    assert "decimal point" in english and "comma" not in english, english
    assert "запят" in said("ru")
