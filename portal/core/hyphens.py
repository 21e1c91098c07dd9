"""Where a long Russian word may break at the end of a line: soft hyphens (U+00AD) at its syllables.

CSS ``hyphens: auto`` hyphenates only where the browser has a dictionary for the element's ``lang``: a browser
without one (headless Chromium, an old phone's WebView) broke «посудомоечной» into «посудомоечно / й» in a
catalogue card two columns wide. Soft hyphens are invisible unless a line breaks there, and then show «-»; every
browser honours them. The places come from the Russian patterns LibreOffice hyphenates with (``pyphen``), at least
three letters before a break and two after: a line that ended in two letters and a hyphen read as a word of its own
with a prefix («Установка по- / судомоечной», «об- / служивание»), where «посу- / домоечной» reads as one word.
"""

from __future__ import annotations

import re
from functools import cache

import pyphen
from markupsafe import Markup
from markupsafe import escape

SOFT = "\u00ad"
LONG = 11  # letters: a shorter word fits the narrowest column a title has (a card two columns wide at 360 px)
_WORD = re.compile(f"[А-Яа-яЁё]{{{LONG},}}")


@cache
def _russian() -> pyphen.Pyphen:
    return pyphen.Pyphen(lang="ru_RU", left=3, right=2)


def soft_hyphens(text: str) -> str:
    """``text`` with soft hyphens where its Russian words of ``LONG`` letters or more may break."""
    return _WORD.sub(lambda word: _russian().inserted(word.group(0), hyphen=SOFT), text)


def hyphenated(value: str) -> Markup:
    """``{{ title | hyphenated }}`` in a page's text: escaped (markup as it is), its long Russian words with soft
    hyphens. Only letters are touched, so a ``<span lang="ru">`` around them stays whole."""
    return Markup(soft_hyphens(escape(value)))  # noqa: S704 (escaped above; soft hyphens go between letters)
