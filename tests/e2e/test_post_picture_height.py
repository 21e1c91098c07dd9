"""A post's picture on a phone: a tall one (a poster, a photographed notice) filled several screens, and the text
under it went out of sight. It now stands no taller than most of the screen, its ratio kept, and a click on it
still opens the whole picture."""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image
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
    resident.goto(url + post)
    picture = resident.locator("main img.post-image")
    expect(picture).to_be_visible()
    picture.evaluate("img => img.decode()")
    box = picture.bounding_box()
    assert box is not None
    assert box["height"] <= 844 * 0.7 + 1, f"the picture is {box['height']} px tall on an 844 px screen"
    assert abs(box["width"] / box["height"] - 600 / 3000) < 0.02, box  # its ratio kept
    full = picture.locator("xpath=..").get_attribute("href")
    assert full == picture.get_attribute("src")  # a click opens the whole picture, as before
