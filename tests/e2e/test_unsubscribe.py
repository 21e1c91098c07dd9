"""An e-mail's unsubscribe link in a phone's browser: the page says what will stop, one tap on «Отписаться» says it
is done (with the undo), and news stops coming by e-mail; no sign-in on the way."""

from __future__ import annotations

import os
import sqlite3

import pytest
from playwright.sync_api import expect

from portal.notifications.rules import Topic
from portal.notifications.rules import unsubscribe_token
from tests.browser import OpenPage
from tests.browser import Served
from tests.e2e.test_emergency_notice import SHOTS

pytestmark = pytest.mark.browser


def _email_choices(folder, user_id: int) -> list[tuple[str, bool]]:
    with sqlite3.connect(folder / "live.sqlite") as db:
        rows = db.execute(
            "SELECT topic, enabled FROM channel_choice WHERE user = ? AND channel = 'email' ORDER BY topic", (user_id,)
        )
        return [(topic, bool(enabled)) for topic, enabled in rows]


def test_the_link_of_a_news_e_mail_unsubscribes_in_one_tap(own_server: Served, open_page: OpenPage) -> None:
    url, folder = own_server
    with sqlite3.connect(folder / "live.sqlite") as db:
        user_id = db.execute("SELECT id FROM portal_user WHERE email = 'resident2@demo.ru'").fetchone()[0]
        db.execute("DELETE FROM channel_choice WHERE user = ?", (user_id,))
        db.execute(
            "INSERT INTO channel_choice (user, topic, channel, enabled) VALUES (?, 'news', 'email', 1)", (user_id,)
        )  # news by e-mail asked for, as the letter it came in says
    token = unsubscribe_token(os.environ["SECRET_KEY"], user_id, Topic.NEWS)  # the server's, as the tests set it

    page = open_page()
    page.goto(f"{url}/unsubscribe/{token}")
    expect(page.get_by_role("heading", name="Письма о новостях дома")).to_be_visible()
    assert _email_choices(folder, user_id) == [("news", True)]  # opening the link changes nothing
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "unsubscribe-ask-390.png"), full_page=True)
    page.get_by_role("button", name="Отписаться").click()
    expect(page.get_by_role("status").filter(has_text="Готово")).to_have_text(
        "Готово: письма о новостях дома больше не придут."
    )
    expect(page.get_by_role("button", name="Отменить: снова присылать")).to_be_visible()
    assert _email_choices(folder, user_id) == []  # off, as news by e-mail is by default
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page is {width} px wide on a 390 px phone"
    page.screenshot(path=str(SHOTS / "unsubscribe-390.png"), full_page=True)
