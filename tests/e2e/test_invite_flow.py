"""In a real browser: staff invite a resident, the invitation arrives over SMTP, the resident sets a password,
accepts the consent, sees the account on the home page, signs out and signs in again."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from email import message_from_bytes
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.conftest import _RUN, ROOT, _wait_for, free_port

pytestmark = pytest.mark.browser

PASSWORD = "demo12345"


class Inbox:
    def __init__(self) -> None:
        self.messages: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(envelope)
        return "250 OK"

    def wait_for(self, recipient: str, seconds: float = 30) -> Any:
        """The first message to ``recipient``; the portal delivers right after the commit, or within seconds."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            for envelope in self.messages:
                if recipient in envelope.rcpt_tos:
                    return message_from_bytes(envelope.content)
            time.sleep(0.1)
        raise AssertionError(f"no e-mail to {recipient} within {seconds} s")


@pytest.fixture(scope="module")
def mail_server() -> Iterator[tuple[Inbox, int]]:
    from aiosmtpd.controller import Controller

    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


@pytest.fixture(scope="module")
def mail_live_server(mail_server: tuple[Inbox, int]) -> Iterator[tuple[str, str]]:
    """A real ``portal serve`` with demo data that sends its e-mail to the test SMTP server."""
    _, smtp_port = mail_server
    port = free_port()
    var = _RUN / "live-mail"
    var.mkdir(parents=True, exist_ok=True)
    database = var / "live.sqlite"
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{database}",
        "PORTAL_VAR_DIR": str(var),
        "BASE_URL": f"http://127.0.0.1:{port}",
        "PORTAL_RUN_JOBS": "1",
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(smtp_port),
    }
    log = (var / "server.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "portal", "serve", "--port", str(port), "--no-gateway"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        _wait_for(f"http://127.0.0.1:{port}/healthz", process)
        yield f"http://127.0.0.1:{port}", str(database)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


def _free_account(database: str) -> str:
    """An account of the demo data that nobody is linked to yet."""
    with sqlite3.connect(database) as conn:
        row = conn.execute(
            "SELECT number FROM personal_account WHERE id NOT IN (SELECT account FROM residency) ORDER BY id LIMIT 1"
        ).fetchone()
    return row[0]


def _sign_in(page: Page, base: str, login: str, password: str) -> None:
    page.goto(base + "/login")
    page.get_by_label("E-mail или телефон").fill(login)
    page.locator("#f-password").fill(password)
    page.get_by_role("button", name="Войти").click()


def test_an_invited_resident_sets_a_password_accepts_the_consent_and_signs_in_again(
    browser: Browser, mail_live_server: tuple[str, str], mail_server: tuple[Inbox, int]
):
    base, database = mail_live_server
    inbox, _ = mail_server
    number = _free_account(database)
    email = "new.neighbour@example.ru"

    staff = browser.new_context(locale="ru-RU", viewport={"width": 1280, "height": 900})
    page = staff.new_page()
    _sign_in(page, base, "admin@demo.ru", PASSWORD)
    expect(page.get_by_role("button", name="Выйти")).to_be_visible()
    page.goto(base + "/staff/invitations")
    page.get_by_label("Номер лицевого счёта").fill(number)
    page.locator("#f-email").fill(email)
    page.get_by_label("Роль").select_option("owner")
    page.get_by_role("button", name="Отправить приглашение").click()
    expect(page.get_by_role("status").filter(has_text=email)).to_be_visible()
    staff.close()

    message = inbox.wait_for(email)
    body = message.get_payload(decode=True).decode()
    link = next(word for word in body.split() if "/invite/" in word)
    assert link.startswith(base)

    resident = browser.new_context(locale="ru-RU", viewport={"width": 390, "height": 844})
    page = resident.new_page()
    page.goto(link)
    page.get_by_label("Ваше имя").fill("Алексей Новосёлов")
    page.locator("#f-password").fill("my own pass 42")
    page.get_by_label("Пароль ещё раз").fill("my own pass 42")
    page.get_by_role("button", name="Задать пароль").click()

    expect(page).to_have_url(f"{base}/consent?next=/")
    page.get_by_label("Я прочитал(а) текст и даю согласие").check()
    page.get_by_role("button", name="Дать согласие и продолжить").click()
    expect(page).to_have_url(base + "/")
    accounts = page.locator(".home-accounts")
    expect(accounts).to_contain_text(number)

    page.get_by_role("link", name="Ещё", exact=True).click()  # on a phone, signing out lives on the "More" page
    page.get_by_role("button", name="Выйти").click()
    expect(page.get_by_role("link", name="Войти").first).to_be_visible()
    _sign_in(page, base, email, "my own pass 42")
    expect(page.locator(".home-accounts")).to_contain_text(number)
    resident.close()
