"""Meter readings in the browser: a resident at 390 px passes the readings of every meter of an account with a
photo of one and opens that photo from the meter's history; a value below the previous one asks whether the meter
went through zero and keeps what was typed; a staff member at 1280 px sees the photo sent with an implausible
reading and accepts it."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import Locator
from playwright.sync_api import Page
from playwright.sync_api import expect

from tests.browser import OpenPage
from tests.browser import sign_in
from tests.tickets.conftest import jpeg_bytes

pytestmark = pytest.mark.browser

NUMBER = re.compile(r"(\d[\d\s\u00a0\u202f]*(?:,\d+)?)\s*$")


def previous_of(page: Page, field: Locator) -> Decimal | None:
    """The previous value a register's hint shows («Предыдущее: 1 234,567»), or None before the first reading."""
    name = field.get_attribute("name")
    hint = page.locator(f"#h-{name}").inner_text().split("·")[0].strip()
    found = NUMBER.search(hint)
    if not found:
        return None
    return Decimal(re.sub(r"[\s\u00a0\u202f]", "", found.group(1)).replace(",", "."))


def first_account(page: Page) -> Locator:
    return page.locator("section.meter-group").first


def test_a_resident_passes_the_readings_of_an_account_with_a_photo(
    live_server: str, open_page: OpenPage, tmp_path: Path
) -> None:
    page = open_page()
    sign_in(page, live_server, "resident@demo.ru")
    page.goto(live_server + "/meters")
    account = first_account(page)
    fields = account.locator("input[inputmode=decimal]")
    assert fields.count() >= 3, "the demo's first account has water and electricity meters"
    typed: dict[str, str] = {}
    for field in fields.all():
        previous = previous_of(page, field)
        value = (previous or Decimal(0)) + Decimal("1.5")
        typed[field.get_attribute("name") or ""] = f"{value}".replace(".", ",")
        field.fill(typed[field.get_attribute("name") or ""])
    photo = tmp_path / "meter.jpg"
    photo.write_bytes(jpeg_bytes((640, 480)))
    photographed = account.locator("fieldset.meter").filter(has=page.locator("input[type=file]")).first
    history = photographed.get_by_role("link", name="История и расход").get_attribute("href")
    photographed.locator("input[type=file]").set_input_files(str(photo))
    page.get_by_role("button", name="Передать показания").click()

    expect(page.locator("#flashes .flash").first).to_be_visible(timeout=30_000)
    account = first_account(page)
    meters = account.locator("fieldset.meter")
    for n in range(meters.count()):
        expect(meters.nth(n).locator("legend")).to_contain_text("Переданы в этом месяце")
    for name in typed:
        expect(page.locator(f"#h-{name}")).to_contain_text("передано")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page is {width} px wide on a 390 px phone"

    # The photo opens from the meter's history as the picture itself: a boosted link fetched it in the background
    # and wrote the image's bytes over the page.
    page.goto(live_server + str(history))
    page.get_by_role("link", name="фото").first.click()
    page.wait_for_url("**/meters/photos/*")
    page.wait_for_load_state()
    assert page.evaluate("document.contentType").startswith("image/"), "the photo is opened, not swapped into a page"
    assert page.locator("img").evaluate("img => img.complete && img.naturalWidth > 0")


def test_the_link_under_the_send_button_is_not_a_thumb_away_from_it(live_server: str, open_page: OpenPage) -> None:
    """«Передать показания» and the link to apply for a meter's commissioning sat flush, one under the other: on a
    phone a thumb aiming at the button opened the application. They are a step apart."""
    page = open_page()
    sign_in(page, live_server, "resident@demo.ru")
    page.goto(live_server + "/meters")
    send = page.get_by_role("button", name="Передать показания").bounding_box()
    link = page.locator('main a[href="/tickets/meter-commissioning"]').last.bounding_box()
    assert send and link and link["y"] - (send["y"] + send["height"]) >= 12, (send, link)


def test_a_lower_value_asks_about_going_through_zero_and_keeps_what_was_typed(
    live_server: str, open_page: OpenPage
) -> None:
    page = open_page()
    sign_in(page, live_server, "resident@demo.ru")
    page.goto(live_server + "/meters")
    account = first_account(page)
    near_zero = None
    for fieldset in account.locator("fieldset.meter").all():
        field = fieldset.locator("input[inputmode=decimal]").first
        previous = previous_of(page, field)
        if previous is not None and previous > Decimal("90000"):
            near_zero = field
            break
    assert near_zero is not None, "the demo has a meter close to going through zero on the first account"
    others = [f for f in account.locator("input[inputmode=decimal]").all() if f != near_zero]
    near_zero.fill("12,5")
    other_value = str((previous_of(page, others[0]) or Decimal(0)) + 2).replace(".", ",")
    others[0].fill(other_value)
    near_name, other_name = near_zero.get_attribute("name"), others[0].get_attribute("name")
    page.get_by_role("button", name="Передать показания").click()

    question = page.get_by_label(re.compile("прошёл через ноль"))
    expect(question).to_be_visible(timeout=30_000)
    expect(question).not_to_be_checked()
    expect(page.locator(f"input[name={near_name}]")).to_have_value("12,5")
    expect(page.locator(f"input[name={other_name}]")).to_have_value(other_value)


def test_staff_see_the_photo_of_a_reading_under_review_and_accept_it(live_server: str, open_page: OpenPage) -> None:
    page = open_page(1280)
    sign_in(page, live_server, "operator@demo.ru")
    page.goto(live_server + "/staff/meters/review")
    with_photo = page.locator("td:last-child").filter(has_text=re.compile(r"^\s*да\s*$"))
    rows = page.locator("#list tbody tr").filter(has=with_photo)
    expect(rows.first).to_be_visible()
    waiting = page.locator("#list tbody tr").count()
    rows.first.locator("a").first.click()

    photo = page.locator("img.meter-photo")
    expect(photo).to_be_visible(timeout=30_000)
    assert photo.evaluate("img => img.complete && img.naturalWidth > 0"), "the photo is shown, not a broken image"
    box = photo.bounding_box()
    assert box and box["width"] >= 200, box
    page.get_by_role("button", name="Принять показание").click()

    expect(page).to_have_url(re.compile(r"/staff/meters/review$"), timeout=30_000)
    expect(page.locator("#flashes .flash").first).to_contain_text("принято")
    expect(page.locator("#list tbody tr")).to_have_count(max(waiting - 1, 1))
