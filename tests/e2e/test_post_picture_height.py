"""A post's picture on a phone: a tall one (a poster, a photographed notice) filled several screens, and the text
under it went out of sight. It now stands no taller than most of the screen, its ratio kept, and a click on it
still opens the whole picture. Its room is kept before it loads (the page gives its width and height), so the
text under it does not jump when it comes on a slow network."""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image
from playwright.sync_api import Route
from playwright.sync_api import expect

from tests.browser import OpenPage
from tests.browser import Served
from tests.browser import sign_in

pytestmark = pytest.mark.browser


def _tall_png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (600, 3000), (30, 90, 160)).save(out, "PNG")
    return out.getvalue()


def test_a_tall_picture_stands_within_the_screen_and_opens_whole(own_server: Served, open_page: OpenPage) -> None:
    url, _ = own_server
    resident = open_page(390, 844)
    sign_in(resident, url, "resident@demo.ru")
    resident.goto(url + "/news")
    post = resident.locator("main .feed-item a[href^='/news/']").first.get_attribute("href") or ""
    post_id = re.fullmatch(r"/news/(\d+)", post)[1]  # type: ignore[index]
    moderator = open_page(1280, 900)
    sign_in(moderator, url, "moderator@demo.ru")
    moderator.goto(f"{url}/staff/posts/{post_id}/edit")
    moderator.locator("input[name=image]").set_input_files(
        {"name": "poster.png", "mimeType": "image/png", "buffer": _tall_png()}
    )
    moderator.locator("main form[enctype] button[type=submit]").last.click()
    expect(moderator).to_have_url(re.compile(rf"/staff/posts/{post_id}$"))
    held: list[Route] = []
    resident.route("**/news/images/**", lambda route: held.append(route))  # the picture on a slow network: not come yet
    resident.goto(url + post, wait_until="domcontentloaded")
    picture = resident.locator("main img.post-image")
    expect(picture).to_have_attribute("width", re.compile(r"\d+"))  # as kept: narrowed to 2,560 pixels tall
    size = int(picture.get_attribute("width") or 0), int(picture.get_attribute("height") or 0)
    assert abs(size[0] / size[1] - 600 / 3000) < 0.01, size
    resident.wait_for_function("() => document.querySelector('main img.post-image').getBoundingClientRect().height > 0")
    waiting = picture.bounding_box()  # its room is kept before it comes: the text under it does not move
    for route in held:
        route.continue_()
    resident.unroute("**/news/images/**")
    picture.evaluate("img => img.decode()")
    box = picture.bounding_box()
    assert box is not None and box == waiting, (waiting, box)
    assert box["height"] <= 844 * 0.7 + 1, f"the picture is {box['height']} px tall on an 844 px screen"
    drawn = picture.evaluate(
        "img => { const s = Math.min(img.clientWidth / img.naturalWidth, img.clientHeight / img.naturalHeight);"
        " return [img.naturalWidth * s, img.naturalHeight * s, getComputedStyle(img).objectFit]; }"
    )
    assert drawn[2] == "contain" and drawn[1] <= 844 * 0.7 + 1  # the whole picture, its ratio kept
    full = picture.locator("xpath=..").get_attribute("href")
    assert full == picture.get_attribute("src")  # a click opens the whole picture, as before
