"""The filters that write values in the reader's language (number, money, day) give each reader their language
even for a constant in a template: Jinja must not write the constant once when it compiles the template."""

from __future__ import annotations

from datetime import date
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
