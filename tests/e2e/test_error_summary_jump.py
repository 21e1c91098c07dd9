"""A field reached from the error summary above a form stands below the sticky top bar, on a wide screen as on a
phone, with the label and the error above it: the summary's link scrolled the page to the box alone, which the top
bar covered at 1280 px (the room kept for the bar was a phone's alone), the words saying what is wrong above it
out of sight at every width."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser import OpenPage
from tests.browser import sign_in

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("width", [1280, 390])
def test_a_field_reached_from_the_error_summary_is_not_under_the_top_bar(
    live_server: str, open_page: OpenPage, width: int
) -> None:
    page = open_page(width, 800)
    sign_in(page, live_server, "admin@demo.ru")
    page.goto(live_server + "/staff/catalog/services/1")
    page.locator("#f-position").fill("первым")  # the last field of a long form: refused, nothing saved
    page.locator("main form button[type=submit]").last.click()
    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    summary.locator("a[href='#f-position']").click()
    field = page.locator("#f-position")
    expect(field).to_be_focused()
    expect(field).to_be_in_viewport()
    top_bar = page.locator(".topbar").bounding_box()
    assert top_bar
    for shown in (field, page.locator("label[for=f-position]"), page.locator("#e-position")):
        box = shown.bounding_box()
        assert box and box["y"] >= top_bar["y"] + top_bar["height"], f"{shown} is under the top bar at {width} px"
