"""A moderator publishes an emergency notice for one house; a resident of that house sees it pinned at 390 px,
a resident of another house does not; the e-mail arrives at the test SMTP server and the SMS at the sandbox
SMS provider. Screenshots of the feed, the pinned notice and the staff list at 390 and 1280 px go to
var/test/screenshots for a person to look at."""

from __future__ import annotations

import os
import sqlite3
import time
from email.header import decode_header
from email.header import make_header
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import expect

from tests.browser import OpenPage
from tests.browser import Served
from tests.browser import sign_in
from tests.conftest import ROOT
from tests.conftest import Inbox

pytestmark = pytest.mark.browser
expect.set_options(timeout=30_000)
SHOTS = Path(os.environ.get("PORTAL_SCREENSHOTS") or ROOT / "var" / "test" / "screenshots")


def _sms_sent(url: str, phone: str, text: str, seconds: float = 60) -> dict:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        for message in httpx.get(url + "/v1/messages", timeout=5).json()["data"]:
            if message["phone"] == phone and text in message["text"]:
                return message
        time.sleep(0.5)
    raise AssertionError(f"no SMS to {phone} within {seconds} s")


def test_an_emergency_for_one_house_is_pinned_there_and_sent_by_email_and_sms(
    open_page: OpenPage, own_mail_server: Served, mail_server: Inbox, sms_provider: str
) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    base, folder = own_mail_server
    inbox, sms_url = mail_server, sms_provider
    db = sqlite3.connect(folder / "live.sqlite")
    second_house = db.execute("SELECT address FROM house ORDER BY id LIMIT 1 OFFSET 1").fetchone()[0]
    db.close()
    phone = _phone(folder, "resident@demo.ru")

    staff = open_page()
    sign_in(staff, base, "moderator@demo.ru")
    staff.goto(base + "/staff/posts/new?kind=emergency")
    title = "Авария: нет воды, тест e2e"
    staff.select_option("#f-kind", "emergency")
    staff.fill("#f-title", title)
    staff.fill("#f-body", "Прорыв трубы на вводе. Воду дадут к **18:00**.")
    staff.get_by_label(second_house).check()
    staff.get_by_label("SMS").check()
    staff.get_by_label("E-mail").check()
    staff.get_by_role("button", name="Сохранить").click()
    expect(staff.locator("h1")).to_contain_text(title)
    asked: list[str] = []
    staff.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.accept()))
    staff.get_by_role("button", name="Отправить сейчас").click()
    expect(staff.locator(".flash")).to_contain_text("Отправлено жителям")
    assert len(asked) == 1 and "не отозвать" in asked[0], asked  # sending cannot be undone: asked first

    resident = open_page()
    sign_in(resident, base, "resident@demo.ru")  # accounts in the first and the second house
    resident.goto(base + "/")
    pinned = resident.locator(".pinned-emergencies")
    expect(pinned).to_contain_text(title)
    resident.screenshot(path=str(SHOTS / "pinned-390.png"), full_page=False)
    resident.goto(base + "/tickets")  # pinned on every page
    expect(resident.locator(".pinned-emergencies")).to_contain_text(title)
    resident.goto(base + "/news")
    expect(resident.locator(".feed")).to_contain_text(title)
    resident.screenshot(path=str(SHOTS / "feed-390.png"), full_page=True)

    neighbour = open_page()
    sign_in(neighbour, base, "resident2@demo.ru")  # an account in the first house only
    neighbour.goto(base + "/")
    expect(neighbour.locator("main")).not_to_contain_text(title)

    message = inbox.wait_for("resident@demo.ru", seconds=60)
    subject = str(make_header(decode_header(message["Subject"])))
    assert subject == f"Аварийное сообщение: {title}", subject
    sms = _sms_sent(sms_url, phone, title)
    assert base in sms["text"]

    wide = open_page(1280)
    sign_in(wide, base, "moderator@demo.ru")
    wide.goto(base + "/staff/posts")
    expect(wide.locator("table")).to_contain_text(title)
    wide.screenshot(path=str(SHOTS / "staff-list-1280.png"), full_page=False)
    staff.goto(base + "/staff/posts")
    staff.screenshot(path=str(SHOTS / "staff-list-390.png"), full_page=False)
    wide = open_page(1280)
    sign_in(wide, base, "resident@demo.ru")  # a new browser: a signed-in user is sent on from /login
    wide.goto(base + "/")
    wide.screenshot(path=str(SHOTS / "pinned-1280.png"), full_page=False)
    wide.goto(base + "/news")
    wide.screenshot(path=str(SHOTS / "feed-1280.png"), full_page=False)


def _phone(folder: Path, email: str) -> str:
    db = sqlite3.connect(folder / "live.sqlite")
    try:
        return db.execute("SELECT phone FROM portal_user WHERE email = ?", (email,)).fetchone()[0]
    finally:
        db.close()
