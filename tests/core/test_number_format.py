"""Sums, counts and days: written by Python's own format where it writes what Babel writes, days kept (core.i18n)."""

from __future__ import annotations

import random
from decimal import Decimal

import pytest
from babel import Locale
from babel.numbers import parse_pattern

from portal.core import i18n

EDGES = [0, 1, 999, 1000, 9999, 10000, 123456789, Decimal("0.005"), Decimal("0.015"), Decimal("0.025")]
EDGES += [Decimal("1234.5"), Decimal("1E+3"), Decimal("1.23E+7"), Decimal("0E-8"), Decimal("2.675")]


@pytest.mark.parametrize("locale", ["ru", "en"])
@pytest.mark.parametrize("pattern", ["#,##0", "#,##0.00", "#,##0.000"])
def test_the_fast_path_writes_what_babel_writes(locale: str, pattern: str) -> None:
    rng = random.Random(7)
    values = EDGES + [Decimal(rng.randint(0, 10**12)) / Decimal(10 ** rng.randint(0, 6)) for _ in range(2000)]
    babel_pattern, parsed = parse_pattern(pattern), Locale.parse(locale)
    for value in values:
        assert i18n._format_decimal(value, pattern, locale) == babel_pattern.apply(value, parsed), value


def test_money_in_both_languages() -> None:
    assert i18n.format_money(Decimal("1234567.5"), "ru") == "1\u00a0234\u00a0567,50\u00a0₽"
    assert i18n.format_money(Decimal("-1234.565"), "en") == "−₽1,234.56"
    assert i18n.format_money(Decimal("7450000"), "ru", whole=True) == "7\u00a0450\u00a0000\u00a0₽"
    assert i18n.format_number(Decimal("127.6404"), 3, "ru", fixed=True) == "127,640"
    assert i18n.format_number(Decimal("2.50"), 2, "en") == "2.5"  # optional decimals: Babel's own


def test_other_values_are_written_by_babel() -> None:
    assert i18n._format_decimal(-1234.5, "#,##0.00", "ru") == "-1\u00a0234,50"
    assert i18n._format_decimal(2.675, "#,##0.00", "en") == "2.68"  # a float as Babel reads it, from its text


def test_a_kept_day_is_written_in_each_reader_language() -> None:
    from datetime import date

    day = date(2026, 12, 15)
    assert i18n.format_day(day, "long", "ru") == "15 декабря 2026"
    assert i18n.format_day(day, "long", "en") != "15 декабря 2026"  # kept per language, not for the first reader
    assert i18n.format_day(day, "month", "ru") == "декабрь 2026"
    assert i18n.format_day(day, "short", "ru") == "15.12.2026"


def test_a_number_keeps_its_unit_on_its_line() -> None:
    """«Осталось 2 ч 15 мин» may break between «2 ч» and «15 мин», never between «2» and «ч»; a volume is written
    with its unit the same way, and a number's own group separator (already a no-break space) is left alone."""
    assert i18n.keep_units("Осталось 2 ч 15 мин") == "Осталось 2\u00a0ч 15\u00a0мин"
    assert i18n.keep_units("Просрочена на 54 суток 20 ч") == "Просрочена на 54\u00a0суток 20\u00a0ч"
    assert i18n.keep_units("2 hours, between 08:00 and 23:00") == "2\u00a0hours, between 08:00\u00a0and 23:00"
    assert i18n.format_quantity(Decimal("1234.5"), "м³", locale="ru") == "1\u00a0234,5\u00a0м³"
    assert i18n.format_quantity(Decimal("150"), "кВт·ч", locale="en") == "150\u00a0кВт·ч"
    assert i18n.format_quantity(Decimal("2"), "", locale="ru") == "2"


@pytest.mark.parametrize(
    ("locale", "area", "fixed", "shown"),
    [
        ("ru", "37.8", True, "37,80\u00a0м²"),
        ("ru", "1234.5", True, "1\u00a0234,50\u00a0м²"),
        ("en", "37.8", True, "37.80\u00a0m²"),
        ("ru", "146.00", False, "146\u00a0м²"),
        ("en", "84.09", False, "84.09\u00a0m²"),
    ],
)
def test_an_area_keeps_its_unit_on_its_line(locale: str, area: str, fixed: bool, shown: str) -> None:
    """«Площадь 37,80 м²» on the receipt and «Кв. 1, 37,80 м²» on a ballot left «м²» alone on the next line of a
    phone: every area is written by ``format_area`` (the ``area`` filter), the space before the unit unbreakable."""
    i18n.set_locale(locale)
    try:
        assert i18n.format_area(Decimal(area), fixed=fixed) == shown
    finally:
        i18n.set_locale("ru")
