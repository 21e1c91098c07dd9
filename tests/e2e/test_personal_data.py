"""152-ФЗ in the browser (DOMAIN.md §6): a resident who wants news by e-mail withdraws the consent; a news item
for the house then reaches a neighbour but not her, while an emergency notice still does; she downloads all her
data as a file; an administrator sees her erasure date on «Персональные данные». Screenshots of the resident's
page and the staff list at 390 and 1280 px go to var/test/screenshots."""

from __future__ import annotations

import json
import re
import sqlite3
import time
from contextlib import closing
from datetime import timedelta
from email import message_from_bytes
from email import policy
from email.header import decode_header
from email.header import make_header
from pathlib import Path

import pytest
from playwright.sync_api import Page
from playwright.sync_api import expect

from portal.accounts import rules
from portal.core import clock
from portal.core.i18n import format_day
from tests.browser import OpenPage
from tests.browser import Served
from tests.browser import record_htmx_requests
from tests.browser import sign_in
from tests.conftest import Inbox
from tests.e2e.test_emergency_notice import SHOTS

pytestmark = pytest.mark.browser
expect.set_options(timeout=30_000)


def _want_news_by_email(page: Page, base: str) -> None:
    page.goto(base + "/notifications/settings")
    page.locator('input[name=want][value="news:email"]').check()
    page.get_by_role("button", name="Сохранить настройки").click()
    expect(page.locator('input[name=want][value="news:email"]')).to_be_checked()


def _publish(page: Page, base: str, kind: str, title: str, house: str) -> None:
    page.goto(base + f"/staff/posts/new?kind={kind}")
    page.select_option("#f-kind", kind)
    page.fill("#f-title", title)
    page.fill("#f-body", "Текст сообщения для жителей дома.")
    page.get_by_label(house, exact=True).check()
    page.get_by_label("E-mail").check()
    page.get_by_role("button", name="Сохранить").click()
    expect(page.locator("h1")).to_contain_text(title)
    if kind == "emergency":
        page.once("dialog", lambda dialog: dialog.accept())  # «Отправить сейчас …? … не отозвать.»
        page.get_by_role("button", name="Отправить сейчас").click()
        expect(page.locator(".flash", has_text="Отправлено жителям")).to_be_visible()
    else:
        page.get_by_role("button", name="Отправить на модерацию").click()
        page.once("dialog", lambda dialog: dialog.accept())  # «Опубликовать и отправить сейчас …? … не отозвать.»
        page.get_by_role("button", name="Одобрить и опубликовать").click()
        expect(page.locator(".flash", has_text="Опубликовано")).to_be_visible()


def _subjects(inbox: Inbox, recipient: str) -> list[str]:
    """The subjects of every e-mail that reached ``recipient`` so far."""
    found = [
        message_from_bytes(e.content, policy=policy.default) for e in list(inbox.messages) if recipient in e.rcpt_tos
    ]
    return [str(make_header(decode_header(m["Subject"]))) for m in found]


def _wait_subject(inbox: Inbox, recipient: str, text: str, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if any(text in s for s in _subjects(inbox, recipient)):
            return
        time.sleep(0.5)
    raise AssertionError(f"no e-mail «{text}» to {recipient} within {seconds} s: {_subjects(inbox, recipient)}")


def test_a_resident_who_withdrew_gets_emergencies_not_news_downloads_her_data_and_staff_see_the_erasure_date(
    open_page: OpenPage, tmp_path: Path, own_mail_server: Served, mail_server: Inbox
) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    base, folder = own_mail_server
    inbox = mail_server
    db = sqlite3.connect(folder / "live.sqlite")
    house = db.execute("SELECT address FROM house ORDER BY id LIMIT 1").fetchone()[0]
    db.close()

    # Natalia (resident2, the first house) and her neighbour Ivan both want news by e-mail.
    page = open_page(accept_downloads=True)
    sign_in(page, base, "resident2@demo.ru")
    _want_news_by_email(page, base)
    neighbour = open_page(1280)
    sign_in(neighbour, base, "resident@demo.ru")
    _want_news_by_email(neighbour, base)

    # She withdraws her consent: the page names the erasure date.
    page.goto(base + "/consent")
    # The browser asks first: «No» leaves the consent as it was (one press used to close the portal at once).
    asked: list[str] = []
    sent = record_htmx_requests(page)
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    page.get_by_role("button", name="Отозвать согласие").click()
    assert sent() == [], "«No» let the form be sent"  # htmx sends it in the submit the click dispatched
    expect(page.locator("main")).to_contain_text("Вы приняли этот текст")
    assert asked and asked[0].startswith("Отозвать согласие?"), asked
    page.once("dialog", lambda dialog: dialog.accept())
    today = clock.today_local()
    page.get_by_role("button", name="Отозвать согласие").click()
    # Counted from the company's date when the server took it: today's, or tomorrow's if midnight passed meanwhile.
    days = [format_day(rules.erasure_due(day), locale="ru") for day in (today, today + timedelta(days=1))]
    expect(page.locator(".flash")).to_contain_text(re.compile("|".join(map(re.escape, days))))
    due = next(day for day in days if day in page.locator(".flash").inner_text())
    expect(page.locator("main")).to_contain_text("Скачать мои данные")
    page.screenshot(path=str(SHOTS / "personal-data-390.png"), full_page=True)

    # … and downloads everything the portal holds about her.
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Скачать мои данные").click()
    download = download_info.value
    assert download.suggested_filename.startswith("personal-data-") and download.suggested_filename.endswith(".json")
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    data = json.loads(saved.read_text(encoding="utf-8"))
    assert data["profile"]["full_name"] == "Наталья Викторовна Егорова"
    assert data["profile"]["email"] == "resident2@demo.ru"
    assert data["accounts"]["rows"], "her accounts are in the file"
    assert data["consents"]["rows"][0]["withdrawn_at"]

    # A news item and an emergency notice for her house.
    moderator = open_page(1280)
    sign_in(moderator, base, "moderator@demo.ru")
    news, emergency = "Новости дома: субботник, тест e2e", "Авария: нет света, тест e2e"
    _publish(moderator, base, "news", news, house)
    _publish(moderator, base, "emergency", emergency, house)
    _wait_subject(inbox, "resident@demo.ru", news)  # the news went out to those who may have it
    _wait_subject(inbox, "resident2@demo.ru", emergency)  # an emergency is owed to her all the same
    _wait_subject(inbox, "resident@demo.ru", emergency)
    # Decided when the news went out, not by how long her mail may still take: its messages to every reader were
    # written in one go (one page of its audience), the neighbour's among them, and hers is not.
    with closing(sqlite3.connect(folder / "live.sqlite")) as db:
        written = {
            who: db.execute(
                "SELECT count(*) FROM outbox_message WHERE channel = 'email' AND recipient = ? AND subject LIKE ?",
                (who, f"%{news}%"),
            ).fetchone()[0]
            for who in ("resident@demo.ru", "resident2@demo.ru")
        }
    assert written == {"resident@demo.ru": 1, "resident2@demo.ru": 0}
    assert not any(news in s for s in _subjects(inbox, "resident2@demo.ru")), _subjects(inbox, "resident2@demo.ru")

    # An administrator sees her erasure date.
    for width, height in ((1280, 900), (390, 844)):
        admin = open_page(width, height)
        sign_in(admin, base, "admin@demo.ru")
        admin.goto(base + "/staff/personal-data")
        row = admin.locator("#pending tr", has_text="Наталья Викторовна Егорова")
        expect(row).to_contain_text("Удаление после отзыва")
        expect(row).to_contain_text(due)
        admin.screenshot(path=str(SHOTS / f"staff-personal-data-{width}.png"), full_page=True)
    wide = open_page(1280)
    sign_in(wide, base, "resident2@demo.ru")
    wide.goto(base + "/consent")
    wide.screenshot(path=str(SHOTS / "personal-data-1280.png"), full_page=True)
