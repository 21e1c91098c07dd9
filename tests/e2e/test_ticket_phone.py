"""A request's page in a phone's hand (390 px): a phone's full-size photo sent as a small one, the executor's next step
under the heading, a countdown that keeps each number with its unit. Screenshots of the request page go to
screenshots/."""

from __future__ import annotations

import io
import re
from itertools import pairwise
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import Page
from playwright.sync_api import expect

from tests.browser import OpenPage
from tests.browser import Served
from tests.browser import phone_photo
from tests.browser import sign_in
from tests.conftest import ROOT

pytestmark = pytest.mark.browser
SHOTS = ROOT / "screenshots"
PHONE_HEIGHT = 844
MB = 1024 * 1024
SERVER_LIMIT = 10 * MB  # core.storage.MAX_IMAGE_BYTES

# Every element the Tab key stops at in <main>, in the order it stops (no positive tabindex on these pages: the
# order of the document), with its box.
TAB_STOPS = """() => Array.from(document.querySelectorAll(
    'main a[href], main button, main input:not([type=hidden]), main select, main textarea, main summary'))
  .filter((e) => e.checkVisibility() && !e.closest('[inert]'))
  .map((e) => { const r = e.getBoundingClientRect(); return [e.textContent.trim().slice(0, 40), r.top, r.left]; })"""


def executors_request(page: Page, base: str) -> None:
    """The executor's first request in work, opened from their list."""
    sign_in(page, base, "executor@demo.ru")
    page.goto(base + "/staff/my-tickets")
    page.locator("#my-work a[href^='/staff/tickets/']").first.click()
    expect(page.locator("h1")).to_contain_text("Заявка №")


def assert_tab_order_follows_the_page(page: Page) -> None:
    """Each Tab stop is below the one before or on its row to the right: the keyboard goes down the page as the
    eye does."""
    stops = page.evaluate(TAB_STOPS)
    for before, after in pairwise(stops):
        assert after[1] > before[1] + 1 or (abs(after[1] - before[1]) <= 1 and after[2] >= before[2]), (before, after)


def test_on_a_phone_the_next_step_is_under_the_heading_and_on_a_wide_screen_the_status_form_is_unchanged(
    own_server: Served, open_page: OpenPage
) -> None:
    """«Отметить выполненной» was a screen and a half below the top on a phone, under the facts of the request: it
    stands under the heading, on the first screen, the keyboard reaching it right after the heading's link; the
    status form with its comment and every other move stays below (the step too, once a comment is typed to go with
    it). On a wide screen the page is as it was."""
    base, _ = own_server
    page = open_page(390)
    executors_request(page, base)
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / "executor-request-390.png"), full_page=True)
    next_step = page.locator("#ticket-next button[name=status]")
    expect(next_step).to_have_text("Отметить выполненной")
    button, heading = next_step.bounding_box(), page.locator("h1").bounding_box()
    facts = page.locator("section[aria-label='О заявке']").bounding_box()
    assert button and heading and facts
    assert heading["y"] < button["y"] < facts["y"], (heading, button, facts)
    assert button["y"] + button["height"] < PHONE_HEIGHT and button["width"] >= 300, button
    # The full form keeps every move in the page, but does not offer the step under the heading a second time (nor
    # read it out twice): the keyboard meets it once, then the other moves.
    moves = page.locator("#ticket-actions button[name=status]")
    expect(moves).to_have_count(2)
    expect(moves.filter(has_text="Отметить выполненной")).to_be_hidden()
    expect(moves.filter(has_text="Приостановить работу")).to_be_visible()
    stops = [stop[0] for stop in page.evaluate(TAB_STOPS)]
    assert stops.count("Отметить выполненной") == 1, stops
    assert stops.index("Отметить выполненной") < stops.index("Приостановить работу"), stops
    assert_tab_order_follows_the_page(page)
    # With a comment typed, the step is offered with it, after the comment (the top button sends no comment).
    page.fill("#f-comment", "Заменил сифон")
    expect(moves.filter(has_text="Отметить выполненной")).to_be_visible()
    assert_tab_order_follows_the_page(page)
    page.fill("#f-comment", "")
    expect(moves.filter(has_text="Отметить выполненной")).to_be_hidden()

    wide = open_page(1280)
    executors_request(wide, base)
    wide.screenshot(path=str(SHOTS / "executor-request-1280.png"), full_page=True)
    expect(wide.locator("#ticket-next")).to_be_hidden()
    for move in wide.locator("#ticket-actions button[name=status]").all():  # the status form as it was
        expect(move).to_be_visible()
    assert_tab_order_follows_the_page(wide)


def test_a_countdown_never_parts_a_number_from_its_unit(own_server: Served, open_page: OpenPage) -> None:
    """«Просрочена на 54 суток 20 ч» broke before «ч», which stood alone on the next line: a number and its unit are
    joined by a no-break space, so the line breaks between quantities only."""
    page = open_page(390)
    executors_request(page, own_server[0])
    text = page.locator("#ticket-status .countdown").inner_text()
    assert re.search(r"\d\u00a0(ч|мин|сут)", text), text
    assert not re.search(r"\d[ \t\n]", text), text


def test_the_next_step_is_a_plain_form_post(own_server: Served, open_page: OpenPage) -> None:
    """Without JavaScript the button under the heading moves the request as the status form's does."""
    base, _ = own_server
    page = open_page(390, java_script_enabled=False)
    executors_request(page, base)
    with page.expect_navigation():
        page.locator("#ticket-next button[name=status]").click()
    expect(page.locator("#ticket-status")).to_contain_text("Выполнена")
    expect(page.locator("#ticket-next button[name=status]")).to_have_count(0)


def file_a_leak(page: Page, base: str, text: str) -> None:
    sign_in(page, base, "resident@demo.ru")
    page.goto(base + "/tickets/new")
    page.get_by_label("Течь крана или сливного бачка").check()
    page.fill("#f-description", text)


SAID = """() => { window.photoStatus = [];
  new MutationObserver(() => window.photoStatus.push(document.getElementById("f-photos-shrinking").textContent))
    .observe(document.getElementById("f-photos-shrinking"), { childList: true, characterData: true, subtree: true });
}"""


def test_a_phones_full_size_photo_is_made_small_before_it_is_sent(
    own_server: Served, open_page: OpenPage, tmp_path: Path
) -> None:
    """An 18 MB photo was refused by the server after minutes of upload on mobile data: the page makes it the size
    the server keeps (2560 px on its long side, upright as the phone took it) before sending, says «Уменьшаем фото…»
    meanwhile, and the request is filed with the photo, the upload a fraction of the original. «Создать заявку»
    pressed at once waits for the photo."""
    base, _ = own_server
    photo = phone_photo(tmp_path)
    assert photo.stat().st_size > SERVER_LIMIT
    page = open_page(390)
    file_a_leak(page, base, "Течёт кран, фото с телефона")
    page.set_input_files("#f-photos", str(photo))
    with page.expect_request(lambda r: r.method == "POST" and r.url.endswith("/tickets/new")) as sent:
        page.get_by_role("button", name="Создать заявку").click()
    expect(page.locator("h1")).to_contain_text("Заявка №")
    body = int(sent.value.all_headers()["content-length"])  # the browser reports no size of a file's body
    assert 0 < body < min(2 * MB, photo.stat().st_size // 10), body
    stored = page.locator("#conversation img").first
    expect(stored).to_be_visible()
    answer = page.request.get(base + stored.get_attribute("src"))
    kept = Image.open(io.BytesIO(answer.body()))
    assert kept.size == (1707, 2560), kept.size  # upright: taller than wide, as the phone showed it
    assert len(answer.body()) < 2 * MB


def test_the_page_says_it_is_making_the_photo_smaller(own_server: Served, open_page: OpenPage, tmp_path: Path) -> None:
    base, _ = own_server
    page = open_page(390)
    file_a_leak(page, base, "Течёт кран")
    page.evaluate(SAID)
    page.set_input_files("#f-photos", str(phone_photo(tmp_path)))
    expect(page.locator("#f-photos-chosen img")).to_have_count(1)
    assert page.evaluate("window.photoStatus")[:1] == ["Уменьшаем фото…"], page.evaluate("window.photoStatus")
    expect(page.locator("#f-photos-shrinking")).to_have_text("")
    assert page.evaluate("document.getElementById('f-photos').files[0].size") < 2 * MB


def test_without_javascript_a_photo_over_the_limit_is_refused_and_the_text_kept(
    own_server: Served, open_page: OpenPage, tmp_path: Path
) -> None:
    """Without JavaScript the original is sent as before: over 10 MB it is refused with the reason, what was typed
    kept."""
    base, _ = own_server
    page = open_page(390, java_script_enabled=False)
    file_a_leak(page, base, "Течёт кран, фото без скрипта")
    page.set_input_files("#f-photos", str(phone_photo(tmp_path)))
    page.get_by_role("button", name="Создать заявку").click()
    expect(page.locator("#e-photos")).to_contain_text("больше 10 МБ")
    expect(page.locator("#f-description")).to_have_value("Течёт кран, фото без скрипта")
