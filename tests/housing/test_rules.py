"""The registry's rules as pure functions: areas, shares, account numbers, contacts, riser codes, file rows."""

from decimal import Decimal
from fractions import Fraction

import pytest

from portal.housing import registry
from portal.housing import rules
from portal.housing.rules import Problem


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("54.35", Decimal("54.35")),
        ("54,3", Decimal("54.30")),
        (" 1 204,50 ", Decimal("1204.50")),
        ("0.01", Decimal("0.01")),
        ("0", Problem.AREA_NOT_POSITIVE),
        ("-3", Problem.AREA_NOT_POSITIVE),
        ("54.355", Problem.AREA_DECIMALS),
        ("54.350", Decimal("54.35")),
        ("", Problem.REQUIRED),
        ("пятьдесят", Problem.AREA_FORMAT),
        ("1e3", Problem.AREA_FORMAT),
        ("100000000", Problem.AREA_TOO_LARGE),
    ],
    ids=[
        "a point",
        "a comma is a decimal point too",
        "spaces between thousands are ignored",
        "the smallest area",
        "zero is refused",
        "a negative area is refused",
        "three decimals are refused",
        "a trailing zero is not a third decimal",
        "empty",
        "words",
        "no exponents",
        "past the column",
    ],
)
def test_area_is_positive_with_at_most_two_decimals(text, expected):
    assert rules.parse_area(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1", Fraction(1)),
        ("1/2", Fraction(1, 2)),
        ("2/4", Fraction(1, 2)),
        (" 1 / 3 ", Fraction(1, 3)),
        ("0", Problem.SHARE_RANGE),
        ("3/2", Problem.SHARE_RANGE),
        ("1/0", Problem.SHARE_FORMAT),
        ("0.5", Problem.SHARE_FORMAT),
        ("половина", Problem.SHARE_FORMAT),
        ("", Problem.REQUIRED),
    ],
    ids=[
        "whole",
        "half",
        "reduced",
        "spaces",
        "zero",
        "more than whole",
        "zero denominator",
        "decimal",
        "words",
        "empty",
    ],
)
def test_share_is_a_fraction_of_at_most_one(text, expected):
    assert rules.parse_share(text) == expected


@pytest.mark.parametrize(
    ("existing", "new", "fits"),
    [
        ([], (Fraction(1), False), True),
        ([(Fraction(1, 2), False)], (Fraction(1, 2), False), True),
        ([(Fraction(1, 2), False)], (Fraction(2, 3), False), False),
        ([(Fraction(1, 3), False), (Fraction(1, 3), False)], (Fraction(1, 3), False), True),
        ([(Fraction(1), False)], (Fraction(1, 1_000_000), False), False),
        ([(Fraction(1), True)], (Fraction(1), True), True),
        ([(Fraction(1, 2), True), (Fraction(1, 2), True)], (Fraction(1, 2), False), True),
        ([(Fraction(1), True)], (Fraction(1, 2), False), False),
    ],
    ids=[
        "a sole owner",
        "two halves make the whole",
        "a half and two thirds exceed it",
        "three thirds are exactly one (exact fractions, no float drift)",
        "nothing fits beside a whole share",
        "spouses in joint ownership hold the whole together",
        "a joint half and a shared half",
        "a shared half beside a joint whole exceeds it",
    ],
)
def test_shares_of_one_premise_sum_to_at_most_one(existing, new, fits):
    assert rules.shares_fit(existing, new) is fits


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("9101000001", "9101000001"),
        ("9101 000 001", "9101000001"),
        ("", Problem.REQUIRED),
        ("91-01", Problem.ACCOUNT_DIGITS),
        ("١٢٣", Problem.ACCOUNT_DIGITS),
        ("1" * 21, Problem.ACCOUNT_DIGITS),
    ],
    ids=["ten digits", "spaces ignored", "empty", "a dash", "non-ASCII digits", "too long"],
)
def test_account_number_is_digits_only(text, expected):
    assert rules.parse_account_number(text) == expected


@pytest.mark.parametrize(
    ("parser", "text", "expected"),
    [
        (rules.parse_inn, "", None),
        (rules.parse_inn, "9102000001", "9102000001"),
        (rules.parse_inn, "910200000112", "910200000112"),
        (rules.parse_inn, "91020000011", Problem.INN_FORMAT),
        (rules.parse_phone, "8 (978) 123-45-67", "+79781234567"),
        (rules.parse_phone, "+7 978 123 45 67", "+79781234567"),
        (rules.parse_phone, "123", Problem.PHONE_FORMAT),
        (rules.parse_email, "Ivan@Example.RU", "ivan@example.ru"),
        (rules.parse_email, "ivan@", Problem.EMAIL_FORMAT),
        (rules.parse_premise_number, "3Н", "3Н"),
        (rules.parse_premise_number, "12/1", "12/1"),
        (rules.parse_premise_number, "12 кв", Problem.PREMISE_NUMBER),
        (rules.parse_riser_codes, "ХВС-1;ГВС-1; ОТ-1", ["ХВС-1", "ГВС-1", "ОТ-1"]),
        (rules.parse_riser_codes, "хвс-1, хвс-1", ["ХВС-1"]),
        (rules.parse_riser_codes, "ХВС1", Problem.RISER_CODE),
    ],
)
def test_contact_and_code_parsers(parser, text, expected):
    assert parser(text) == expected


def test_riser_kind_comes_from_the_code_prefix():
    assert [rules.riser_kind(c) for c in ("ХВС-1", "ГВС-2", "ОТ-3", "К-1")] == [
        "cold_water",
        "hot_water",
        "heating",
        "sewerage",
    ]


def test_premises_sort_by_number_read_as_a_number():
    numbers = ["10", "2", "1", "3Н"]
    assert sorted(numbers, key=lambda n: rules.premise_sort_key("flat", n)) == ["1", "2", "3Н", "10"]


HEADER = list(registry.COLUMNS)


def line(**values: str) -> list[str]:
    base = {
        "complex": "ЖК «Тест»",
        "house_address": "ул. Тестовая, 1",
        "entrance": "1",
        "floor": "2",
        "premise_kind": "квартира",
        "premise_number": "5",
        "area": "40,5",
        "risers": "ХВС-1",
        "account_number": "123456",
        "payer_name": "Иванов И. И.",
        "owner_name": "Иванов Иван Иванович",
        "owner_kind": "",
        "share": "1",
    }
    base.update(values)
    return [base.get(c, "") for c in HEADER]


def test_a_good_file_gives_every_row():
    result = registry.parse_lines([HEADER, line(), line(premise_number="6", account_number="123457")])
    assert result.ok
    assert [r.premise_number for r in result.rows] == ["5", "6"]
    assert result.rows[0].area == Decimal("40.50")


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        ([line(), line(premise_number="6", area="0", account_number="2")], "Строка 3:"),
        ([line(), line(premise_number="6", share="3/2", account_number="2")], "Строка 3:"),
        ([line(), line(owner_name="Петров Пётр", share="1/2")], "Строка 3:"),
        ([line(), line(premise_number="6")], "Строка 3:"),
        ([line(), line(area="41")], "Строка 3:"),
        ([line(premise_kind="гараж")], "Строка 2:"),
        ([line(account_number="12-34")], "Строка 2:"),
        ([line(), line(premise_number="6", account_number="2", complex="ЖК «Другой»")], "Строка 3:"),
    ],
    ids=[
        "zero area",
        "share above one",
        "two owners holding more than the whole",
        "one account for two premises",
        "the same premise with another area",
        "an unknown kind",
        "an account number with a dash",
        "one house in two complexes",
    ],
)
def test_a_bad_row_is_reported_with_its_line_and_no_row_is_kept(rows, expected):
    result = registry.parse_lines([HEADER, *rows])
    assert not result.ok
    assert result.rows == []
    assert result.problems[0].startswith(expected)


def test_a_file_without_required_columns_is_refused():
    result = registry.parse_lines([["complex", "area"], ["ЖК", "1"]])
    assert "house_address" in result.problems[0]


def test_a_cell_longer_than_the_limit_is_refused():
    result = registry.parse_lines([HEADER, line(payer_name="я" * 300)])
    assert result.problems and result.problems[0].startswith("Строка 2:")


def test_the_row_limit_is_enforced(monkeypatch):
    monkeypatch.setattr(registry, "MAX_ROWS", 3)
    rows = [line(premise_number=str(n), account_number=str(1000 + n)) for n in range(1, 6)]
    result = registry.parse_lines([HEADER, *rows])
    assert not result.ok
    assert any("больше 3 строк" in p for p in result.problems)


def test_the_sample_file_in_the_repository_is_valid():
    from pathlib import Path

    data = (Path(__file__).parent / "registry_sample.csv").read_bytes()
    result = registry.parse_file("registry_sample.csv", data)
    assert result.ok, result.problems
    assert len(result.rows) == 8


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (str(10**30), Problem.AREA_TOO_LARGE),
        ("-" + str(10**30), Problem.AREA_NOT_POSITIVE),
        ("1." + "0" * 40 + "1", Problem.AREA_DECIMALS),
        ("²", Problem.AREA_FORMAT),
        ("١٢", Problem.AREA_FORMAT),
        ("99999999,99", Decimal("99999999.99")),
    ],
)
def test_an_area_past_what_a_decimal_rounds_is_a_problem_not_an_error(text, expected):
    assert rules.parse_area(text) == expected


@pytest.mark.parametrize(
    ("locale", "words"),
    [("ru", "Введите площадь в квадратных метрах числом, например 54,35."), ("en", "e.g. 54.35")],
)
def test_an_area_that_is_not_a_number_is_explained_as_an_area_not_as_a_whole_number(locale, words):
    """An area may have decimals: «12,5x» must not be answered «Введите целое число.» (premise form, registry file)."""
    from portal.core import i18n
    from portal.housing import forms

    i18n.set_locale(locale)
    try:
        _values, errors = forms.read_premise({"kind": "flat", "number": "1", "area": "12,5x"}, {})
        assert words in errors.get("area")
    finally:
        i18n.set_locale("ru")
