"""A final action that asks once more (``data-confirm``) does nothing when the answer is «No», boosted by htmx or
not: a dispatcher at 1280 px closing an outage says «Cancel» and the outage stays; «OK» closes it."""

from __future__ import annotations

import pytest
from playwright.sync_api import Dialog
from playwright.sync_api import expect

from tests.browser import OpenPage
from tests.browser import record_htmx_requests
from tests.browser import sign_in

pytestmark = pytest.mark.browser


def test_no_to_the_question_leaves_the_outage_open_and_yes_closes_it(live_server: str, open_page: OpenPage) -> None:
    page = open_page(1280)
    sign_in(page, live_server, "dispatcher@demo.ru")
    page.goto(live_server + "/staff/outages")
    rows = page.locator("table.outage-table tbody tr")
    before = rows.count()
    assert before >= 1, "the demo has an outage in force"
    asked: list[str] = []

    def answer(no: bool):
        def handle(dialog: Dialog) -> None:
            asked.append(dialog.message)
            dialog.dismiss() if no else dialog.accept()

        return handle

    sent = record_htmx_requests(page)
    page.once("dialog", answer(no=True))
    rows.first.get_by_role("button", name="Закрыть вместе с заявками").click()
    # The click returns once the browser has dispatched its submit, the answered question included; htmx sends a
    # boosted form's post in that very event, so a «No» that let it through has sent it by now.
    assert asked == ["Закрыть отключение и выполнить связанные заявки?"]
    assert sent() == []
    page.goto(live_server + "/staff/outages")
    expect(rows).to_have_count(before)

    sent = record_htmx_requests(page)
    page.once("dialog", answer(no=False))
    rows.first.get_by_role("button", name="Закрыть вместе с заявками").click()
    assert [line.split(" ")[0] for line in sent()] == ["POST"]  # what the «No» above is checked by sees a post
    expect(page.locator(".flash")).to_contain_text("Отключение закрыто")
    expect(rows).to_have_count(before - 1)
