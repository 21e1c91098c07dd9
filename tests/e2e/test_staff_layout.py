"""The staff layout at 1280 px after signing in and moving on through boosted links, without a reload: the side
menu on the left, the content beside it at full width; after signing out, the resident layout again. On a phone
(390 px) nothing scrolls sideways, the longest menu (the admin's) included: it is a disclosure naming the current
section, opened from the keyboard into a grid of every section."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page
from playwright.sync_api import expect

from tests.browser import OpenPage
from tests.browser import sign_in
from tests.e2e.test_emergency_notice import SHOTS

pytestmark = pytest.mark.browser


def box(page: Page, selector: str) -> dict[str, float]:
    found = page.locator(selector).first.bounding_box()
    assert found, f"{selector} is not shown"
    return found


# What scrolls sideways on the page: the page itself, and any box that scrolls its content sideways except the
# tables' own scroll regions (.table-wrap, focusable and named after their caption).
SIDEWAYS = """() => {
  const found = [];
  const root = document.documentElement;
  if (root.scrollWidth > root.clientWidth) found.push(`the page: ${root.scrollWidth} px in ${root.clientWidth}`);
  for (const el of document.querySelectorAll("body *")) {
    const style = getComputedStyle(el);
    if (!["auto", "scroll"].includes(style.overflowX) || el.closest(".table-wrap")) continue;
    const name = `${el.tagName.toLowerCase()}.${el.className}`;
    if (el.scrollWidth > el.clientWidth + 1) found.push(`${name}: ${el.scrollWidth} px in ${el.clientWidth}`);
  }
  return found;
}"""


def test_nothing_scrolls_sideways_on_a_phone_and_the_staff_menu_is_a_disclosure(
    live_server: str, open_page: OpenPage
) -> None:
    page = open_page()
    sign_in(page, live_server, "admin@demo.ru")
    for path in ("/staff", "/staff/tickets", "/staff/posts", "/staff/billing", "/staff/meetings"):
        page.goto(live_server + path)
        page.wait_for_load_state("networkidle")  # the menu's counters have come in
        assert page.evaluate(SIDEWAYS) == [], f"{path} scrolls sideways at 390 px"

    menu = page.locator("nav.sidebar")
    toggle = menu.locator("summary")
    expect(toggle).to_contain_text("Меню")
    expect(toggle).to_contain_text("Собрания")  # the current section (the last page visited), the menu closed
    tickets, meetings = menu.locator("a[href='/staff/tickets']"), menu.locator("a[href='/staff/meetings']")
    expect(tickets).to_be_hidden()
    toggle.focus()
    page.keyboard.press("Enter")
    expect(toggle.locator("..")).to_have_attribute("open", "")
    links = menu.get_by_role("link")
    assert links.count() > 15, "the admin sees every section"
    for found in links.all():
        expect(found).to_be_visible()
        edge = found.bounding_box()
        assert edge and edge["x"] >= 0 and edge["x"] + edge["width"] <= 390, (found.inner_text(), edge)
    assert page.evaluate(SIDEWAYS) == [], "the open menu scrolls sideways"

    tickets.click()
    expect(page).to_have_url(re.compile(r"/staff/tickets$"))
    expect(toggle).to_contain_text("Заявки")
    expect(meetings).to_be_hidden()  # closed again on the next page


def test_the_staff_layout_holds_after_a_sign_in_and_a_boosted_navigation(live_server: str, open_page: OpenPage) -> None:
    """The sign-in loads its page whole (the page then speaks the person's saved language); the menu's link and the
    sign-out are boosted swaps, from which the staff layout and the guest layout hold."""
    page = open_page(1280)
    page.goto(live_server + "/login")
    page.fill("input[name=login]", "dispatcher@demo.ru")
    page.fill("input[name=password]", "demo12345")
    page.locator("form:has(input[name=password]) button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/staff$"))
    page.evaluate("window.sameDocument = true")  # gone if anything reloads the page
    page.locator("nav.sidebar").get_by_role("link", name="Заявки").click()
    expect(page).to_have_url(re.compile(r"/staff/tickets$"))
    expect(page.locator("table.ticket-table")).to_be_visible()
    assert page.evaluate("window.sameDocument") is True, "the menu link reloaded the page"

    sidebar, main, table = box(page, "nav.sidebar"), box(page, "main"), box(page, "table.ticket-table")
    assert sidebar["x"] == 0 and 200 <= sidebar["width"] <= 260, sidebar
    assert sidebar["height"] > 400, "the side menu is a column, not a strip across the page"
    assert main["x"] >= sidebar["width"] - 1 and main["x"] + main["width"] <= 1280 + 1, main
    assert main["width"] > 1000, "the content uses the width beside the menu, not 960 px"
    assert table["width"] > 960, table

    page.get_by_role("button", name="Выйти").click()
    expect(page.locator("nav.sidebar")).to_have_count(0)
    assert page.evaluate("window.sameDocument") is True
    main, width = box(page, "main"), page.evaluate("document.documentElement.clientWidth")
    assert main["width"] <= 960 and abs(main["x"] - (width - main["width"]) / 2) <= 2, main


def test_the_staff_tables_fit_1280_px(live_server: str, open_page: OpenPage) -> None:
    """The default columns of these tables fit beside the menu at 1280 px: their scroll region does not scroll."""
    page = open_page(1280)
    sign_in(page, live_server, "admin@demo.ru")
    page.goto(live_server + "/staff/meetings")
    meetings = page.locator("main a[href^='/staff/meetings/']").evaluate_all(
        "links => links.map(a => a.getAttribute('href')).filter(h => /^[/]staff[/]meetings[/][0-9]+$/.test(h))"
    )
    assert meetings, "the demo has meetings"
    for path in ("/staff/posts", "/staff/billing", "/staff/showcase", *meetings):
        page.goto(live_server + path)
        expect(page.locator("main table").first).to_be_visible()
        wide = page.locator(".table-wrap").evaluate_all(
            "boxes => boxes.filter(b => b.scrollWidth > b.clientWidth + 1).map(b => [b.scrollWidth, b.clientWidth])"
        )
        assert wide == [], f"a table of {path} scrolls sideways at 1280 px"


def test_a_sortable_list_can_be_sorted_on_a_phone(live_server: str, open_page: OpenPage) -> None:
    """Below 640 px a data table turns into cards; its sort links stay above them as a labelled row."""
    page = open_page()
    sign_in(page, live_server, "dispatcher@demo.ru")
    page.goto(live_server + "/staff/tickets?tab=all")
    head = page.locator("table.ticket-table thead tr")
    label = head.evaluate("tr => getComputedStyle(tr, '::before').content")
    assert label == '"Сортировка:"', label
    deadline = head.get_by_role("link", name=re.compile("Срок"))
    expect(deadline).to_be_visible()
    assert box(page, "table.ticket-table thead tr")["width"] <= 390
    deadline.click()
    expect(page).to_have_url(re.compile(r"sort=deadline"))
    expect(page.locator("table.ticket-table thead th[aria-sort=ascending]")).to_contain_text("Срок")


def test_on_a_phone_a_list_s_filters_start_folded_unless_one_is_in_force(live_server: str, open_page: OpenPage) -> None:
    phone = open_page()
    sign_in(phone, live_server, "admin@demo.ru")
    panel = phone.locator("details.filter-panel")
    phone.goto(live_server + "/staff/payments")
    expect(panel).not_to_have_attribute("open", "")  # the rows come first
    panel.locator("> summary").click()  # its own, not the houses' checklist inside it
    expect(phone.get_by_label("Сумма от, ₽")).to_be_visible()
    phone.goto(live_server + "/staff/posts")
    expect(panel).not_to_have_attribute("open", "")  # the posts' five filters came before the first post
    phone.goto(live_server + "/staff/payments?min=abc")
    expect(panel).to_have_attribute("open", "")  # a refused filter stays in sight
    phone.goto(live_server + "/staff/audit?actor=%D0%B4%D0%B5%D0%BC%D0%BE")
    expect(panel).to_have_attribute("open", "")  # a filter in force stays in sight
    desk = open_page(1280)
    sign_in(desk, live_server, "admin@demo.ru")
    desk.goto(live_server + "/staff/payments")
    expect(desk.locator("details.filter-panel")).to_have_attribute("open", "")


# Each filter form's submit button and checkboxes against the inputs of the fields beside them (fields whose box,
# label and hint included, shares the button's height): the tops that differ.
LEVEL = """() => {
  const out = [];
  for (const form of document.querySelectorAll("main form.filters")) {
    const inputs = [...form.querySelectorAll(":scope > .field > input:not([type=checkbox]), :scope > .field > select")]
      .map(el => [el.getBoundingClientRect(), el.parentElement.getBoundingClientRect()]);
    const others = [...form.querySelectorAll(":scope > .filter-submit .button, :scope > .field.checkbox")];
    for (const el of others) {
      const r = el.getBoundingClientRect();
      const row = inputs.filter(([, f]) => f.top < r.bottom && r.top < f.bottom).map(([i]) => i);
      if (!row.length) continue;
      const top = Math.min(...row.map(i => i.top));
      if (Math.abs(r.top - top) > 1) out.push(`${el.textContent.trim()}: ${r.top} against ${top}`);
    }
  }
  return out;
}"""


def test_a_filter_s_button_and_checkbox_stand_level_with_the_inputs_beside_them(
    live_server: str, open_page: OpenPage
) -> None:
    """The overview's search button beside a field with a hint under it, the meter readings' «Применить фильтры»
    with «Сбросить» under it and their «С фото» checkbox: each at the height of the inputs in its row. The requests'
    «был назначен когда-либо» under the executor it qualifies."""
    page = open_page(1280)
    sign_in(page, live_server, "admin@demo.ru")
    for path, shown in (("/staff/accounts", None), ("/staff", "Найти"), ("/staff/meters", "Применить фильтры")):
        page.goto(live_server + path)
        if shown:
            expect(page.locator("main form.filters .filter-submit .button")).to_have_text(shown)
        assert page.evaluate(LEVEL) == [], path
    assert box(page, "main form.filters .field.checkbox")  # the readings' «С фото» is among those measured

    # The requests' «был назначен когда-либо» qualifies the executor: right under that dropdown, not a cell away.
    page.goto(live_server + "/staff/tickets")
    page.get_by_text("Все фильтры").click()
    executor, ever = box(page, "#f-executor"), box(page, "input[name=executor_ever]")
    assert abs(ever["x"] - executor["x"]) < 12 and 0 <= ever["y"] - (executor["y"] + executor["height"]) < 24


# The request list's «Все фильтры»: each checklist's button against the inputs of the fields in its row of the grid.
CHECKLISTS_LEVEL = """() => {
  const panel = document.querySelector("details.queue-more > .filters");
  const cell = el => { while (el.parentElement !== panel) el = el.parentElement; return el.getBoundingClientRect(); };
  const inputs = [...panel.querySelectorAll("select, input:not([type=checkbox])")]
    .map(el => [el.getBoundingClientRect(), cell(el)]);
  return [...panel.querySelectorAll(":scope > details.checklist > summary")].map(summary => {
    const r = summary.getBoundingClientRect();
    const row = inputs.filter(([, c]) => c.top < r.bottom && r.top < c.bottom).map(([i]) => i.top);
    return {name: summary.textContent.trim(), top: r.top, width: r.width, row: row.length ? Math.min(...row) : null};
  });
}"""


@pytest.mark.parametrize("width", [390, 900, 1280])
def test_the_request_lists_checklists_stand_level_with_the_inputs_beside_them(
    live_server: str, open_page: OpenPage, width: int
) -> None:
    """In the request list's «Все фильтры» the checklists «Тип», «Категория», «Признаки» stood at the height of the
    labels beside them («Исполнитель»), not of their inputs. On a phone, one under another, they span the panel."""
    page = open_page(width, 900)
    sign_in(page, live_server, "dispatcher@demo.ru")
    page.goto(live_server + "/staff/tickets")
    page.get_by_text("Все фильтры").click()
    checklists = page.evaluate(CHECKLISTS_LEVEL)
    assert [c["name"] for c in checklists] == ["Тип", "Категория", "Признаки"]
    beside = [c for c in checklists if c["row"] is not None]
    if width == 390:
        executor = box(page, "#f-executor")
        assert all(abs(c["width"] - executor["width"]) <= 1 for c in checklists), checklists
    else:
        assert beside, "a checklist shares its row with a dropdown («Источник»)"
    assert all(abs(c["top"] - c["row"]) <= 1 for c in beside), checklists


@pytest.mark.parametrize("width", [390, 1280])
def test_a_checklists_boxes_are_one_size_beside_long_words(live_server: str, open_page: OpenPage, width: int) -> None:
    """In «Категория» a long category («Авария: вода, отопление, канализация, электричество») squeezed its checkbox
    to 13 px beside the others' 20 px: the boxes of one list stood ragged, the smallest hard to hit."""
    page = open_page(width, 900)
    sign_in(page, live_server, "dispatcher@demo.ru")
    page.goto(live_server + "/staff/tickets")
    page.get_by_text("Все фильтры").click()
    page.locator("details.checklist:has(input[name=category]) > summary").click()
    sizes = page.locator("input[name=category]").evaluate_all(
        "boxes => boxes.map(box => [box.getBoundingClientRect().width, box.getBoundingClientRect().height])"
    )
    assert len(sizes) > 10 and all(size == [20, 20] for size in sizes), sizes


def test_a_staff_members_full_name_is_written_whole_in_the_top_bar_at_1280_px(
    open_page: OpenPage, live_server: str
) -> None:
    """«Ольга Викторовна За…»: the top bar cut a staff member's full name at 20 letters on a 1280 px screen with the
    whole bar free beside it; a staff page writes it whole, and a name cut where room is short is named on hover."""
    page = open_page(1280, 800)
    sign_in(page, live_server, "accountant@demo.ru")
    page.goto(live_server + "/staff/billing")
    name = page.locator(".topbar-user")
    expect(name).to_have_text("Ольга Викторовна Зайцева")
    expect(name).to_have_attribute("title", "Ольга Викторовна Зайцева")
    assert name.evaluate("el => el.scrollWidth <= el.clientWidth"), "the name is cut"


# The rows of the staff post list whose actions cell does not reach the row's foot: its line is drawn across the
# column at its own height, under «Дублировать», apart from the row's.
SHORT_ACTIONS = """() => [...document.querySelectorAll("table.posts-table tbody tr")].filter((row) => {
  const cell = row.cells[row.cells.length - 1];
  return Math.abs(cell.getBoundingClientRect().bottom - row.getBoundingClientRect().bottom) > 1;
}).map((row) => row.cells[0].innerText)"""


def test_the_staff_post_list_draws_one_line_under_each_row_at_1280_px(live_server: str, open_page: OpenPage) -> None:
    page = open_page(1280)
    sign_in(page, live_server, "admin@demo.ru")
    page.goto(live_server + "/staff/posts")
    expect(page.locator("table.posts-table tbody tr").first).to_be_visible()
    assert page.locator("table.posts-table tbody tr").count() > 1
    assert page.evaluate(SHORT_ACTIONS) == []


# How far each house meter's heading and fields stand inside its card's frame, in px (the least of them).
METER_INSETS = """() => [...document.querySelectorAll("fieldset.meter.card")].map((card) => {
  const frame = card.getBoundingClientRect();
  const inner = [...card.querySelectorAll("legend, input, .notice")].map((e) => e.getBoundingClientRect());
  return Math.min(...inner.map((box) => Math.min(box.left - frame.left, frame.right - box.right)));
})"""


@pytest.mark.parametrize("width", [390, 1280])
def test_a_house_meters_card_keeps_its_heading_and_fields_inside_its_frame(
    live_server: str, open_page: OpenPage, width: int
) -> None:
    """The house meters' cards drew their heading, fields and notices against the card's edge, with no padding; the
    link to a meter's card stood between its heading and its reading field, a stop on the way from one field to the
    next."""
    page = open_page(width)
    sign_in(page, live_server, "manager@demo.ru")
    page.goto(live_server + "/staff/meters/houses")
    page.locator("main a[href^='/staff/meters/houses/']").first.click()
    expect(page.locator("fieldset.meter.card").first).to_be_visible()
    insets = page.evaluate(METER_INSETS)
    assert insets and min(insets) >= 12, insets
    # A meter that takes readings is entered first, its card's link after its fields, as on a flat's form.
    first = page.locator("fieldset.meter.card:has(input[inputmode]) :is(a[href], input:not([type=hidden]), summary)")
    expect(first.first).to_have_attribute("inputmode", "decimal")


# The lines each post's date and time takes in the list (an inline box has a rectangle per line).
WHEN_LINES = """() => [...document.querySelectorAll("table.posts-table td.col-when time")].map(
  (time) => time.getClientRects().length)"""


def test_the_staff_post_lists_date_is_its_day_over_its_time_at_1280_px(live_server: str, open_page: OpenPage) -> None:
    """«6 / декабря / 2026, / 05:45» stood on four lines, a word each: the day (in figures) is kept whole, the time
    under it."""
    page = open_page(1280)
    sign_in(page, live_server, "manager@demo.ru")
    page.goto(live_server + "/staff/posts")
    expect(page.locator("table.posts-table td.col-when").first).to_be_visible()
    lines = page.evaluate(WHEN_LINES)
    assert lines and max(lines) <= 2, f"a date on {max(lines)} lines"


LONG_TITLE = "Плановое отключение горячей воды для промывки и опрессовки системы отопления"
# The lines of the post's title and of its «изменено: …» in the list (an inline box has a rectangle per line).
TITLE_LINES = """(title) => {
  const link = [...document.querySelectorAll("table.posts-table td.primary > a")].find(a => a.innerText === title);
  const edited = link.closest("td").querySelector(".post-edited");
  return [link.getClientRects().length, edited.getClientRects().length];
}"""


def test_the_staff_post_list_gives_a_long_title_the_room_at_1280_and_390_px(
    live_server: str, open_page: OpenPage
) -> None:
    """A long title with who changed it under it stood in a narrow column at 1280 px (seven lines and four, its row
    twice the others): the post's state and type share a column now, and the title takes a share of the table.
    At 390 px the list is cards and nothing scrolls sideways. A draft is written and changed for it."""
    page = open_page(1280, 900)
    sign_in(page, live_server, "admin@demo.ru")
    page.goto(live_server + "/staff/posts/new")
    page.fill("#f-title", LONG_TITLE)
    page.fill("#f-body", "Текст.")
    page.locator("input[name=company]").check()
    page.get_by_role("button", name="Сохранить").click()
    expect(page).to_have_url(re.compile(r"/staff/posts/[0-9]+$"))
    page.goto(page.url + "/edit")
    page.fill("#f-body", "Текст, исправленный.")
    page.get_by_role("button", name="Сохранить").click()
    expect(page).to_have_url(re.compile(r"/staff/posts/[0-9]+$"))
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(live_server + "/staff/posts")
        expect(page.locator("table.posts-table td.primary > a", has_text=LONG_TITLE).first).to_be_visible()
        if width == 1280:
            title, edited = page.evaluate(TITLE_LINES, LONG_TITLE)
            assert title <= 3 and edited <= 2, f"the title on {title} lines, «изменено» on {edited}"
        else:
            assert page.evaluate(SIDEWAYS) == []
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"staff-posts-{width}.png"), full_page=width == 390)


def test_a_new_showcase_listing_on_a_phone_shows_its_long_choices_whole(live_server: str, open_page: OpenPage) -> None:
    """«Реестр помещений (площадь и этаж берутся оттуда)» and, in its half of the row, «₽ за м² в месяц» were cut in
    their closed dropdowns at 390 px: each is on two lines of its box."""
    page = open_page()
    sign_in(page, live_server, "admin@demo.ru")
    page.goto(live_server + "/staff/showcase/new")
    one_line = box(page, "#f-kind")
    for long in ("#f-source", "#f-price_unit"):
        assert box(page, long)["height"] > one_line["height"] + 4, long
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


@pytest.mark.parametrize("width", [390, 1280])
def test_the_request_lists_show_button_follows_the_open_filters_on_a_phone(
    live_server: str, open_page: OpenPage, width: int
) -> None:
    """On a phone the open «Все фильтры» panel runs past the screen's foot: «Показать» stood above its first field,
    so a dispatcher who chose the last filter scrolled back up to apply it. There it follows the panel's last field;
    on a desktop, where the panel is short, it stays beside the search."""
    page = open_page(width, 900)
    sign_in(page, live_server, "dispatcher@demo.ru")
    page.goto(live_server + "/staff/tickets")
    page.get_by_text("Все фильтры").click()
    panel = box(page, "details.queue-more > .filters")
    show = box(page, "#ticket-filters .queue-search > .button")
    if width == 390:
        assert show["y"] >= panel["y"] + panel["height"], (show, panel)
    else:
        assert show["y"] + show["height"] <= panel["y"], (show, panel)


# The dropdowns the selector finds, each as wide as drawn and as wide as its longest option needs (a copy of it
# beside it, sized to its content).
DROPDOWN_WIDTHS = """(selector) => [...document.querySelectorAll(selector)].map((select) => {
  const whole = select.cloneNode(true);
  whole.style.width = "max-content";
  whole.style.position = "absolute";
  select.after(whole);
  const needed = whole.getBoundingClientRect().width;
  whole.remove();
  return {name: select.name, width: select.getBoundingClientRect().width, needed};
})"""


@pytest.mark.parametrize("width", [390, 1280])
def test_the_kpi_bonus_lines_show_a_staff_members_full_name(live_server: str, open_page: OpenPage, width: int) -> None:
    """«Алексей Сергеевич Ку…»: a bonus line's four fields were equal quarters of the 1280 px content, and the staff
    member's dropdown cut the name; it takes the width of its longest name, the line's inputs still level."""
    page = open_page(width)
    sign_in(page, live_server, "admin@demo.ru")
    page.goto(live_server + "/staff/analytics/kpi")
    selects = page.evaluate(DROPDOWN_WIDTHS, ".bonus-line select")
    assert selects, "the page has bonus lines"
    assert [s for s in selects if s["width"] + 1 < s["needed"]] == [], selects
    tops = [box(page, f".bonus-line:first-of-type {f}")["y"] for f in ("select", "input[name^=position]")]
    if width == 1280:
        assert abs(tops[0] - tops[1]) <= 1, "the dropdown stands level with the position beside it"
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def test_a_staff_filter_s_complex_and_house_dropdowns_show_their_whole_names_at_1280_px(
    live_server: str, open_page: OpenPage
) -> None:
    """«ЖК «Крымская Ривье…»: the complex's dropdown took a quarter of the filter row on the KPI page and the
    dashboard, and the dashboard's house field (in its own box, asked again for the complex) did too."""
    page = open_page(1280)
    sign_in(page, live_server, "admin@demo.ru")
    for path in ("/staff/analytics/kpi", "/staff/analytics"):
        page.goto(live_server + path)
        selects = page.evaluate(DROPDOWN_WIDTHS, "form.filters select:is([name=complex], [name=house])")
        assert len(selects) >= 1, path
        assert [s for s in selects if s["width"] + 1 < s["needed"]] == [], (path, selects)


@pytest.mark.parametrize("width", [390, 1280])
def test_the_showcase_lists_in_charge_dropdown_shows_a_whole_name(
    live_server: str, open_page: OpenPage, width: int
) -> None:
    """«Анна Сергеевна Орло…»: the listings' «Ответственный» took a quarter of the filter row at 1280 px and cut the
    manager's name; it takes two columns, as a house's address does, and a phone's one column still holds it."""
    page = open_page(width)
    sign_in(page, live_server, "admin@demo.ru")
    page.goto(live_server + "/staff/showcase")
    selects = page.evaluate(DROPDOWN_WIDTHS, "form.filters select[name=manager]")
    assert len(selects) == 1, selects
    assert [s for s in selects if s["width"] + 1 < s["needed"]] == [], selects
    assert page.evaluate("document.documentElement.scrollWidth") <= width


@pytest.mark.parametrize("width", [390, 1280])
def test_a_section_that_opens_from_its_heading_shows_its_marker_beside_it(
    live_server: str, open_page: OpenPage, width: int
) -> None:
    """A meter card's «Заменить на новый счётчик» showed its ▸ alone on a line above the heading."""
    page = open_page(width)
    sign_in(page, live_server, "manager@demo.ru")
    page.goto(live_server + "/staff/meters/meter/1")
    summary, heading = box(page, "#replace-h >> xpath=.."), box(page, "#replace-h")
    assert summary["height"] < heading["height"] + 8, (summary, heading)


@pytest.mark.parametrize("width", [390, 1280])
def test_a_date_box_is_as_wide_as_a_date(live_server: str, open_page: OpenPage, width: int) -> None:
    """A meter card's date boxes (installed on, next verification, the verification's two) stretched over half the
    card at 1280 px, as wide as a serial number's; a date box is as wide as a date, and shows it whole."""
    page = open_page(width)
    sign_in(page, live_server, "manager@demo.ru")
    page.goto(live_server + "/staff/meters/meter/1")
    dates = page.locator("main input[type=date]:visible")  # the replacement form is folded
    assert dates.count() >= 2
    for i in range(dates.count()):
        found = dates.nth(i)
        found.fill("2026-12-31")
        shown = found.evaluate("e => [e.getBoundingClientRect().width, e.scrollWidth, e.clientWidth]")
        assert 130 <= shown[0] <= 200, f"{found.get_attribute('name')}: {shown}"
        assert shown[1] <= shown[2], f"{found.get_attribute('name')} cuts its date: {shown}"
    page.screenshot(path=str(SHOTS / f"meter-card-dates-{width}.png"), full_page=True)
