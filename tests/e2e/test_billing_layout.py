"""The staff pages of billing and payments at 1280 and 390 px, as the admin (who sees every house) signs in: nothing
scrolls sideways and no table scrolls at 1280 px; a house's dropdown shows whole addresses at 1280 px and on a
phone (where it takes the column's width), in «Выпустить квитанции» and in the lists' filters; the receipts form
reads top to bottom, its button under the fields; a sortable column of money is headed on its right like its figures; an
account's months keep to one line with the reissue button on the row's line; the totals on a phone are one more
card, and the figures above them one gap apart."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Page
from playwright.sync_api import expect

from tests.browser import OpenPage
from tests.browser import sign_in
from tests.e2e.test_payment_flow import pay_with
from tests.e2e.test_payment_flow import start_payment
from tests.e2e.test_staff_layout import SIDEWAYS
from tests.e2e.test_staff_layout import box

pytestmark = pytest.mark.browser

# The options of a dropdown whose words do not fit its closed box: measured in the dropdown's own font against its
# width less its padding and the arrow Chromium draws inside it.
CUT_OPTIONS = """select => {
  const style = getComputedStyle(select);
  const pen = document.createElement("canvas").getContext("2d");
  pen.font = `${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
  const room = select.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight) - 20;
  return [...select.options].map(o => o.text).filter(text => pen.measureText(text).width > room);
}"""

# The box of an element's text itself (not of its padding): where the eye finds the words.
TEXT_BOX = """el => { const range = document.createRange(); range.selectNodeContents(el);
  const r = range.getBoundingClientRect(); return {x: r.x, y: r.y, width: r.width, height: r.height}; }"""


def staff_page(open_page: OpenPage, live_server: str, width: int) -> Page:
    page = open_page(width, 900)
    sign_in(page, live_server, "admin@demo.ru")
    return page


@pytest.fixture(params=[1280, 390], ids=["desktop", "phone"])
def admin(request: pytest.FixtureRequest, open_page: OpenPage, live_server: str) -> Iterator[Page]:
    page = staff_page(open_page, live_server, request.param)
    yield page


def test_the_billing_and_payments_pages_fit_the_screen(admin: Page, live_server: str) -> None:
    admin.goto(live_server + "/staff/billing/debtors")
    account = admin.locator("main a[href^='/staff/billing/accounts/']").first.get_attribute("href")
    admin.goto(live_server + "/staff/payments")
    payment = admin.locator("main table a[href^='/staff/payments/']").first.get_attribute("href")
    assert account and payment, "the demo has debtors and payments"
    desktop = admin.viewport_size == {"width": 1280, "height": 900}
    for path in (
        "/staff/billing",
        "/staff/billing/debtors",
        "/staff/billing/receipts",
        "/staff/billing/import",
        "/staff/billing/registries",
        "/staff/billing/registries/queue",
        "/staff/billing/reconciliation",
        account,
        "/staff/payments",
        payment,
    ):
        admin.goto(live_server + path)
        expect(admin.locator("main h1")).to_be_visible()
        assert admin.evaluate(SIDEWAYS) == [], f"{path} scrolls sideways"
        if desktop:
            wide = admin.locator(".table-wrap").evaluate_all(
                "boxes => boxes.filter(b => b.scrollWidth > b.clientWidth + 1).map(b => [b.scrollWidth, b.clientWidth])"
            )
            assert wide == [], f"a table of {path} scrolls sideways at 1280 px"
        if path != "/staff/billing/registries/queue":  # a work queue: a «Зачислить» in each row
            assert admin.locator("main .button.primary").count() <= 1, f"{path} has more than one primary button"


def test_issuing_receipts_reads_top_to_bottom_with_whole_addresses(admin: Page, live_server: str) -> None:
    admin.goto(live_server + "/staff/billing/receipts?period=2026-11")
    house = admin.locator("form[action='/staff/billing/receipts'] select[name=house]")
    assert house.locator("option").count() >= 5, "all houses and the admin's four"
    form = box(admin, "form[action='/staff/billing/receipts']")
    assert house.evaluate(CUT_OPTIONS) == [], "addresses cut off in the house dropdown"
    if admin.viewport_size and admin.viewport_size["width"] < 900:  # a phone: the dropdown takes the column
        assert house.evaluate("s => s.getBoundingClientRect().width") >= form["width"] - 1
    month, field, button = (
        box(admin, "form[action='/staff/billing/receipts'] select[name=period]"),
        house.bounding_box(),
        box(admin, "form[action='/staff/billing/receipts'] button[type=submit]"),
    )
    assert field and month["y"] + month["height"] <= field["y"], "the house under the month"
    assert button["y"] >= field["y"] + field["height"], "the button under the fields, not beside them"
    assert abs(button["x"] - field["x"]) <= 1, "the button starts where the fields start"


@pytest.mark.parametrize(
    "path",
    ["/staff/billing/debtors", "/staff/billing/reconciliation"],
    ids=lambda path: path.split("/")[-1],
)
def test_a_list_s_house_filter_shows_the_whole_address(admin: Page, live_server: str, path: str) -> None:
    admin.goto(live_server + path)
    house = admin.locator("main form select[name=house]")
    longest = house.evaluate("s => [...s.options].sort((a, b) => b.text.length - a.text.length)[0].value")
    admin.goto(f"{live_server}{path}?house={longest}")
    expect(house).to_have_value(longest)  # the house chosen is shown in the closed dropdown
    if admin.viewport_size and admin.viewport_size["width"] < 900:
        admin.locator("details.filter-panel").evaluate("d => d.open = true")
        form = house.evaluate("s => s.form.getBoundingClientRect().width")
        assert house.evaluate("s => s.getBoundingClientRect().width") >= form - 1, "the whole column of a phone"
    # The demo's houses are all «г. Симферополь, …»: said once, the town leaves room for the street and the house.
    assert house.evaluate(CUT_OPTIONS) == [], f"addresses cut off in the house filter of {path}"
    assert house.evaluate("s => s.options[s.selectedIndex].text").startswith("ул. ")


def test_the_payments_houses_checklist_shows_whole_addresses(admin: Page, live_server: str) -> None:
    """The payments list takes several houses (a checklist, as the requests list): the house chosen is ticked and
    counted, and no address is cut off, on a phone (inside the folded filters) and on a desktop."""
    admin.goto(live_server + "/staff/payments")
    value = admin.locator("main form input[name=house]").first.get_attribute("value")
    admin.goto(f"{live_server}/staff/payments?house={value}")
    if admin.viewport_size and admin.viewport_size["width"] < 900:
        admin.locator("details.filter-panel").evaluate("d => d.open = true")
    checklist = admin.locator("main form details.checklist:has(input[name=house])")
    expect(checklist.locator("summary .checklist-count")).to_have_text("1")
    checklist.evaluate("d => d.open = true")
    expect(checklist.locator(f"input[name=house][value='{value}']")).to_be_checked()
    labels = checklist.locator("label.choice")
    cut = labels.evaluate_all("ls => ls.filter(l => l.scrollWidth > l.clientWidth + 1).map(l => l.textContent)")
    assert cut == [], f"addresses cut off in the payments' houses: {cut}"
    # The demo's houses are all «г. Симферополь, …»: said once, the town leaves room for the street and the house.
    assert labels.first.inner_text().strip().startswith("ул. ")


def test_a_sortable_column_of_money_is_headed_on_the_right_like_its_figures(
    open_page: OpenPage, live_server: str
) -> None:
    page = staff_page(open_page, live_server, 1280)
    page.goto(live_server + "/staff/billing/debtors")
    header = page.locator("main table thead th[aria-sort]")
    expect(header).to_contain_text("Долг")
    assert header.evaluate("th => getComputedStyle(th).textAlign") == "right"


def test_an_account_s_months_keep_to_one_line_with_the_reissue_on_the_row_s_line(
    open_page: OpenPage, live_server: str
) -> None:
    page = staff_page(open_page, live_server, 1280)
    page.goto(live_server + "/staff/billing/debtors")
    page.locator("main a[href^='/staff/billing/accounts/']").first.click()
    rows = page.locator("section[aria-labelledby=months-h] tbody tr")
    expect(rows.first).to_be_visible()
    for row in rows.all():
        month = row.locator("td").first.evaluate(TEXT_BOX)
        figure = row.locator("td.num").first.evaluate(TEXT_BOX)
        reissue = row.locator("button.link-button").evaluate(TEXT_BOX)
        assert month["height"] < 30, f"{row.locator('td').first.inner_text()} wraps"
        assert abs(reissue["y"] - figure["y"]) <= 2, "the reissue button's words sit below the row's figures"


def test_on_a_phone_the_billing_totals_are_a_card_and_the_figures_evenly_spaced(
    open_page: OpenPage, live_server: str
) -> None:
    page = staff_page(open_page, live_server, 390)
    page.goto(live_server + "/staff/billing")
    cards = page.locator(".billing-kpis > .card")
    expect(cards).to_have_count(3)
    first, second = cards.nth(0).bounding_box(), cards.nth(1).bounding_box()
    assert first and second and second["y"] - (first["y"] + first["height"]) == 16, "one gap between the figures"
    totals = page.locator("main table tfoot tr")
    assert totals.evaluate("tr => getComputedStyle(tr).backgroundColor") == "rgb(255, 255, 255)"
    lines = totals.locator("td").evaluate_all("cells => cells.map(c => getComputedStyle(c).borderTopWidth)")
    assert set(lines) == {"0px"}, "the totals are not ruled line by line"


def test_an_unmatched_payment_s_buttons_keep_their_words_on_one_line(open_page: OpenPage, live_server: str) -> None:
    page = staff_page(open_page, live_server, 1280)
    page.goto(live_server + "/staff/billing/registries/queue")
    buttons = page.locator("main table td.col-actions .button")
    expect(buttons.first).to_be_visible()  # the demo has unmatched payments
    for found in buttons.all():
        edge = found.bounding_box()
        assert edge and edge["height"] <= 46, f"«{found.inner_text()}» wraps: {edge}"


def test_an_empty_list_says_so_once_and_a_payment_card_leads_with_its_number(
    open_page: OpenPage, live_server: str
) -> None:
    page = staff_page(open_page, live_server, 390)
    page.goto(live_server + "/staff/billing/debtors?min_debt=999999999")
    expect(page.locator("#list")).to_contain_text("Должников с такими условиями нет.")
    expect(page.locator("nav.pagination")).to_have_count(0)  # not «Показаны 0–0 из 0» and page sizes of nothing
    page.goto(live_server + "/staff/payments")
    number = page.locator("main table tbody tr").first.locator("td").first
    assert number.evaluate("td => getComputedStyle(td).fontSize") == "18px", "the card's number is its heading"


def test_a_refund_form_stands_under_the_payment_s_facts(open_page: OpenPage, live_server: str) -> None:
    """A payment the resident makes by card now, the newest of his history, so that the page opened is sure to have
    something left to refund: the demo's card payments are made at the sandbox payment service too and may be
    refunded, but one of them is returned in full and another has a refund pending."""
    resident = open_page(390, 900)
    sign_in(resident, live_server, "resident@demo.ru")
    start_payment(resident, live_server, "10")
    pay_with(resident, "4242 4242 4242 4242")
    expect(resident.get_by_text("Платёж получен")).to_be_visible(timeout=20_000)
    resident.goto(live_server + "/payments")
    paid = resident.locator("main a[href^='/payments/']").evaluate_all(
        "links => links.map(a => a.getAttribute('href')).filter(h => /^\\/payments\\/\\d+$/.test(h))"
    )
    assert paid, "the payment is in the resident's history"

    page = staff_page(open_page, live_server, 1280)
    page.goto(live_server + "/staff" + max(paid, key=lambda href: int(href.rsplit("/", 1)[1])))
    page.get_by_role("link", name="Возврат").click()
    expect(page.locator("main form[action$='/refund']")).to_be_visible()
    facts, form = box(page, "main dl.facts"), box(page, "main form[action$='/refund']")
    card = page.locator("main .card:has(form[action$='/refund'])").bounding_box()
    assert card and abs(card["x"] - facts["x"]) <= 1, "the refund card on the facts' left edge, not centred"
    assert card["y"] - (facts["y"] + facts["height"]) >= 16, "a card's gap between the facts and the form"
    assert form["width"] <= 640


def test_on_a_phone_a_report_s_filters_start_folded_on_its_newest_month(open_page: OpenPage, live_server: str) -> None:
    """A report's month dropdown always holds a month: the newest (its first) is no filter in force."""
    page = staff_page(open_page, live_server, 390)
    panel = page.locator("details.filter-panel")
    for path in ("/staff/billing/registries/queue", "/staff/billing/reconciliation"):
        page.goto(live_server + path)
        expect(panel).not_to_have_attribute("open", "")  # the rows come first
    chosen = panel.locator("select[name=house] option").nth(1).get_attribute("value")
    page.goto(f"{live_server}/staff/billing/reconciliation?house={chosen}")
    expect(panel).to_have_attribute("open", "")  # a house chosen is in force


def test_the_debtors_filters_stand_level_though_the_entrance_has_a_hint(open_page: OpenPage, live_server: str) -> None:
    """«Подъезд» explains itself («Выберите дом…») under its input, so its input is level with «Дом» and «Долг от»
    beside it; the hint still describes the input."""
    page = staff_page(open_page, live_server, 1280)
    page.goto(live_server + "/staff/billing/debtors")
    fields = page.locator("#debtor-filters")
    tops = {name: round(box(page, f"#debtor-filters [name={name}]")["y"]) for name in ("house", "entrance", "min_debt")}
    assert len(set(tops.values())) == 1, f"the filters' inputs are not level: {tops}"
    entrance, hint = box(page, "#debtor-filters input[name=entrance]"), box(page, "#h-entrance")
    assert hint["y"] >= entrance["y"] + entrance["height"], "the hint under its input"
    expect(fields.locator("input[name=entrance]")).to_have_attribute("aria-describedby", "h-entrance")
