"""In a real browser: staff invite a resident, the invitation arrives over SMTP, the resident sets a password,
accepts the consent, sees the account on the home page, signs out and signs in again."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser import OpenPage
from tests.browser import Served
from tests.browser import sign_in
from tests.conftest import Inbox

pytestmark = pytest.mark.browser


def _free_account(database: Path) -> str:
    """An account of the demo data that nobody is linked to yet."""
    with sqlite3.connect(database) as conn:
        row = conn.execute(
            "SELECT number FROM personal_account WHERE id NOT IN (SELECT account FROM residency) ORDER BY id LIMIT 1"
        ).fetchone()
    return row[0]


def test_an_invited_resident_sets_a_password_accepts_the_consent_and_signs_in_again(
    open_page: OpenPage, own_mail_server: Served, mail_server: Inbox
):
    base, folder = own_mail_server
    inbox = mail_server
    number = _free_account(folder / "live.sqlite")
    email = "new.neighbour@example.ru"

    page = open_page(1280)
    sign_in(page, base, "admin@demo.ru")
    expect(page.get_by_role("button", name="Выйти")).to_be_visible()
    page.goto(base + "/staff/invitations")
    page.get_by_label("Номер лицевого счёта").fill(number)
    page.locator("#f-email").fill(email)
    page.get_by_label("Роль").select_option("owner")
    page.get_by_role("button", name="Отправить приглашение").click()
    expect(page.get_by_role("status").filter(has_text=email)).to_be_visible()

    message = inbox.wait_for(email)
    body = message.get_body(preferencelist=("plain",)).get_content()
    link = next(word for word in body.split() if "/invite/" in word)
    assert link.startswith(base)

    page = open_page()
    page.goto(link)
    page.get_by_label("Ваше имя").fill("Алексей Новосёлов")
    page.locator("#f-password").fill("my own pass 42")
    page.get_by_label("Пароль ещё раз").fill("my own pass 42")
    page.get_by_role("button", name="Задать пароль").click()

    expect(page).to_have_url(f"{base}/consent?next=/")
    # One who does not want to consent can leave: on a phone the top bar has no «Выйти», and every other page
    # leads back here, so the way out is on this page.
    expect(page.get_by_role("button", name="Не давать согласие и выйти", exact=True)).to_be_visible()
    # Pressed without the tick, the box is refused in words under its label, and the label keeps the width of the
    # form: the error's line used to widen the box's column, squeezing the label to a word a line at 390 px.
    page.get_by_role("button", name="Дать согласие и продолжить").click()
    error = page.locator("#e-agree")
    expect(error).to_contain_text("Отметьте")
    box, label, field = (page.locator(s).bounding_box() for s in ("#f-agree", "label[for=f-agree]", ".field.checkbox"))
    assert box and label and field
    assert label["width"] > field["width"] * 0.7, (label, field)  # beside the box, not a narrow column
    assert box["width"] < 40 and label["x"] > box["x"] + box["width"]
    error_box = error.bounding_box()
    assert error_box and error_box["x"] >= label["x"] - 1 and error_box["y"] >= label["y"] + label["height"] - 1
    page.get_by_label("Я прочитал(а) текст и даю согласие").check()
    page.get_by_role("button", name="Дать согласие и продолжить").click()
    expect(page).to_have_url(base + "/")
    accounts = page.locator(".home-accounts")
    expect(accounts).to_contain_text(number)

    page.get_by_role("link", name=re.compile(r"^Ещё")).click()  # on a phone, signing out lives on the "More" page
    page.get_by_role("button", name="Выйти").click()
    expect(page.get_by_role("link", name="Войти").first).to_be_visible()
    sign_in(page, base, email, "my own pass 42")
    expect(page.locator(".home-accounts")).to_contain_text(number)
