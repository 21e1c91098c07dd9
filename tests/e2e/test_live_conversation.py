"""The 5-second live update of a request never takes away what a dispatcher is typing (1280 px): the resident's
message appears while the reply and a status comment keep their text and the focus; when another dispatcher
changes the status meanwhile, the new status form keeps the comment being typed."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser import OpenPage
from tests.browser import sign_in

pytestmark = pytest.mark.browser


def test_a_message_arriving_leaves_the_reply_being_typed(live_server: str, open_page: OpenPage) -> None:
    resident, staff, other = open_page(), open_page(1280), open_page(1280)

    sign_in(resident, live_server, "resident@demo.ru")
    resident.goto(live_server + "/tickets/new")
    resident.get_by_label("Течь крана или сливного бачка").check()
    resident.fill("#f-description", "Течёт кран на кухне, проверка живого обновления")
    resident.get_by_role("button", name="Создать заявку").click()
    expect(resident.locator("h1")).to_contain_text("Заявка №")
    number = resident.locator("h1").inner_text().split("№")[-1].strip()

    sign_in(staff, live_server, "dispatcher@demo.ru")
    staff.goto(live_server + "/staff/tickets?tab=all&q=" + number)
    staff.locator("table.ticket-table").get_by_role("link", name=number, exact=True).click()
    expect(staff.locator("h1")).to_contain_text(number)
    ticket_url = staff.url

    comment = staff.locator("form[action$='/status'] textarea[name=comment]")
    comment.fill("Мастер будет после обеда")
    reply = staff.locator("#message-form textarea[name=text]")
    reply.click()
    reply.press_sequentially("Перекройте, пожалуйста, воду")

    resident.fill("#message-form textarea[name=text]", "Вода уже на полу в коридоре")
    resident.get_by_role("button", name="Отправить сообщение").click()
    expect(resident.locator("#conversation")).to_contain_text("Вода уже на полу")

    expect(staff.locator("#conversation")).to_contain_text("Вода уже на полу в коридоре", timeout=15000)
    expect(reply).to_have_value("Перекройте, пожалуйста, воду")
    expect(reply).to_be_focused()
    expect(comment).to_have_value("Мастер будет после обеда")
    reply.press_sequentially(" под мойкой")
    expect(reply).to_have_value("Перекройте, пожалуйста, воду под мойкой")

    # Another dispatcher accepts the request while this one types the status comment.
    comment.click()
    comment.press("End")
    comment.press_sequentially(", около 15:00")
    sign_in(other, live_server, "admin@demo.ru")
    other.goto(ticket_url)
    other.locator("#ticket-actions button[name=status]").first.click()
    expect(other.locator("#ticket-status")).not_to_contain_text("Новая")
    status = other.locator("#ticket-status .badge").first.inner_text()

    expect(staff.locator("#ticket-status")).to_contain_text(status, timeout=15000)
    expect(comment).to_have_value("Мастер будет после обеда, около 15:00")
    expect(comment).to_be_focused()
    expect(reply).to_have_value(re.compile("под мойкой$"))
