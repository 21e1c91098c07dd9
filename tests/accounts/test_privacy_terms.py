"""The public page of how long personal data is kept (152-ФЗ ст. 18.1 ч. 2) states the terms the daily jobs carry
out, from their settings: a term changed by the company is the term the page says."""

from __future__ import annotations

import dataclasses

import pytest

from portal import settings as portal_settings
from portal.core.i18n import format_term
from portal.core.i18n import in_locale


@pytest.mark.parametrize(
    ("term", "ru", "en"),
    [
        ({"days": 1095}, "3 года", "3 years"),  # whole years of days are read as years
        ({"days": 365}, "1 год", "1 year"),
        ({"days": 1825}, "5 лет", "5 years"),
        ({"years": 21}, "21 год", "21 years"),
        ({"days": 731}, "731 день", "731 days"),  # not whole years: days
        ({"days": 30}, "30 дней", "30 days"),
        ({"days": 1}, "1 день", "1 day"),
        ({"days": 364}, "364 дня", "364 days"),
    ],
)
def test_a_term_is_said_in_the_unit_a_person_thinks_in(term, ru, en):
    with in_locale("ru"):
        assert format_term(**term) == ru.replace(" ", "\u00a0")  # never parted by a line break
    with in_locale("en"):
        assert format_term(**term) == en.replace(" ", "\u00a0")


async def test_the_page_says_the_terms_in_force(client, monkeypatch):
    page = await client.get("/privacy")
    assert page.status_code == 200
    text = " ".join(page.text.split())
    assert "3 года с даты протокола собрания" in text, text
    assert "СНИЛС собственников" in text
    scans = "и сканы этих решений (на них видны СНИЛС и подпись)</dt><dd>3 года с даты протокола собрания"
    assert scans in text, text  # the scans, in the same term as the digits
    assert "30 дней после истечения их срока" in text and "30 дней после отправки" in text
    assert "не позднее чем через 30 дней после отзыва" in text
    assert "Документы к заявлению о смене собственника" in text
    assert "3 года после того, как заявление исполнено или отклонено" in text and "1095" not in text
    assert "паспорта счётчиков" in text and "3 года после закрытия заявки (срок исковой давности)" in text
    assert "заявке на просмотр" in text and "90 дней после последней работы с заявкой" in text

    current = portal_settings.get_settings()
    changed = dataclasses.replace(
        current,
        ballot_snils_keep_years=5,
        one_time_token_keep_days=21,
        owner_docs_keep_days=731,
        request_files_keep_years=5,
        viewing_keep_days=365,
    )
    monkeypatch.setattr(portal_settings, "_current", changed)
    text = " ".join((await client.get("/privacy")).text.split())
    assert "5 лет с даты протокола собрания" in text and "3 года" not in text
    assert "21 день после истечения их срока" in text and "21 день после отправки" in text
    assert "731 день после того, как заявление исполнено" in text and "3 года" not in text
    assert "5 лет после закрытия заявки" in text and "1 год после последней работы с заявкой" in text


async def test_the_page_says_the_terms_in_english(client):
    text = " ".join((await client.get("/privacy", headers={"Accept-Language": "en"})).text.split())
    assert "3 years after the application is applied or refused, then deleted" in text, text
    assert "deleted no later than 30 days after the withdrawal" in text
    assert "3 years after the request is closed (the limitation period for claims)" in text
    assert "90 days after the request was last worked on" in text


async def test_the_sign_in_page_links_to_it(client):
    assert 'href="/privacy"' in (await client.get("/login")).text
