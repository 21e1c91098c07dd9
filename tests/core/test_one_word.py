"""One word for one thing: the company calls its urgent posts «аварийные» (its «аварийно-диспетчерская служба»),
and a resident who reads «Аварийное сообщение» in the feed and «Экстренное сообщение» in a staff notice took them
for two kinds of post. No Russian text of the portal says «экстренное»."""

from __future__ import annotations

from gettext import GNUTranslations

import pytest

from tests.conftest import ROOT

DOMAINS = sorted(p.stem for p in (ROOT / "locale" / "ru" / "LC_MESSAGES").glob("*.mo"))


def _russian(domain: str) -> dict[object, str]:
    with (ROOT / "locale" / "ru" / "LC_MESSAGES" / f"{domain}.mo").open("rb") as fp:
        return GNUTranslations(fp)._catalog  # type: ignore[attr-defined]


@pytest.mark.parametrize("domain", DOMAINS)
def test_no_catalog_says_ekstrennoe(domain: str) -> None:
    said = [text for key, text in _russian(domain).items() if key and "экстренн" in text.lower()]
    assert said == [], said


def test_nor_a_template_or_the_code() -> None:
    files = [*(ROOT / "templates").rglob("*.html"), *(ROOT / "portal").rglob("*.py")]
    said = [p.relative_to(ROOT).as_posix() for p in files if "экстренн" in p.read_text(encoding="utf-8").lower()]
    assert said == [], said


def test_the_moderators_notices_say_avariynoe() -> None:
    content = _russian("content")
    assert content["Emergency notice marked as reviewed"] == "Аварийное сообщение отмечено проверенным"
    assert content["Emergency notice sent out at once"] == "Аварийное сообщение отправлено сразу"
