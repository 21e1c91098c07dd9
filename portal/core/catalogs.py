"""The message catalogs as the tools write them: ``make messages`` (``python -m portal.core.catalogs [DOMAIN…]``).

A string is looked up in the catalog of the domain whose file asks for it (``i18n.domain_of_module``,
``i18n.domain_of_template``), so a domain's catalog is extracted from exactly the files that map to that domain.
Updating keeps every translation of a message still asked for, adds the new ones untranslated (never guessed from a
similar message), drops the entries no file asks for any more, and writes a catalog only where its content changed
(the date of the last extraction is kept): run twice, the second run changes nothing.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po
from babel.messages.pofile import write_po

from portal.core.i18n import LOCALE_DIR
from portal.core.i18n import LOCALES
from portal.core.i18n import domain_of_module
from portal.core.i18n import domain_of_template
from portal.settings import ROOT

KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "pgettext": ((1, "c"), 2), "lazy": None}
JINJA_OPTIONS = {"extensions": "jinja2.ext.i18n", "trim_blocks": "true", "lstrip_blocks": "true"}
WIDTH = 120  # as scripts/po_fill.py writes


def domains() -> list[str]:
    """Every domain with a catalog: core, then each domain with an AppConfig."""
    return [
        "core",
        *sorted(p.parent.name for p in (ROOT / "portal").glob("*/piccolo_app.py") if p.parent.name != "core"),
    ]


def sources() -> dict[str, list[Path]]:
    """The files whose strings each domain looks up, as the portal decides it at run time."""
    found: dict[str, list[Path]] = {}
    for path in sorted((ROOT / "portal").rglob("*.py")):
        module = ".".join(path.relative_to(ROOT).with_suffix("").parts)
        found.setdefault(domain_of_module(module), []).append(path)
    for path in sorted((ROOT / "templates").rglob("*.html")):
        found.setdefault(domain_of_template(path.relative_to(ROOT / "templates").as_posix()), []).append(path)
    return found


def extract(paths: list[Path]) -> Catalog:
    """The messages asked for in ``paths`` (with their contexts and plurals)."""
    template = Catalog()
    for path in paths:
        method, options = ("jinja2", JINJA_OPTIONS) if path.suffix == ".html" else ("python", {})
        for _line, message, _comments, context in extract_from_file(method, path, KEYWORDS, options=options):
            template.add(message, None, context=context)
    return template


def asked() -> dict[str, Catalog]:
    """Each catalog's messages; a domain without a catalog must ask for none (it would be read from no catalog)."""
    by_domain = sources()
    known = domains()
    strays = [
        str(path.relative_to(ROOT))
        for d, paths in by_domain.items()
        if d not in known
        for path in paths
        if len(extract([path]))
    ]
    if strays:
        raise ValueError(f"strings in files of a domain without a catalog: {strays}")
    return {d: extract(by_domain.get(d, [])) for d in known}


def path_of(domain: str, locale: str) -> Path:
    return LOCALE_DIR / locale / "LC_MESSAGES" / f"{domain}.po"


def updated(template: Catalog, domain: str, locale: str) -> bytes:
    """The catalog of ``domain`` in ``locale`` brought up to ``template``, as written to its file."""
    path = path_of(domain, locale)
    if path.exists():
        catalog = read_po(io.BytesIO(path.read_bytes()), locale=locale, domain=domain)
    else:
        catalog = Catalog(locale=locale, domain=domain, fuzzy=False)
    catalog.update(template, no_fuzzy_matching=True, update_creation_date=False)
    out = io.BytesIO()
    write_po(out, catalog, width=WIDTH, sort_output=True, ignore_obsolete=True)
    return out.getvalue()


def main(only: list[str]) -> None:
    unknown = set(only) - set(domains())
    if unknown:
        sys.exit(f"no catalog for {sorted(unknown)}; the domains are {domains()}")
    for domain, template in asked().items():
        if only and domain not in only:
            continue
        for locale in LOCALES:
            path, text = path_of(domain, locale), updated(template, domain, locale)
            if not path.exists() or path.read_bytes() != text:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(text)
                print(f"updated {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main(sys.argv[1:])
