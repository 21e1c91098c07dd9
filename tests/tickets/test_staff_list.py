"""The dispatch list: every filter narrows the result correctly (both engines), the export has exactly the
filtered rows, sort keys come from an allow-list, executors see only their own requests."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta
from urllib.parse import parse_qsl
from urllib.parse import urlencode

import pytest
from litestar.datastructures import MultiDict
from openpyxl import load_workbook

from portal.accounts.principal import load_principal_for
from portal.core import clock
from portal.core.pagination import PageRequest
from portal.tickets import actions
from portal.tickets import queries
from portal.tickets.filters import applied
from portal.tickets.filters import read_filters
from portal.tickets.filters import within
from portal.tickets.queries import Option
from portal.tickets.tables import Ticket

TZ = "Europe/Simferopol"
NOW = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)


@pytest.fixture
async def world(make_user, make_account):
    """Two houses; eight requests of the first house that differ in every filtered field; one of the second."""
    a = await make_account()
    b = await make_account(house=a.house, entrance=a.entrance)
    other = await make_account()
    ivanov = await make_user(name="Иванов Пётр", roles=("executor",))
    sidorov = await make_user(name="Сидоров Олег", roles=("executor",))
    dispatcher = await make_user(name="Диспетчер", roles=("dispatcher",), houses=(a.house,))
    principal = await load_principal_for(dispatcher)
    specs = [
        dict(account_id=a.account, category="leaking_taps", description="Течёт кран на кухне", source="portal"),
        dict(account_id=a.account, category="roof_leak", description="Протекает потолок", source="phone"),
        dict(account_id=b.account, category="lift_trapped", description="Застряли в лифте", source="call_centre"),
        dict(account_id=b.account, category="written_appeal", description="Жалоба на уборку", source="email"),
        dict(account_id=a.account, category="common_lighting", place="entrance", description="Не горит свет"),
        dict(account_id=b.account, category="other", ticket_type="paid", description="Замена смесителя"),
        dict(account_id=a.account, category="downpipes", ticket_type="planned", description="Плановая прочистка"),
        dict(account_id=b.account, category="garbage_chute", description="Засор мусоропровода"),
    ]
    ids = []
    for n, spec in enumerate(specs):
        opened = await actions.open_ticket(now=NOW - timedelta(days=n), author_name="Житель", **spec)
        ids.append(opened.id)
    await actions.open_ticket(account_id=other.account, category="leaking_taps", description="Чужой дом", now=NOW)
    # Vary the rest: executors (with a reassignment), statuses, ratings, dates, flags.
    for ticket_id, executor in ((ids[0], Option(ivanov, "Иванов Пётр")), (ids[0], Option(sidorov, "Сидоров Олег")),
                                (ids[1], Option(ivanov, "Иванов Пётр"))):  # fmt: skip
        await actions.assign_executor(principal, await queries.ticket_for_staff(principal, ticket_id), executor, NOW)
    await Ticket.update({Ticket.status: "done", Ticket.completed_at: NOW - timedelta(days=1), Ticket.rating: 5}).where(
        Ticket.id == ids[1]
    )
    await Ticket.update(
        {Ticket.status: "closed", Ticket.completed_at: NOW - timedelta(days=3), Ticket.rating: 2}
    ).where(Ticket.id == ids[3])
    await Ticket.update({Ticket.status: "in_work", Ticket.internal_status: "waiting_parts"}).where(Ticket.id == ids[4])
    await Ticket.update({Ticket.status: "cancelled"}).where(Ticket.id == ids[7])
    await Ticket.update({Ticket.important: True, Ticket.control_date: date(2026, 3, 12)}).where(Ticket.id == ids[0])
    await Ticket.update({Ticket.justified: True, Ticket.paid_for: True, Ticket.control_date: date(2026, 3, 20)}).where(
        Ticket.id == ids[5]
    )
    await Ticket.update({Ticket.has_new_for_staff: False}).where(Ticket.id.is_in(ids[2:]))
    rows = {t["id"]: t for t in await Ticket.select().where(Ticket.id.is_in(ids))}
    return {
        "ids": ids,
        "rows": rows,
        "principal": principal,
        "ivanov": ivanov,
        "sidorov": sidorov,
        "house": a.house,
        "other_house": other.house,
    }


async def found(principal, params: dict, now=NOW) -> set[int]:
    f = read_filters(params, TZ)
    page = await queries.staff_list(principal, f, PageRequest(1, 100), now=now)
    assert page.total == len(page.items)
    return {row.id for row in page.items}


def expected(world, predicate) -> set[int]:
    return {i for i, row in world["rows"].items() if predicate(row)}


CASES = [
    ("nothing", {"tab": "all"}, lambda r: True),
    ("search by text", {"q": "кран"}, lambda r: "кран" in r["description"].lower()),
    ("search by word in the middle", {"q": "мусоропро"}, lambda r: "мусоропро" in r["description"].lower()),
    (
        "search by executor name",
        {"q": "Сидоров"},
        lambda r: r["executor"] is not None and r["description"].startswith("Течёт"),
    ),
    ("type", {"type": "paid"}, lambda r: r["type"] == "paid"),
    ("two types", {"type": ["paid", "planned"]}, lambda r: r["type"] in ("paid", "planned")),
    ("status", {"status": "done"}, lambda r: r["status"] == "done"),
    ("internal status", {"internal_status": "waiting_parts"}, lambda r: r["internal_status"] == "waiting_parts"),
    ("category", {"category": "roof_leak"}, lambda r: r["category"] == "roof_leak"),
    ("source", {"source": "phone"}, lambda r: r["source"] == "phone"),
    ("rating from", {"rating_from": "3"}, lambda r: r["rating"] is not None and r["rating"] >= 3),
    ("rating to", {"rating_to": "3"}, lambda r: r["rating"] is not None and r["rating"] <= 3),
    ("emergency", {"flag": "emergency"}, lambda r: r["emergency"]),
    ("important", {"flag": "important"}, lambda r: r["important"]),
    ("planned", {"flag": "planned"}, lambda r: r["planned"]),
    ("paid", {"flag": "paid"}, lambda r: r["paid"]),
    ("paid for", {"flag": "paid_for"}, lambda r: r["paid_for"]),
    ("complaint", {"flag": "complaint"}, lambda r: r["complaint"]),
    ("justified", {"flag": "justified"}, lambda r: r["justified"]),
    ("new messages", {"flag": "new_messages"}, lambda r: r["has_new_for_staff"]),
    (
        "created from",
        {"created_from": "2026-03-08"},
        lambda r: r["created_at"] >= datetime(2026, 3, 7, 21, 0, tzinfo=UTC),
    ),
    (
        "created to",
        {"created_to": "2026-03-06T12:00"},
        lambda r: r["created_at"] <= datetime(2026, 3, 6, 9, 0, tzinfo=UTC),
    ),
    (
        "deadline to",
        {"deadline_to": "2026-03-10"},
        lambda r: r["deadline"] is not None and r["deadline"] <= datetime(2026, 3, 10, 20, 59, 59, tzinfo=UTC),
    ),
    (
        "deadline from",
        {"deadline_from": "2026-03-11"},
        lambda r: r["deadline"] is not None and r["deadline"] >= datetime(2026, 3, 10, 21, 0, tzinfo=UTC),
    ),
    (
        "completed range",
        {"completed_from": "2026-03-08", "completed_to": "2026-03-09"},
        lambda r: r["completed_at"] is not None and r["completed_at"].date() == date(2026, 3, 9),
    ),
    (
        "control date range",
        {"control_from": "2026-03-11", "control_to": "2026-03-15"},
        lambda r: r["control_date"] == date(2026, 3, 12),
    ),
    ("tab active", {"tab": "active"}, lambda r: r["status"] in ("new", "accepted", "in_work", "reopened")),
    (
        "tab without executor",
        {"tab": "unassigned"},
        lambda r: r["status"] in ("new", "accepted", "in_work", "reopened") and r["executor"] is None,
    ),
    (
        "tab overdue",
        {"tab": "overdue"},
        lambda r: (
            r["status"] in ("new", "accepted", "in_work", "reopened")
            and r["deadline"] is not None
            and r["deadline"] < NOW
        ),
    ),
]


@pytest.mark.parametrize(("name", "params", "predicate"), CASES, ids=[c[0] for c in CASES])
async def test_each_filter_narrows_the_list(world, name, params, predicate):
    want = expected(world, predicate)
    got = await found(world["principal"], {"tab": "all", **params})
    assert got == want
    if name != "nothing":
        assert got != set(world["ids"]), "the filter must narrow the list in this data"


async def test_executor_filter_current_and_ever_assigned(world):
    ids, everything = world["ids"], {"tab": "all"}
    assert await found(world["principal"], {**everything, "executor": str(world["ivanov"])}) == {ids[1]}
    ever = {**everything, "executor": str(world["ivanov"]), "executor_ever": "1"}
    assert await found(world["principal"], ever) == {ids[0], ids[1]}
    assert await found(world["principal"], {**everything, "executor": str(world["sidorov"])}) == {ids[0]}


async def test_house_filter_and_the_staff_scope(world):
    assert await found(world["principal"], {"tab": "all", "house": str(world["house"])}) == set(world["ids"])
    # Another house is outside the dispatcher's scope whatever the filter says.
    assert await found(world["principal"], {"tab": "all", "house": str(world["other_house"])}) == set()


async def test_search_by_number_and_by_account(world):
    first = world["rows"][world["ids"][2]]
    assert await found(world["principal"], {"tab": "all", "q": str(first["number"])}) == {first["id"]}
    account = await Ticket.select(Ticket.account.number.as_alias("n")).where(Ticket.id == first["id"]).first()
    by_account = await found(world["principal"], {"tab": "all", "q": account["n"]})
    assert first["id"] in by_account and by_account <= set(world["ids"])


async def test_filters_combine(world):
    got = await found(world["principal"], {"tab": "active", "flag": "emergency"})
    assert got == expected(
        world, lambda r: r["emergency"] and r["status"] in ("new", "accepted", "in_work", "reopened")
    )


async def test_an_unknown_sort_key_is_ignored(world):
    f = read_filters({"tab": "all", "sort": "id; drop table ticket"}, TZ)
    assert f.sort == "-created"
    page = await queries.staff_list(world["principal"], f, PageRequest(1, 100), now=NOW)
    assert len(page.items) == len(world["ids"])


async def test_an_executor_sees_only_their_own_requests(world):
    executor = await load_principal_for(world["ivanov"])
    # Executors are not bound to houses here: give them the house.
    from portal.accounts.tables import StaffHouse

    await StaffHouse(user=world["ivanov"], house=world["house"]).save()
    executor = await load_principal_for(world["ivanov"])
    assert await found(executor, {"tab": "all"}) == {world["ids"][1]}


async def test_export_has_exactly_the_filtered_rows(client, login, world):
    await login(client, world["principal"].user_id)
    params = {"tab": "all", "type": ["paid", "planned", "ordinary"], "flag": "planned"}
    want = await found(world["principal"], params, now=datetime.now(UTC))
    numbers = {str(world["rows"][i]["number"]) for i in want}
    query = "tab=all&type=paid&type=planned&type=ordinary&flag=planned"
    csv_response = await client.get(f"/staff/tickets/export?format=csv&{query}")
    assert csv_response.status_code == 200
    assert csv_response.headers["content-type"] == "text/csv; charset=utf-8"
    text = csv_response.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0][0] == "№"
    assert {r[0] for r in rows[1:]} == numbers
    xlsx_response = await client.get(f"/staff/tickets/export?format=xlsx&{query}")
    assert xlsx_response.status_code == 200
    sheet = load_workbook(io.BytesIO(xlsx_response.content)).active
    assert sheet.title == "Заявки"  # the sheet is named in the reader's language too
    values = list(sheet.iter_rows(values_only=True))
    assert {str(v[0]) for v in values[1:]} == numbers
    created = values[0].index("Создана")
    when = sheet.cell(row=2, column=created + 1)  # a date cell Excel sorts and filters, not the text it was
    assert when.is_date and when.number_format == "DD.MM.YYYY HH:MM"
    await client.speak("en")  # an English reader's CSV: «,» between cells, ISO dates
    english = list(csv.reader(io.StringIO((await client.get(f"/staff/tickets/export?{query}")).text[1:])))
    assert {r[0] for r in english[1:]} == numbers
    assert all(r[created][:2] == "20" and r[created][4] == "-" for r in english[1:])
    await client.speak("ru")
    # Everything: all eight rows of the dispatcher's house, none of the other house.
    everything = list(
        csv.reader(
            io.StringIO((await client.get("/staff/tickets/export?tab=all")).content.decode("utf-8-sig")), delimiter=";"
        )
    )
    assert {r[0] for r in everything[1:]} == {str(r["number"]) for r in world["rows"].values()}


async def test_the_report_says_when_the_damage_happened_and_whether_the_request_is_overdue(client, login, world):
    """The report has «Повреждение» (the moment the repair's clock runs from) and «Просрочена» as of the download,
    by the rule the list marks rows with: an active request past its deadline, not one done in time or cancelled."""
    ids, burst = world["ids"], NOW - timedelta(hours=5)
    await Ticket.update({Ticket.damage_at: burst}).where(Ticket.id == ids[0])  # active, due in March: overdue
    await Ticket.update({Ticket.deadline: datetime.now(UTC) + timedelta(days=1)}).where(Ticket.id == ids[2])
    number = {world["rows"][i]["number"]: i for i in ids}
    await login(client, world["principal"].user_id)

    def by_id(rows: list[list]) -> dict[int, dict]:
        return {number[int(r[0])]: dict(zip(rows[0], r, strict=True)) for r in rows[1:]}

    text = (await client.get("/staff/tickets/export?tab=all")).content.decode("utf-8-sig")
    russian = by_id(list(csv.reader(io.StringIO(text), delimiter=";")))
    assert russian[ids[0]]["Повреждение"] == clock.local(burst).strftime("%d.%m.%Y %H:%M")
    assert russian[ids[2]]["Повреждение"] == ""
    assert [russian[i]["Просрочена"] for i in (ids[0], ids[1], ids[2], ids[7])] == ["да", "нет", "нет", "нет"]
    sheet = load_workbook(io.BytesIO((await client.get("/staff/tickets/export?format=xlsx&tab=all")).content)).active
    book = by_id([[c.value for c in row] for row in sheet.iter_rows()])
    assert book[ids[0]]["Повреждение"] == clock.local(burst).replace(tzinfo=None)
    assert (book[ids[0]]["Просрочена"], book[ids[2]]["Просрочена"]) == (True, False)
    await client.speak("en")
    english = by_id(list(csv.reader(io.StringIO((await client.get("/staff/tickets/export?tab=all")).text[1:]))))
    assert english[ids[0]]["Damage occurred"] == clock.local(burst).strftime("%Y-%m-%d %H:%M")
    assert (english[ids[0]]["Overdue"], english[ids[2]]["Overdue"]) == ("yes", "no")


async def test_the_export_neutralises_formulas(client, login, world, make_account):
    place = await make_account(house=world["house"])
    await actions.open_ticket(
        account_id=place.account, category="other", description='=HYPERLINK("http://evil","x")', now=NOW
    )
    await login(client, world["principal"].user_id)
    text = (await client.get("/staff/tickets/export?q=hyperlink")).content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert len(rows) == 2
    assert any(cell.startswith("'=HYPERLINK") for cell in rows[1])
    sheet = load_workbook(
        io.BytesIO((await client.get("/staff/tickets/export?format=xlsx&q=hyperlink")).content)
    ).active
    cells = [c for row in sheet.iter_rows(values_only=True) for c in row if isinstance(c, str)]
    assert any(c.startswith("'=HYPERLINK") for c in cells)


async def test_the_export_writes_the_account_number_as_text_keeping_its_leading_zeros(
    client, login, world, make_account
):
    """A spreadsheet reads a plain cell of digits as a number: «0012345678» would lose its zeros. The CSV writes
    the account as the text formula ``="0012345678"``, the XLSX as a text cell of the Text format."""
    place = await make_account(house=world["house"], number="0012345678")
    await actions.open_ticket(account_id=place.account, category="other", description="Счёт с нулями", now=NOW)
    await login(client, world["principal"].user_id)
    rows = list(
        csv.reader(
            io.StringIO((await client.get("/staff/tickets/export?q=0012345678")).content.decode("utf-8-sig")),
            delimiter=";",
        )
    )
    account = rows[0].index("Лицевой счёт")
    assert len(rows) == 2 and rows[1][account] == '="0012345678"'
    sheet = load_workbook(
        io.BytesIO((await client.get("/staff/tickets/export?format=xlsx&q=0012345678")).content)
    ).active
    header = [c.value for c in sheet[1]]
    cell = sheet.cell(row=2, column=header.index("Лицевой счёт") + 1)
    assert (cell.value, cell.data_type, cell.number_format) == ("0012345678", "s", "@")


async def test_the_list_page_keeps_filters_in_the_url_and_remembers_columns(client, login, world):
    await login(client, world["principal"].user_id)
    page = await client.get("/staff/tickets?tab=unassigned&flag=emergency&size=10")
    assert page.status_code == 200
    assert 'name="flag" value="emergency" checked' in page.text
    assert "/staff/tickets/export?tab=unassigned&amp;flag=emergency&amp;format=csv" in page.text
    r = await client.form("/staff/tickets/columns", {"column": ["number", "owner", "rating"], "back": "?tab=all"})
    assert r.status_code == 303 and r.headers["location"] == "/staff/tickets?tab=all"
    page = await client.get("/staff/tickets")
    assert 'data-label="Собственник"' in page.text and 'data-label="Исполнитель"' not in page.text
    rated = await client.get("/staff/tickets/export?format=xlsx&tab=all&rating_from=5")
    sheet = load_workbook(io.BytesIO(rated.content)).active
    mark = sheet.cell(row=2, column=[c.value for c in sheet[1]].index("Оценка") + 1)
    assert mark.value == 5 and mark.number_format == "#,##0"  # a mark of 1 to 5, not a sum of money
    fragment = await client.get("/staff/tickets?part=list&q=кран", headers={"HX-Request": "true"})
    assert 'id="list"' in fragment.text and "<html" not in fragment.text
    printable = await client.get("/staff/tickets?print=1")
    assert printable.status_code == 200 and "print-table" in printable.text
    assert "Фильтры:" not in printable.text
    # the paper names the filters it was printed with: the list of new requests is not taken for every request
    printable = await client.get("/staff/tickets?print=1&status=new&q=кран")
    assert "<p>Фильтры: Поиск: кран; Статус: Новая</p>" in printable.text


async def test_on_an_english_list_the_owner_and_the_text_typed_in_russian_are_marked_russian(client, login, world):
    """The owner's name and the request's text as the resident typed it are Russian data: on an English list a
    screen reader read them with an English voice. Marked ``lang="ru"`` in their columns; on a Russian list not."""
    await login(client, world["principal"].user_id)
    chosen = {"column": ["number", "owner", "description"], "back": "?tab=all"}
    assert (await client.form("/staff/tickets/columns", chosen)).status_code == 303
    await client.speak("en")
    page = (await client.get("/staff/tickets?tab=all")).text
    owners = re.findall(r'data-label="Owner" class="col-owner">(.*?)</td>', page, re.S)
    texts = re.findall(r'class="col-description"><span class="clip">(.*?)</span></td>', page, re.S)
    assert owners and all(o.startswith('<span lang="ru">') for o in owners if o.strip())
    assert '<span lang="ru">Течёт кран на кухне</span>' in texts
    await client.speak("ru")
    assert '<span lang="ru">' not in (await client.get("/staff/tickets?tab=all")).text.split("<main")[1]


async def test_filters_not_read_are_kept_said_and_not_applied(client, login, world):
    await login(client, world["principal"].user_id)
    ids = world["ids"]

    def listed(page) -> set[int]:
        return {i for i in ids if f'href="/staff/tickets/{i}"' in page.text}

    assert listed(await client.get("/staff/tickets?tab=all&rating_from=5")) == {ids[1]}
    russian = await client.get("/staff/tickets?tab=all&control_from=12.03.2026&control_to=12.03.2026")
    assert listed(russian) == {ids[0]} and "не прочитаны" not in russian.text  # dd.mm.yyyy is read as before
    assert 'type="date" name="control_from" value="2026-03-12"' in russian.text  # as a date field holds it
    day = await client.get("/staff/tickets?tab=all&created_to=10.03.2026")  # a whole day in a date-and-time field
    assert 'type="text" name="created_to" value="10.03.2026"' in day.text and "не прочитаны" not in day.text
    url = "/staff/tickets?tab=all&deadline_from=31.02.2026&control_to=вчера&rating_from=abc&status=bogus&source=fax"
    for answer in (await client.get(url), await client.get(url, headers={"HX-Request": "true", "HX-Target": "list"})):
        assert answer.status_code == 200
        assert listed(answer) == set(ids)  # the list is shown without them
        form = answer.text.split('id="ticket-filters"')[1].split("</form>")[0]
        assert 'value="31.02.2026"' in form and 'value="вчера"' in form and 'value="abc"' in form
        assert form.count("Введите дату в виде ДД.ММ.ГГГГ; список показан без этого условия.") == 2
        assert "Введите оценку от 1 до 5; список показан без этого условия." in form
        assert "Такого варианта нет: «bogus»; список показан без этого условия." in form
        assert "Такого варианта нет: «fax»; список показан без этого условия." in form
        notice = answer.text.split('id="list"')[1]
        said = "Не применены, так как не прочитаны: Срок с; Контрольная дата по; Оценка от; Источник; Статус."
        assert said in notice
    # «More filters» stays open when one of its filters is set: a filter change redraws the form.
    assert '<details class="queue-more" open>' in (await client.get("/staff/tickets?source=phone")).text
    assert '<details class="queue-more">' in (await client.get("/staff/tickets?q=кран&source=")).text


async def test_a_malformed_filter_is_said_dropped_and_not_carried_on_the_others_kept(client, login, world):
    """«?outage=abc&executor=x» showed every request as though filtered: the list is shown without them and says so
    in a note the screen reader announces; the status filter beside them applies, and no chip, tab, sort, page,
    print, export or saved view link carries the bad values on (nor a parameter the list has no filter of)."""
    await login(client, world["principal"].user_id)
    ids = world["ids"]
    new = {i for i in ids if world["rows"][i]["status"] == "new"}
    assert 0 < len(new) < len(ids)
    url = "/staff/tickets?tab=all&status=new&outage=abc&executor=x&due=nonsense&size=10"
    for answer in (await client.get(url), await client.get(url, headers={"HX-Request": "true", "HX-Target": "list"})):
        assert answer.status_code == 200
        assert {i for i in ids if f'href="/staff/tickets/{i}"' in answer.text} == new
        listed = answer.text.split('id="list"')[1]
        for said in ("Не применены, так как не прочитаны: Исполнитель; Отключение.",
                     "Такого фильтра нет: «due»; список показан без него."):  # fmt: skip
            assert f'<p class="notice notice-warning" role="status">{said}</p>' in listed
        main = answer.text.split("<main")[-1]  # not the language switch, which comes back to the address as it is
        links = re.findall(r'(?:href|value)="([^"]*\?[^"]*)"', main.replace("&amp;", "&"))
        assert any("status=new" in link for link in links) and any("size=10" in link for link in links)
        for bad in ("outage=abc", "executor=x", "due=nonsense"):
            assert not [link for link in links if bad in link], bad
        assert 'class="filter-chip" href="/staff/tickets?tab=all&amp;size=10">Статус: Новая' in listed
        assert 'name="outage"' not in answer.text


@pytest.mark.parametrize(
    ("query", "kept"),
    [("house=3&house=-1&house=x&status=new&status=bogus", "house=3&status=new"),
     ("rating_from=5&rating_to=2&q=кран", "q=кран"),  # a range applied as none: neither end carried on
     ("tab=bogus&sort=bogus&executor_ever=yes&page=2", "page=2"),
     ("tab=all&sort=-created&deadline_to=10.03.2026&executor_ever=1&executor=7", "tab=all&sort=-created&"
      "deadline_to=10.03.2026&executor_ever=1&executor=7")],
)  # fmt: skip
def test_the_links_carry_only_what_the_list_applied(query, kept):
    params = MultiDict(parse_qsl(query))
    f = within(read_filters(params, TZ), houses={3}, executors={7})
    assert urlencode(applied(params, f), doseq=True) == urlencode(parse_qsl(kept))


async def test_a_rating_range_whose_end_is_below_its_start_is_shown_without_it(client, login, world):
    """«Оценка от 5 до 2» found nothing at all; like a period that ends before it starts, it is not applied, and the
    list says so at «Оценка до» and above the list, both values kept as typed (the page and the part HTMX redraws)."""
    await login(client, world["principal"].user_id)
    ids = world["ids"]

    def listed(page) -> set[int]:
        return {i for i in ids if f'href="/staff/tickets/{i}"' in page.text}

    url = "/staff/tickets?tab=all&rating_from=5&rating_to=2"
    for answer in (await client.get(url), await client.get(url, headers={"HX-Request": "true", "HX-Target": "list"})):
        assert answer.status_code == 200
        assert listed(answer) == set(ids)  # not an empty list
        form = answer.text.split('id="ticket-filters"')[1].split("</form>")[0]
        end = form[form.rindex("<input", 0, form.index('name="rating_to"')) :].split(">")[0]
        start = form[form.rindex("<input", 0, form.index('name="rating_from"')) :].split(">")[0]
        assert 'value="2"' in end and "aria-invalid" in end and 'value="5"' in start and "aria-invalid" not in start
        assert form.count("Конец меньше начала; список показан без этого диапазона оценок.") == 1
        notice = answer.text.split('id="list"')[1]
        assert "Не применён диапазон «Оценка от» – «Оценка до»: его конец меньше начала." in notice
        assert "не прочитаны" not in answer.text
    assert listed(await client.get("/staff/tickets?tab=all&rating_from=2&rating_to=2")) == {ids[3]}


@pytest.mark.parametrize(
    ("lang", "rating", "period"),
    [("ru", ("Оценка: </span>от <input", "Оценка: </span>до <input"),
      ("Срок: </span>с <input", "Срок: </span>по <input")),
     ("en", ("Rating: </span>from <input", "Rating: </span>to <input"),
      ("Deadline: </span>from <input", "Deadline: </span>to <input"))],
)  # fmt: skip
async def test_the_rating_fields_read_as_its_chips_and_messages_do(client, login, world, lang, rating, period):
    """The rating's two fields are «Оценка от / до», as its chips and the messages about it say, not a period's
    «с / по»; the periods keep theirs."""
    await login(client, world["principal"].user_id)
    await client.speak(lang)
    page = await client.get("/staff/tickets?tab=all&rating_from=2&rating_to=4")
    form = page.text.split('id="ticket-filters"')[1].split("</form>")[0]
    for words in (*rating, *period):
        assert words in form, words
    chips = page.text.split('id="list"')[1]
    assert ("Оценка от: 2" if lang == "ru" else "Rating from: 2") in chips


async def test_a_house_or_an_executor_none_of_the_lists_is_not_applied(client, login, world, make_user):
    await login(client, world["principal"].user_id)
    ids, other = world["ids"], world["other_house"]  # a house of the company, not this dispatcher's
    resident = await make_user()  # never an executor

    def listed(page) -> set[int]:
        return {i for i in ids if f'href="/staff/tickets/{i}"' in page.text}

    forms = {}
    for house in (other, 987654):
        url = f"/staff/tickets?tab=all&house={world['house']}&house={house}&executor={resident}"
        for answer in (await client.get(url), await client.get(url, headers={"HX-Request": "true"})):
            assert listed(answer) == set(ids)  # their own house applies, the rest does not
            form = answer.text.split('id="ticket-filters"')[1].split("</form>")[0]
            for value in (house, resident):
                assert f"Такого варианта нет: «{value}»; список показан без этого условия." in form
            assert "Не применены, так как не прочитаны: Исполнитель; Дом." in answer.text.split('id="list"')[1]
            forms[house] = form.replace(f"«{house}»", "«…»", 1)
    assert forms[other] == forms[987654]  # a house out of reach and one that is not there read alike
    rows = (await client.get(f"/staff/tickets/export?format=csv&tab=all&house={other}")).content.decode("utf-8-sig")
    numbers = {r[0] for r in csv.reader(io.StringIO(rows), delimiter=";")}
    assert {str(world["rows"][i]["number"]) for i in ids} <= numbers  # the export is of the rows shown


async def test_the_printable_list_fits_a_phone_its_rows_as_cards_each_value_named(client, login, world):
    """At 390 px the printable list was a table 800 px wide, the page scrolled sideways: it takes the phone's width
    (the viewport) and its rows are cards as the list's own are, each value with its column's name; paper keeps the
    table."""
    await login(client, world["principal"].user_id)
    page = (await client.get("/staff/tickets?print=1")).text
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page
    assert '<table class="data cards print-table">' in page
    row = re.search(r"<tbody>\s*<tr>(.*?)</tr>", page, re.S).group(1)
    cells = re.findall(r"<td([^>]*)>", row)
    assert cells[0] == ' class="primary"'
    assert [re.search(r'data-label="([^"]*)"', c).group(1) for c in cells[1:]] == [
        "Адрес", "Категория", "Статус", "Исполнитель", "Срок",
    ]  # fmt: skip


async def test_a_filter_changed_keeps_the_outage_and_the_page_size_the_form_has_no_field_for(client, login, world):
    """The outage's requests opened from the outages' page, narrowed by status, were every outage's: the filter
    form sent neither the outage nor the page size chosen."""
    await login(client, world["principal"].user_id)
    page = (await client.get("/staff/tickets?tab=all&outage=7&size=10")).text
    form = re.search(r'<form id="ticket-filters".*?</form>', page, re.S).group(0)
    hidden = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', form))
    assert hidden["outage"] == "7" and hidden["size"] == "10"
    narrowed = (await client.get("/staff/tickets", params={**hidden, "status": "new"})).text
    assert "Отключение: №\u00a07" in narrowed


async def test_a_closed_or_cancelled_request_offers_no_executor_to_choose(client, login, world):
    await login(client, world["principal"].user_id)
    closed, cancelled, new = world["ids"][3], world["ids"][7], world["ids"][2]
    page = (await client.get("/staff/tickets?tab=all")).text
    assert f'id="executor-{new}"' in page
    assert f'id="executor-{closed}"' not in page and f'id="executor-{cancelled}"' not in page
    detail = (await client.get(f"/staff/tickets/{cancelled}")).text
    assert f'action="/staff/tickets/{cancelled}/assign"' not in detail
    assert f'action="/staff/tickets/{new}/assign"' in (await client.get(f"/staff/tickets/{new}")).text


async def test_a_request_in_the_minute_of_its_deadline_is_not_yet_on_the_overdue_tab(make_user, make_account):
    """A short circuit due «immediately» read «Срок — сейчас» on its row in its first minute, yet the overdue tab
    and its count had it: the tab reads the minute of the deadline as the row does."""
    place = await make_account()
    now = datetime.now(UTC)
    fresh = await actions.open_ticket(
        account_id=place.account, category="electrical_emergency", description="Искрит", now=now - timedelta(seconds=30)
    )
    late = await actions.open_ticket(
        account_id=place.account, category="electrical_emergency", description="Искрит", now=now - timedelta(seconds=90)
    )
    principal = await load_principal_for(await make_user(roles=("dispatcher",), houses=(place.house,)))
    overdue = await queries.staff_list(principal, read_filters({"tab": ["overdue"]}, TZ), PageRequest(), now)
    assert [t.id for t in overdue.items] == [late.id] and fresh.id != late.id
