"""core.labels: a table of words read as a function."""

from enum import StrEnum

from portal.core.i18n import lazy
from portal.core.labels import Labels


class Colour(StrEnum):
    RED = "red"
    BLUE = "blue"


WORDS = Labels({Colour.RED: lazy("Red"), Colour.BLUE: lazy("Blue")})


def test_a_member_reads_as_its_words_and_an_unknown_code_as_itself() -> None:
    assert WORDS(Colour.RED) == "Red"
    assert WORDS("red") == "Red"
    assert WORDS("green") == "green"  # a page shows the stored code rather than failing
    assert WORDS.shown(None) == ""
    assert WORDS.known("green") == ""
