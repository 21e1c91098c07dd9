"""In a real browser: an owner of two premises votes for both at 390 px and confirms with the code that arrives over
SMTP; a moderator at 1280 px accepts one paper ballot and rejects another with a reason, and the tally follows."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest
from playwright.sync_api import Page
from playwright.sync_api import expect

from tests.browser import OpenPage
from tests.browser import Served
from tests.browser import sign_in
from tests.conftest import ROOT
from tests.conftest import Inbox

pytestmark = pytest.mark.browser

SHOTS = ROOT / "var" / "screenshots"


def _voting_meeting(database: Path) -> int:
    with sqlite3.connect(database) as conn:
        return conn.execute("SELECT id FROM meeting WHERE status = 'published' ORDER BY id LIMIT 1").fetchone()[0]


def _shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(Path(SHOTS) / name), full_page=True)


def test_an_owner_of_two_premises_votes_for_both_and_confirms_with_the_code(
    open_page: OpenPage, own_mail_server: Served, mail_server: Inbox
):
    base, folder = own_mail_server
    meeting = _voting_meeting(folder / "live.sqlite")
    page = open_page()
    sign_in(page, base, "owner@demo.ru")
    page.goto(f"{base}/meetings/{meeting}")
    ballots = page.locator("form[action*='/ballots/']")
    expect(ballots).to_have_count(2)
    _shot(page, "meeting-vote-390.png")
    for index in range(2):
        form = page.locator("form[action*='/ballots/']").nth(index)
        for fieldset in form.locator("fieldset").all():
            fieldset.get_by_label("За", exact=True).check()
        form.get_by_role("button", name=re.compile("Сохранить ответы на все вопросы")).click()
        expect(page.get_by_text("Ответы сохранены, но голос ещё не подан")).to_have_count(index + 1)
    # Each saved ballot leads on to the vote; the second one, where saving it landed, is followed.
    page.locator("section.ballot").nth(1).get_by_role("link", name="Проверить и подтвердить голос").click()
    expect(page.get_by_text("После подтверждения решения изменить нельзя.")).to_be_visible()
    page.get_by_role("button", name="Получить код подтверждения").click()
    message = mail_server.wait_for("owner@demo.ru")
    code = re.search(r"\b(\d{6})\b", message["Subject"]).group(1)
    field = page.get_by_label("Код из письма")
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    field.fill(wrong)
    page.get_by_role("button", name="Подтвердить голос").click()
    # a wrong code is said at the field, which keeps what was typed and is described by the message
    expect(page.locator("#e-code")).to_contain_text("Неверный код")
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(field).to_have_attribute("aria-describedby", re.compile(r"\be-code\b"))
    expect(field).to_have_value(wrong)
    _shot(page, "meeting-wrong-code-390.png")
    # the code pasted as the eye groups it, «300 147»: the server reads it, so the browser lets it through
    field.fill("")
    field.focus()
    page.keyboard.insert_text(f"{code[:3]} {code[3:]}")  # what a paste does
    expect(field).to_have_value(f"{code[:3]} {code[3:]}")
    page.get_by_role("button", name="Подтвердить голос").click()
    expect(page.get_by_text("Решение получено и закреплено")).to_have_count(2)
    expect(page.locator("form[action*='/ballots/']")).to_have_count(0)
    _shot(page, "meeting-voted-390.png")


def _took_part(page: Page) -> str:
    return page.locator("#tally").get_by_text(re.compile("Приняли участие")).inner_text()


def test_a_moderator_accepts_one_paper_ballot_and_rejects_another(open_page: OpenPage, own_mail_server: Served):
    base, folder = own_mail_server
    meeting = _voting_meeting(folder / "live.sqlite")
    page = open_page(1280)
    sign_in(page, base, "moderator@demo.ru")
    page.goto(f"{base}/staff/meetings/{meeting}/moderation")
    items = page.locator(".moderation-item")
    waiting = items.count()
    assert waiting >= 3
    before = _took_part(page)
    votes = page.locator("#tally p").filter(has_text="Приняли участие").first.inner_text()
    assert re.search(r"\([\d\s]+,\d\d из [\d\s]+,\d\d\)", votes), f"votes with two decimals on both sides: {votes}"
    _shot(page, "meeting-moderation-1280.png")
    clean = items.filter(has_not=page.locator(".badge")).first  # not marked a duplicate or late
    clean.get_by_role("button", name="Принять").click()
    expect(page.locator(".moderation-item")).to_have_count(waiting - 1)
    after_accept = _took_part(page)
    assert after_accept != before
    second = page.locator(".moderation-item").filter(has_not=page.locator(".badge")).first
    second.get_by_label("Причина отклонения").select_option(label="Не подписано")
    second.get_by_label("Комментарий").fill("нет подписи собственника")
    second.get_by_role("button", name="Отклонить").click()
    expect(page.locator(".moderation-item")).to_have_count(waiting - 2)
    assert _took_part(page) == after_accept  # a rejected ballot changes nothing
    expect(page.get_by_text("нет подписи собственника")).to_be_visible()
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, "a phone never scrolls sideways"
    _shot(page, "meeting-moderation-390.png")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{base}/staff/meetings/{meeting}")
    _shot(page, "meeting-staff-1280.png")


def test_the_protocol_of_the_demos_closed_meeting_carries_what_the_order_requires(
    open_page: OpenPage, own_mail_server: Served
):
    """DOMAIN §1.7 (44/пр п. 4, п. 20): name, number and date, place, heading, total votes and area, votes that took
    part, quorum, each question's result and decision, storage place, annexes with the register."""
    import io

    from pypdf import PdfReader

    base, folder = own_mail_server
    with sqlite3.connect(folder / "live.sqlite") as conn:
        closed = conn.execute("SELECT id FROM meeting WHERE status = 'closed' ORDER BY id LIMIT 1").fetchone()[0]
    page = open_page(1280)
    sign_in(page, base, "manager@demo.ru")
    response = page.request.get(f"{base}/staff/meetings/{closed}/protocol")
    assert response.headers["content-type"] == "application/pdf"
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(response.body())).pages)
    text = " ".join(text.split())
    for words in (
        f"Протокол № {closed}/",
        "общего собрания собственников помещений в многоквартирном доме",
        "Дата протокола",
        "Приказ Минстроя России №",
        "Заочное (письменные решения)",
        "Инициатор",
        "Председатель",
        "Секретарь",
        "Счётная комиссия",
        "Общее количество голосов собственников",
        "Голоса собственников, принявших участие",
        "Кворум",
        "Решение:",
        "Место хранения протокола и решений",
        "Приложение 1. Реестр собственников",
        "Приложение 3. Собственники, принявшие участие",
        "Приложение 6",
    ):
        assert words in text, words
