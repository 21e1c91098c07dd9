"""A resident on a phone (390 px) finds the next event on the home page, opens it and says «Пойду»: the count of
those going changes in place (HTMX), the page does not scroll sideways, and «Добавить в календарь» downloads the
.ics file. Screenshots of the event page and the home page's section at 390 and 1280 px go to var/test/screenshots
for a person to look at."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from icalendar import Calendar
from playwright.sync_api import expect

from tests.browser import OpenPage
from tests.browser import Served
from tests.browser import sign_in
from tests.conftest import ROOT

pytestmark = pytest.mark.browser
expect.set_options(timeout=30_000)
SHOTS = Path(os.environ.get("PORTAL_SCREENSHOTS") or ROOT / "var" / "test" / "screenshots")


def test_a_resident_on_a_phone_says_going_and_sees_the_count_change(own_server: Served, open_page: OpenPage) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    url, _ = own_server
    resident = open_page(390)
    sign_in(resident, url, "resident@demo.ru")
    resident.goto(url + "/")
    section = resident.locator("section[aria-labelledby=events-h]")
    expect(section).to_contain_text("Ближайшие мероприятия")
    expect(section.locator(".feed-item")).to_have_count(2)  # the demo's two to come; the past one is not there
    expect(section).not_to_contain_text("Вечер настольных игр")
    section.scroll_into_view_if_needed()
    section.screenshot(path=str(SHOTS / "events-home-390.png"))
    section.get_by_role("link", name="Субботник во дворе").click()
    expect(resident.locator("h1")).to_contain_text("Субботник во дворе")
    count = resident.locator(".rsvp-count")
    expect(count).to_contain_text("Идёт 1 человек")  # the neighbour
    resident.screenshot(path=str(SHOTS / "event-390.png"), full_page=True)
    resident.evaluate("() => { window.samePage = true; }")  # gone if the answer loaded a whole new page
    resident.get_by_role("button", name="Пойду", exact=True).click()
    expect(count).to_contain_text("Идут 2 человека")
    expect(resident.locator("#rsvp")).to_contain_text("Вы идёте.")
    assert resident.evaluate("() => window.samePage === true")  # answered without loading a new page
    wide = resident.evaluate("() => document.documentElement.scrollWidth")
    assert wide <= 390, f"the page is {wide} px wide on a 390 px screen"
    resident.screenshot(path=str(SHOTS / "event-going-390.png"), full_page=True)
    with resident.expect_download() as got:
        resident.get_by_role("link", name="Добавить в календарь").click()
    (event,) = Calendar.from_ical(Path(got.value.path()).read_bytes()).walk("VEVENT")
    assert str(event["SUMMARY"]) == "Субботник во дворе" and event["DTSTART"].params["TZID"]
    resident.reload()  # kept: the page says it after a reload too
    expect(resident.locator(".rsvp-count")).to_contain_text("Идут 2 человека")
    expect(resident.get_by_role("button", name="Пойду", exact=True)).to_have_count(0)

    desk = open_page(1280)
    sign_in(desk, url, "resident@demo.ru")
    desk.goto(url + "/")
    desk.locator("section[aria-labelledby=events-h]").screenshot(path=str(SHOTS / "events-home-1280.png"))
    desk.locator("section[aria-labelledby=events-h]").get_by_role("link", name="Новогодний праздник для детей").click()
    expect(desk.locator(".rsvp-count")).to_contain_text(re.compile(r"Осталось \d+ мест"))
    desk.screenshot(path=str(SHOTS / "event-1280.png"), full_page=True)
    desk.goto(url + "/news?kind=event")
    past = desk.get_by_role("link", name="Вечер настольных игр")
    past.click()
    expect(desk.locator(".event-facts")).to_contain_text("Прошло")
    desk.screenshot(path=str(SHOTS / "event-past-1280.png"), full_page=True)
