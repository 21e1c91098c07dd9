"""The company's name in the top bar is read whole on a phone: on a guest's page, beside the language switch and
«Войти», «УК «Монолит Комфорт»» was cut to «УК «Монолит Ком…»; it now takes a second line of the same bar."""

from __future__ import annotations

import pytest

from tests.browser import OpenPage
from tests.browser import sign_in

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("locale", ["ru-RU", "en-US"])
def test_the_company_name_is_not_cut_in_the_top_bar_of_a_phone(live_server: str, open_page: OpenPage, locale: str):
    page = open_page(locale=locale)
    for path in ("/register", "/password/forgot", "/"):
        page.goto(live_server + path)
        brand = page.locator(".topbar .brand")
        for part in (brand, brand.locator(".brand-name")):  # neither the link nor its words cut
            shown = part.evaluate("e => [e.scrollWidth <= e.clientWidth, e.scrollHeight <= e.clientHeight + 1]")
            assert shown == [True, True], f"the company's name is cut on {path}"
        assert brand.inner_text() == brand.get_attribute("title")
        bar = page.locator(".topbar").bounding_box()
        assert bar and bar["height"] <= 57, f"the top bar grew on {path}: {bar}"  # the bar keeps its height
        wide = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
        assert wide[0] <= wide[1]


@pytest.mark.parametrize("width", [390, 640, 900, 1000, 1100, 1280])
@pytest.mark.parametrize("locale", ["ru-RU", "en-US"])
def test_the_company_name_is_whole_beside_the_menu_at_every_width(
    live_server: str, open_page: OpenPage, width: int, locale: str
) -> None:
    """From 900 px the resident's top bar holds the company's name, the five menu items and the tools: up to about
    1100 px the menu left the name room for «УК «Мон…» only. Now the name is whole at every width, for a resident
    and for the staff, the bar keeps its height and nothing is pushed past the right edge."""
    for login, path in (("resident@demo.ru", "/"), ("dispatcher@demo.ru", "/staff")):
        page = open_page(width, 900, locale=locale)
        sign_in(page, live_server, login)
        page.goto(live_server + path)
        name = page.locator(".topbar .brand-name")
        whole = name.evaluate("e => [e.scrollWidth <= e.clientWidth, e.scrollHeight <= e.clientHeight + 1]")
        assert whole == [True, True], f"the company's name is cut for {login} at {width} px"
        bar = page.locator(".topbar").bounding_box()
        assert bar and bar["height"] <= 57, f"the top bar grew for {login} at {width} px: {bar}"
        right = page.evaluate(
            "Math.max(...[...document.querySelectorAll('.topbar a, .topbar button')]"
            ".filter(e => e.offsetParent).map(e => e.getBoundingClientRect().right))"
        )
        assert right <= width, f"the top bar runs past the right edge for {login} at {width} px"
