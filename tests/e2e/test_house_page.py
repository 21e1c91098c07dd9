"""A house page in a real browser: a phone and a desktop, in Russian and in English."""

import pytest
from playwright.sync_api import Page
from playwright.sync_api import expect

from tests.browser import sign_in

pytestmark = pytest.mark.browser

ADDRESS = "г. Симферополь, ул. Киевская, д. 189"


def open_house(page: Page, live_server: str) -> None:
    page.goto(live_server + "/staff/housing?q=Киевская, д. 189")
    page.get_by_role("link", name=ADDRESS, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(ADDRESS)


@pytest.mark.parametrize("width", [390, 1280])
def test_house_page_on_a_phone_and_a_desktop_switches_language(page: Page, live_server: str, width: int):
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, live_server, "admin@demo.ru")
    open_house(page, live_server)
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    expect(page.get_by_role("heading", name="Подъезды")).to_be_visible()
    expect(page.get_by_role("link", name="Квартира 1", exact=True)).to_be_visible()
    expect(page.get_by_text("ХВС-1", exact=True).first).to_be_visible()
    header = page.locator("table.data thead")
    if width < 640:
        # the premises table turns into cards: the header row stays for screen readers but takes no room,
        # each value is labelled
        box = header.bounding_box()
        assert box is not None, "the header row is still in the page (screen readers read it)"
        assert box["height"] <= 1
        expect(page.locator("td[data-label='Этаж']").first).to_be_visible()
    else:
        expect(header.get_by_text("Площадь, м²")).to_be_visible()
        expect(page.get_by_role("navigation", name="Меню сотрудника")).to_be_visible()

    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text(ADDRESS)
    expect(page.get_by_role("heading", name="Entrances")).to_be_visible()
    expect(page.get_by_role("link", name="Flat 1", exact=True)).to_be_visible()
    expect(page.get_by_role("heading", name="Подъезды")).to_have_count(0)

    page.get_by_role("button", name="Русский").click()
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    expect(page.get_by_role("heading", name="Подъезды")).to_be_visible()
    expect(page.get_by_role("link", name="Квартира 1", exact=True)).to_be_visible()
