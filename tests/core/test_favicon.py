"""The tab's icon: every page that writes its own <head> links the favicon (a page without the link makes the
browser ask for /favicon.ico, which is not there), and the icon is served, in the brand colour."""

from __future__ import annotations

import re

from tests.conftest import ROOT

ICON = '<link rel="icon" href="{{ asset(\'img/favicon.svg\') }}" type="image/svg+xml">'


def test_every_page_with_its_own_head_links_the_favicon() -> None:
    heads = [p for p in (ROOT / "templates").rglob("*.html") if "<head>" in p.read_text()]
    assert heads
    missing = [str(p.relative_to(ROOT)) for p in heads if ICON not in p.read_text()]
    assert not missing, missing


async def test_the_favicon_is_served_in_the_brand_colour(client) -> None:
    page = await client.get("/login")
    link = re.search(r'<link rel="icon" href="([^"]+)" type="image/svg\+xml">', page.text)
    assert link, "the page links no icon"
    icon = await client.get(link.group(1))
    assert icon.status_code == 200
    assert icon.headers["content-type"].startswith("image/svg+xml")
    assert 'fill="#1d4ed8"' in icon.text  # --primary (UI.md)


async def test_the_old_address_of_the_icon_answers_with_the_icon(client) -> None:
    """Every browser asks for /favicon.ico (some whatever the page links): it answered 404, a line in the log for
    every new visitor. It is an icon of the same house, and the pages link it beside the SVG."""
    from io import BytesIO

    from PIL import Image

    icon = await client.get("/favicon.ico")
    assert icon.status_code == 200
    assert icon.headers["content-type"] == "image/x-icon"
    image = Image.open(BytesIO(icon.content))
    assert image.format == "ICO" and (32, 32) in image.info["sizes"]
    assert image.convert("RGB").getpixel((2, 16)) == (0x1D, 0x4E, 0xD8)  # --primary, as the SVG
    page = await client.get("/login")
    assert '<link rel="icon" href="/favicon.ico" sizes="16x16 32x32 48x48">' in page.text
