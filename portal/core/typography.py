"""Short words kept with the next one: the company's prose on a phone never ends a line with «в», «на» or «ул.».

Russian typography binds a one- or two-letter preposition or conjunction to the word after it, an abbreviation
of an address («д.», «кв.», «ул.», «г.») or a legal reference («ст. 5 ч. 7», «п. 13», «ПП № 354») and the sign «№» to
what it names, and a dash to the word before it, each with a no-break space (U+00A0): «Отключение воды в / доме» on
a narrow screen reads as a sentence cut short, «в доме» on the next line does not. Only ordinary spaces become
no-break ones, so the text reads the same, is copied the same, and a second pass changes nothing.

``bound`` does it to plain text (an e-mail's text part); ``bound_html`` to sanitised HTML (a post's body): in its
text nodes only, never inside a tag, an attribute or a link's address, nor in code. A word's neighbour may stand
across inline markup («в <strong>доме</strong>»), never across a paragraph's end: «в» last in a paragraph stays.
"""

from __future__ import annotations

import re

NBSP = "\u00a0"
SHORT_WORDS = ("в", "с", "к", "о", "у", "и", "а", "на", "по", "за", "от", "до", "из", "не", "но")
ABBREVIATIONS = ("д", "кв", "ул", "г", "ст", "ч", "п")  # an address's and a law's: «ул. Ленина», «ст. 5 ч. 7», «п. 13»
SIGNS = ("№",)
# A legal reference's abbreviation or a number's sign and the plain space after it: «ст. 5», «№ 354». The catalogs
# write a no-break space there (tests/core/test_units_kept.py), as ``bound`` does to a post.
REFERENCE_SPACE = re.compile(r"((?<![\w.])(?:ст|ч|п)\.|№) (?=\S)", re.IGNORECASE)

_SPACE = r"[ \t]+"  # spaces within a line: a plain text's line end stays a line end
_HTML_SPACE = r"[ \t\r\n]+"  # in HTML a line end in the text is a space like any other


def _rules(space: str) -> tuple[re.Pattern[str], re.Pattern[str]]:
    words = "|".join((*SHORT_WORDS, *(rf"{a}\." for a in ABBREVIATIONS), *SIGNS))
    # A short word or an abbreviation standing alone (no letter or digit before it), with a word after it.
    after = re.compile(rf"(?<![\w.])((?:{words})){space}(?=\S)", re.IGNORECASE)
    # A dash with a word before it.
    before = re.compile(rf"(?<=\S){space}(?=—)")
    return after, before


_PLAIN = _rules(_SPACE)
_IN_HTML = _rules(_HTML_SPACE)


def _bind(text: str, rules: tuple[re.Pattern[str], re.Pattern[str]], head: int = 0, tail: int = 0) -> str:
    """``text`` bound by ``rules``, its spaces replaced only past its first ``head`` and before its last ``tail``
    characters (a text node's neighbours: read for what they say, left as they are)."""
    after, before = rules
    high = len(text) - tail
    text = after.sub(lambda m: m[1] + NBSP if head <= m.end(1) and m.end() <= high else m[0], text)
    high = len(text) - tail
    return before.sub(lambda m: NBSP if head <= m.start() and m.end() <= high else m[0], text)


def bound(text: str) -> str:
    """Plain ``text`` with its short words, abbreviations, signs and dashes bound by no-break spaces."""
    return _bind(text, _PLAIN)


def references_bound(text: str) -> str:
    """``text`` with only its legal references and number signs bound («ст.\u00a05», «№\u00a0354»): a sentence of
    the catalogs as it is written there."""
    return REFERENCE_SPACE.sub(lambda m: m[1] + NBSP, text)


_TAG = re.compile(r"(<[^>]*>)")  # sanitised HTML escapes «<» and «>» in text and attribute values alike
_INLINE = frozenset({"a", "strong", "em", "b", "i", "s", "del", "code", "span", "abbr", "sub", "sup"})
_AS_TYPED = frozenset({"code", "pre"})  # code is shown as typed
_READ = 4  # characters a rule reads on either side of a space: «(?<![\w.])кв\.»


def _name(tag: str) -> tuple[str, bool]:
    """A tag's element name and whether it closes one."""
    closing = tag.startswith("</")
    return tag.strip("</>").split(maxsplit=1)[0].lower() if tag.strip("</>") else "", closing


def _neighbours(tokens: list[str], start: int, step: int) -> str:
    """The visible text next to a text node (``step`` 1: the first characters after it, -1: the last ones before
    it), as much as a rule reads, across inline tags; none across a block's start or end (a paragraph, a list's
    item, a line break). Code counts: «в <code>config.yml</code>» keeps «в» with it."""
    seen = ""
    i = start + step
    while 0 <= i < len(tokens) and len(seen) < _READ:
        token = tokens[i]
        if i % 2 and _name(token)[0] not in _INLINE:
            break
        if not i % 2:
            seen = seen + token if step > 0 else token + seen
        i += step
    return seen[:_READ] if step > 0 else seen[-_READ:]


def bound_html(html: str) -> str:
    """Sanitised ``html`` (``content.rules.render_markdown``) with ``bound`` applied to its text nodes, each seen
    with its neighbours across inline markup; tags, attributes and code are left as they are."""
    tokens = _TAG.split(html)  # text, tag, text, tag, … text
    as_typed = 0
    for i, token in enumerate(tokens):
        if i % 2:
            name, closing = _name(token)
            if name in _AS_TYPED:
                as_typed = max(0, as_typed - 1) if closing else as_typed + 1
            continue
        if as_typed or not token:
            continue
        first, last = _neighbours(tokens, i, -1), _neighbours(tokens, i, 1)
        seen = _bind(first + token + last, _IN_HTML, len(first), len(last))
        tokens[i] = seen[len(first) : len(seen) - len(last)]
    return "".join(tokens)


def sentence(text: str) -> str:
    """Typed text made a sentence for the next one to follow: stripped, with a full stop unless it already ends
    with one (or with «!», «?», «…»)."""
    text = text.strip()
    return text if not text or text[-1] in ".!?…" else text + "."
