"""A resident whose only flat passed to a new owner opens «new request» and an application on a phone (390 px) and a
computer (1280 px): the page names the closed account and its day and whom to ask, not their access, and does not
scroll sideways. A family member of a closed account, who has no account left, is told on their home page why."""

from __future__ import annotations

import os
import sqlite3
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from portal.core import clock
from tests.browser import OpenPage
from tests.browser import Served
from tests.browser import sign_in

pytestmark = pytest.mark.browser

NO_SIDEWAYS_SCROLL = "() => document.documentElement.scrollWidth <= window.innerWidth"
SHOTS = os.environ.get("SHOTS_DIR", "")


def _give_a_password(folder, email: str) -> None:
    """The demo's family member has not signed in yet: they get the demo's password, as a person sets their own."""
    db = sqlite3.connect(folder / "live.sqlite")
    try:
        db.execute(
            "UPDATE portal_user SET password_hash = (SELECT password_hash FROM portal_user WHERE email = ?) "
            "WHERE email = ?",
            ("resident@demo.ru", email),
        )
        db.commit()
    finally:
        db.close()


def _close_every_account_of(folder, email: str) -> list[str]:
    db = sqlite3.connect(folder / "live.sqlite")
    try:
        numbers = [
            r[0]
            for r in db.execute(
                "SELECT a.number FROM residency r JOIN portal_user u ON u.id = r.user "
                "JOIN personal_account a ON a.id = r.account WHERE u.email = ? AND r.revoked_at IS NULL",
                (email,),
            )
        ]
        yesterday = (clock.today_local() - timedelta(days=1)).isoformat()
        db.executemany("UPDATE personal_account SET closed_on = ? WHERE number = ?", [(yesterday, n) for n in numbers])
        db.commit()
        return numbers
    finally:
        db.close()


def test_a_resident_of_a_closed_account_is_told_why_no_request_is_filed(own_server: Served, open_page: OpenPage):
    base, folder = own_server
    numbers = _close_every_account_of(folder, "resident@demo.ru")
    assert numbers
    page = open_page()
    sign_in(page, base, "resident@demo.ru")
    page.goto(base + "/tickets/new")
    for number in numbers:
        expect(page.locator("main")).to_contain_text(f"Лицевой счёт {number} закрыт")
    expect(page.locator("main")).to_contain_text("попросите нового собственника пригласить вас")
    expect(page.locator("main")).not_to_contain_text("не включает заявки")
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, "closed-account-new-request-390.png"), full_page=True)
    for width in (390, 1280):
        page = open_page(width)
        sign_in(page, base, "resident@demo.ru")
        page.goto(base + "/tickets/absence")
        notice = page.locator("#closed-accounts")
        for number in numbers:
            expect(notice).to_contain_text(f"Лицевой счёт {number} закрыт")
        expect(notice).to_contain_text("попросите нового собственника пригласить вас")
        expect(page.locator("main")).not_to_contain_text("не включает заявки")
        assert page.evaluate(NO_SIDEWAYS_SCROLL)
        if SHOTS:
            page.screenshot(path=os.path.join(SHOTS, f"closed-account-absence-{width}.png"), full_page=True)


def test_a_family_member_of_a_closed_account_is_told_on_their_page_why_it_is_gone(
    own_server: Served, open_page: OpenPage
):
    base, folder = own_server
    numbers = _close_every_account_of(folder, "family@demo.ru")
    assert numbers
    _give_a_password(folder, "family@demo.ru")
    for width in (390, 1280):
        page = open_page(width)
        sign_in(page, base, "family@demo.ru")
        page.goto(base + "/")
        left = page.locator("#accounts-left")
        for number in numbers:
            expect(left).to_contain_text(f"Лицевой счёт {number} закрыт")
        expect(left).to_contain_text("попросите её собственника пригласить вас")
        expect(page.locator("main")).not_to_contain_text("Привяжите лицевой счёт, чтобы видеть")
        assert page.evaluate(NO_SIDEWAYS_SCROLL)
        if SHOTS:
            page.screenshot(path=os.path.join(SHOTS, f"closed-account-family-{width}.png"), full_page=True)
