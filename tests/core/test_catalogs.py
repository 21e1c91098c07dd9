"""Every user-visible string has a Russian translation, domain by domain (English is the message id)."""

import io
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
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
