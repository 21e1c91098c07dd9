"""What the browser tests share: signing in through the real login form, as a person does, and waiting for what
proves a point. A pause (``wait_for_timeout``) proves nothing: a check that something did not happen passes when the
pause ends before it would have, and one made before htmx swapped reads the old page. Wait for the event instead:
``expect(...)`` on what the answer changes, ``page.expect_response``/``expect_navigation``, ``after_htmx`` (settled,
and the request htmx kept queued sent), and for «nothing was sent», ``record_htmx_requests`` read once the click that
would have sent it is over."""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from PIL import Image
from PIL import ImageChops
from playwright.sync_api import Locator
from playwright.sync_api import Page
from playwright.sync_api import expect

DEMO_PASSWORD = "demo12345"

# What the fixtures of tests/e2e/conftest.py give: ``open_page(width, ...)`` and a server's (url, folder).
OpenPage = Callable[..., Page]
Served = tuple[str, Path]


def sign_in(page: Page, base: str, login: str, password: str = DEMO_PASSWORD) -> None:
    """Open ``base``'s login page, type the login and password and press «Войти»; the page leaves /login (argon2 may
    take a while on a busy machine)."""
    page.goto(base + "/login")
    page.locator("#f-login").fill(login)
    page.locator("#f-password").fill(password)
    page.locator("form:has(#f-password) button[type=submit]").click()
    expect(page).not_to_have_url(re.compile(r"/login"), timeout=60_000)


def speak(page: Page, base: str, language: str) -> None:
    """Choose ``language`` with the switch at the top of ``base``'s home page (the sign-in page for a guest), as a
    person does: signed in, it becomes their saved language, their pages' on every device; chosen before signing in,
    the sign-in that follows saves it."""
    page.goto(base + "/")
    with page.expect_navigation():  # pressed even where the page is in it already (by the browser's languages)
        page.locator(f"form.lang-switch button[value={language}]").click()
    expect(page.locator("html")).to_have_attribute("lang", language)


@contextmanager
def speaking(page: Page, base: str, language: str) -> Iterator[None]:
    """The block's sign-in (``sign_in``) and pages in ``language``, chosen on the sign-in page (``speak``); on leaving,
    the person signed in then chooses Russian again, as the demo data has it for the tests that share the server."""
    speak(page, base, language)
    try:
        yield
    finally:
        if language != "ru":
            speak(page, base, "ru")


# The requests htmx sends from now on, as "VERB /path", in the order sent: read at once after an event that proves a
# request that must not go would have gone by then (htmx sends a submit's request in the submit event itself).
RECORD_HTMX_REQUESTS = """() => {
  window.htmxSent = [];
  document.addEventListener("htmx:beforeRequest", (e) => window.htmxSent.push(
    `${e.detail.requestConfig.verb.toUpperCase()} ${e.detail.requestConfig.path}`));
}"""


def record_htmx_requests(page: Page) -> Callable[[], list[str]]:
    """Start recording the requests htmx sends in ``page``; the answer reads what it sent so far."""
    page.evaluate(RECORD_HTMX_REQUESTS)
    return lambda: page.evaluate("window.htmxSent")


TELL_AFTER = """([event, said]) =>
  document.addEventListener(event, () => setTimeout(() => console.debug(said)), { once: true })"""


@contextmanager
def after_htmx(page: Page, event: str = "htmx:afterSettle", timeout: float = 30_000) -> Iterator[None]:
    """Wait, on leaving the block, for the first htmx ``event`` after its start (an answer still settling from before
    the block would be taken for the block's: wait for that one first), and for the rest of that event's
    task: htmx has swapped and settled the answer (``htmx:afterSettle``), or ended a request
    (``htmx:afterRequest``), and sent the request it kept queued behind it, if any. The page tells the test with a
    console line (its Content-Security-Policy evaluates no string as a script, which ``wait_for_function`` needs)."""
    said = f"{event} {secrets.token_hex(4)}"
    page.evaluate(TELL_AFTER, [event, said])
    with page.expect_console_message(lambda message: message.text == said, timeout=timeout):
        yield


LONG_NAME = "Александр Константинович Черноморский-Задунайский"


def choose_a_long_name(select: Locator, name: str = LONG_NAME) -> None:
    """Give the first option of ``select`` that is someone (the demo's names are short) a long ``name``, and
    choose it."""
    key = select.locator("option:not([value=''])").first.get_attribute("value")
    select.evaluate("(box, [key, name]) => { box.querySelector(`option[value='${key}']`).text = name; }", [key, name])
    select.select_option(key)


def add_to_order(page: Page, base: str, *titles: str) -> None:
    """The services of the demo catalogue, by their Russian titles, put in the resident's order one by one."""
    for title in titles:
        page.goto(base + "/services")
        page.locator(".service-card", has_text=title).get_by_role("link").click()
        page.get_by_role("button", name="Добавить в заказ").click()
        expect(page.get_by_role("heading", name="Ваш заказ")).to_be_visible()
    # The page the last one led to, loaded with its scripts: a key pressed before htmx took the page's forms over
    # sends a plain form (it works, but a test of what htmx does would read the page load).
    page.wait_for_load_state("load")
    page.wait_for_function("() => Boolean(window.htmx)")


# A phone on mobile data as the portal's budget assumes it: 1.6 Mbit/s down, 750 kbit/s up, 150 ms round trip.
SLOW_PHONE_NETWORK = {
    "offline": False,
    "latency": 150,
    "downloadThroughput": 1_600_000 / 8,
    "uploadThroughput": 750_000 / 8,
}


class WireLog:
    """What a page received over the network from ``watch()`` on (Chromium's DevTools protocol): the bytes each
    response took on the wire (headers and body as sent, compressed or not; nothing for a file taken from the
    cache), by kind of resource (Document, Stylesheet, Script, Font, Image…)."""

    def __init__(self, page: Page, network: dict[str, Any] | None = None) -> None:
        self.cdp = page.context.new_cdp_session(page)
        self.kinds: dict[str, str] = {}
        self.received: dict[str, int] = {}
        self.cdp.on("Network.responseReceived", lambda e: self.kinds.__setitem__(e["requestId"], e["type"]))
        self.cdp.on(
            "Network.loadingFinished", lambda e: self.received.__setitem__(e["requestId"], int(e["encodedDataLength"]))
        )
        self.cdp.send("Network.enable")
        if network:
            self.cdp.send("Network.emulateNetworkConditions", network)

    def forget_cache(self) -> None:
        """Empty the browser's cache, as on a first visit (the cookies stay: still signed in)."""
        self.cdp.send("Network.clearBrowserCache")

    def watch(self) -> None:
        """Count from now on."""
        self.kinds.clear()
        self.received.clear()

    def by_kind(self) -> dict[str, int]:
        """Bytes received since ``watch()``, by kind of resource (a kind taken only from the cache is left out)."""
        totals: dict[str, int] = {}
        for request, size in self.received.items():
            if not size:
                continue
            kind = self.kinds.get(request, "Other")
            totals[kind] = totals.get(kind, 0) + size
        return totals

    def total(self) -> int:
        return sum(self.received.values())


# The keyboard's place: the focused element described as a screen reader would meet it, and whether its focus ring
# is drawn (an outline, not removed).
FOCUSED = """() => {
  const a = document.activeElement;
  if (!a || a === document.body) return { lost: true, ring: false, role: "", text: "", live: false, inMain: false };
  const style = getComputedStyle(a);
  // A date field's calendar button is the browser's own part, with the browser's ring: the field is not :focus then.
  const ring = !a.matches(":focus") || (style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0);
  const live = !!a.closest("[role=status], [role=alert], [aria-live]");
  const text = (a.getAttribute("aria-label") || a.innerText || a.value || "").trim().replace(/\\s+/g, " ");
  const role = a.getAttribute("role") || [a.tagName.toLowerCase(), a.type, a.name].filter(Boolean).join(" ");
  return { lost: false, ring, role, text: text.slice(0, 200),
           live, inMain: !!a.closest("main") };
}"""


def focused(page: Page) -> dict[str, Any]:
    """Where the keyboard is: ``lost`` (on <body>), ``ring`` (its focus is seen), ``role`` (or tag), ``text``,
    ``live`` (inside a region a screen reader reads out when it changes) and ``inMain``."""
    return page.evaluate(FOCUSED)


def tab_to(page: Page, target: Locator, *, back: bool = False, limit: int = 80) -> int:
    """Press Tab (Shift+Tab with ``back``) until ``target`` has the focus, each stop with its focus ring seen and
    none on <body> (the page would have lost the keyboard); the number of presses it took."""
    for presses in range(1, limit + 1):
        page.keyboard.press("Shift+Tab" if back else "Tab")
        if target.evaluate("element => element === document.activeElement"):
            assert focused(page)["ring"], f"no focus ring on {target}"
            return presses
        where = focused(page)
        assert where["ring"] or where["lost"], f"a stop without a focus ring: {where}"
    raise AssertionError(f"{limit} presses of Tab never reached {target}")


def landed(page: Page) -> dict[str, Any]:
    """After a submit or a swap: the keyboard is in the page's content, its focus ring seen, not lost to <body>
    (the page moves it once the answer has settled: waited for)."""
    expect(page.locator("main:focus, main :focus"), "the focus fell out of the content").to_have_count(1)
    where = focused(page)
    assert not where["lost"], "the focus fell to <body>: the keyboard starts again from the top"
    assert where["inMain"] and where["ring"], f"the focus is not in sight in the content: {where}"
    return where


def phone_photo(folder: Path) -> Path:
    """A phone's full-size photo as the camera writes it: 24 MP (6000 × 4000) of fine grain, stored lying on its side
    with the EXIF orientation «turn 90° clockwise» (shown upright, it is 4000 wide and 6000 tall), at quality 95:
    some 18 MB, over the server's 10 MB."""
    size = (6000, 4000)
    light = Image.linear_gradient("L").resize(size)
    picture = Image.merge("RGB", (light, light.transpose(Image.Transpose.FLIP_LEFT_RIGHT), light.rotate(180)))
    picture = ImageChops.add(picture, Image.effect_noise(size, 24).convert("RGB"), 1.0, -128)
    exif = Image.Exif()
    exif[0x0112] = 6
    path = folder / "IMG_0001.JPG"
    picture.save(path, "JPEG", quality=95, subsampling=0, exif=exif.tobytes())
    return path
