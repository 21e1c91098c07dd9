"""The dispatcher's work queue: the active requests by deadline first, filters as removable chips, multi-value
filters as checkboxes, saved views, assignment and status changes from the row (in place with HTMX, a plain post
without it), bulk assignment, cancelling only after a second question, unread messages marked apart from «Новая»,
counters for the side menu; and hostile query values answered without a server error."""

from __future__ import annotations

import csv
import html
import io
import re
from datetime import UTC
from datetime import datetime
from datetime import time
from datetime import timedelta

import pytest

from portal.core import clock
from portal.core.tables import AuditEvent
from portal.tickets import actions
from portal.tickets import queries
from portal.tickets.tables import Ticket
from portal.tickets.tables import TicketSavedView
from tests.querylog import captured

HX_ROW = {"HX-Request": "true", "HX-Target": "row"}


@pytest.fixture
async def queue(make_user, make_account):
    """One house with four requests (two due soon, one later, one cancelled), a dispatcher, two executors."""
    place = await make_account()
    now = datetime.now(UTC)
    specs = [("roof_leak", 30), ("leaking_taps", 5), ("common_lighting", 60), ("downpipes", 1)]
    ids = []
    for category, days_ago in specs:
        opened = await actions.open_ticket(
            account_id=place.account,
            category=category,
            description=f"Заявка {category}",
            now=now - timedelta(hours=days_ago),
        )
        ids.append(opened.id)
    await Ticket.update({Ticket.deadline: now + timedelta(hours=2)}).where(Ticket.id == ids[1])
    await Ticket.update({Ticket.deadline: now + timedelta(days=5)}).where(Ticket.id == ids[0])
    await Ticket.update({Ticket.deadline: now + timedelta(days=9)}).where(Ticket.id == ids[2])
    await Ticket.update({Ticket.status: "cancelled"}).where(Ticket.id == ids[3])
    await Ticket.update({Ticket.has_new_for_staff: False}).where(Ticket.id.is_in(ids[1:]))
    dispatcher = await make_user(name="Диспетчер", roles=("dispatcher",), houses=(place.house,))
    ivanov = await make_user(name="Иванов Пётр", roles=("executor",), houses=(place.house,))
    petrov = await make_user(name="Петров Олег", roles=("executor",), houses=(place.house,))
    rows = {r["id"]: r for r in await Ticket.select(Ticket.id, Ticket.number).where(Ticket.id.is_in(ids))}
    return {"ids": ids, "numbers": [rows[i]["number"] for i in ids], "house": place.house,
            "dispatcher": dispatcher, "ivanov": ivanov, "petrov": petrov}  # fmt: skip


def row_ids(text: str) -> list[int]:
    return [int(n) for n in re.findall(r'<tr id="row-(\d+)"', text)]


async def test_the_queue_opens_on_the_active_requests_nearest_deadline_first(client, login, queue):
    await login(client, queue["dispatcher"])
    page = await client.get("/staff/tickets")
    assert page.status_code == 200
    ids = queue["ids"]
    assert row_ids(page.text) == [ids[1], ids[0], ids[2]]  # by deadline; the cancelled one is not active
    assert re.search(r'class="tab current"[^>]*aria-current="page">\s*Активные', page.text)
    everything = await client.get("/staff/tickets?tab=all")
    assert set(row_ids(everything.text)) == set(ids)


async def test_multi_value_filters_are_checkboxes_and_active_filters_are_removable_chips(client, login, queue):
    await login(client, queue["dispatcher"])
    page = await client.get(f"/staff/tickets?tab=all&status=new&status=cancelled&house={queue['house']}")
    assert "<select multiple" not in page.text and " multiple" not in re.sub(r"<input[^>]*>", "", page.text)
    assert 'name="status" value="new" checked' in page.text and 'name="status" value="cancelled" checked' in page.text
    chips = dict(
        (html.unescape(label).strip(), html.unescape(href))
        for href, label in re.findall(r'<a class="filter-chip" href="([^"]*)">([^<]*)<', page.text)
    )
    assert set(chips) == {"Статус: Новая", "Статус: Отменена", f"Дом: {await _address(queue['house'])}"}
    without_new = chips["Статус: Новая"]
    assert (
        "status=cancelled" in without_new
        and "status=new" not in without_new
        and f"house={queue['house']}" in without_new
    )
    narrowed = await client.get(without_new)
    assert row_ids(narrowed.text) == [queue["ids"][3]]


def test_a_date_range_chip_reads_its_dates_as_words_not_as_the_typed_iso_text():
    """UI.md, Words: dates as «15 декабря 2026» — also in the chips of the filters in force."""
    from portal.core import i18n
    from portal.tickets.filters import read_filters
    from portal.tickets.view import filter_chips

    i18n.set_locale("ru")
    params = {"deadline_from": ["2026-11-01"], "created_from": ["2026-11-03T09:30"], "created_to": ["2026-11-05"]}
    chips = [c.label for c in filter_chips(read_filters(params, "Europe/Simferopol"), params, [], [])]
    assert chips == ["Создана: 3 ноября 2026, 09:30 – 5 ноября 2026", "Срок: 1 ноября 2026 – …"]


def test_a_chip_removal_link_leaves_out_the_fields_the_form_sent_empty():
    """The filter form sends every field, most of them empty: a chip's link without its filter carries only the
    filters still in force, not ``q=&executor=&…&rating_to=``."""
    from portal.tickets.filters import read_filters
    from portal.tickets.view import filter_chips

    params = {"tab": ["all"], "q": [""], "status": ["new", ""], "executor": [""], "rating_to": [""], "page": ["2"]}
    chips = filter_chips(read_filters(params, "Europe/Simferopol"), params, [], [])
    assert [c.remove for c in chips] == ["/staff/tickets?tab=all"]


async def _address(house_id: int) -> str:
    from portal.housing.tables import House

    return (await House.select(House.address).where(House.id == house_id).first())["address"]


async def test_on_an_english_list_the_chips_of_a_house_and_an_executor_mark_them_russian(client, login, queue):
    """The house's address and the executor's name in the chips of the filters in force are Russian data: marked
    ``lang="ru"`` on an English page, the chip's own words English; a Russian page marks nothing."""
    await login(client, queue["dispatcher"])
    address = await _address(queue["house"])
    url = f"/staff/tickets?tab=all&house={queue['house']}&executor={queue['ivanov']}&q=кран"
    await client.speak("en")
    chips = (await client.get(url)).text.split('class="filter-chips"')[1].split("</ul>")[0]
    assert f'House: <span lang="ru">{address}</span>' in chips
    page = (await client.get(url)).text  # and the house among the filter's choices
    assert f'name="house" value="{queue["house"]}" checked> <span lang="ru">{address}</span></label>' in page
    assert 'Executor: <span lang="ru">Иванов Пётр</span>' in chips
    assert 'Search: <span lang="ru">кран</span>' in chips  # the words searched for, typed in Russian
    await client.speak("ru")
    chips = (await client.get(url)).text.split('class="filter-chips"')[1].split("</ul>")[0]
    assert f"Дом: {address}" in chips and "lang=" not in chips


async def test_each_rows_executor_choice_marks_its_current_one_and_on_an_english_list_the_russian_names(
    client, login, queue
):
    """The executors a row offers are made once a page for its house; each row still marks its own current
    executor (or «Nobody») selected and ``data-current``, and on an English page the names are Russian data."""
    await login(client, queue["dispatcher"])
    assigned, free = queue["ids"][0], queue["ids"][1]
    await Ticket.update({Ticket.executor: queue["ivanov"]}).where(Ticket.id == assigned)
    ivanov, petrov = queue["ivanov"], queue["petrov"]

    def options(page: str, ticket: int) -> list[str]:
        box = re.search(rf'<select id="executor-{ticket}" name="executor" class="wraps">(.*?)</select>', page, re.S)
        return re.findall(r"<option[^>]*>[^<]*</option>", box.group(1))

    await client.speak("en")
    page = (await client.get("/staff/tickets")).text
    assert options(page, assigned) == [
        '<option value="">Nobody</option>',
        f'<option value="{ivanov}" selected lang="ru" data-current="1">Иванов Пётр</option>',
        f'<option value="{petrov}" lang="ru">Петров Олег</option>',
    ]
    assert options(page, free)[:2] == [
        '<option value="" data-current="1">Nobody</option>',
        f'<option value="{ivanov}" lang="ru">Иванов Пётр</option>',
    ]
    await client.speak("ru")
    assert options((await client.get("/staff/tickets")).text, assigned)[1:] == [
        f'<option value="{ivanov}" selected data-current="1">Иванов Пётр</option>',
        f'<option value="{petrov}">Петров Олег</option>',
    ]


async def test_a_dispatcher_assigns_from_the_row_and_sees_the_result_in_place(client, login, queue):
    await login(client, queue["dispatcher"])
    ticket = queue["ids"][1]
    r = await client.htmx_form(
        f"/staff/tickets/{ticket}/assign",
        {"executor": str(queue["ivanov"]), "row": "1", "back": "?tab=unassigned"},
        headers=HX_ROW,
    )
    assert r.status_code == 200, r.text[:500]
    assert r.text.lstrip().startswith(f'<tr id="row-{ticket}"') and "<html" not in r.text
    assert "Назначен исполнитель: Иванов Пётр." in r.text
    assert f'<option value="{queue["ivanov"]}" selected' in r.text
    assert (await Ticket.select(Ticket.executor).where(Ticket.id == ticket).first())["executor"] == queue["ivanov"]
    assert await AuditEvent.exists().where((AuditEvent.action == "ticket.assign") & (AuditEvent.entity_id == ticket))


async def test_without_javascript_the_row_form_posts_and_returns_to_the_list_with_its_filters(client, login, queue):
    await login(client, queue["dispatcher"])
    ticket = queue["ids"][0]
    back = f"?tab=unassigned&house={queue['house']}&sort=deadline"
    r = await client.form(
        f"/staff/tickets/{ticket}/assign", {"executor": str(queue["petrov"]), "row": "1", "back": back}
    )
    assert r.status_code == 303 and r.headers["location"] == "/staff/tickets" + back
    page = await client.get(r.headers["location"])
    assert "Назначен исполнитель: Петров Олег." in page.text and ticket not in row_ids(page.text)


async def test_without_javascript_a_rows_form_carries_its_own_csrf_token(client, login, queue):
    """A browser without JavaScript sends only what the row's form holds (no ``x-csrftoken`` header from HTMX):
    each assignment and status form of a row carries the token, and the post it makes is taken, not refused as a
    stale form."""
    await login(client, queue["dispatcher"])
    page = await client.get("/staff/tickets")
    row_form = r'<form method="post" action="(/staff/tickets/\d+/(?:assign|status))"(.*?)</form>'
    forms = re.findall(row_form, page.text, re.S)
    assert forms and all('name="_csrf_token"' in body for _, body in forms)
    ticket = queue["ids"][1]
    action, body = next((a, b) for a, b in forms if a == f"/staff/tickets/{ticket}/status")
    fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', body))
    r = await client.post(action, data={**fields, "status": "accepted"})
    assert r.status_code == 303, r.text[:300]
    assert (await Ticket.select(Ticket.status).where(Ticket.id == ticket).first())["status"] == "accepted"


async def test_status_buttons_are_named_as_actions_and_change_the_row_in_place(client, login, queue):
    await login(client, queue["dispatcher"])
    page = await client.get("/staff/tickets")
    # Each row's button says which request it acts on (to a screen reader; the eye sees the row).
    accept = (
        f'value="accepted">Принять<span class="visually-hidden">: Заявка №\u00a0{queue["numbers"][1]}</span></button>'
    )
    assert f'<button class="button" type="submit" name="status" {accept}' in page.text
    assert (
        f'>Взять в работу<span class="visually-hidden">: Заявка №\u00a0{queue["numbers"][1]}</span></button>'
        in page.text
    )
    ticket = queue["ids"][1]
    r = await client.htmx_form(f"/staff/tickets/{ticket}/status", {"status": "accepted", "row": "1"}, headers=HX_ROW)
    assert r.status_code == 200 and "Статус изменён: Принята." in r.text and "badge-accepted" in r.text
    assert (await Ticket.select(Ticket.status).where(Ticket.id == ticket).first())["status"] == "accepted"


async def test_cancelling_asks_once_more_in_place_and_on_a_page_without_javascript(client, login, queue):
    await login(client, queue["dispatcher"])
    ticket, number = queue["ids"][1], queue["numbers"][1]
    asked = await client.htmx_form(
        f"/staff/tickets/{ticket}/status", {"status": "cancelled", "row": "1"}, headers=HX_ROW
    )
    assert asked.status_code == 200 and f"Отменить заявку №\u00a0{number}?" in asked.text
    assert 'name="confirm" value="1"' in asked.text
    assert (await Ticket.select(Ticket.status).where(Ticket.id == ticket).first())["status"] == "new"
    page = await client.form(f"/staff/tickets/{ticket}/status", {"status": "cancelled"})
    assert page.status_code == 200 and "<h1>" in page.text and f"Отменить заявку №\u00a0{number}?" in page.text
    assert (await Ticket.select(Ticket.status).where(Ticket.id == ticket).first())["status"] == "new"
    kept = await client.get(f"/staff/tickets/{ticket}/row?back=%3Ftab%3Dactive", headers=HX_ROW)
    assert kept.status_code == 200 and "Отменить заявку №" not in kept.text and f'id="row-{ticket}"' in kept.text
    done = await client.htmx_form(
        f"/staff/tickets/{ticket}/status", {"status": "cancelled", "confirm": "1", "row": "1"}, headers=HX_ROW
    )
    assert done.status_code == 200 and "Статус изменён: Отменена." in done.text
    assert (await Ticket.select(Ticket.status).where(Ticket.id == ticket).first())["status"] == "cancelled"


def _cell(page: str, ticket: int, column: str) -> str:
    row = re.search(rf'<tr id="row-{ticket}".*?</tr>', page, re.S).group(0)
    return re.search(rf'<td data-label="[^"]*" class="col-{column}[^"]*">(.*?)</td>', row, re.S).group(1)


async def test_a_rows_answer_takes_the_keyboard_to_what_happened_and_its_buttons_name_the_request(client, login, queue):
    """The row is redrawn in place of the one whose button had the keyboard: the keyboard (and a screen reader) goes
    on from what happened there — the assignment, the new status, the question before cancelling — not from the top
    of the page (htmx focuses the new row's ``autofocus``); the page itself focuses nothing."""
    await login(client, queue["dispatcher"])
    ticket, number = queue["ids"][1], queue["numbers"][1]
    page = await client.get("/staff/tickets")
    assert "autofocus" not in page.text
    assert f'<span>Назначить</span><span class="visually-hidden">: Заявка №\u00a0{number}</span>' in page.text
    assigned = await client.htmx_form(
        f"/staff/tickets/{ticket}/assign", {"executor": str(queue["ivanov"]), "row": "1"}, headers=HX_ROW
    )
    assert '<p class="row-done" role="status" tabindex="-1" autofocus>' in assigned.text
    moved = await client.htmx_form(
        f"/staff/tickets/{ticket}/status", {"status": "accepted", "row": "1"}, headers=HX_ROW
    )
    assert '<p class="row-done" role="status" tabindex="-1" autofocus>' in moved.text
    asked = await client.htmx_form(
        f"/staff/tickets/{ticket}/status", {"status": "cancelled", "row": "1"}, headers=HX_ROW
    )
    assert f'<p role="alert" tabindex="-1" autofocus><strong>Отменить заявку №\u00a0{number}?' in asked.text
    kept = await client.get(f"/staff/tickets/{ticket}/row?back=%3Ftab%3Dactive", headers=HX_ROW)
    assert '<p class="row-done" role="status" tabindex="-1" autofocus>' in kept.text
    assert "Заявка не отменена." in kept.text


async def test_a_request_without_a_deadline_reads_by_agreement_under_the_deadline_column(client, login, queue):
    """«Срок: по договорённости», not «Срок: Срок по договорённости» (the column, or the card's label on a phone,
    already says «Срок»)."""
    await Ticket.update({Ticket.deadline: None}).where(Ticket.id == queue["ids"][0])
    await login(client, queue["dispatcher"])
    cell = _cell((await client.get("/staff/tickets")).text, queue["ids"][0], "deadline")
    assert cell == '<span class="countdown">по договорённости</span>'


async def test_bulk_assignment_of_the_ticked_rows(client, login, queue):
    await login(client, queue["dispatcher"])
    ticked = queue["ids"][:3]
    r = await client.form(
        "/staff/tickets/assign",
        {"ticket": [str(i) for i in ticked], "executor": str(queue["ivanov"]), "back": "?tab=all"},
    )
    assert r.status_code == 303 and r.headers["location"] == "/staff/tickets?tab=all"
    rows = await Ticket.select(Ticket.id, Ticket.executor).where(Ticket.id.is_in(queue["ids"]))
    assert {r["id"] for r in rows if r["executor"] == queue["ivanov"]} == set(ticked)
    assert "Назначено 3 заявки." in (await client.get(r.headers["location"])).text


async def test_bulk_assignment_touches_only_requests_of_the_dispatchers_houses(client, login, queue, make_account):
    elsewhere = await make_account()
    foreign = await actions.open_ticket(
        account_id=elsewhere.account, category="roof_leak", description="Чужая", now=datetime.now(UTC)
    )
    await login(client, queue["dispatcher"])
    await client.form("/staff/tickets/assign", {"ticket": [str(foreign.id)], "executor": str(queue["ivanov"])})
    assert (await Ticket.select(Ticket.executor).where(Ticket.id == foreign.id).first())["executor"] is None


BOOSTED = {"HX-Request": "true", "HX-Boosted": "true"}


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
async def test_bulk_assignment_with_nothing_ticked_or_nobody_chosen_is_the_list_again_with_the_choices_kept(
    client, login, queue, htmx
):
    """Refused with 422 (never a redirect that drops them): the list with the filters it was showing, the message at
    the executor's choice, the executor chosen and the ticks kept; nothing assigned, the form not taken."""
    await login(client, queue["dispatcher"])
    send = client.htmx_form if htmx else client.form
    headers = BOOSTED if htmx else {}
    back = "?tab=all&status=new"  # the cancelled request is left out by the filter
    nothing = await send("/staff/tickets/assign", {"executor": str(queue["ivanov"]), "back": back}, headers=headers)
    nobody = await send("/staff/tickets/assign", {"ticket": [str(queue["ids"][1])], "back": back}, headers=headers)
    for refused in (nothing, nobody):
        assert refused.status_code == 422
        assert "form-taken" not in {k.lower() for k in refused.headers}
        assert set(row_ids(refused.text)) == set(queue["ids"][:3])
        bar = re.search(r'<form id="bulk".*?</form>', refused.text, re.S).group(0)
        assert "Отметьте заявки и выберите исполнителя." in bar and 'aria-invalid="true"' in bar
    chosen = re.search(r'<select id="bulk-executor".*?</select>', nothing.text, re.S).group(0)
    assert re.search(rf'<option value="{queue["ivanov"]}" selected', chosen)
    assert f'value="{queue["ids"][1]}" form="bulk" checked' in nobody.text
    assert 'form="bulk" checked' not in nothing.text
    assert not await Ticket.exists().where(Ticket.id.is_in(queue["ids"]) & Ticket.executor.is_not_null())
    if not htmx:  # shown at the form's address, the list's links (?tab=…) lead to the list itself
        again = await client.get("/staff/tickets/assign?tab=overdue&page=2")
        assert again.status_code == 303 and again.headers["location"] == "/staff/tickets?tab=overdue&page=2"


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
async def test_a_view_saved_without_a_name_is_the_list_again_with_its_filters_and_the_form_open(
    client, login, queue, htmx
):
    await login(client, queue["dispatcher"])
    send = client.htmx_form if htmx else client.form
    query = f"tab=all&status=new&house={queue['house']}"
    refused = await send("/staff/tickets/views", {"name": "   ", "query": query}, headers=BOOSTED if htmx else {})
    assert refused.status_code == 422
    assert "form-taken" not in {k.lower() for k in refused.headers}
    assert not await TicketSavedView.exists().where(TicketSavedView.user == queue["dispatcher"])
    assert set(row_ids(refused.text)) == set(queue["ids"][:3])  # the filters of the view, still applied
    menu = re.search(r'<details class="tool-menu" open>.*?</details>', refused.text, re.S).group(0)
    assert "Назовите вид, например «Мои дома, просроченные»." in menu
    assert re.search(r'<input id="f-view-name" name="name"[^>]*aria-invalid="true"', menu)
    assert f'name="query" value="{html.escape(query)}"' in menu  # sent again, the view keeps them
    if not htmx:
        again = await client.get("/staff/tickets/views?tab=all")
        assert again.status_code == 303 and again.headers["location"] == "/staff/tickets?tab=all"


async def test_saved_views_are_the_users_own(client, new_client, login, queue, make_user):
    await login(client, queue["dispatcher"])
    r = await client.form(
        "/staff/tickets/views", {"name": "Мой дом, новые", "query": f"tab=all&status=new&page=3&house={queue['house']}"}
    )
    assert r.status_code == 303
    view = await TicketSavedView.select().where(TicketSavedView.user == queue["dispatcher"]).first()
    assert view["query"] == f"tab=all&status=new&house={queue['house']}"  # the page is not part of a view
    page = await client.get("/staff/tickets")
    assert "Мой дом, новые" in page.text and f'href="/staff/tickets?{html.escape(view["query"])}"' in page.text
    other = new_client()
    await login(other, await make_user(roles=("dispatcher",), houses=(queue["house"],)))
    assert "Мой дом, новые" not in (await other.get("/staff/tickets")).text
    await other.form(f"/staff/tickets/views/{view['id']}/delete")
    assert await TicketSavedView.exists().where(TicketSavedView.id == view["id"])
    listed = (await client.get("/staff/tickets?tab=all&status=accepted")).text
    back = re.search(rf'action="/staff/tickets/views/{view["id"]}/delete".*?name="back" value="([^"]*)"', listed, re.S)
    deleted = await client.form(f"/staff/tickets/views/{view['id']}/delete", {"back": html.unescape(back.group(1))})
    assert not await TicketSavedView.exists().where(TicketSavedView.id == view["id"])
    # Back to the list the dispatcher was working through, not the bare list.
    assert deleted.status_code == 303 and deleted.headers["location"] == "/staff/tickets?tab=all&status=accepted"


async def test_unread_messages_are_marked_apart_from_the_new_status(client, login, queue):
    await login(client, queue["dispatcher"])
    page = await client.get("/staff/tickets")
    unread, read = (re.search(rf'<tr id="row-{i}".*?</tr>', page.text, re.S).group(0) for i in queue["ids"][:2])
    assert "unread-mark" in unread and "Новое сообщение" in unread and "badge-new" in unread
    assert "unread-mark" not in read and "badge-new" in read


async def test_the_side_menu_counts_new_requests_and_unread_messages(client, login, queue):
    await login(client, queue["dispatcher"])
    home = await client.get("/staff/tickets")
    assert 'hx-get="/staff/tickets/counts"' in home.text
    counts = await client.get("/staff/tickets/counts", headers={"HX-Request": "true"})
    assert counts.status_code == 200 and "<html" not in counts.text
    numbers = re.findall(r'class="menu-count[^"]*"[^>]*>(?:<svg.*?</svg>)?(\d+)<', counts.text)
    assert numbers == ["3", "1"]  # three new (the cancelled one is not), one with a message unread


HOSTILE = ["²", "10" + "0" * 29, "-1", "0", "1e5", "%00", "2026-99-99", "9999-12-31", "١٢"]
PARAMETERS = ["q", "house", "executor", "outage", "status", "created_from", "control_to", "rating_from", "page", "size"]


@pytest.mark.parametrize("value", HOSTILE)
async def test_the_queue_and_its_export_answer_hostile_values_without_a_server_error(client, login, queue, value):
    await login(client, queue["dispatcher"])
    for name in PARAMETERS:
        # A page past the end goes to the last page (core.pagination.PastTheEnd): the answer after it is the list.
        page = await client.get("/staff/tickets", params={name: value, "tab": "all"}, follow_redirects=True)
        assert page.status_code == 200, (name, page.text[:300])
        report = await client.get("/staff/tickets/export", params={name: value, "tab": "all"})
        assert report.status_code == 200, name
        rows = list(csv.reader(io.StringIO(report.content.decode("utf-8-sig")), delimiter=";"))
        assert rows[0][0] == "№", name  # the header and then whatever matched: the stream finished


async def test_a_huge_number_search_looks_for_text_instead_of_failing(client, login, queue):
    await login(client, queue["dispatcher"])
    r = await client.get(f"/staff/tickets?tab=all&q={10**30}")
    assert r.status_code == 200 and row_ids(r.text) == []
    r = await client.get(f"/staff/tickets?tab=all&q=№{queue['numbers'][0]}")
    assert row_ids(r.text) == [queue["ids"][0]]


@pytest.mark.parametrize("value", ["²", "10" + "0" * 29, "-5", "x"])
async def test_a_request_page_ignores_a_hostile_since_or_last(client, login, make_user, make_account, value):
    place = await make_account()
    user = await make_user(accounts={place.account: "owner"}, rights=("view", "tickets"))
    opened = await actions.open_ticket(
        account_id=place.account, category="roof_leak", description="Течёт", now=datetime.now(UTC), author_id=user
    )
    await login(client, user)
    assert (await client.get(f"/tickets/{opened.id}?since={value}")).status_code == 200
    for query in (f"part=conversation&last={value}", f"since={value}&part=conversation&last=0"):
        r = await client.get(f"/tickets/{opened.id}?{query}", headers={"HX-Request": "true"})  # the page's poll
        assert r.status_code in (200, 204), (query, r.status_code)


async def test_the_overview_shows_the_days_work_each_count_leading_to_its_list(client, login, queue):
    ids, zone = queue["ids"], clock.zone()
    now = datetime.now(UTC)
    end_of_today = datetime.combine(now.astimezone(zone).date(), time(23, 59), tzinfo=zone)
    await Ticket.update({Ticket.deadline: end_of_today}).where(Ticket.id == ids[1])
    await Ticket.update({Ticket.deadline: now - timedelta(days=1)}).where(Ticket.id == ids[2])
    await login(client, queue["dispatcher"])
    overview = await client.get("/staff")
    assert 'hx-get="/staff/tickets/today"' in overview.text
    part = await client.get("/staff/tickets/today", headers={"HX-Request": "true"})
    assert part.status_code == 200 and "<html" not in part.text and 'id="today-work"' in part.text
    opened = await client.get("/staff/tickets/today")  # its address typed or kept: the overview, not a bare block
    assert opened.status_code == 303 and opened.headers["location"] == "/staff"
    # The count and its words apart: the link is named «3 Новые заявки», not «3Новые заявки».
    found = re.findall(r'<a href="(/staff/tickets\?[^"]*)">\s*<span class="stat-value num">(\d+)</span>'
                       r' <span class="stat-label">([^<]*)</span>', part.text)  # fmt: skip
    counts = {label: int(n) for _, n, label in found}
    assert counts == {"Новые заявки": 3, "Без исполнителя": 3, "Просроченные": 1, "Срок сегодня": 1,
                      "Новые сообщения": 1}  # fmt: skip
    for href, n, label in found:
        listed = await client.get(html.unescape(href))
        assert len(row_ids(listed.text)) == int(n), (label, href)
    due_today = dict((label, href) for href, _, label in found)["Срок сегодня"]
    assert row_ids((await client.get(html.unescape(due_today))).text) == [ids[1]]


async def test_an_outage_takes_its_entrance_by_number_and_its_riser_by_code(client, login, queue, make_account):
    """Staff know «подъезд 2» and «ХВС-1», not the database's ids: the outage form takes those, found in the
    chosen house only; one not in the house is refused with what was typed kept."""
    from portal.housing.tables import Entrance
    from portal.housing.tables import Riser
    from portal.tickets.tables import Outage

    house = queue["house"]
    second = Entrance(house=house, number=2, floors=9)
    await second.save()
    riser = Riser(house=house, code="ХВС-1", kind="cold_water", entrance=second.id)
    await riser.save()
    elsewhere = await make_account()  # another house, whose entrance 1 has an id of its own
    yesterday = (datetime.now(UTC) - timedelta(days=1)).astimezone(clock.zone()).strftime("%Y-%m-%dT%H:%M")
    await login(client, queue["dispatcher"])
    form = (await client.get("/staff/outages")).text
    assert "Номер подъезда" in form and "(id" not in form
    wrong = await client.form(
        "/staff/outages",
        {
            "house": str(house),
            "service": "cold_water",
            "entrance": "7",
            "riser": "ГВС-9",
            "starts_at": yesterday,
        },
    )
    assert wrong.status_code == 422
    assert "Этот подъезд не относится к выбранному дому." in wrong.text and "Этот стояк не относится" in wrong.text
    assert 'value="7"' in wrong.text and 'value="ГВС-9"' in wrong.text
    made = await client.form(
        "/staff/outages",
        {
            "house": str(house),
            "service": "cold_water",
            "entrance": "2",
            "riser": "хвс-1",
            "starts_at": yesterday,
        },
    )
    assert made.status_code == 303, made.text[-800:]
    row = await Outage.select(Outage.entrance, Outage.riser).where(Outage.house == house).first()
    assert (row["entrance"], row["riser"]) == (second.id, riser.id)
    assert elsewhere.entrance != second.id


async def test_an_outage_s_place_on_an_english_page_marks_the_house_and_riser_russian(
    client, login, queue, make_user, make_account
):
    """The house's address and the riser's code are Russian data: on an English page, staff's list of outages and the
    resident's new-request notice mark them ``lang="ru"`` (a screen reader read them with an English voice), the
    words around them English; a Russian page marks nothing."""
    from portal.housing.tables import Entrance
    from portal.housing.tables import House
    from portal.housing.tables import PremiseRiser
    from portal.housing.tables import Riser
    from portal.tickets.tables import Outage

    house = queue["house"]
    address = (await House.select(House.address).where(House.id == house).first())["address"]
    second = Entrance(house=house, number=2, floors=9)
    await second.save()
    riser = Riser(house=house, code="ХВС-1", kind="cold_water", entrance=second.id)
    await riser.save()
    await Outage(house=house, service="cold_water", entrance=second.id, riser=riser.id).save()
    ru = '<span lang="ru">{}</span>'.format
    said = f"{ru(address)}, entrance 2, riser {ru('ХВС-1')}"
    await login(client, queue["dispatcher"])
    await client.speak("en")
    outages = (await client.get("/staff/outages")).text
    assert said in outages and f"e.g. {ru('ХВС-1')}." in outages  # the riser field's example too
    place = await make_account(house=house, entrance=second.id)
    await PremiseRiser(premise=place.premise, riser=riser.id).save()
    resident = await make_user(accounts={place.account: "owner"}, rights=("view", "tickets"), locale="en")
    await login(client, resident)
    assert said in (await client.get("/tickets/new")).text
    await client.speak("ru")
    page = (await client.get("/tickets/new")).text
    assert f"{address}, подъезд 2, стояк ХВС-1" in page and 'lang="ru"' not in page.split("outage-notice")[1][:800]


async def test_a_requests_outage_dropdown_names_the_outages_in_the_pages_language(client, login, queue):
    """The «Связанное отключение» dropdown of a request offers the outages of its house by what is off, the entrance
    or riser where narrower, and from when, each in the page's language: an English page reads «entrance 2», never
    «подъезд» or the house's Russian address with English words in an option no ``lang`` can mark."""
    from portal.housing.tables import Entrance
    from portal.housing.tables import Riser
    from portal.tickets.tables import Outage

    house = queue["house"]
    second = Entrance(house=house, number=2, floors=9)
    await second.save()
    riser = Riser(house=house, code="ХВС-1", kind="cold_water", entrance=second.id)
    await riser.save()
    start = datetime(2026, 12, 3, 7, 0, tzinfo=UTC)  # 10:00 in the company's zone
    whole = Outage(house=house, service="hot_water", starts_at=start)
    narrow = Outage(house=house, service="cold_water", entrance=second.id, starts_at=start)
    riser_only = Outage(house=house, service="cold_water", riser=riser.id, starts_at=start)
    for outage in (whole, narrow, riser_only):
        await outage.save()
    await login(client, queue["dispatcher"])

    def options(page: str) -> list[str]:
        chosen = page.split('name="outage"')[1].split("</select>")[0]
        return [html.unescape(o) for o in re.findall(r"<option value=\"\d+\"[^>]*>([^<]*)</option>", chosen)]

    await client.speak("en")
    english = options((await client.get(f"/staff/tickets/{queue['ids'][0]}")).text)
    assert sorted(english) == [
        "Cold water · entrance 2 · 3 December 2026, 10:00",
        "Cold water · riser ХВС-1 · 3 December 2026, 10:00",
        "Hot water · 3 December 2026, 10:00",
    ]
    await client.speak("ru")
    russian = options((await client.get(f"/staff/tickets/{queue['ids'][0]}")).text)
    assert "Холодная вода · подъезд 2 · 3 декабря 2026, 10:00" in russian


async def test_an_outage_refused_for_its_end_says_at_once_that_its_entrance_and_riser_are_not_in_the_house(
    client, login, queue
):
    """One answer says every mistake, in the order of the form: an entrance and a riser the house does not have
    were said only once the dates were right, so the dispatcher fixed the end and was refused a second time."""
    await login(client, queue["dispatcher"])
    starts = datetime.now(UTC).astimezone(clock.zone())
    ends = starts - timedelta(days=1)
    typed = {"house": str(queue["house"]), "service": "cold_water", "entrance": "7", "riser": "ГВС-9",
             "starts_at": f"{starts:%Y-%m-%dT%H:%M}", "ends_at": f"{ends:%Y-%m-%dT%H:%M}"}  # fmt: skip
    wrong = await client.form("/staff/outages", typed)
    assert wrong.status_code == 422
    summary = wrong.text.split('class="error-summary"', 1)[1].split("</ul>", 1)[0]
    assert re.findall(r'<a href="#f-(\w+)">', summary) == ["entrance", "riser", "ends_at"]
    assert 'value="7"' in wrong.text and 'value="ГВС-9"' in wrong.text


async def _refused_outage(client, typed: dict[str, str], name: str, said: tuple[str, str]) -> None:
    """The outage form is refused (422) at its field ``name`` with the words ``said`` (Russian, then English), the
    value typed kept, and no outage recorded."""
    from portal.tickets.tables import Outage

    for lang, words in zip(("ru", "en"), said, strict=True):
        await client.speak(lang)
        refused = await client.form("/staff/outages", typed)
        assert refused.status_code == 422
        field = re.search(rf'<div class="field has-error">.*?name="{name}"[^>]*>', refused.text, re.S).group(0)
        assert words in field and f'value="{typed[name]}"' in field
    assert await Outage.count().where(Outage.house == int(typed["house"])) == 0


async def test_an_outage_started_years_back_is_refused_at_its_start(client, login, queue):
    """2016 typed for 2026: closed, the outage would reduce every flat's charge for ten years off. A start more
    than 30 days back is refused at its field in either language, what was typed kept; 29 days back is recorded."""

    await login(client, queue["dispatcher"])
    zone = clock.zone()
    years_back = (datetime.now(UTC) - timedelta(days=3653)).astimezone(zone).strftime("%Y-%m-%dT%H:%M")
    typed = {"house": str(queue["house"]), "service": "hot_water", "starts_at": years_back}
    said = (
        "Проверьте дату: отключение началось больше 30\u00a0дней назад.",
        "Check the date: the outage started more than 30\u00a0days ago.",
    )
    await _refused_outage(client, typed, "starts_at", said)
    month_back = (datetime.now(UTC) - timedelta(days=29)).astimezone(zone).strftime("%Y-%m-%dT%H:%M")
    assert (await client.form("/staff/outages", {**typed, "starts_at": month_back})).status_code == 303


async def test_an_outage_until_more_than_a_month_after_its_start_is_refused_at_its_field(client, login, queue):
    """2027 typed for 2026 in «until» told residents the water is off for a year: an end more than 31 days after
    the start is refused at its field in either language, what was typed kept; 31 days is recorded."""

    await login(client, queue["dispatcher"])
    starts = datetime.now(UTC).astimezone(clock.zone()).replace(second=0, microsecond=0)
    far = f"{starts + timedelta(days=31, minutes=1):%Y-%m-%dT%H:%M}"
    typed = {"house": str(queue["house"]), "service": "hot_water", "starts_at": f"{starts:%Y-%m-%dT%H:%M}",
             "ends_at": far}  # fmt: skip
    said = (
        "Проверьте дату: окончание позже начала больше чем на 31\u00a0день.",
        "Check the date: the end is more than 31\u00a0days after the start.",
    )
    await _refused_outage(client, typed, "ends_at", said)
    month = f"{starts + timedelta(days=31):%Y-%m-%dT%H:%M}"
    assert (await client.form("/staff/outages", {**typed, "ends_at": month})).status_code == 303


async def test_an_outage_close_box_names_its_fields_in_visible_labels(client, login, queue):
    """The dispatcher sees what the box beside an outage asks for («Сообщение жителям», and for heating the room
    temperature with its hint), each label tied to its own row's field: two outages on one page, no shared ids."""
    from portal.tickets.tables import Outage

    water = Outage(house=queue["house"], service="hot_water", description="Ремонт")
    heating = Outage(house=queue["house"], service="heating", description="Авария")
    await water.save()
    await heating.save()
    await login(client, queue["dispatcher"])
    page = (await client.get("/staff/outages")).text

    labels = dict(re.findall(r'<label for="([^"]+)"\s*>([^<]+)</label>', page))  # no class: not visually hidden
    assert labels[f"f-o{water.id}-message"] == "Сообщение жителям"
    assert labels[f"f-o{heating.id}-message"] == "Сообщение жителям"
    assert labels[f"f-o{heating.id}-room_temperature"] == "Температура в помещениях во время отключения, °C"
    assert f"f-o{water.id}-room_temperature" not in labels
    for field in (f"o{water.id}-message", f"o{heating.id}-message", f"o{heating.id}-room_temperature"):
        assert page.count(f'id="f-{field}"') == 1
    temperature = re.search(rf'<input id="f-o{heating.id}-room_temperature"[^>]*>', page)[0]
    assert f'aria-describedby="h-o{heating.id}-room_temperature"' in temperature
    assert 'inputmode="decimal"' in temperature
    assert f'id="h-o{heating.id}-room_temperature">От неё зависит допустимый перерыв' in page


async def test_an_outage_closed_with_a_temperature_that_does_not_read_keeps_what_was_typed_in_its_own_box(
    client, login, queue
):
    """A room temperature that does not read answered 303 with a flash, the message typed for the residents gone;
    now the list again (422), the error at that outage's field, its message and temperature as typed, the other
    outage's box empty, and nothing closed."""
    from portal.tickets.tables import Outage

    water = Outage(house=queue["house"], service="hot_water", description="Ремонт")
    heating = Outage(house=queue["house"], service="heating", description="Авария")
    await water.save()
    await heating.save()
    await login(client, queue["dispatcher"])
    typed = {"message": "Тепло вернули <к 18:00>", "room_temperature": "тепло"}
    page = await client.form(f"/staff/outages/{heating.id}/close", typed)
    assert page.status_code == 422
    box = re.search(
        rf'<div class="field has-error">.*?<input id="f-o{heating.id}-room_temperature"[^>]*>', page.text, re.S
    )
    assert box and "Введите температуру в помещениях в °C" in box[0] and 'value="тепло"' in box[0]
    assert re.search(rf'<input id="f-o{heating.id}-message" [^>]*value="Тепло вернули &lt;к 18:00&gt;"', page.text)
    assert re.search(rf'<input id="f-o{water.id}-message" [^>]*value=""', page.text)
    assert f'href="#f-o{heating.id}-room_temperature"' in page.text  # the summary leads to the field
    assert await Outage.count().where(Outage.closed_at.is_null()) == 2


async def test_the_queue_chooses_executors_in_one_statement_and_counts_the_tab_it_shows_once(
    db, client, login, queue, make_account
):
    """The executors each shown request may be given are read by one statement whatever the number of houses; the
    tab listed with no other filter is counted once, its badge being the page's own count."""
    other = await make_account()
    with captured(db) as seen:
        takers = await queries.assignable([queue["house"], other.house])
    assert len(seen) == 1
    assert {e.id for e in takers[queue["house"]]} == {queue["ivanov"], queue["petrov"]} and takers[other.house] == []
    await login(client, queue["dispatcher"])
    await client.get("/staff/tickets")  # the first load builds the principal kept in the session
    # The page's own count, and one statement for the badges of the tabs it did not count (all three beside «Все»).
    for url, badges in (
        ("/staff/tickets", ["unassigned", "overdue"]),
        ("/staff/tickets?tab=active", ["unassigned", "overdue"]),
        ("/staff/tickets?tab=all", ["active", "unassigned", "overdue"]),
    ):
        with captured(db) as seen:
            page = await client.get(url)
        counts = [
            str(q) for q in seen if str(q).startswith(('SELECT ALL COUNT(*) AS "count" FROM "ticket"', "SELECT COUNT("))
        ]
        assert len(counts) == 2, (url, counts)
        assert re.findall(r" AS (\w+)", counts[1]) == badges, (url, counts)
        assert 'Активные <span class="count count-calm">3</span>' in page.text, url  # the active badge, either way


async def test_an_empty_list_says_filters_only_where_a_filter_is_set(client, login, queue):
    """«Мои» of a dispatcher nobody assigned work to is empty with no filter set: it says so, not «Нет заявок,
    подходящих под эти фильтры»; a search that finds nothing does speak of the filters."""
    await login(client, queue["dispatcher"])
    mine = (await client.get("/staff/tickets?tab=mine")).text
    assert "Вам не назначено ни одной заявки." in mine and "под эти фильтры" not in mine
    searched = (await client.get("/staff/tickets?tab=mine&q=кран")).text
    assert "Нет заявок, подходящих под эти фильтры." in searched


async def test_an_outage_and_its_notice_to_the_residents_are_recorded_at_one_moment(client, login, queue):
    """The outage, its notice and the form's checks read the clock once: the notice said it published a moment
    after the outage it announces was recorded."""
    from portal.content.tables import Post
    from portal.tickets.tables import Outage

    yesterday = (datetime.now(UTC) - timedelta(days=1)).astimezone(clock.zone()).strftime("%Y-%m-%dT%H:%M")
    await login(client, queue["dispatcher"])
    data = {"house": str(queue["house"]), "service": "cold_water", "starts_at": yesterday}
    made = await client.form("/staff/outages", data)
    assert made.status_code == 303, made.text[-800:]
    outage = await Outage.select(Outage.id, Outage.created_at).where(Outage.house == queue["house"]).first()
    notice = await Post.select(Post.published_at, Post.created_at).where(Post.outage == outage["id"]).first()
    assert notice["published_at"] == outage["created_at"]
