"""In a real browser, a resident's request shows its photo while it is kept and, once the daily job has deleted it at
the end of its keeping term (REQUEST_FILES_KEEP_YEARS after the request was closed), says the day it went, as the
photo's address does (410); the request and its text stay. So does an application for a change of owner refused
OWNER_DOCS_KEEP_DAYS and a day ago, of its extract. /privacy states the terms: shot at 390 and 1280 px, before and
after, into var/test/screenshots."""

from __future__ import annotations

import io
import os
import sqlite3
import subprocess
import sys
from datetime import UTC
from datetime import timedelta

import pytest
from PIL import Image

from portal.core import clock
from portal.core.i18n import format_day
from portal.core.i18n import in_locale
from tests.browser import OpenPage
from tests.browser import Served
from tests.browser import sign_in
from tests.e2e.test_emergency_notice import SHOTS

pytestmark = pytest.mark.browser

PHOTO = "2022/10/" + "f" * 32 + ".jpg"  # a request's photo, by a storage key
EXTRACT = "2022/10/" + "d" * 32 + ".pdf"  # a new owner's extract from the register

# The daily job's work, run as the worker would run it, on the live server's database.
ERASE = """
from portal.cli import run_async
from portal.core import clock
from portal.tickets import actions
print(run_async(lambda: actions.erase_request_files(clock.now(), 1095, 3)))
"""


def _jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (640, 480), (90, 140, 190)).save(out, format="JPEG")
    return out.getvalue()


def _shoot(page, base: str, path: str, name: str, part: str) -> str:
    texts = []
    for width in (390, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(f"{base}{path}")
        shown = page.locator(part).first
        texts.append(" ".join(shown.inner_text().split()))
        page.screenshot(path=str(SHOTS / f"{name}-{width}.png"), full_page=True)
        assert page.evaluate("document.documentElement.scrollWidth") <= width
    return texts[1]


def test_a_requests_photo_before_and_after_its_term_and_the_privacy_page(open_page: OpenPage, own_server: Served):
    base, folder = own_server
    SHOTS.mkdir(parents=True, exist_ok=True)
    database = folder / "live.sqlite"
    today = clock.today_local()
    closed = clock.day_start(clock.years_after(today, -3) - timedelta(days=1)) + timedelta(hours=12)
    with sqlite3.connect(database) as conn:
        (user,) = conn.execute("SELECT id FROM portal_user WHERE email = 'resident@demo.ru'").fetchone()
        ticket, created = conn.execute(
            "SELECT id, created_at FROM ticket WHERE author = ? ORDER BY id", (user,)
        ).fetchone()
        (event,) = conn.execute("SELECT min(id) FROM ticket_event WHERE ticket = ?", (ticket,)).fetchone()
        stamp = closed.astimezone(UTC).isoformat(sep="T" if "T" in created else " ")
        attached = (closed - timedelta(days=20)).astimezone(UTC).isoformat(sep="T" if "T" in created else " ")
        conn.execute(
            "UPDATE ticket SET status = 'closed', completed_at = ?, closed_at = ? WHERE id = ?", (stamp, stamp, ticket)
        )
        photo = conn.execute(
            "INSERT INTO ticket_attachment (ticket, event, author, file_key, content_type, size, width, height,"
            " visible_to_resident, created_at) VALUES (?, ?, ?, ?, 'image/jpeg', 0, 640, 480, 1, ?) RETURNING id",
            (ticket, event, user, PHOTO, attached),
        ).fetchone()[0]
        # the resident's second request becomes a new owner's application with its extract, refused long ago
        refused = (clock.now() - timedelta(days=1096)).astimezone(UTC).isoformat(sep="T" if "T" in created else " ")
        (owner_change,) = conn.execute(
            "SELECT id FROM ticket WHERE author = ? AND id != ? ORDER BY id", (user, ticket)
        ).fetchone()
        conn.execute(
            "UPDATE ticket SET category = 'owner_change', status = 'cancelled', updated_at = ? WHERE id = ?",
            (refused, owner_change),
        )
        conn.execute(
            "INSERT INTO handover_application (ticket, kind, day, full_name, documents, decided_name, account_version)"
            " VALUES (?, 'owner', '2023-11-01', 'Смирнов Иван Петрович', ?, '', '')",
            (owner_change, EXTRACT),
        )
    stored = folder / "uploads" / PHOTO
    stored.parent.mkdir(parents=True, exist_ok=True)
    stored.write_bytes(_jpeg())
    extract = folder / "uploads" / EXTRACT
    extract.write_bytes(b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n")
    page = open_page(1280)
    sign_in(page, base, "resident@demo.ru")
    before = _shoot(page, base, f"/tickets/{ticket}", "request-files-before", "main")
    with in_locale("ru"):
        goes = f"Фото и файлы заявки будут удалены {format_day(today)} по сроку хранения"
    assert "удалён" not in before and goes in before, before  # the day it goes, said ahead
    assert page.locator(f'img[src="/tickets/photos/{photo}"]').count() == 1
    assert page.request.get(f"{base}/tickets/photos/{photo}").status == 200

    documents = _shoot(page, base, f"/tickets/{owner_change}", "owner-documents-before", "main")
    with in_locale("ru"):
        goes = f"Документы будут удалены {format_day(today)} по сроку хранения"
    assert "Документ 1 (PDF)" in documents and " ".join(goes.split()) in documents, (
        documents
    )  # the day they go, said ahead
    assert page.request.get(f"{base}/tickets/{owner_change}/documents/1").status == 200

    env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}", "PORTAL_VAR_DIR": str(folder)}
    done = subprocess.run([sys.executable, "-c", ERASE], env=env, capture_output=True, text=True, check=True)
    assert int(done.stdout.strip()) >= 2, done
    assert not stored.exists() and not extract.exists()
    with in_locale("ru"):
        said = f"1\u00a0файл удалён {format_day(today)} по сроку хранения (152-ФЗ ст.\u00a05 ч.\u00a07)"
    after = _shoot(page, base, f"/tickets/{ticket}", "request-files-after", "main")
    assert " ".join(said.split()) in after and page.locator(f'img[src="/tickets/photos/{photo}"]').count() == 0, after
    gone = page.request.get(f"{base}/tickets/photos/{photo}")
    assert gone.status == 410 and said in gone.text()

    with in_locale("ru"):
        erased = f"Документы удалены {format_day(today)} по сроку хранения (152-ФЗ ст.\u00a05 ч.\u00a07)"
    documents = _shoot(page, base, f"/tickets/{owner_change}", "owner-documents-after", "main")
    assert " ".join(erased.split()) in documents and "Документ 1 (PDF)" not in documents, documents
    gone = page.request.get(f"{base}/tickets/{owner_change}/documents/1")
    assert gone.status == 410 and erased in gone.text()

    terms = _shoot(page, base, "/privacy", "privacy-terms", "dl.facts")
    assert "3 года после того, как заявление исполнено или отклонено" in terms, terms
    assert "3 года после закрытия заявки" in terms and "90 дней после последней работы с заявкой" in terms
    english = open_page(1280, locale="en-US")
    english.goto(f"{base}/privacy")
    words = " ".join(english.locator("dl.facts").inner_text().split())
    assert "3 years after the application is applied or refused" in words, words
    for width in (390, 1280):
        english.set_viewport_size({"width": width, "height": 900})
        english.screenshot(path=str(SHOTS / f"privacy-terms-en-{width}.png"), full_page=True)
