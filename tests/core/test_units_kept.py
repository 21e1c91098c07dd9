"""A number inside a sentence never breaks from its word on a phone's narrow screen: «в течение 30 дней», «до 15
числа», «за 3 рабочих дня», «10 рабочих дней» wrapped after the number at 390 px and left «дней» alone at the start
of the next line. A number written in a Russian sentence is followed by a no-break space in the catalog; a number
given to a sentence (``%(days)s``, a plural's ``%(num)d``) gets one from the formatter (``i18n.fill``)."""

from __future__ import annotations

import re
from gettext import GNUTranslations

import pytest

from portal.core import i18n
from tests.conftest import ROOT

# A written number, a space, and the word that counts it (what the catalogs were fixed for).
NUMBER_SPACE_UNIT = re.compile(r"\d (?=" + i18n.UNIT_WORDS + ")", re.IGNORECASE)


def _compiled(domain: str) -> dict[object, str]:
    with (ROOT / "locale" / "ru" / "LC_MESSAGES" / f"{domain}.mo").open("rb") as fp:
        return GNUTranslations(fp)._catalog  # type: ignore[attr-defined]


DOMAINS = sorted(p.stem for p in (ROOT / "locale" / "ru" / "LC_MESSAGES").glob("*.mo"))


@pytest.mark.parametrize("domain", DOMAINS)
def test_no_russian_sentence_parts_a_written_number_from_its_unit(domain: str) -> None:
    """A page's sentence and an e-mail's text of several lines alike (a phone's mail app wraps it too)."""
    parted = [text for key, text in _compiled(domain).items() if key and NUMBER_SPACE_UNIT.search(text)]
    assert parted == [], parted


def test_the_fixed_sentences_are_among_them() -> None:
    """The check reads the catalogs the pages read (a few of the sentences residents meet on a phone)."""
    tickets, accounts = _compiled("tickets").values(), _compiled("accounts").values()
    assert "Документы о собственности не нужны. Ответим в течение 10\u00a0рабочих дней." in tickets
    assert "Запомнить меня на этом устройстве на 30\u00a0дней" in accounts
    mails = [text for text in accounts if "\n" in text]
    invitations = [text for text in mails if "откройте эту ссылку в течение 7\u00a0дней:\n" in text]
    registrations = [text for text in mails if "откройте эту ссылку в течение 2\u00a0дней:\n" in text]
    assert len(invitations) == 2 and len(registrations) == 1  # a staff member's and a resident's invitation


@pytest.mark.parametrize(
    ("text", "variables", "shown"),
    [
        ("Лифт бронируется не более чем на %(days)s дней вперёд.", {"days": 30}, "на 30\u00a0дней вперёд."),
        ("Показания принимаются до %(day)s числа.", {"day": 15}, "до 15\u00a0числа."),
        ("%(num)d рабочих дня", {"num": 3}, "3\u00a0рабочих дня"),
        ("%(num)s дня из %(total)s", {"num": 2, "total": 7}, "2\u00a0дня из 7"),
        # Words given to a sentence keep their ordinary spaces, and a number any word but a unit's: only a number
        # holds on to its unit.
        ("%(num)s заявки", {"num": 2}, "2 заявки"),
        ("%(name)s подал заявку", {"name": "Иван Петров"}, "Иван Петров подал заявку"),
        ("Срок — %(term)s дня", {"term": "3 рабочих"}, "Срок — 3 рабочих дня"),
    ],
)
def test_a_number_given_to_a_sentence_keeps_its_next_word(text: str, variables: dict, shown: str) -> None:
    assert i18n.fill(text, variables).endswith(shown)


def test_code_and_templates_fill_sentences_the_same_way() -> None:
    """A plural's number keeps its word whether the sentence is written by code or by a template (in Russian, the
    tests' language)."""
    from jinja2 import Environment

    from portal.core import web

    env = Environment(extensions=["jinja2.ext.i18n"], autoescape=True)
    env.install_gettext_callables(web._template_gettext, web._template_ngettext, newstyle=True)  # type: ignore[attr-defined]
    page = env.from_string('{{ ngettext("%(num)d day", "%(num)d days", 5) }}').render()
    assert page == i18n.ngettext("%(num)d day", "%(num)d days", 5) == "5\u00a0дней"
