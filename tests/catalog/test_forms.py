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


@pytest.mark.parametrize("typed", ["дорого", "руб", "1 500 руб руб", "1,5,0 р", "15 долларов", "-5 р.", "1500,555 ₽"])
def test_a_price_that_is_no_sum_of_rubles_is_refused_keeping_what_was_typed(typed):
    form = forms.read_service({**SERVICE, "price": typed}, [1])
    assert form.errors.get("price") == "Укажите цену в рублях (0 — бесплатно)."
    assert form.typed["price"] == typed
