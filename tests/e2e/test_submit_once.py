"""A form's submit button is disabled while its request is on its way (UI.md): a resident on a slow phone network who
taps «Создать заявку» twice sends the form once; the button works again when the answer comes, be it the form again
with its errors (422) or no answer at all (the network dropped)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page
from playwright.sync_api import Route
from playwright.sync_api import expect

from tests.browser import after_htmx
from tests.browser import record_htmx_requests
from tests.browser import sign_in

pytestmark = pytest.mark.browser


def _handed_over(page: Page, held: list[Route]) -> None:
    """Wait for the route of a post whose request is seen: Playwright hands it to ``held`` a moment after."""
    for _ in range(500):
        if held:
            break
        page.wait_for_timeout(20)
    assert len(held) == 1


def test_a_double_tap_on_a_slow_network_sends_the_form_once_and_its_button_comes_back(page: Page, live_server: str):
    sign_in(page, live_server, "resident@demo.ru")
    page.goto(live_server + "/tickets/new")
    held: list[Route] = []  # the posts of the form, each waiting for the test to let it through or drop it

    def hold(route: Route) -> None:
        held.append(route) if route.request.method == "POST" else route.continue_()

    page.route("**/tickets/new", hold)
    sent = record_htmx_requests(page)
    button = page.get_by_role("button", name="Создать заявку")
    with page.expect_request(lambda r: r.method == "POST"):
        button.dblclick()
    expect(button).to_be_disabled()
    expect(page.locator("form.ticket-form")).to_have_class(re.compile(r"\bhtmx-request\b"))  # the spinner shows
    # htmx sends a submit's post in the submit event itself: the second tap has sent nothing by the time it is over,
    # and a post htmx kept queued behind the first is sent the moment the first one's answer is in.
    assert sent() == ["POST /tickets/new"]
    _handed_over(page, held)
    with after_htmx(page), page.expect_response(lambda r: r.url.endswith("/tickets/new") and r.status == 422):
        held.pop().continue_()
    expect(page.locator(".error-summary, [data-autofocus]").first).to_be_visible()  # the form again, with errors
    expect(button).to_be_enabled()
    assert sent() == ["POST /tickets/new"]

    # The network drops the next post, tapped twice as well: the button is held meanwhile, works again after, and the
    # second tap was not kept to be sent once the first failed (htmx queues a post of a form that is still there).
    with page.expect_request(lambda r: r.method == "POST"):
        button.dblclick()
    expect(button).to_be_disabled()
    assert sent() == ["POST /tickets/new"] * 2
    _handed_over(page, held)
    with after_htmx(page, "htmx:afterRequest"):
        held.pop().abort()
    expect(button).to_be_enabled()
    assert sent() == ["POST /tickets/new"] * 2


# While the browser waits for the answer to a form it sends, the test can neither look into the page nor run a
# script there: the page records what it is like after the tap and reads it out once the next page is there: the
# submits the browser was let send (counted last, on the window: the page's listeners on the document are done), and
# the buttons.
RECORD_HELD_BUTTONS = """window.addEventListener("submit", (e) => {
  if (!e.defaultPrevented) sessionStorage.setItem("sent", Number(sessionStorage.getItem("sent")) + 1);
});
document.addEventListener("submit", () => setTimeout(() => {
  const state = () => Array.from(document.querySelectorAll("form.lang-switch button"), (b) => b.disabled);
  const held = state();
  // As when the page comes back from the back/forward cache (Back after the next page).
  window.dispatchEvent(new PageTransitionEvent("pageshow", { persisted: true }));
  sessionStorage.setItem("buttons", JSON.stringify({ held, shownAgain: state() }));
}, 300), { once: true })"""


def test_a_form_the_browser_sends_itself_is_held_too_and_sends_the_pressed_button(page: Page, live_server: str):
    """A form htmx leaves to the browser (hx-boost="false": uploads, the cart's order, the pay sheet, the language
    switch) is sent once on a double tap as well, with the pressed button's value; a page shown again from the
    back/forward cache has its buttons working."""
    page.goto(live_server + "/login")
    page.evaluate(RECORD_HELD_BUTTONS)
    held: list[Route] = []
    page.route("**/lang", lambda route: held.append(route) if route.request.method == "POST" else route.continue_())
    with page.expect_request(lambda r: r.method == "POST"):
        page.locator("form.lang-switch button[value=en]").dblclick()
    _handed_over(page, held)
    assert "lang=en" in (held[0].request.post_data or "")
    # The page writes down its buttons 300 ms after the tap (RECORD_HELD_BUTTONS): the answer waits until it has, or
    # the next page comes first and there is nothing to read.
    page.wait_for_timeout(1000)
    with page.expect_navigation():
        held.pop().continue_()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    # One submit of the two taps went to the browser: a second one would have started the post again.
    assert page.evaluate("sessionStorage.getItem('sent')") == "1"
    assert page.evaluate("JSON.parse(sessionStorage.getItem('buttons'))") == {
        "held": [True, True],
        "shownAgain": [False, False],
    }
