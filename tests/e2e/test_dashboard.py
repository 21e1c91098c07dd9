"""The staff dashboard in a real browser on the demo data, on a phone and a desktop: every chart is drawn with its
table beside it (a row per bar group), the page fits the screen's width, the figures link to their lists."""

import re

import pytest
from playwright.sync_api import Page
from playwright.sync_api import expect

from tests.browser import sign_in

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("width", [390, 1280])
def test_every_chart_of_the_dashboard_has_its_table(page: Page, live_server: str, width: int) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, live_server, "admin@demo.ru")
    page.goto(live_server + "/staff/analytics")
    expect(page.get_by_role("heading", level=1)).to_have_text("Аналитика")
    for heading in ("Платежи по каналам", "Автоплатежи по месяцам", "Интеграция портала", "Заявки по месяцам"):
        expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible()

    charts = 0
    for section in page.locator("section.analytics-section").all():
        figures = section.locator("figure.analytics-chart")
        if figures.count() == 0:
            continue
        table = section.locator("table").first
        expect(table).to_be_attached()
        rows = table.locator("tbody tr").count()
        for figure in figures.all():
            charts += 1
            svg = figure.locator("svg")
            expect(svg).to_be_visible()
            assert svg.get_attribute("aria-label"), "a chart is named for screen readers"
            labels = figure.locator(".bar-labels li").count()
            assert labels == rows, f"{figure.locator('figcaption').inner_text()}: {labels} bars, {rows} table rows"
            assert figure.locator("rect.bar").count() > 0
    assert charts >= 7, "receivables, charged and paid, channels, autopay, uptake, requests, NPS"

    # The page fits the screen: no sideways scrolling of the whole page.
    assert page.evaluate("document.documentElement.scrollWidth") <= width + 1
    # Each headline figure fits its tile (a sum of tens of millions ran past the tile's edge at 1280 px).
    for figure in page.locator(".analytics-kpis .balance").all():
        assert figure.evaluate("e => e.scrollWidth <= e.clientWidth"), figure.inner_text()

    # A month's autopay count leads to the payments list filtered to that channel and month (on a phone, the table
    # of months opened first).
    autopay = page.locator("section[aria-labelledby='autopay-title']")
    if width < 641:
        autopay.locator("summary").click()
    link = autopay.locator("tbody a").last
    href = link.get_attribute("href") or ""
    assert "channel=autopay" in href and "from=" in href and "to=" in href
    link.click()
    expect(page).to_have_url(re.compile(r"/staff/payments\?.*channel=autopay"))


def test_the_filters_shown_are_in_the_address(page: Page, live_server: str) -> None:
    """«Показать» (with HTMX) puts the filters in the address bar: a reload, Back and Forward and a shared link show
    the same months and complex."""
    sign_in(page, live_server, "admin@demo.ru")
    page.goto(live_server + "/staff/analytics")
    page.locator(".analytics-filters > summary").click()  # on a phone the filters are folded under what they show
    start = page.locator("#f-start option").nth(2).get_attribute("value") or ""
    complex_id = page.locator("#f-complex option").nth(1).get_attribute("value") or ""
    page.select_option("#f-start", start)
    page.select_option("#f-complex", complex_id)
    page.locator("form.filters button[type=submit]").first.click()
    filtered = re.compile(rf"/staff/analytics\?(.*&)?start={start}&.*complex={complex_id}")
    expect(page).to_have_url(filtered)
    page.reload()
    expect(page.locator("#f-start")).to_have_value(start)
    expect(page.locator("#f-complex")).to_have_value(complex_id)
    page.go_back()
    expect(page).to_have_url(re.compile(r"/staff/analytics$"))
    expect(page.locator("#f-complex")).to_have_value("")
    page.go_forward()
    expect(page).to_have_url(filtered)
    expect(page.locator("#f-start")).to_have_value(start)
    expect(page.locator("#f-complex")).to_have_value(complex_id)
