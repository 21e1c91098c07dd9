"""The filters that write values in the reader's language (number, money, day) give each reader their language
even for a constant in a template: Jinja must not write the constant once when it compiles the template."""

from __future__ import annotations

from datetime import UTC
from datetime import date
from datetime import datetime
from types import SimpleNamespace

from jinja2 import Environment

from portal.core.i18n import set_locale
from portal.core.web import configure_jinja


def test_a_constant_is_written_in_the_language_of_each_reader_not_of_the_first():
    env = Environment(autoescape=True)
    configure_jinja(SimpleNamespace(engine=env))  # type: ignore[arg-type]
    set_locale("ru")
    try:
        template = env.from_string("{{ 50000 | number(0) }}|{{ 1234.5 | money }}|{{ day | day }}")
        sample = {"day": date(2026, 12, 2)}
        assert template.render(**sample) == "50\u00a0000|1\u00a0234,50\u00a0₽|2 декабря 2026"
        set_locale("en")
        assert template.render(**sample) == "50,000|₽1,234.50|2 December 2026"
    finally:
        set_locale("ru")


def test_each_filter_takes_its_arguments_as_templates_pass_them_in_each_readers_language():
    """Every filter of the reader's language, on constants and with the arguments templates give it: ``number(2,
    true)`` is digits and fixed, never a language."""
    env = Environment(autoescape=True)
    configure_jinja(SimpleNamespace(engine=env))  # type: ignore[arg-type]
    template = env.from_string(
        "{{ 1234.5 | money }}|{{ day | day('short') }}|{{ at | moment }}|{{ at | clock }}|{{ 2.5 | number(2, true) }}"
        "|{{ 12.5 | quantity('m³', 1) }}|{{ 37.8 | area }}|{{ 146 | area(false) }}|{{ 38.889 | percent(1) }}"
        "|{{ 50 | percent(2, false) }}|{{ 0.5 | typed }}|{{ {'title': 'Вода', 'title_en': 'Water'} | own }}"
        "|{{ {'name': 'Вода'} | own_html('name') }}|{{ {'title': 'Вода'} | own_lang }}"
    )
    sample = {"day": date(2026, 12, 2), "at": datetime(2026, 12, 2, 9, 5, tzinfo=UTC)}
    set_locale("ru")
    try:
        assert template.render(**sample).split("|") == [
            "1\u00a0234,50\u00a0₽", "02.12.2026", "2 декабря 2026, 12:05", "12:05", "2,50", "12,5\u00a0m³",
            "37,80\u00a0м²", "146\u00a0м²", "38,9\u00a0%", "50\u00a0%", "0,5", "Вода", "Вода", "",
        ]  # fmt: skip
        set_locale("en")
        assert template.render(**sample).split("|") == [
            "₽1,234.50", "02.12.2026", "2 December 2026, 12:05", "12:05", "2.50", "12.5\u00a0m³",
            "37.80\u00a0m²", "146\u00a0m²", "38.9%", "50%", "0.5", "Water", '<span lang="ru">Вода</span>', "ru",
        ]  # fmt: skip
    finally:
        set_locale("ru")


def test_the_readers_filters_are_called_as_they_are_with_no_wrapper_in_between():
    """Each use of ``money``, ``day``, ``own``… is one Python call to the function that writes it (since 326ea0f2 a
    wrapper taking ``*args`` stood between, a second call at each of a page's tens of uses)."""
    import inspect

    from portal.core.web import _READER_FILTERS

    env = Environment(autoescape=True)
    configure_jinja(SimpleNamespace(engine=env))  # type: ignore[arg-type]
    for name, write in _READER_FILTERS.items():
        used = env.filters[name]
        assert used is write, name
        assert not used.__code__.co_flags & (inspect.CO_VARARGS | inspect.CO_VARKEYWORDS), name
        assert next(iter(inspect.signature(used).parameters)) == "_context", name
