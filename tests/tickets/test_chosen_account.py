"""A request and an application choose their address alike: the resident's only account needs no choosing, one
chosen among theirs is taken, any other is refused at «account» in the words of the form (a request, an
application)."""

from __future__ import annotations

from datetime import date

import pytest

from portal.core.i18n import set_locale
from portal.tickets import forms

TODAY = date(2026, 7, 25)
NEW_TICKET = {"place": "premise", "category": "roof_leak", "description": "The roof leaks over the flat"}
ABSENCE = {"left": "01.07.2026", "back": "20.07.2026", "people": "Иванов Иван Иванович"}
FORMS = [
    (lambda data, ids: forms.read_new_ticket({**NEW_TICKET, **data}, ids, 0), "request"),
    (lambda data, ids: forms.read_absence({**ABSENCE, **data}, ids, 1, TODAY), "application"),
]


@pytest.fixture(autouse=True)
def english():
    set_locale("en")
    yield
    set_locale("ru")


@pytest.mark.parametrize(("read", "what"), FORMS)
def test_the_only_account_needs_no_choosing(read, what):
    read_form, errors = read({}, [7])
    assert not errors
    assert read_form.account_id == 7


@pytest.mark.parametrize(("read", "what"), FORMS)
def test_an_account_chosen_among_the_residents_is_taken(read, what):
    read_form, errors = read({"account": "9"}, [7, 9])
    assert not errors
    assert read_form.account_id == 9


@pytest.mark.parametrize(("read", "what"), FORMS)
@pytest.mark.parametrize(("typed", "ids"), [("", [7, 9]), ("8", [7, 9]), ("8", [7]), ("x", [7])])
def test_no_choice_or_another_account_is_refused_in_the_forms_words(read, what, typed, ids):
    read_form, errors = read({"account": typed}, ids)
    assert read_form is None
    assert errors.fields == {"account": f"Choose the address the {what} is about."}
