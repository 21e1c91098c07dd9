"""Every user-visible string has a Russian translation, domain by domain (English is the message id)."""

import io
import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import PoFileError
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "pgettext": ((1, "c"), 2), "lazy": None}
METHODS = [
    ("**.py", "python"),
    ("**.html", "jinja2"),
]
OPTIONS = {"**.html": {"extensions": "jinja2.ext.i18n", "trim_blocks": "true", "lstrip_blocks": "true"}}
CORE_SOURCES = ["portal/core", "templates/components"]
CORE_FILES = [
    "portal/app.py",
    "portal/cli.py",
    "portal/demo.py",
    "templates/base.html",
    "templates/home.html",
    "templates/error.html",
]


def _extract(paths: list[Path]) -> set[str]:
    found: set[str] = set()
    for path in paths:
        if not path.exists():
            continue
        if path.is_dir():
            items = extract_from_dir(path, METHODS, keywords=KEYWORDS, options_map=OPTIONS)
            for _file, _line, message, _comments, _context in items:
                found.add(message[0] if isinstance(message, tuple) else message)
        else:
            from babel.messages.extract import extract_from_file

            method = "jinja2" if path.suffix == ".html" else "python"
            opts = OPTIONS["**.html"] if method == "jinja2" else {}
            for _line, message, _comments, _context in extract_from_file(method, path, keywords=KEYWORDS, options=opts):
                found.add(message[0] if isinstance(message, tuple) else message)
    return found


def _sources(domain: str) -> list[Path]:
    if domain == "core":
        return [ROOT / p for p in CORE_SOURCES + CORE_FILES]
    return [ROOT / "portal" / domain, ROOT / "templates" / domain]


DOMAINS = sorted(p.stem for p in (ROOT / "locale" / "ru" / "LC_MESSAGES").glob("*.po"))


@pytest.mark.parametrize("domain", DOMAINS)
@pytest.mark.parametrize("locale", ["ru", "en"])
def test_every_catalog_reads_without_a_broken_entry(domain, locale):
    """The English accounts catalog had a message without its «msgstr» line: the compiler warned and skipped it, so
    a catalog can lose a message in silence. Every entry of every catalog is whole."""
    path = ROOT / "locale" / locale / "LC_MESSAGES" / f"{domain}.po"
    try:
        read_po(io.BytesIO(path.read_bytes()), locale=locale, abort_invalid=True)
    except PoFileError as exc:
        pytest.fail(f"{path.relative_to(ROOT)}: {exc}")


@pytest.mark.parametrize("domain", DOMAINS)
def test_every_message_of_the_domain_is_translated_into_russian(domain):
    with (ROOT / "locale" / "ru" / "LC_MESSAGES" / f"{domain}.po").open("rb") as fp:
        catalog = read_po(io.BytesIO(fp.read()), locale="ru")
    translated = {
        m.id[0] if isinstance(m.id, tuple | list) else m.id
        for m in catalog
        if m.id and (m.string if isinstance(m.string, str) else all(m.string)) and not m.fuzzy
    }
    missing = sorted(_extract(_sources(domain)) - translated)
    assert not missing, (
        f"untranslated in locale/ru/LC_MESSAGES/{domain}.po (run `make messages DOMAINS={domain}`): {missing}"
    )


# A number written the Russian way: a decimal comma («1500,50», «84,09») or thousands parted by spaces («1 500»);
# «123,456» reads as a number in both languages and cannot be told apart.
RUSSIAN_NUMBER = re.compile(r"\d,\d{1,2}(?!\d)|\d \d{3}\b")
# Phones are written with spaces in both languages («+7 978 123-45-67»), no-break ones in an example.
PHONE = re.compile(r"\+7[ \u00a0]\d{3}[ \u00a0]\d{3}[-\u2011]\d{2}[-\u2011]\d{2}")


def _shown(domain: str, locale: str) -> list[str]:
    """Every text of ``domain``'s catalog in ``locale`` as a reader sees it: the translation, or the message itself
    where it has none (English is written in the messages)."""
    with (ROOT / "locale" / locale / "LC_MESSAGES" / f"{domain}.po").open("rb") as fp:
        catalog = read_po(io.BytesIO(fp.read()), locale=locale)
    texts = []
    for message in catalog:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        texts += [s or i for s, i in zip(strings, ids, strict=False)] or list(ids)
    return texts


@pytest.mark.parametrize("domain", DOMAINS)
def test_english_texts_write_their_example_numbers_the_english_way(domain):
    """An English reader typing «1 500,00» as the hint shows would be read as 1500.00 — but the hint should show
    what an English reader writes («1,500.00»): the English text of a message never writes a number the Russian way."""
    russian_way = [text for text in _shown(domain, "en") if RUSSIAN_NUMBER.search(PHONE.sub("", text))]
    assert not russian_way, russian_way


@pytest.mark.parametrize("domain", DOMAINS)
@pytest.mark.parametrize("locale", ["ru", "en"])
def test_an_example_phone_is_never_split_across_lines(domain, locale):
    """The sign-in hint read «Например, name@example.ru или +7 978» with «123-45-67» on the next line at 390 px: an
    example number is written with no-break spaces and hyphens, as the portal writes every phone it shows."""
    texts = _shown(domain, locale)
    breakable = [text for text in texts for phone in PHONE.findall(text) if re.search(r"[ -]", phone)]
    assert not breakable, breakable


# A size and its unit with an ordinary space between them («10 МБ», «%(mb)s МБ»).
SPLIT_SIZE = re.compile(r"(?:\d|%\(\w+\)s) (?:КБ|МБ|ГБ)")


@pytest.mark.parametrize("domain", DOMAINS)
def test_a_russian_file_size_is_never_split_from_its_unit(domain):
    """The photo hint of a request read «До 5 фотографий, каждая до 10» with «МБ: снимите камерой…» on the next line
    at 390 px: a size is written with a no-break space before its unit, as a phone is written with no-break ones."""
    split = [text for text in _shown(domain, "ru") if SPLIT_SIZE.search(text)]
    assert not split, split
