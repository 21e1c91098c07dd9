"""A record's own text in the reader's language: the English twin where the reader reads English and staff wrote
it, else the Russian text, for a row's dataclass and a message's context alike, and in a template."""

from __future__ import annotations

from dataclasses import dataclass
from types import SimpleNamespace

import pytest
from jinja2 import Environment

from portal.core.i18n import get_locale
from portal.core.i18n import in_russian_and_english
from portal.core.i18n import lazy
from portal.core.i18n import own_markup
from portal.core.i18n import own_words
from portal.core.i18n import russian_lang
from portal.core.i18n import set_locale
from portal.core.web import configure_jinja


@dataclass(frozen=True)
class Named:
    title: str
    title_en: str


@pytest.mark.parametrize(
    ("record", "locale", "shown"),
    [
        (Named("Мелкий ремонт", "Minor repairs"), "en", "Minor repairs"),
        (Named("Мелкий ремонт", "Minor repairs"), "ru", "Мелкий ремонт"),
        (Named("Мелкий ремонт", ""), "en", "Мелкий ремонт"),
        (Named("Мелкий ремонт", "  "), "en", "Мелкий ремонт"),
        ({"title": "Мелкий ремонт", "title_en": "Minor repairs"}, "en", "Minor repairs"),
        ({"title": "Мелкий ремонт"}, "en", "Мелкий ремонт"),  # a message queued before the English name
    ],
    ids=[
        "English to a reader of English",
        "Russian to a reader of Russian",
        "no English name: the Russian one",
        "a blank English name: the Russian one",
        "a message's context",
        "a context without the English name",
    ],
)
def test_a_records_text_in_the_readers_language(record, locale, shown):
    assert own_words(record, "title", locale) == shown


def test_the_template_filter_follows_each_reader():
    env = Environment(autoescape=True)
    configure_jinja(SimpleNamespace(engine=env))  # type: ignore[arg-type]
    template = env.from_string('{{ s | own("title") }}')
    try:
        set_locale("en")
        assert template.render(s=Named("Сантехника", "Plumbing")) == "Plumbing"
        set_locale("ru")
        assert template.render(s=Named("Сантехника", "Plumbing")) == "Сантехника"
    finally:
        set_locale("ru")


@pytest.mark.parametrize(
    ("record", "locale", "shown"),
    [
        (Named("Ремонт <и> наладка", ""), "en", '<span lang="ru">Ремонт &lt;и&gt; наладка</span>'),
        (Named("Ремонт <и> наладка", "Repair & set-up"), "en", "Repair &amp; set-up"),
        (Named("Ремонт <и> наладка", "Repair & set-up"), "ru", "Ремонт &lt;и&gt; наладка"),
        (Named("", ""), "en", ""),
    ],
    ids=[
        "the Russian name standing in: marked Russian, escaped",
        "the English name: escaped, not marked",
        "the Russian name to a reader of Russian: not marked",
        "nothing to show: no empty mark",
    ],
)
def test_a_russian_text_standing_in_for_the_readers_language_is_marked_russian_in_html(record, locale, shown):
    assert own_markup(record, "title", locale) == shown


def test_the_html_filter_marks_the_stand_in_and_escapes_it():
    env = Environment(autoescape=True)
    configure_jinja(SimpleNamespace(engine=env))  # type: ignore[arg-type]
    template = env.from_string('<h1>{{ s | own_html("title") }}</h1>')
    try:
        set_locale("en")
        assert template.render(s=Named("<Сантехника>", "")) == '<h1><span lang="ru">&lt;Сантехника&gt;</span></h1>'
        assert template.render(s=Named("Сантехника", "Plumbing")) == "<h1>Plumbing</h1>"
    finally:
        set_locale("ru")


@pytest.mark.parametrize("reader", ["ru", "en"])
def test_words_the_portal_keeps_in_both_languages_leave_the_readers_language_as_it_was(reader):
    set_locale(reader)
    assert in_russian_and_english(lazy("yes")) == ("да", "yes")
    assert get_locale() == reader

    def broken() -> str:
        raise RuntimeError

    with pytest.raises(RuntimeError):
        in_russian_and_english(broken)
    assert get_locale() == reader


@pytest.mark.parametrize(
    ("text", "locale", "lang"),
    [
        ("Иван Петрович Смирнов", "en", "ru"),
        ("ул. Киевская, д. 189А", "en", "ru"),
        ("ул. Киевская, д. 189, flat 1", "en", ""),
        ("tenant@example.ru", "en", ""),
        ("Иван Петрович Смирнов", "ru", ""),
        (None, "en", ""),
    ],
    ids=["a name", "an address", "mixed with the page's English", "no Russian", "a Russian page", "nothing"],
)
def test_an_element_whose_whole_text_is_russian_data_is_told_russian(text, locale, lang):
    try:
        set_locale(locale)
        assert russian_lang(text) == lang
    finally:
        set_locale("ru")
