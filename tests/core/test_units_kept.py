"""A number inside a sentence never breaks from its word on a phone's narrow screen: «в течение 30 дней», «до 15
числа», «за 3 рабочих дня», «10 рабочих дней» wrapped after the number at 390 px and left «дней» alone at the start
of the next line. A number written in a Russian sentence is followed by a no-break space in the catalog; a number
given to a sentence (``%(days)s``, a plural's ``%(num)d``) gets one from the formatter (``i18n.fill``). English
sentences keep theirs the same way ("within 10 working days", "2 photos"), and a legal reference or a number's sign
in either language never ends a line («ст. 5 ч. 7», «ПП № 354», «п. 13»: a no-break space after the abbreviation)."""

from __future__ import annotations

import re
from gettext import GNUTranslations

import pytest
from babel.messages.pofile import read_po

from portal.core import i18n
from portal.core.typography import REFERENCE_SPACE
from tests.conftest import ROOT

# A written number, a space, and the word that counts it (what the catalogs were fixed for).
NUMBER_SPACE_UNIT = re.compile(r"\d (?=" + i18n.UNIT_WORDS + ")", re.IGNORECASE)


def _compiled(domain: str) -> dict[object, str]:
    with (ROOT / "locale" / "ru" / "LC_MESSAGES" / f"{domain}.mo").open("rb") as fp:
        return GNUTranslations(fp)._catalog  # type: ignore[attr-defined]


DOMAINS = sorted(p.stem for p in (ROOT / "locale" / "ru" / "LC_MESSAGES").glob("*.mo"))
NUMBER_SPACE_UNIT_EN = re.compile(r"\d (?=" + i18n.UNIT_WORDS_EN + ")", re.IGNORECASE)


def _english(domain: str) -> list[str]:
    """The English a page shows: a message's English text where the catalog gives one, else its msgid."""
    with (ROOT / "locale" / "en" / "LC_MESSAGES" / f"{domain}.po").open("rb") as fp:
        catalog = read_po(fp, locale="en")
    texts = []
    for message in catalog:
        if message.id:
            ids = list(message.id) if isinstance(message.id, tuple | list) else [message.id]
            given = list(message.string) if isinstance(message.string, tuple | list) else [message.string]
            texts += [text or ids[min(i, len(ids) - 1)] for i, text in enumerate(given)]
    return texts


@pytest.mark.parametrize("domain", DOMAINS)
def test_no_russian_sentence_parts_a_written_number_from_its_unit(domain: str) -> None:
    """A page's sentence and an e-mail's text of several lines alike (a phone's mail app wraps it too)."""
    parted = [text for key, text in _compiled(domain).items() if key and NUMBER_SPACE_UNIT.search(text)]
    assert parted == [], parted


@pytest.mark.parametrize("domain", DOMAINS)
def test_no_english_sentence_parts_a_written_number_from_its_unit(domain: str) -> None:
    parted = [text for text in _english(domain) if NUMBER_SPACE_UNIT_EN.search(text)]
    assert parted == [], parted


@pytest.mark.parametrize("domain", DOMAINS)
def test_no_sentence_ends_a_line_with_a_legal_abbreviation_or_a_number_sign(domain: str) -> None:
    """«ПП №» at a line's end and «354» on the next, «ст.» parted from «5»: in Russian and in English alike (an
    English sentence names the Russian law as it is written)."""
    russian = [text for key, text in _compiled(domain).items() if key]
    parted = [text for text in russian + _english(domain) if REFERENCE_SPACE.search(text)]
    assert parted == [], parted


@pytest.mark.parametrize(
    "text",
    ["ПП № 354", "152-ФЗ ст. 5 ч. 7", "(п. 13)", "Заказ № %(number)s", "П. 1.3 ч. 2 ст. 44 ЖК"],
)
def test_a_plain_space_after_a_reference_is_seen(text: str) -> None:
    assert REFERENCE_SPACE.search(text)
    assert not REFERENCE_SPACE.search(text.replace(" ", "\u00a0"))


@pytest.mark.parametrize("text", ["3 days", "10 working days", "2 photos", "up to 10 MB", "12 digits"])
def test_a_plain_space_after_an_english_number_is_seen(text: str) -> None:
    assert NUMBER_SPACE_UNIT_EN.search(text)
    assert not NUMBER_SPACE_UNIT_EN.search(text.replace(" ", "\u00a0"))


def test_the_fixed_sentences_are_among_them() -> None:
    """The check reads the catalogs the pages read (a few of the sentences residents meet on a phone)."""
    tickets, accounts = _compiled("tickets").values(), _compiled("accounts").values()
    assert "Документы о собственности не нужны. Ответим в течение 10\u00a0рабочих дней." in tickets
    assert "Запомнить меня на этом устройстве на 30\u00a0дней" in accounts
    assert "Remember me on this device for 30\u00a0days" in _english("accounts")
    assert "Изменение числа проживающих (ПП №\u00a0354, п.\u00a034 «з»)." in _compiled("tickets").values()
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
        ("Staff answer within %(num)s working days.", {"num": 10}, "within 10\u00a0working days."),
        ("Up to %(num)s photos", {"num": 2}, "Up to 2\u00a0photos"),
        ("%(num)s daylight hours", {"num": 2}, "2 daylight hours"),  # an English unit is a whole word
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


@pytest.mark.parametrize(
    ("locale", "style", "shown"),
    [
        ("ru", "day_month", "7\u00a0декабря"),
        ("en", "day_month", "7\u00a0December"),
        ("ru", "long", "7 декабря 2026"),  # a date with its year, in a sentence, as before
        ("ru", "short", "07.12.2026"),
    ],
)
def test_a_due_dates_day_and_month_never_part(locale: str, style: str, shown: str) -> None:
    """The resident's home said «Передайте показания до 7» and «декабря» on the next line at 320–360 px."""
    from datetime import date

    assert i18n.format_day(date(2026, 12, 7), style, locale) == shown


def test_the_emergency_strips_end_keeps_its_day_and_month() -> None:
    """«Аварийное: … до 7» and «декабря 2026, 09:00» on the next line at 320 px: the strip's moment is held."""
    from datetime import UTC
    from datetime import datetime

    end = datetime(2026, 12, 7, 6, 0, tzinfo=UTC)
    assert i18n.format_moment(end, "Europe/Simferopol", "ru", held=True) == "7\u00a0декабря 2026, 09:00"
    assert i18n.format_moment(end, "Europe/Simferopol", "ru") == "7 декабря 2026, 09:00"  # elsewhere as before
