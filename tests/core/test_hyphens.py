"""Long Russian words get soft hyphens at their syllables, so a title breaks «посу­до­моечной», never «посудомоечно / й»,
whether or not the browser has a Russian hyphenation dictionary; never after two letters, where the line's end read as
a word with a prefix («по- / судомоечной»)."""

from __future__ import annotations

import pytest
from markupsafe import Markup

from portal.core.hyphens import SOFT
from portal.core.hyphens import hyphenated
from portal.core.hyphens import soft_hyphens


@pytest.mark.parametrize(
    ("text", "places"),
    [
        ("Установка посудомоечной машины", "Установка посу-до-мо-еч-ной машины"),
        ("Справка об отсутствии задолженности", "Справка об отсутствии задол-жен-но-сти"),
        ("Дополнительный ключ-брелок", "Допол-ни-тель-ный ключ-брелок"),
        ("Техническое обслуживание", "Тех-ни-че-ское обслу-жи-ва-ние"),
        ("Подключение люстры", "Под-клю-че-ние люстры"),
        ("Вызов сантехника", "Вызов сантехника"),
        ("Dishwasher installation", "Dishwasher installation"),
    ],
    ids=[
        "a long word at its syllables",
        "only the words too long for a narrow card",
        "a word with a hyphen keeps it",
        "three letters before the first break",
        "eleven letters are long",
        "a word that fits is left alone",
        "English is the browser's (its dictionary)",
    ],
)
def test_long_russian_words_may_break_only_at_their_syllables(text: str, places: str) -> None:
    assert soft_hyphens(text).replace(SOFT, "-") == places


def test_a_title_stays_escaped_and_its_language_mark_whole() -> None:
    assert hyphenated("<b>") == Markup("&lt;b&gt;")
    marked = hyphenated(Markup('<span lang="ru">Подключение</span>'))
    assert str(marked) == f'<span lang="ru">Под{SOFT}клю{SOFT}че{SOFT}ние</span>'
