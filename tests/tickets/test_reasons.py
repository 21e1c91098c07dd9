"""The steps that must say why (an executor handing a request back, a resident returning the work) read their
words alike: a few words at least, each with its own message at its own field, at most what the column holds."""

from __future__ import annotations

import pytest

from portal.core.i18n import set_locale
from portal.tickets import forms
from portal.tickets.rules import MAX_MESSAGE

READERS = [
    (forms.read_hand_back, "why", "Say why: a wrong address, another trade's work, what is missing."),
    (forms.read_reason, "reason", "Say what was not done, so that the dispatcher can send the executor back."),
]


@pytest.fixture(autouse=True)
def english():
    set_locale("en")
    yield
    set_locale("ru")


@pytest.mark.parametrize(("read", "field", "missing"), READERS)
def test_a_few_words_are_taken_as_typed(read, field, missing):
    assert read({field: "  The tap still drips  "}) == ("The tap still drips", forms.FormErrors())


@pytest.mark.parametrize(("read", "field", "missing"), READERS)
def test_too_few_words_are_refused_at_the_readers_own_field_with_its_own_message(read, field, missing):
    said, errors = read({field: "no", "why" if field == "reason" else "reason": "a long enough text"})
    assert said is None
    assert errors.fields == {field: missing}


@pytest.mark.parametrize(("read", "field", "missing"), READERS)
def test_more_than_the_column_holds_is_refused_not_cut(read, field, missing):
    said, errors = read({field: "x" * (MAX_MESSAGE + 1)})
    assert said is None
    assert list(errors.fields) == [field]
