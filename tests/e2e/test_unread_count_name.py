"""The count of unread messages on «Ещё» (the phone's bottom bar, the desktop's top bar) and on «Уведомления» in its
menu is said in the link's name, and the name reads as one phrase: «Ещё, 2 непрочитанных уведомления». The words
were hidden inside the link after the label; hidden by ``position: absolute`` they are a block of their own, and
Chromium (and Playwright's reading of names) read the name «Ещё , 2 …» with a space before the comma."""

from __future__ import annotations

import re
import sqlite3
from contextlib import closing
from datetime import UTC
from datetime import datetime

import pytest
from playwright.sync_api import Locator
from playwright.sync_api import Page
from playwright.sync_api import expect

from tests.browser import OpenPage
from tests.browser import Served
from tests.browser import sign_in
from tests.browser import speaking
from tests.e2e.test_accessibility import AXE

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def two_unread(own_server: Served) -> str:
    """A server of its own where resident@demo.ru has exactly two unread in-app messages."""
    url, var = own_server
    with closing(sqlite3.connect(var / "live.sqlite")) as db:
        now = datetime.now(UTC).isoformat(sep=" ")
        user = db.execute("SELECT id FROM portal_user WHERE email = 'resident@demo.ru'").fetchone()[0]
        db.execute("UPDATE outbox_message SET read_at = ? WHERE user_id = ? AND channel = 'inapp'", (now, user))
        for n in (1, 2):
            db.execute(
                "INSERT INTO outbox_message (channel, recipient, user_id, template, subject, body, context,"
                " dedupe_key, status, next_attempt_at, created_at)"
                " VALUES ('inapp', ?, ?, 'test', ?, 'Текст', '{}', ?, 'sent', ?, ?)",
                (str(user), user, f"Сообщение {n}", f"test:unread:{n}", now, now),
            )
        db.commit()
    return url


# The words a link shows must be in its name (WCAG 2.5.3, «label in name»): «More1» seen, «More, 1 …» said, failed.
LABEL_IN_NAME = """async () => {
  const result = await axe.run(document, {runOnly: {type: "rule", values: ["label-content-name-mismatch"]}});
  return result.violations.flatMap(v => v.nodes.map(n => n.target.join(" ")));
}"""


def _chromium_name(link: Locator) -> str:
    """The name Chromium itself gives the link (its accessibility tree), as a screen reader gets it."""
    session = link.page.context.new_cdp_session(link.page)
    link.evaluate("a => a.setAttribute('data-named', '1')")
    document = session.send("DOM.getDocument")
    node = session.send("DOM.querySelector", {"nodeId": document["root"]["nodeId"], "selector": "[data-named]"})
    tree = session.send("Accessibility.getPartialAXTree", {"nodeId": node["nodeId"], "fetchRelatives": False})
    link.evaluate("a => a.removeAttribute('data-named')")
    return next(n["name"]["value"] for n in tree["nodes"] if n.get("role", {}).get("value") == "link")


@pytest.mark.parametrize(
    ("width", "locale", "more", "notifications"),
    [
        (390, "ru-RU", "Ещё, 2 непрочитанных уведомления", "Уведомления, 2 непрочитанных"),
        (1280, "en-GB", "More, 2 unread notifications", "Notifications, 2 unread"),
    ],
)
def test_the_unread_count_is_said_in_the_links_name_as_one_phrase(
    open_page: OpenPage, two_unread: str, width: int, locale: str, more: str, notifications: str
) -> None:
    page = open_page(width, 900, locale=locale)
    page.context.add_init_script(path=AXE)  # before the first page is opened
    with speaking(page, two_unread, locale.split("-")[0]):  # a signed-in person's pages speak their saved language
        _read_the_counts(page, two_unread, more, notifications)


def _read_the_counts(page: Page, two_unread: str, more: str, notifications: str) -> None:
    sign_in(page, two_unread, "resident@demo.ru")
    page.goto(two_unread + "/tickets")
    link = page.get_by_role("link", name=re.compile(r"^(Ещё|More)(,|$)")).locator("visible=true")
    expect(link).to_have_count(1)
    expect(link).to_have_accessible_name(more)
    assert _chromium_name(link) == more
    expect(link.locator(".nav-count")).to_have_text("2")  # the number for the eye
    assert page.evaluate(LABEL_IN_NAME) == []
    link.click()
    item = page.locator("main").get_by_role("link", name=re.compile(r"^(Уведомления|Notifications)(,|$)"))
    expect(item).to_have_accessible_name(notifications)
    assert _chromium_name(item) == notifications
    assert page.evaluate(LABEL_IN_NAME) == []
