"""At 390 px, a resident cancels a paid order: while the payment service has not returned the money yet, the order
reads «Отменён · деньги вернём» (never «оплачен»), on its page and in «Мои заказы»; an order whose money came back
reads «деньги возвращены» with the day."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page
from playwright.sync_api import expect

from portal.core import clock
from portal.core.i18n import format_day
from tests.browser import OpenPage
from tests.browser import sign_in
from tests.conftest import free_port
from tests.conftest import portal_server
from tests.e2e.test_payment_flow import pay_with
from tests.payments.conftest import SECRET

pytestmark = pytest.mark.browser

SHOTS = os.environ.get("PORTAL_SCREENSHOTS")


@pytest.fixture(scope="module")
def served() -> Iterator[tuple[str, str]]:
    """(portal, payment service) of a server of this module alone: its orders are cancelled here."""
    gateway = f"http://127.0.0.1:{free_port()}"
    with portal_server("live-cancelled-order-money", PAYMENT_GATEWAY_URL=gateway) as (url, _):
        yield url, gateway


def _faults(gateway: str, path: str, **values: object) -> None:
    httpx.post(
        f"{gateway}/_sandbox/{path}", json=values, headers={"Authorization": f"Bearer {SECRET}"}
    ).raise_for_status()


def _paid(page: Page, url: str, day: int) -> None:
    """The resident orders the plumber and pays with the test card: the order's page."""
    page.goto(url + "/services")
    page.get_by_role("link", name="Вызов сантехника").click()
    page.get_by_role("button", name="Добавить в заказ").click()
    page.get_by_label("Желаемый день").select_option(index=day)
    page.get_by_label("Время").select_option(index=1)
    page.get_by_label("Телефон для связи").fill("+7 978 000-00-01")
    page.get_by_role("button", name=re.compile("Заказать и оплатить")).click()
    pay_with(page, "4242 4242 4242 4242")
    expect(page).to_have_url(re.compile(r"/services/orders/\d+$"), timeout=20_000)
    expect(page.locator(".facts")).to_contain_text("оплачен")


def _cancelled(page: Page) -> None:
    page.get_by_role("link", name="Отменить заказ").click()
    page.get_by_role("button", name="Да, отменить заказ").click()
    expect(page).to_have_url(re.compile(r"/services/orders/\d+$"))


def shot(page: Page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


def test_a_cancelled_order_reads_money_to_be_returned_until_it_is_back(served: tuple[str, str], open_page: OpenPage):
    url, gateway = served
    page = open_page()
    sign_in(page, url, "resident@demo.ru")

    _paid(page, url, day=2)
    _faults(gateway, "faults", fail_next=1000, fail_mode="before")  # the refund cannot be made now
    _cancelled(page)
    status = page.locator(".facts dd").first
    expect(status).to_have_text("Отменён деньги вернём")
    expect(page.get_by_text("оплачен", exact=True)).to_have_count(0)
    shot(page, "catalog-order-money-to-be-returned-390")
    waiting = page.url

    _faults(gateway, "faults/reset")
    _paid(page, url, day=3)
    _cancelled(page)  # the service returns this one at once
    today = format_day(clock.today_local(), locale="ru")
    expect(page.locator(".facts dd").first).to_have_text(f"Отменён деньги возвращены {today}")
    shot(page, "catalog-order-money-returned-390")

    page.get_by_role("link", name="Мои заказы").first.click()
    first = page.locator(f".ticket-card:has(a[href='{waiting.removeprefix(url)}'])")
    expect(first).to_contain_text("деньги вернём")
    expect(page.locator(".ticket-card").first).to_contain_text(f"деньги возвращены {today}")
    shot(page, "catalog-orders-money-390")

    # At 1280 px the staff list's «деньги возвращены 6 декабря 2026» may take two lines: kept on one, its column
    # took a third of the table and the dates and addresses beside it stood on four lines.
    staff = open_page(1280)
    sign_in(staff, url, "admin@demo.ru")
    staff.goto(url + "/staff/orders")
    expect(staff.locator("td.col-order-state", has_text="деньги возвращены").first).to_be_visible()
    share = staff.evaluate("""() => {
      const table = document.querySelector("table.data");
      return table.querySelector("thead th:last-child").offsetWidth / table.offsetWidth;
    }""")
    assert share < 0.25, f"the status column takes {share:.0%} of the table"
