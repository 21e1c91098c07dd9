"""Reading the catalogue's service form (no server): a price is read as staff type it in rubles."""

from __future__ import annotations

from decimal import Decimal

import pytest

from portal.catalog import forms

SERVICE = {
    "title": "Пропуск для автомобиля",
    "category": "1",
    "price_kind": "fixed",
    "duration": "30",
    "slots": "0",
    "executor_group": "security",
    "all_houses": "1",
    "active": "1",
}


@pytest.mark.parametrize(
    ("typed", "price"),
    [
        ("1 500 руб", "1500.00"),
        ("1 500 ₽", "1500.00"),
        ("1500,50 руб.", "1500.50"),
        ("1\u00a0500\u00a0₽", "1500.00"),  # pasted from a page that writes sums with non-breaking spaces
        ("1\u202f500,5 р.", "1500.50"),
        ("1500р", "1500.00"),
        ("1 500 РУБ.", "1500.00"),
        ("₽1,500.00", "1500.00"),
        ("350,00", "350.00"),
    ],
)
def test_a_price_is_read_as_people_type_it_in_rubles(typed, price):
    form = forms.read_service({**SERVICE, "price": typed}, [1])
    assert not form.errors, form.errors
    assert form.values["price"] == Decimal(price)


@pytest.mark.parametrize("typed", ["дорого", "руб", "1 500 руб руб", "1,5,0 р", "15 долларов", "-5 р."])
def test_a_price_that_is_no_sum_of_rubles_is_refused_keeping_what_was_typed(typed):
    form = forms.read_service({**SERVICE, "price": typed}, [1])
    assert form.errors.get("price") == "Укажите цену в рублях (0 — бесплатно)."
    assert form.typed["price"] == typed


@pytest.mark.parametrize(("typed", "whole"), [("1,500", "1500"), ("2.500 ₽", "2500"), ("1500,555 ₽", "1005")])
def test_a_price_with_three_digits_after_the_comma_says_how_to_write_it(typed, whole):
    """«1,500» is not a thousand and a half rubles in Russian, nor one and a half: the price form says how to write
    it, in the service's form and in a quote, keeping what was typed."""
    message = f"После запятой — не больше двух цифр (копейки): напишите сумму так: {whole} или {whole},50."
    form = forms.read_service({**SERVICE, "price": typed}, [1])
    assert (form.errors.get("price"), form.typed["price"]) == (message, typed)
    quote = forms.read_quote({"amount": typed, "note": ""})
    assert (quote.errors.get("amount"), quote.typed["amount"]) == (message, typed)


@pytest.mark.parametrize("typed", ["x", "первым", "-1", "2,5", "10001"])
def test_an_order_of_display_that_is_no_whole_number_is_refused_not_saved_as_zero(typed):
    """«Порядок показа» typed as a word or out of range is said at the field, keeping what was typed, in the form
    of a service and of a section: it used to be saved as 0 without a word, moving the entry to the top."""
    form = forms.read_service({**SERVICE, "position": typed}, [1])
    assert form.errors.get("position") == "Укажите порядок показа целым числом от 0 до 10\u00a0000."
    assert form.typed["position"] == typed
    _, errors = forms.read_category({"title": "Сантехника", "position": typed})
    assert errors.get("position") == "Укажите порядок показа целым числом от 0 до 10\u00a0000."


@pytest.mark.parametrize(("typed", "position"), [("", 0), ("0", 0), (" 7 ", 7), ("10000", 10_000)])
def test_an_order_of_display_is_read_as_a_whole_number_and_empty_as_zero(typed, position):
    form = forms.read_service({**SERVICE, "position": typed}, [1])
    assert not form.errors and form.values["position"] == position
    values, errors = forms.read_category({"title": "Сантехника", "position": typed})
    assert not errors and values["position"] == position


@pytest.mark.parametrize(
    ("unit", "typed", "said"),
    [
        ("item", "1,5", "Укажите целое число, например 2."),
        ("item", "1000000", "Это больше, чем принимается в одном заказе. Для большого объёма позвоните нам."),
        ("m2", "37,855", "Укажите квадратные метры не более чем с двумя знаками после запятой, например 37,85."),
        ("m2", "100000,5", "Это больше, чем принимается в одном заказе. Для большого объёма позвоните нам."),
        ("hour", "1,25", "Укажите часы целыми или половинами, например 2 или 1,5."),
        ("item", "две", "Укажите, сколько нужно, числом, например 2."),
        ("item", "0", "Укажите, сколько нужно, числом, например 2."),
    ],
    ids=[
        "a fraction of sockets",
        "a million sockets",
        "a thousandth of a m²",
        "a huge area",
        "a quarter hour",
        "a word",
        "nothing",
    ],
)
def test_a_quantity_refused_is_told_what_is_wrong_with_it(unit, typed, said):
    """«1,5» sockets and «1000000» were both told «Укажите, сколько нужно, числом» — they are numbers: the reader
    read them at the unit's own precision and four digits, and anything else was «not a number»."""
    from portal.core import i18n

    i18n.set_locale("ru")
    quantity, errors = forms.read_quantity({"quantity": typed}, "per_unit", unit)
    assert quantity is None and errors.get("quantity") == said


@pytest.mark.parametrize(
    ("unit", "typed", "kept"), [("item", "3", "3"), ("m2", "37,8", "37.80"), ("hour", "1,5", "1.5")]
)
def test_a_quantity_accepted_keeps_the_units_precision(unit, typed, kept):
    quantity, errors = forms.read_quantity({"quantity": typed}, "per_unit", unit)
    assert not errors and quantity == Decimal(kept) and str(quantity) == kept
