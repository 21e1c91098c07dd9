"""Sums as people type them (``core.parse.parse_money``): in Russian the comma is the decimal mark, so a lone comma
or point is always one and «1,005» is not a thousand and five rubles — nor one ruble: three digits after the mark
read two ways, so the sum is refused with a message saying how to write it. Both marks, repeated marks and spaces
are the groups of thousands people really write."""

from __future__ import annotations

from decimal import Decimal

import pytest

from portal.core.i18n import set_locale
from portal.core.parse import parse_decimal
from portal.core.parse import parse_money
from portal.core.web import money_error
from portal.core.web import unread_sum

D = Decimal


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a lone comma or point: the decimal mark, at most two digits after it
        ("1,5", D("1.50")),
        ("12,50", D("12.50")),
        ("1500.5", D("1500.50")),
        ("1,005", None),  # not 1005 (as English would group it), not 1,005 ₽ either: refused, with a message
        ("12,345", None),
        ("35,000", None),  # zeros too: 35,000 is no more 35 rubles than it is 35 000
        ("1.005", None),
        ("0,001", None),
        ("1,2345", None),
        ("1,50", D("1.50")),
        # groups of thousands as people write them
        ("1 005,50", D("1005.50")),
        ("1\u00a0234.5 ₽", D("1234.50")),
        ("1\u202f005,5", D("1005.50")),
        ("1,005.50", D("1005.50")),
        ("1.005,50", D("1005.50")),
        ("₽1,500.00", D("1500.00")),
        ("1,005,000", D("1005000.00")),
        ("1.005.000", D("1005000.00")),
        ("1 500 руб.", D("1500.00")),
        ("-5 р.", D("-5.00")),
        # marks that read neither way
        ("1,5,0", None),
        ("1,05.50", None),
        ("1.005,000.5", None),
        ("12,345.678", None),
        ("1,005.", None),
        (",5", None),
        # nothing a quantize would choke on
        ("1" * 40, None),
        ("1" * 13, None),
        ("1e30", None),
        ("Infinity", None),
        ("", None),
    ],
)
def test_a_sum_is_read_as_a_russian_resident_types_it(text, expected):
    assert parse_money(text) == expected


def test_a_reading_keeps_its_three_decimals_where_a_sum_refuses_them():
    assert parse_decimal("307,214", places=3) == D("307.214")
    assert parse_decimal("4,200", places=4) == D("4.2000")
    assert parse_decimal("35,000", places=2) is None


@pytest.mark.parametrize(
    ("locale", "typed", "message"),
    [
        ("ru", "1,005", "После запятой — не больше двух цифр (копейки): напишите сумму так: 1005 или 1005,50."),
        ("ru", "12.345 ₽", "После запятой — не больше двух цифр (копейки): напишите сумму так: 12345 или 12345,50."),
        ("ru", "0,001", "После запятой — не больше двух цифр (копейки): напишите сумму так: 1005 или 1005,50."),
        (
            "en",
            "35,000",
            "Use at most two digits after the decimal point (kopecks): write the sum as 35000 or 35000.50.",
        ),
        ("ru", "дорого", "своё"),
        ("ru", "1,5,0", "своё"),
    ],
)
def test_a_sum_with_too_many_decimals_is_told_how_to_write_it(locale, typed, message):
    set_locale(locale)
    try:
        assert money_error(typed, "своё") == message
    finally:
        set_locale("ru")


@pytest.mark.parametrize(
    ("locale", "typed", "message"),
    [
        (
            "ru",
            "1,005",
            "После запятой — не больше двух цифр (копейки): напишите сумму так: 1005 или 1005,50; "
            "список показан без этого условия.",
        ),
        (
            "en",
            "35,000",
            "Use at most two digits after the decimal point (kopecks): write the sum as 35000 or 35000.50; "
            "the list is shown without this filter.",
        ),
        ("ru", "много", "Введите сумму в рублях, например 1 500,00; список показан без этого условия."),
    ],
)
def test_a_money_filter_says_how_to_write_the_sum_and_that_the_list_is_shown_without_it(locale, typed, message):
    set_locale(locale)
    try:
        assert unread_sum({"min": typed}, "min") == message
    finally:
        set_locale("ru")
