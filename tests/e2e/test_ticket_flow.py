"""A resident (390 px) files a request with a photo; the dispatcher (1280 px) finds it among the requests without
an executor, assigns it and writes; the resident sees the message and the status change, confirms and rates."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser import OpenPage
from tests.browser import sign_in
from tests.tickets.conftest import jpeg_bytes

pytestmark = pytest.mark.browser


def test_a_request_goes_from_the_resident_to_the_dispatcher_and_back(
    live_server: str, open_page: OpenPage, tmp_path: Path
) -> None:
    photo = tmp_path / "leak.jpg"
    photo.write_bytes(jpeg_bytes((320, 240)))
    resident = open_page()
    staff = open_page(1280)

    sign_in(resident, live_server, "resident@demo.ru")
    resident.goto(live_server + "/tickets/new")
    resident.get_by_label("Течь крана или сливного бачка").check()
    description = "Капает кран в ванной, тест e2e"
    resident.fill("#f-description", description)
    resident.set_input_files("#f-photos", str(photo))
    resident.get_by_role("button", name="Создать заявку").click()
    expect(resident.locator("h1")).to_contain_text("Заявка №")
    number = resident.locator("h1").inner_text().split("№")[-1].strip()
    expect(resident.locator(".ticket-photos img")).to_have_count(1)
    ticket_url = resident.url

    sign_in(staff, live_server, "dispatcher@demo.ru")
    staff.goto(live_server + "/staff/tickets?tab=unassigned&q=" + number)
    row = staff.locator("table.ticket-table tbody tr").filter(has=staff.get_by_role("link", name=number, exact=True))
    expect(row).to_have_count(1)
    row.get_by_role("link", name=number).click()
    expect(staff.locator("h1")).to_contain_text(number)
    staff.select_option("#f-executor", index=1)
    staff.get_by_role("button", name="Назначить").click()
    expect(staff.locator(".flash")).to_contain_text("Назначен исполнитель")
    staff.locator("#ticket-actions button[value=in_work]").click()
    expect(staff.locator("#ticket-status")).to_contain_text("В работе")
    staff.fill("#message-form textarea[name=text]", "Мастер придёт сегодня до 18:00")
    staff.locator("#message-form button[type=submit]").click()
    expect(staff.locator("#conversation")).to_contain_text("Мастер придёт сегодня")

    # The resident's open page picks up the message and the status by polling, without a reload.
    if resident.url != ticket_url:
        resident.goto(ticket_url)
    expect(resident.locator("#conversation")).to_contain_text("Мастер придёт сегодня до 18:00", timeout=15000)
    expect(resident.locator("#ticket-status")).to_contain_text("В работе")

    staff.locator("#ticket-actions button[value=done]").click()
    expect(staff.locator("#ticket-status")).to_contain_text("Выполнена")

    expect(resident.locator("#ticket-status")).to_contain_text("Выполнена", timeout=15000)
    resident.get_by_role("button", name="Да, работа выполнена").click()
    expect(resident.locator("#ticket-status")).to_contain_text("Закрыта")
    # Answered: the question and both its answers are gone, the rating is offered.
    expect(resident.get_by_role("heading", name="Работа выполнена?")).to_have_count(0)
    expect(resident.get_by_role("button", name="Вернуть заявку")).to_have_count(0)
    expect(resident.get_by_role("button", name="Да, работа выполнена")).to_have_count(0)
    resident.locator("label.choice", has_text="5").click()
    resident.fill("#f-feedback", "Быстро и аккуратно")
    resident.get_by_role("button", name="Отправить оценку").click()
    expect(resident.locator(".flash")).to_contain_text("Спасибо за оценку")
    expect(resident.locator("dl.facts")).to_contain_text("5 / 5")
