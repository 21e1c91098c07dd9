"""A meter's history on a 390 px phone: the months' table (the chart's numbers) fits its card, so no reading or
consumption is cut off at the card's edge, whatever the unit in its header."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser import OpenPage
from tests.browser import sign_in

pytestmark = pytest.mark.browser


def test_the_months_table_of_every_meter_fits_a_phone(live_server: str, open_page: OpenPage) -> None:
    page = open_page()
    sign_in(page, live_server, "resident@demo.ru")
    page.goto(live_server + "/meters")
    links = page.locator("section.meter-group").first.get_by_role("link", name="История и расход")
    hrefs = [link.get_attribute("href") for link in links.all()]
    assert len(hrefs) >= 3, "the demo's first account has water, electricity and gas meters"
    for href in hrefs:
        page.goto(live_server + str(href))
        table = page.locator("table.meter-months")
        expect(table).to_be_visible()
        box = table.locator("xpath=..")
        inner, outer = box.evaluate("wrap => [wrap.scrollWidth, wrap.clientWidth]")
        assert inner <= outer, f"{href}: the months' table is {inner} px wide in a {outer} px card"
