"""A meter's photo from a phone (390 px, on mobile data, every month): a phone's full-size photo is made the size the
server keeps before the readings are sent, as a request's photos are (static/js/photos.js); without JavaScript the
original goes up and the server refuses it over 10 MB. A screenshot of /meters goes to screenshots/."""

from __future__ import annotations

import io
import json
from decimal import Decimal
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import Locator
from playwright.sync_api import Page
from playwright.sync_api import expect

from tests.browser import OpenPage
from tests.browser import Served
from tests.browser import phone_photo
from tests.browser import sign_in
from tests.conftest import ROOT
from tests.e2e.test_meter_flow import previous_of
from tests.tickets.conftest import jpeg_bytes

pytestmark = pytest.mark.browser
SHOTS = ROOT / "screenshots"
MB = 1024 * 1024
SERVER_LIMIT = 10 * MB  # core.storage.MAX_IMAGE_BYTES
KEPT_SIDE = 2560  # core.storage.MAX_SIDE: what the server keeps of every photo

# What the photo's status line says, kept in the tab's sessionStorage: the page is left as soon as the form is sent.
SAID = """(id) => { const said = [];
  new MutationObserver(() => {
    said.push(document.getElementById(id).textContent);
    sessionStorage.setItem("photoStatus", JSON.stringify(said));
  }).observe(document.getElementById(id), { childList: true, characterData: true, subtree: true });
}"""


@pytest.fixture(scope="module")
def big_photo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    photo = phone_photo(tmp_path_factory.mktemp("camera"))
    assert photo.stat().st_size > SERVER_LIMIT
    return photo


def a_meter(page: Page, base: str) -> tuple[Locator, Locator, str]:
    """The resident's first meter that takes a photo, each of its registers typed 1,5 over the previous value: the
    meter, its photo input, and the value typed in the first register."""
    sign_in(page, base, "resident@demo.ru")
    page.goto(base + "/meters")
    meter = page.locator("fieldset.meter").filter(has=page.locator("input[type=file]")).first
    typed = ""
    for field in meter.locator("input[inputmode=decimal]").all():
        value = str((previous_of(page, field) or Decimal(0)) + Decimal("1.5")).replace(".", ",")
        field.fill(value)
        typed = typed or value
    return meter, meter.locator("input[type=file]"), typed


def test_a_phones_full_size_photo_of_a_meter_is_made_small_before_it_is_sent(
    own_server: Served, open_page: OpenPage, big_photo: Path
) -> None:
    """An 18 MB photo of the meter went up whole on mobile data, to be refused over 10 MB: the page makes it the size
    the server keeps (2560 px on its long side, upright) and says «Уменьшаем фото…» meanwhile; «Передать показания»
    pressed at once waits for it, and the reading is saved with the photo, the upload a fraction of the original."""
    base, _ = own_server
    page = open_page(390)
    meter, photo, _ = a_meter(page, base)
    status = photo.get_attribute("id") + "-shrinking"
    page.evaluate(SAID, status)
    photo.set_input_files(str(big_photo))
    with page.expect_request(lambda r: r.method == "POST" and r.url.rstrip("/").endswith("/meters")) as sent:
        page.get_by_role("button", name="Передать показания").click()
    expect(page.locator("#flashes .flash").first).to_be_visible(timeout=30_000)
    said = json.loads(page.evaluate("sessionStorage.getItem('photoStatus')") or "[]")
    assert said == ["Уменьшаем фото…", ""], said
    body = int(sent.value.all_headers()["content-length"])  # the browser reports no size of a file's body
    assert 0 < body < min(2 * MB, big_photo.stat().st_size // 10), body

    expect(meter.locator("legend")).to_contain_text("Переданы в этом месяце")
    page.goto(base + str(meter.get_by_role("link", name="История и расход").get_attribute("href")))
    answer = page.request.get(base + str(page.get_by_role("link", name="фото").first.get_attribute("href")))
    kept = Image.open(io.BytesIO(answer.body()))
    assert kept.size == (1707, KEPT_SIDE), kept.size  # upright: taller than wide, as the phone showed it
    assert len(answer.body()) < 2 * MB


def test_a_meter_takes_one_photo_and_choosing_again_replaces_it(
    own_server: Served, open_page: OpenPage, tmp_path: Path
) -> None:
    """A meter's photo is one: a second photo chosen takes the place of the first (a request's photos add up), and the
    chosen one shows as a thumbnail to check the digits on. Shot at 390 px."""
    base, _ = own_server
    page = open_page(390)
    meter, photo, _ = a_meter(page, base)
    assert photo.get_attribute("multiple") is None
    first, second = tmp_path / "first.jpg", tmp_path / "second.jpg"
    first.write_bytes(jpeg_bytes((640, 480)))
    second.write_bytes(jpeg_bytes((480, 640)))
    photo.set_input_files(str(first))
    photo.set_input_files(str(second))
    previews = meter.locator(".photo-previews img")
    expect(previews).to_have_count(1)
    assert photo.evaluate("input => Array.from(input.files, (f) => f.name)") == ["second.jpg"]
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    previews.scroll_into_view_if_needed()
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / "meters-photo-390.png"))


def test_without_javascript_a_meter_photo_over_the_limit_is_refused_and_the_reading_kept(
    own_server: Served, open_page: OpenPage, big_photo: Path
) -> None:
    """Without JavaScript the original is sent, as before: over 10 MB it is refused at the meter's photo, nothing saved
    and the reading typed kept."""
    base, _ = own_server
    page = open_page(390, java_script_enabled=False)
    meter, photo, typed = a_meter(page, base)
    name = photo.get_attribute("name")
    register = meter.locator("input[inputmode=decimal]").first.get_attribute("name")
    photo.set_input_files(str(big_photo))
    page.get_by_role("button", name="Передать показания").click()
    expect(page.locator(f"#e-{name}")).to_contain_text("больше 10 МБ")
    expect(page.locator(f"input[name={register}]")).to_have_value(typed)
