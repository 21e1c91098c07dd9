"""A no-break space does not hide a text from search: a stored sentence keeps a number with its unit by one
(«18\u00a0полных дней»), a staff member types the phrase with ordinary spaces (or pastes it from a page)."""

from __future__ import annotations

import pytest

from portal.core.search import normalise
from portal.core.search import terms_of


@pytest.mark.parametrize(
    ("text", "stored"),
    [
        ("18\u00a0полных дней отсутствия", "18 полных дней отсутствия"),
        ("Срок\u202f— 10\u00a0рабочих\u00a0дней", "срок — 10 рабочих дней"),
        (" Ёлка \u00a0\t\n у  дома ", "елка у дома"),
    ],
)
def test_every_space_is_stored_as_an_ordinary_one(text: str, stored: str) -> None:
    assert normalise(text) == stored


def test_a_query_with_no_break_spaces_has_the_words_of_one_typed_with_ordinary_spaces() -> None:
    typed = terms_of("18 полных дней")
    assert typed == ["полных", "дней"]
    assert terms_of("18\u00a0полных\u202fдней") == typed
