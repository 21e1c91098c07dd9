"""A text that says a count says it with the plural of the number: «1 row» and «2 rows» in English, «1 строка»,
«2 строки», «5 строк» in Russian — not «1 rows»."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest
from jinja2 import Environment
from jinja2 import FileSystemLoader

from portal.catalog.texts import duration_label
from portal.core import i18n
from portal.core.web import configure_jinja
from portal.meetings.routes_staff import announced_message

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


@pytest.fixture
def say():
    def said(locale: str, make, n: int) -> str:
        i18n.set_locale(locale)
        return make(n)

    try:
        yield said
    finally:
        i18n.set_locale("ru")


def _import_preview(n: int) -> str:
    """The preview of a checked import (components/import.html), one line of text."""
    env = Environment(autoescape=True, loader=FileSystemLoader(TEMPLATES))
    configure_jinja(SimpleNamespace(engine=env))  # type: ignore[arg-type]
    source = (
        '{% import "components/import.html" as imp with context %}'
        '{{ imp.import_status("/x", None, [], report, "t", "f.csv", ["a"], {"a": "A"}, "") }}'
    )
    report = SimpleNamespace(rows=n, changes=n, created={"a": n}, updated={})
    html = env.from_string(source).render(report=report, csrf_input="")
    return " ".join(html.split())


@pytest.mark.parametrize(
    ("locale", "n", "file_line", "button"),
    [
        ("en", 1, "File f.csv: 1 row, no problems found.", "Import 1 row<"),
        ("en", 2, "File f.csv: 2 rows, no problems found.", "Import 2 rows<"),
        ("ru", 1, "Файл f.csv: 1 строка, ошибок не найдено.", "Загрузить 1 строку<"),
        ("ru", 2, "Файл f.csv: 2 строки, ошибок не найдено.", "Загрузить 2 строки<"),
        ("ru", 5, "Файл f.csv: 5 строк, ошибок не найдено.", "Загрузить 5 строк<"),
    ],
)
def test_the_import_preview_counts_the_rows_with_the_plural_of_the_number(say, locale, n, file_line, button):
    page = say(locale, _import_preview, n)
    assert file_line in page
    assert button in page


def _billing(singular: str, plural: str, **variables: object):
    return lambda n: i18n.translate_plural("billing", singular, plural, n) % {"num": n, **variables}


FILE = _billing(
    "File %(name)s: %(num)s row, no problems found.", "File %(name)s: %(num)s rows, no problems found.", name="f.csv"
)
IMPORT = _billing("Import %(num)s row", "Import %(num)s rows")
CHARGED = _billing(
    "%(num)s row is charged already with the same numbers and will be skipped.",
    "%(num)s rows are charged already with the same numbers and will be skipped.",
)


@pytest.mark.parametrize(
    ("locale", "n", "file_line", "button", "charged"),
    [
        ("en", 1, "File f.csv: 1 row, no problems found.", "Import 1 row",
         "1 row is charged already with the same numbers and will be skipped."),
        ("en", 2, "File f.csv: 2 rows, no problems found.", "Import 2 rows",
         "2 rows are charged already with the same numbers and will be skipped."),
        ("ru", 1, "Файл f.csv: 1 строка, ошибок нет.", "Загрузить 1 строку",
         "1 строка уже начислена с теми же цифрами и будет пропущена."),
        ("ru", 2, "Файл f.csv: 2 строки, ошибок нет.", "Загрузить 2 строки",
         "2 строки уже начислены с теми же цифрами и будут пропущены."),
        ("ru", 5, "Файл f.csv: 5 строк, ошибок нет.", "Загрузить 5 строк",
         "5 строк уже начислены с теми же цифрами и будут пропущены."),
    ],
)  # fmt: skip
def test_the_billing_imports_count_the_rows_with_the_plural_of_the_number(say, locale, n, file_line, button, charged):
    assert say(locale, FILE, n) == file_line
    assert say(locale, IMPORT, n) == button
    assert say(locale, CHARGED, n) == charged


@pytest.mark.parametrize(
    ("locale", "days", "said"),
    [("en", 1, "about 1 day"), ("en", 2, "about 2 days"), ("ru", 1, "около 1 дня"), ("ru", 2, "около 2 дней"),
     ("ru", 5, "около 5 дней")],
)  # fmt: skip
def test_a_service_duration_in_days_has_the_plural_of_the_number(say, locale, days, said):
    # The number and its unit are joined by a no-break space, so that a card never wraps between them.
    assert say(locale, duration_label, days * 24 * 60) == "\u00a0".join(said.rsplit(" ", 1))


@pytest.mark.parametrize(
    ("locale", "n", "said"),
    [
        ("en", 1, "The meeting is announced; 1 message to owners and residents is queued."),
        ("en", 2, "The meeting is announced; 2 messages to owners and residents are queued."),
        ("ru", 1, "Собрание объявлено; 1 сообщение собственникам и жителям поставлено в очередь."),
        ("ru", 2, "Собрание объявлено; 2 сообщения собственникам и жителям поставлены в очередь."),
        ("ru", 5, "Собрание объявлено; 5 сообщений собственникам и жителям поставлено в очередь."),
    ],
)
def test_the_announcement_counts_the_queued_messages_with_the_plural_of_the_number(say, locale, n, said):
    assert say(locale, announced_message, n) == said


def _applied(route, n: int) -> str:
    report = SimpleNamespace(rows=n, changes=n, created={"meter": n}, updated={})
    return route("", report)[0]


@pytest.mark.parametrize(
    ("locale", "n", "meters", "registry"),
    [
        ("en", 1, "Meters imported. Rows: 1; changes: 1.",
         "The registry is imported. Rows: 1; records created or changed: 1."),
        ("en", 2, "Meters imported. Rows: 2; changes: 2.",
         "The registry is imported. Rows: 2; records created or changed: 2."),
        ("ru", 1, "Счётчики загружены: строк — 1, изменений — 1.",
         "Реестр загружен: строк — 1, создано или изменено записей — 1."),
        ("ru", 5, "Счётчики загружены: строк — 5, изменений — 5.",
         "Реестр загружен: строк — 5, создано или изменено записей — 5."),
    ],
)  # fmt: skip
def test_the_imports_done_say_their_counts_without_a_wrong_plural(say, locale, n, meters, registry):
    from portal.housing.routes import _registry_applied
    from portal.meters.routes_staff import _meters_applied

    assert say(locale, lambda k: _applied(_meters_applied, k), n) == meters
    assert say(locale, lambda k: _applied(_registry_applied, k), n) == registry
