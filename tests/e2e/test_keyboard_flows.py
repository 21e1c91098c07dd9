"""The main flows with the keyboard alone (Tab, Shift+Tab, Enter, Space, arrows, Escape; nothing is clicked), as a
screen reader user meets them: after each submit the keyboard is where the answer is (the error summary on a refusal,
the page's message or heading on success, read out as it is in a live region), never lost to <body>, its focus ring
seen at every stop; the skip link leads to the content and the phone's bottom bar comes after it, in the order seen."""

from __future__ import annotations

import re
import sqlite3

import pytest
from playwright.sync_api import Page
from playwright.sync_api import expect

from tests.browser import OpenPage
from tests.browser import Served
from tests.browser import after_htmx
from tests.browser import focused
from tests.browser import landed
from tests.browser import tab_to

pytestmark = pytest.mark.browser

PHONE_MAX = 640  # px: up to this width a request's next step stands under its heading (static/css/portal.css)


def sign_in_by_keyboard(page: Page, base: str, login: str) -> None:
    """The login page from its skip link: Tab, Enter, the login and password typed, Enter."""
    page.goto(base + "/login")
    page.keyboard.press("Tab")
    expect(page.locator(".skip-link")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()
    tab_to(page, page.locator("#f-login"))
    page.keyboard.type(login)
    page.keyboard.press("Tab")
    expect(page.locator("#f-password")).to_be_focused()
    page.keyboard.type("demo12345")
    page.keyboard.press("Enter")
    expect(page).not_to_have_url(re.compile(r"/login"), timeout=60_000)


@pytest.mark.parametrize("width", [390, 1280])
def test_a_resident_signs_in_passes_readings_and_files_a_request_by_keyboard(
    own_server: Served, open_page: OpenPage, width: int
) -> None:
    base, _ = own_server
    page = open_page(width)
    sign_in_by_keyboard(page, base, "resident@demo.ru")
    landed(page)

    # The menu's items come in the order they are seen, left to right: on a phone the bottom bar, after the content.
    menu = ".bottomnav" if width == 390 else ".topnav"
    tab_to(page, page.locator(f"{menu} a").first)
    lefts = []
    for item in page.locator(f"{menu} a").all():
        expect(item).to_be_focused()
        lefts.append(item.bounding_box()["x"])
        page.keyboard.press("Tab")
    assert lefts == sorted(lefts)
    tab_to(page, page.locator(f"{menu} a", has_text="Показания"), back=True)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Показания счётчиков", level=1)).to_be_visible()
    landed(page)

    # A refused reading: the error summary has the keyboard; its link leads to the field, corrected there.
    field = page.locator("section.meter-group").first.locator("input[inputmode=decimal]").first
    tab_to(page, field)
    page.keyboard.type("0")
    page.keyboard.press("Enter")
    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    assert landed(page)["live"], "the error summary is read out"
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    field = page.locator("#" + (page.locator(".error-summary a").first.get_attribute("href") or "#")[1:])
    expect(field).to_be_focused()
    hint = page.locator("#h-" + (field.get_attribute("name") or "")).inner_text()
    previous = float(
        re.findall(r"\d[\d\s\u00a0\u202f]*(?:,\d+)?", hint)[0]
        .replace(",", ".")
        .translate({ord(c): None for c in " \u00a0\u202f"})
    )
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.type(f"{previous + 1.5:.3f}".replace(".", ","))
    page.keyboard.press("Enter")
    expect(page.locator("#flashes .flash")).to_be_visible()
    where = landed(page)
    assert where["live"] and "показани" in where["text"].lower(), where

    # A request with its photo field passed over: the category chosen with the arrows, filed with Enter; its page
    # starts from the message that it is filed.
    page.goto(base + "/tickets/new")
    tab_to(page, page.locator("#f-category"))
    while (
        page.locator("input[name=category]:checked[data-emergency]").count()
        or not page.locator("input[name=category]:checked").count()
    ):
        page.keyboard.press("ArrowDown")
    tab_to(page, page.locator("textarea[name=description]"))
    page.keyboard.type("Не закрывается окно в подъезде")
    tab_to(page, page.get_by_role("button", name="Создать заявку"))
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/tickets/\d+"))
    where = landed(page)
    assert where["live"] and "заявка" in where["text"].lower(), where

    # A message to the dispatcher: sent with Enter on its button, the keyboard is at what was sent.
    tab_to(page, page.locator("#message-form textarea"))
    page.keyboard.type("Окно на третьем этаже")
    tab_to(page, page.locator("#message-form").get_by_role("button", name="Отправить сообщение"))
    page.keyboard.press("Enter")
    expect(page.locator("#conversation")).to_contain_text("Окно на третьем этаже")
    landed(page)

    # The language switch keeps the keyboard at the switch on the page in the other language.
    tab_to(page, page.locator(".lang-option", has_text="EN"), back=True)
    page.keyboard.press("Enter")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator(".lang-option.current")).to_be_focused()
    assert focused(page)["ring"]
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Enter")
    expect(page.locator("html")).to_have_attribute("lang", "ru")


@pytest.mark.parametrize("width", [1280, 390])
def test_a_dispatcher_finds_assigns_and_moves_a_request_by_keyboard(
    own_server: Served, open_page: OpenPage, width: int
) -> None:
    base, _ = own_server
    page = open_page(width)
    sign_in_by_keyboard(page, base, "dispatcher@demo.ru")
    landed(page)
    page.goto(base + "/staff/tickets?tab=active")
    number = page.locator("table.ticket-table tbody tr td a").first.inner_text().strip()

    # A filter's checklist opens with Enter and closes with Escape, the keyboard back on its button.
    status = page.locator("details.checklist").first
    tab_to(page, status.locator("summary"))
    page.keyboard.press("Enter")
    expect(status).to_have_attribute("open", "")
    page.keyboard.press("Tab")
    expect(status.locator("input").first).to_be_focused()
    page.keyboard.press("Escape")
    expect(status).not_to_have_attribute("open", "")
    expect(status.locator("summary")).to_be_focused()

    # The search typed and sent with Enter: the keyboard stays in the field, the count found is read out.
    tab_to(page, page.locator("#f-q"), back=True)
    page.keyboard.type(number)
    page.keyboard.press("Enter")
    expect(page.locator("#announcer")).to_have_text(re.compile(r"Найден"))
    expect(page.locator("#f-q")).to_be_focused()

    # The request opened from its row, assigned and moved on: each answer is read out where the keyboard is.
    tab_to(page, page.locator("table.ticket-table tbody tr td a", has_text=number).first)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text(number)
    landed(page)
    tab_to(page, page.locator("#f-executor"))
    page.keyboard.press("ArrowDown")
    tab_to(page, page.get_by_role("button", name="Назначить"))
    page.keyboard.press("Enter")
    expect(page.locator("#flashes .flash")).to_be_visible()
    where = landed(page)
    assert where["live"], where
    # The next step: on a phone the button under the heading (the status form's copy of it is hidden there).
    step = page.locator("#ticket-next button" if width <= PHONE_MAX else "#f-status")
    tab_to(page, step, back=True)
    with after_htmx(page):
        page.keyboard.press("Enter")
    expect(page.locator("#flashes .flash")).to_be_visible()
    where = landed(page)
    assert where["live"], where


def test_a_resident_pays_through_the_payment_service_and_back_by_keyboard(
    own_server: Served, open_page: OpenPage
) -> None:
    base, _ = own_server
    page = open_page(390)
    sign_in_by_keyboard(page, base, "resident@demo.ru")
    tab_to(page, page.locator(".bottomnav a", has_text="Оплата"))
    page.keyboard.press("Enter")
    # The home page before it has a heading too: tab only once the payment page is there.
    expect(page.get_by_role("heading", level=1)).to_have_text("Оплата ЖКУ")
    landed(page)
    tab_to(page, page.get_by_role("button", name=re.compile("^Оплатить")))
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/c/pay/cs_test_"))
    tab_to(page, page.get_by_label("Номер карты"))
    page.keyboard.type("4242 4242 4242 4242")
    tab_to(page, page.get_by_label("Срок (ММ/ГГ)"))
    page.keyboard.type("12/34")
    tab_to(page, page.get_by_label("CVC"))
    page.keyboard.type("123")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/pay/return\?session_id=cs_test_"))
    status = page.locator("#payment-status")
    expect(status).to_contain_text("Платёж получен", timeout=20_000)
    expect(status).to_be_focused()
    where = landed(page)
    assert where["live"] and "Платёж получен" in where["text"], where


def test_an_owner_saves_a_ballot_and_a_moderator_accepts_one_by_keyboard(
    own_server: Served, open_page: OpenPage
) -> None:
    base, folder = own_server
    with sqlite3.connect(folder / "live.sqlite") as conn:
        meeting = conn.execute("SELECT id FROM meeting WHERE status = 'published' ORDER BY id LIMIT 1").fetchone()[0]
    page = open_page(390)
    sign_in_by_keyboard(page, base, "owner@demo.ru")
    page.goto(f"{base}/meetings/{meeting}")
    # Each question's choices as one stop: Tab into it, «За» (the first) chosen with Space, Tab to the next.
    form = page.locator("form[action*='/ballots/']").first
    for question in form.locator("fieldset").all():
        tab_to(page, question.locator("input[type=radio]").first)
        page.keyboard.press("Space")
        expect(question.get_by_label("За", exact=True)).to_be_checked()
    tab_to(page, form.get_by_role("button", name=re.compile("Сохранить ответы на все вопросы")))
    page.keyboard.press("Enter")
    expect(page.get_by_text("Ответы сохранены, но голос ещё не подан")).to_have_count(1)
    landed(page)

    staff = open_page(1280)
    sign_in_by_keyboard(staff, base, "moderator@demo.ru")
    staff.goto(f"{base}/staff/meetings/{meeting}/moderation")
    items = staff.locator(".moderation-item")
    waiting = items.count()
    clean = items.filter(has_not=staff.locator(".badge")).first
    tab_to(staff, clean.get_by_role("button", name="Принять"))
    staff.keyboard.press("Enter")
    expect(staff.locator(".moderation-item")).to_have_count(waiting - 1)
    where = landed(staff)
    assert where["live"], where

    # On a phone the staff menu is a disclosure: opened with Enter, closed with Escape, the keyboard back on it.
    staff.set_viewport_size({"width": 390, "height": 844})
    menu = staff.locator("details.staff-menu")
    tab_to(staff, menu.locator("summary"), back=True)
    staff.keyboard.press("Enter")
    expect(menu).to_have_attribute("open", "")
    staff.keyboard.press("Tab")
    expect(menu.locator("a").first).to_be_focused()
    staff.keyboard.press("Escape")
    expect(menu).not_to_have_attribute("open", "")
    expect(menu.locator("summary")).to_be_focused()


def test_a_resident_orders_and_pays_a_service_by_keyboard_on_a_wide_screen(
    own_server: Served, open_page: OpenPage
) -> None:
    base, _ = own_server
    page = open_page(1280)
    sign_in_by_keyboard(page, base, "resident@demo.ru")
    page.goto(base + "/services")
    tab_to(page, page.locator(".service-card", has_text="Вызов сантехника").get_by_role("link"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Вызов сантехника", level=1)).to_be_visible()
    landed(page)
    tab_to(page, page.get_by_role("button", name="Добавить в заказ"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Ваш заказ")).to_be_visible()
    landed(page)
    for label in ("Желаемый день", "Время"):
        tab_to(page, page.get_by_label(label))
        page.keyboard.press("ArrowDown")
    tab_to(page, page.get_by_label("Телефон для связи"))
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.type("+7 978 000-00-01")
    tab_to(page, page.get_by_role("button", name=re.compile("Заказать и оплатить")))
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/c/pay/cs_test_"))
    tab_to(page, page.get_by_label("Номер карты"))
    page.keyboard.type("4242 4242 4242 4242")
    page.keyboard.press("Tab")
    page.keyboard.type("12/34")
    page.keyboard.press("Tab")
    page.keyboard.type("123")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/services/orders/\d+$"), timeout=20_000)
    expect(page.get_by_text("Оплата получена")).to_be_visible()
    where = landed(page)
    assert where["live"] and "Оплата получена" in where["text"], where
