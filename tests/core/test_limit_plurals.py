"""A text that names a limit says it with the plural of the number: «не больше 1 символа», «2 символов»,
«21 символа»; «at most 1 character», «2 characters» — not «1 символов» or «1 characters»."""

from __future__ import annotations

import re

import pytest

from portal.core import i18n
from portal.core.tabular import Limits
from portal.core.tabular import TableError
from portal.core.tabular import Trouble

CASES = [
    ("ru", 1, "1\u00a0символа", "1 строки"),
    ("ru", 2, "2\u00a0символов", "2 строк"),
    ("ru", 5, "5\u00a0символов", "5 строк"),
    ("ru", 21, "21\u00a0символа", "21 строки"),
    ("en", 1, "1\u00a0character.", "1 row."),
    ("en", 2, "2\u00a0characters.", "2 rows."),
]


@pytest.fixture
def locale():
    def use(code: str) -> None:
        i18n.set_locale(code)

    try:
        yield use
    finally:
        i18n.set_locale("ru")


@pytest.mark.parametrize(("lang", "n", "characters", "rows"), CASES)
def test_a_files_limits_are_said_with_the_plural_of_the_number(locale, lang, n, characters, rows):
    limits = Limits(rows=n, cell=n)
    locale(lang)
    too_long = TableError(Trouble.CELL_TOO_LONG, limits, line=3).message()
    too_many = TableError(Trouble.TOO_MANY_ROWS, limits).message()
    if lang == "ru":
        assert too_long == f"Строка 3: В ячейке больше {characters}."
        assert too_many == f"В файле больше {rows}."
    else:
        assert too_long == f"Line 3: A cell is longer than {characters}"
        assert too_many == f"The file has more than {rows}"


@pytest.mark.parametrize(("lang", "n", "characters", "_rows"), CASES)
def test_a_message_too_long_for_a_request_says_its_limit_with_the_plural(
    locale, monkeypatch, lang, n, characters, _rows
):
    from portal.tickets import forms
    from portal.tickets import rules

    monkeypatch.setattr(rules, "MAX_MESSAGE", n)
    locale(lang)
    _text, errors = forms.read_message({"text": "слово " * 10}, photos=0)
    said = {
        "ru": f"Слишком длинное сообщение: не больше {characters}.",
        "en": f"The message is too long: at most {characters}",
    }
    assert errors.get("text") == said[lang]


@pytest.mark.parametrize(("lang", "n", "_characters", "rows"), CASES)
async def test_the_charges_import_page_gives_its_row_limit_with_the_plural(
    client, login, make_user, monkeypatch, lang, n, _characters, rows
):
    """The real page: the upload field's hint, as the template renders it."""
    from dataclasses import replace

    from portal.billing import importer

    monkeypatch.setattr(importer, "LIMITS", replace(importer.LIMITS, rows=n))
    await login(client, await make_user(roles=("accountant",)))
    await client.speak(lang)
    page = await client.get("/staff/billing/import")
    assert page.status_code == 200
    hint = " ".join(re.sub(r"<[^>]+>", " ", page.text).split())
    expected = {
        "ru": f"До 30 МБ и {rows.rstrip('.')}. В первой строке",
        "en": f"Up to 30 MB and {rows} The first line",
    }
    assert expected[lang] in hint, re.findall(r"(?:До|Up to) \d+[^.]*\.", hint)
