"""Only executors who would see a request are offered for it and may be given it: those of its house, or those who
see every house. A dispatcher of houses 1–2 is not offered an executor of house 3 only, and posting that executor
is refused (422) with nothing changed."""

from __future__ import annotations

import re
from datetime import UTC
from datetime import datetime

import pytest

from portal.core.tables import AuditEvent
from portal.tickets import actions
from portal.tickets.tables import Ticket
from tests.querylog import captured

HX_ROW = {"HX-Request": "true", "HX-Target": "row"}
ELSEWHERE = "Этот исполнитель не работает в доме заявки и не увидит её."


@pytest.fixture
async def houses(make_user, make_account):
    """A request of house 1; a dispatcher of houses 1–2; executors of house 1, of house 3 only, of every house
    (an administrator), and one with no house at all."""
    first, second, third = await make_account(), await make_account(), await make_account()
    opened = await actions.open_ticket(
        account_id=first.account, category="roof_leak", description="Течёт крыша", now=datetime.now(UTC)
    )
    return {
        "ticket": opened.id,
        "dispatcher": await make_user(roles=("dispatcher",), houses=(first.house, second.house)),
        "local": await make_user(name="Местный Иван", roles=("executor",), houses=(first.house,)),
        "far": await make_user(name="Дальний Пётр", roles=("executor",), houses=(third.house,)),
        "wide": await make_user(name="Общий Олег", roles=("executor", "admin")),
        "nowhere": await make_user(name="Бездомный Лев", roles=("executor",)),
    }


def offered(text: str, select_id: str) -> set[int]:
    select = re.search(rf'<select id="{select_id}".*?</select>', text, re.S)
    assert select is not None, select_id
    return {int(v) for v in re.findall(r'<option value="(\d+)"', select.group(0))}


async def _executor(ticket_id: int) -> int | None:
    return (await Ticket.select(Ticket.executor).where(Ticket.id == ticket_id).first())["executor"]


async def test_the_request_page_and_its_row_offer_only_executors_who_would_see_it(client, login, houses):
    await login(client, houses["dispatcher"])
    page = await client.get(f"/staff/tickets/{houses['ticket']}")
    assert page.status_code == 200
    assert offered(page.text, "f-executor") == {houses["local"], houses["wide"]}
    queue = await client.get("/staff/tickets?tab=all")
    assert offered(queue.text, f"executor-{houses['ticket']}") == {houses["local"], houses["wide"]}
    assert houses["far"] not in offered(queue.text, "f-executor")  # the list's filter: the caller's houses


async def test_an_executor_of_another_house_is_refused_and_nothing_changes(client, login, houses):
    await login(client, houses["dispatcher"])
    ticket = houses["ticket"]
    r = await client.form(f"/staff/tickets/{ticket}/assign", {"executor": str(houses["far"])})
    assert r.status_code == 422 and ELSEWHERE in r.text
    row = await client.htmx_form(
        f"/staff/tickets/{ticket}/assign", {"executor": str(houses["far"]), "row": "1"}, headers=HX_ROW
    )
    assert row.status_code == 422 and ELSEWHERE in row.text and f'id="row-{ticket}"' in row.text
    bulk = await client.form("/staff/tickets/assign", {"ticket": [str(ticket)], "executor": str(houses["far"])})
    assert bulk.status_code == 303
    nowhere = await client.form(f"/staff/tickets/{ticket}/assign", {"executor": str(houses["nowhere"])})
    assert nowhere.status_code == 422
    assert await _executor(ticket) is None
    assert not await AuditEvent.exists().where(AuditEvent.action == "ticket.assign")


async def test_an_executor_of_every_house_is_accepted(client, login, houses):
    await login(client, houses["dispatcher"])
    r = await client.form(f"/staff/tickets/{houses['ticket']}/assign", {"executor": str(houses["wide"])})
    assert r.status_code == 303
    assert await _executor(houses["ticket"]) == houses["wide"]
    local = await client.form(
        "/staff/tickets/assign", {"ticket": [str(houses["ticket"])], "executor": str(houses["local"])}
    )
    assert local.status_code == 303 and await _executor(houses["ticket"]) == houses["local"]


@pytest.fixture
async def two_houses(make_user, make_account):
    """Requests of houses 1 and 2 on a dispatcher's queue; executors of house 1 only, of house 3 only, and of every
    house (an administrator)."""
    first, second, third = await make_account(), await make_account(), await make_account()
    now = datetime.now(UTC)
    tickets = [
        await actions.open_ticket(account_id=place.account, category="roof_leak", description="Течёт", now=now)
        for place in (first, second)
    ]
    return {
        "tickets": [t.id for t in tickets],
        "numbers": [t.number for t in tickets],
        "dispatcher": await make_user(roles=("dispatcher",), houses=(first.house, second.house)),
        "local": await make_user(name="Местный Иван", roles=("executor",), houses=(first.house,)),
        "far": await make_user(name="Дальний Пётр", roles=("executor",), houses=(third.house,)),
        "wide": await make_user(name="Общий Олег", roles=("executor", "admin")),
    }


def offered_words(text: str, select_id: str) -> dict[int, str]:
    select = re.search(rf'<select id="{select_id}".*?</select>', text, re.S)
    assert select is not None, select_id
    return {int(v): words.strip() for v, words in re.findall(r'<option value="(\d+)"[^>]*>([^<]*)<', select.group(0))}


async def test_the_bulk_choice_offers_who_may_take_a_shown_request_and_says_who_not_every_one(
    client, login, two_houses
):
    await login(client, two_houses["dispatcher"])
    page = await client.get("/staff/tickets?tab=all")
    assert offered_words(page.text, "bulk-executor") == {
        two_houses["local"]: "Местный Иван (не все дома)",
        two_houses["wide"]: "Общий Олег",
    }


async def test_a_bulk_assignment_assigns_the_rows_the_executor_may_take_and_names_the_others(client, login, two_houses):
    await login(client, two_houses["dispatcher"])
    ours, theirs = two_houses["tickets"]
    ticked = {"ticket": [str(ours), str(theirs)], "executor": str(two_houses["local"]), "back": "?tab=all"}
    r = await client.form("/staff/tickets/assign", ticked)
    assert r.status_code == 303 and r.headers["location"] == "/staff/tickets?tab=all"
    assert (await _executor(ours), await _executor(theirs)) == (two_houses["local"], None)
    said = (await client.get(r.headers["location"])).text
    number = two_houses["numbers"][1]
    assert "Назначена 1 заявка." in said
    assert f"Заявка №\u00a0{number} не назначена: выбранный исполнитель не работает в её доме" in said


async def test_a_bulk_assignment_to_an_executor_of_none_of_the_houses_names_every_ticked_row(client, login, two_houses):
    await login(client, two_houses["dispatcher"])
    ticked = {"ticket": [str(t) for t in two_houses["tickets"]], "executor": str(two_houses["far"])}
    r = await client.form("/staff/tickets/assign", ticked)
    assert r.status_code == 303
    assert [await _executor(t) for t in two_houses["tickets"]] == [None, None]
    assert not await AuditEvent.exists().where(AuditEvent.action == "ticket.assign")
    said = (await client.get(r.headers["location"])).text
    numbers = ", ".join(str(n) for n in two_houses["numbers"])
    assert f"Заявки №\u00a0{numbers} не назначены: выбранный исполнитель не работает в их домах" in said
    assert "Назначено 0 заявок" not in said


async def test_the_list_reads_its_executors_once_for_the_filter_and_for_each_row(db, client, login, make_user, houses):
    """The filter's executors (the caller's houses) and each row's (its house) are one read of the executors."""
    for caller, filter_choice in (
        (houses["dispatcher"], {houses["local"], houses["wide"]}),
        (await make_user(roles=("dispatcher", "admin")), {houses[k] for k in ("local", "far", "wide", "nowhere")}),
    ):
        await login(client, caller)
        await client.get("/staff/tickets?tab=all")  # the first load builds the principal kept in the session
        with captured(db) as seen:
            queue = (await client.get("/staff/tickets?tab=all")).text
        assert len([q for q in seen if "staff_house" in str(q)]) == 1, [str(q) for q in seen]
        assert offered(queue, "f-executor") == filter_choice
        assert offered(queue, f"executor-{houses['ticket']}") == {houses["local"], houses["wide"]}


async def test_a_request_held_by_an_executor_no_longer_of_its_house_names_them_not_nobody(client, login, houses):
    """An executor moved to other houses keeps the requests given to them: the request's page and its row in the
    list showed «Никто» chosen (a request that looked free, with «Назначить» offered to confirm that), though the
    request has its executor. They are shown chosen, saying they no longer work in the house."""
    ticket = houses["ticket"]
    await Ticket.update({Ticket.executor: houses["far"]}).where(Ticket.id == ticket)
    await login(client, houses["dispatcher"])
    chosen = rf'<option value="{houses["far"]}" selected[^>]*>Дальний Пётр \(не работает в доме заявки\)</option>'
    page = await client.get(f"/staff/tickets/{ticket}")
    assert re.search(chosen, page.text)
    queue = await client.get("/staff/tickets?tab=all")
    row = re.search(rf'<select id="executor-{ticket}".*?</select>', queue.text, re.S)
    assert row is not None and re.search(chosen, row.group(0)) and 'data-current="1">Дальний' in row.group(0)
    assert offered(queue.text, f"executor-{ticket}") == {houses["local"], houses["wide"], houses["far"]}
