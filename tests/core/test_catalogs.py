"""Every user-visible string has a Russian translation, domain by domain (English is the message id)."""

import io
import re
from functools import cache
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import PoFileError
from babel.messages.pofile import read_po

from portal.core import catalogs

ROOT = Path(__file__).resolve().parents[2]
DOMAINS = catalogs.domains()


@cache
def _asked() -> dict[str, Catalog]:
    """Each domain's messages as its files ask for them (what `make messages` extracts)."""
    return catalogs.asked()


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
    """A message is looked up in the catalog of the domain whose file asks for it, under its context: «Failed» of a
    refund (``pgettext("refund status", …)``) is not translated by the «Failed» of a meter."""
    with (ROOT / "locale" / "ru" / "LC_MESSAGES" / f"{domain}.po").open("rb") as fp:
        catalog = read_po(io.BytesIO(fp.read()), locale="ru")
    missing = sorted(
        f"{m.context}|{m.id}" if m.context else str(m.id)
        for m in _asked()[domain]
        if m.id and not ((found := catalog.get(m.id, m.context)) and all(_strings(found)) and not found.fuzzy)
    )
    assert not missing, (
        f"untranslated in locale/ru/LC_MESSAGES/{domain}.po (run `make messages DOMAINS={domain}`): {missing}"
    )


def _strings(message) -> tuple[str, ...]:
    return message.string if isinstance(message.string, tuple) else (message.string,)


@pytest.mark.parametrize("domain", DOMAINS)
@pytest.mark.parametrize("locale", ["ru", "en"])
def test_every_catalog_is_what_make_messages_writes(domain, locale):
    """Strings added by hand in their own order, and entries left behind by code that no longer asks for them, made
    `make messages` rewrite every catalog: each catalog is its output, so running it changes only what the code
    changed."""
    path = catalogs.path_of(domain, locale)
    assert path.read_bytes() == catalogs.updated(_asked()[domain], domain, locale), (
        f"{path.relative_to(ROOT)} is not what `make messages DOMAINS={domain}` writes: run it"
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


# Russian quotes around what holds no Russian letter («Paid», «%(value)s»); a Russian name keeps its own quotes in
# an English sentence (ООО «УК Монолит Комфорт», ЖК «Салгирный парк», flat «3Н»), as it is written on its papers.
QUOTED = re.compile(r"«[^«»]*[А-Яа-яЁё][^«»]*»")


@pytest.mark.parametrize("domain", DOMAINS)
def test_english_texts_quote_the_english_way(domain):
    """The dashboard's English note read «Paid», in the Russian quotes its message was written with: an English text
    quotes with “ ”, and keeps « » only around Russian words it names."""
    russian_way = [text for text in _shown(domain, "en") if re.search("[«»]", QUOTED.sub("", text))]
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
