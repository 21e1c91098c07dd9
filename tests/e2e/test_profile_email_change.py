"""In a real browser: a resident asks on the profile to change the login e-mail, the link arrives over SMTP at the new
address (and a notice at the old one), the login stays the old one until the button the link shows is pressed (opening
the link alone changes nothing), then it is the new one; signing out says so, and signing in works with the new
address."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser import DEMO_PASSWORD
from tests.browser import OpenPage
from tests.browser import Served
from tests.browser import sign_in
from tests.conftest import Inbox

pytestmark = pytest.mark.browser

OLD = "resident@demo.ru"
NEW = "resident.new@example.ru"


def test_a_resident_changes_the_login_e_mail_through_the_link_sent_to_the_new_address(
    open_page: OpenPage, own_mail_server: Served, mail_server: Inbox
):
    base, _ = own_mail_server
    page = open_page()
    sign_in(page, base, OLD)
    page.goto(base + "/profile")
    form = page.locator("form[action='/profile/email']")
    form.get_by_label("Новый e-mail").fill(NEW)
    form.get_by_label("Текущий пароль").fill("not the password")
    form.get_by_role("button", name="Отправить ссылку для подтверждения").click()
    # The form is low on a phone's page: its error summary takes the focus in sight, not at the page's top.
    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_be_in_viewport()
    expect(summary).to_contain_text("Текущий пароль указан неверно.")
    form = page.locator("form[action='/profile/email']")
    expect(form.get_by_label("Новый e-mail")).to_have_value(NEW)  # what was typed is kept
    form.get_by_label("Текущий пароль").fill(DEMO_PASSWORD)
    form.get_by_role("button", name="Отправить ссылку для подтверждения").click()
    expect(page.locator("#flashes")).to_contain_text(f"Мы отправили ссылку на {NEW}")
    expect(page.get_by_text(f"Ждёт подтверждения: {NEW}")).to_be_visible()
    expect(page.locator("#f-email")).to_have_value(OLD)  # the login stays until the link is opened

    notice = mail_server.wait_for(OLD)
    assert NEW in notice.get_body(preferencelist=("plain",)).get_content()
    body = mail_server.wait_for(NEW).get_body(preferencelist=("plain",)).get_content()
    link = next(word for word in body.split() if "/email/confirm/" in word)
    assert link.startswith(base)

    # Opening the link (as a mail scanner does before the person) shows a button and changes nothing.
    page.goto(link)
    expect(page.get_by_role("heading", name="Подтвердите новый e-mail")).to_be_visible()
    page.goto(base + "/profile")
    expect(page.locator("#f-email")).to_have_value(OLD)
    page.goto(link)  # the link still works
    page.get_by_role("button", name="Сделать логином").click()
    expect(page).to_have_url(re.compile(r"/profile$"))
    expect(page.locator("#flashes")).to_contain_text(f"Теперь ваш логин — {NEW}")
    expect(page.locator("#f-email")).to_have_value(NEW)
    expect(page.get_by_text("Ждёт подтверждения")).to_have_count(0)

    page.goto(base + "/more")
    page.get_by_role("button", name="Выйти").last.click()
    expect(page.locator("#flashes")).to_contain_text("Вы вышли из портала.")
    sign_in(page, base, NEW)
