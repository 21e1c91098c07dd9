"""The public page of how long personal data is kept (152-ФЗ ст. 18.1 ч. 2) states the terms the daily jobs carry
out, from their settings: a term changed by the company is the term the page says."""

from __future__ import annotations

import dataclasses

from portal import settings as portal_settings


async def test_the_page_says_the_terms_in_force(client, monkeypatch):
    page = await client.get("/privacy")
    assert page.status_code == 200
    text = " ".join(page.text.split())
    assert "3 года с даты протокола собрания" in text, text
    assert "СНИЛС собственников" in text
    scans = "и сканы этих решений (на них видны СНИЛС и подпись)</dt><dd>3 года с даты протокола собрания"
    assert scans in text, text  # the scans, in the same term as the digits
    assert "30 дней после истечения их срока" in text and "30 дней после отправки" in text
    assert "в течение 30 дней после отзыва" in text
    assert "Документы к заявлению о смене собственника" in text
    assert "1095 дней после того, как заявление исполнено или отклонено" in text
    assert "паспорта счётчиков" in text and "3 года после закрытия заявки (срок исковой давности)" in text
    assert "заявке на просмотр" in text and "90 дней после последней работы с заявкой" in text

    current = portal_settings.get_settings()
    changed = dataclasses.replace(
        current,
        ballot_snils_keep_years=5,
        one_time_token_keep_days=21,
        owner_docs_keep_days=731,
        request_files_keep_years=5,
        viewing_keep_days=61,
    )
    monkeypatch.setattr(portal_settings, "_current", changed)
    text = " ".join((await client.get("/privacy")).text.split())
    assert "5 лет с даты протокола собрания" in text and "3 года" not in text
    assert "21 день после истечения их срока" in text and "21 день после отправки" in text
    assert "731 день после того, как заявление исполнено" in text and "1095 дней" not in text
    assert "5 лет после закрытия заявки" in text and "61 день после последней работы с заявкой" in text


async def test_the_page_says_the_terms_in_english(client):
    text = " ".join((await client.get("/privacy", headers={"Accept-Language": "en"})).text.split())
    assert "1095 days after the application is applied or refused, then deleted" in text, text
    assert "3 years after the request is closed (the limitation period for claims)" in text
    assert "90 days after the request was last worked on" in text


async def test_the_sign_in_page_links_to_it(client):
    assert 'href="/privacy"' in (await client.get("/login")).text
