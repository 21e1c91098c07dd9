"""The company's name in the reader's language: its English name (``COMPANY_NAME_EN``) on English pages and in
English messages, the Russian one where none is given, marked as Russian; Russian pages keep the Russian one."""

from __future__ import annotations

import dataclasses

import pytest

from portal.notifications.messages import registered
from portal.notifications.messages import render
from portal.settings import Settings
from portal.settings import get_settings
from portal.settings import use_settings


def test_the_demo_company_has_an_english_name_and_another_company_none_until_it_is_given(tmp_path) -> None:
    base = {"PORTAL_VAR_DIR": str(tmp_path), "SECRET_KEY": "x"}
    demo = Settings.from_env(base)
    assert (demo.company_name, demo.company_name_en) == ("УК «Монолит Комфорт»", "Monolit Komfort")
    other = Settings.from_env({**base, "COMPANY_NAME": "ООО «УК Ромашка»"})
    assert (other.company_name, other.company_name_en) == ("ООО «УК Ромашка»", "")
    both = Settings.from_env({**base, "COMPANY_NAME": "ООО «УК Ромашка»", "COMPANY_NAME_EN": "Romashka LLC"})
    assert both.company_name_en == "Romashka LLC"


@pytest.fixture
def without_english_name():
    before = get_settings()
    use_settings(dataclasses.replace(before, company_name_en=""))
    yield
    use_settings(before)


async def test_an_english_page_names_the_company_in_english(client) -> None:
    client.cookies.set("lang", "en")
    page = (await client.get("/login")).text
    assert '<span class="brand-name">Monolit Komfort</span>' in page and 'title="Monolit Komfort"' in page
    assert "· Monolit Komfort</title>" in page and "Монолит" not in page
    client.cookies.set("lang", "ru")
    page = (await client.get("/login")).text
    assert '<span class="brand-name">УК «Монолит Комфорт»</span>' in page and "Monolit" not in page


async def test_without_an_english_name_an_english_page_marks_the_russian_one(client, without_english_name) -> None:
    client.cookies.set("lang", "en")
    page = (await client.get("/login")).text
    assert '<span class="brand-name"><span lang="ru">УК «Монолит Комфорт»</span></span>' in page


def test_an_english_message_signs_with_the_english_name() -> None:
    template = registered()["ticket_reply"]
    english = render(template, "en", {**template.sample, "link": "/x"})
    assert "Monolit Komfort" in english.html and "Монолит" not in english.html
    russian = render(template, "ru", {**template.sample, "link": "/x"})
    assert "УК «Монолит Комфорт»" in russian.html or "УК &laquo;Монолит Комфорт&raquo;" in russian.html
