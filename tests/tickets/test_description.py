"""A request's description is read alike whoever files it, a resident on the portal or a dispatcher taking a call:
a few words at least, and one longer than a request holds is refused at its field with what was typed kept, not
cut short in silence (the dispatcher's end of a long call's notes was lost)."""

from __future__ import annotations

import pytest

from portal.core.i18n import set_locale
from portal.tickets import forms
from portal.tickets.rules import MAX_DESCRIPTION

FORMS = {
    "resident": lambda text: forms.read_new_ticket({"category": "roof_leak", "description": text}, [7], 0),
    "dispatcher": lambda text: forms.read_staff_new({"category": "roof_leak", "description": text}),
}


@pytest.fixture(autouse=True)
def english():
    set_locale("en")
    yield
    set_locale("ru")


@pytest.mark.parametrize("who", FORMS)
def test_a_description_as_long_as_a_request_holds_is_taken_whole(who):
    draft, errors = FORMS[who]("x" * MAX_DESCRIPTION)
    assert not errors
    assert draft.description == "x" * MAX_DESCRIPTION


@pytest.mark.parametrize("who", FORMS)
@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("течёт", None),
        ("тек", "Describe the problem in a few words (at least 5\u00a0characters)."),
        ("x" * (MAX_DESCRIPTION + 1), f"The description is too long: at most {MAX_DESCRIPTION}\u00a0characters."),
    ],
)
def test_too_short_or_too_long_a_description_is_refused_at_its_field(who, text, said):
    draft, errors = FORMS[who](text)
    assert errors.get("description") == said
    assert (draft is None) is (said is not None)
