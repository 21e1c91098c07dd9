"""The staff search reads every part of a request, whatever the length of one of them, and the words of its history,
kept current by the action that writes them (both engines, no HTTP)."""

from __future__ import annotations

import importlib
from datetime import UTC
from datetime import datetime
from typing import Any

import pytest

from portal.accounts.principal import load_principal_for
from portal.core.db import atomic
from portal.core.pagination import PageRequest
from portal.housing.tables import House
from portal.tickets import actions
from portal.tickets import queries
from portal.tickets import rules
from portal.tickets.filters import read_filters
from portal.tickets.tables import Ticket
from portal.tickets.tables import TicketEvent
from tests.querylog import captured

NOW = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)


class Undone(Exception):
    """Raised to roll a test's own transaction back."""


@pytest.fixture
async def world(make_user: Any, make_account: Any) -> dict[str, Any]:
    """A house with one account, its resident, and a dispatcher of the house."""
    place = await make_account()
    resident = await make_user(name="Анна Петрова", accounts={place.account: "owner"}, rights=("view", "tickets"))
    dispatcher = await make_user(name="Диспетчер Смирнова", roles=("dispatcher",), houses=(place.house,))
    address = (await House.select(House.address).where(House.id == place.house).first())["address"]
    return {
        "place": place,
        "address": address,
        "resident": await load_principal_for(resident),
        "dispatcher": await load_principal_for(dispatcher),
    }


async def found(world: dict[str, Any], q: str) -> set[int]:
    """The requests the dispatcher's search finds by ``q``."""
    f = read_filters({"q": q, "tab": "all"}, "UTC")
    page = await queries.staff_list(world["dispatcher"], f, PageRequest(1, 50), NOW)
    return {row.id for row in page.items}


async def _open(world: dict[str, Any], description: str, description_en: str = "") -> int:
    opened = await actions.open_ticket(
        account_id=world["place"].account,
        category="leaking_taps",
        description=description,
        description_en=description_en,
        author_id=world["resident"].user_id,
        author_name=world["resident"].name,
        now=NOW,
    )
    return opened.id


async def test_a_long_russian_description_still_finds_by_its_english_twin_and_address(db, world) -> None:
    """A description at its longest (4,000 characters) in Russian and in English: the English twin's last words, the
    address and the number are all searched."""
    russian = ("Протечка в ванной комнате, вода капает с потолка на пол. " * 80)[: rules.MAX_DESCRIPTION]
    english = ("Water drips from the bathroom ceiling onto the floor. " * 80)[: rules.MAX_DESCRIPTION - 12]
    english += " chandelier."
    ticket_id = await _open(world, russian, english)
    tag = world["address"].rsplit(" ", 1)[-1]
    assert await found(world, f"тестовая {tag}") == {ticket_id}
    number = (await Ticket.select(Ticket.number).where(Ticket.id == ticket_id).first())["number"]
    assert await found(world, f"{number} {tag}") == {ticket_id}
    assert await found(world, "chandelier") == {ticket_id}
    assert await found(world, "протечка chandelier") == {ticket_id}
    text = (await Ticket.select(Ticket.search_text).where(Ticket.id == ticket_id).first())["search_text"]
    assert len(text) > 8000


def test_each_part_of_the_search_text_is_capped_on_its_own() -> None:
    long = "а" * 20_000
    text = rules.search_text(["123", long, "кв. 5"], long, "english " * 2000, [long] * 100 + ["старое"])
    parts = text.split(" | ")
    assert parts[0] == "123" and parts[2] == "кв. 5"
    assert len(parts[1]) == rules.SEARCH_PART
    assert len(parts[3]) == rules.MAX_DESCRIPTION and parts[4].startswith("english")
    history = parts[5:]
    assert sum(len(p) for p in history) == rules.SEARCH_HISTORY
    assert all(len(p) <= rules.SEARCH_COMMENT for p in history)
    assert "старое" not in text  # the history is read newest first: what is beyond its room is left out


async def test_the_words_of_the_history_find_the_request(db, world) -> None:
    """A resident's message, a staff member's reply, an internal note and a status move's comment are found."""
    ticket_id = await _open(world, "Течёт кран")
    other = await _open(world, "Не работает лифт")
    resident, dispatcher = world["resident"], world["dispatcher"]
    ticket = await queries.ticket_for_staff(dispatcher, ticket_id)
    assert await found(world, "протечка на кухне") == set()
    await actions.post_message(resident, ticket, "Протечка на кухне, под мойкой", [], by_staff=False, now=NOW)
    assert await found(world, "протечка на кухне") == {ticket_id}
    assert await found(world, "Протечка на кухне") == {ticket_id}
    await actions.post_message(dispatcher, ticket, "Слесарь придёт в среду", [], by_staff=True, now=NOW)
    assert await found(world, "слесарь среду") == {ticket_id}
    await actions.post_message(dispatcher, ticket, "Ключи у консьержа", [], by_staff=True, internal=True, now=NOW)
    assert await found(world, "консьержа") == {ticket_id}
    ticket = await queries.ticket_for_staff(dispatcher, ticket_id)
    await actions.move_status(dispatcher, ticket, "accepted", "Принята, заказана прокладка", NOW)
    assert await found(world, "прокладка") == {ticket_id}
    assert await found(world, "протечка на кухне") == {ticket_id}  # the earlier words stay
    assert other not in await found(world, "кухне")


async def test_the_history_searched_is_bounded_and_the_newest_words_are_in_it(db, world) -> None:
    ticket_id = await _open(world, "Течёт кран")
    ticket = await queries.ticket_for_staff(world["dispatcher"], ticket_id)
    events = [
        TicketEvent(ticket=ticket_id, kind="message", comment=f"сообщение номер {n} " + "слово " * 100, created_at=NOW)
        for n in range(300)
    ]
    await TicketEvent.insert(*events)
    await actions.post_message(world["dispatcher"], ticket, "Последнее: мастер вызван", [], by_staff=True, now=NOW)
    text = (await Ticket.select(Ticket.search_text).where(Ticket.id == ticket_id).first())["search_text"]
    assert len(text) <= 8 * rules.SEARCH_PART + 2 * rules.MAX_DESCRIPTION + rules.SEARCH_HISTORY + 100
    assert await found(world, "мастер вызван") == {ticket_id}
    assert await found(world, "сообщение номер 299") == {ticket_id}


async def test_a_comment_is_searched_in_the_transaction_that_adds_it(db, world) -> None:
    """Inside the action's transaction the search already finds the words; undone, neither the message nor its
    words remain."""
    ticket_id = await _open(world, "Течёт кран")
    ticket = await queries.ticket_for_staff(world["dispatcher"], ticket_id)
    with pytest.raises(Undone):
        async with atomic():
            await actions.post_message(world["resident"], ticket, "Протечка на кухне", [], by_staff=False, now=NOW)
            assert await found(world, "протечка на кухне") == {ticket_id}
            raise Undone
    assert await found(world, "протечка на кухне") == set()
    assert not await TicketEvent.exists().where(TicketEvent.comment == "Протечка на кухне")


async def test_the_migration_rebuilds_every_search_text_a_chunk_at_a_time(db, world, monkeypatch) -> None:
    """Requests stored before (their search text without the history's words) are rebuilt: the same few statements
    for each chunk of requests, never one per request."""
    ids = [await _open(world, f"Заявка {n}") for n in range(5)]
    for ticket_id in ids:
        await TicketEvent.insert(TicketEvent(ticket=ticket_id, kind="message", comment="Протечка на кухне"))
    await Ticket.update({Ticket.search_text: ""}).where(Ticket.id.is_in(ids))
    assert await found(world, "протечка на кухне") == set()
    monkeypatch.setattr(actions, "SEARCH_CHUNK", 2)
    migration = importlib.import_module("migrations.tickets.tickets_2026_12_03t16_00_00_000000")
    with captured(db) as seen:
        rebuilt = await migration.backfill()
    assert rebuilt >= 5
    assert await found(world, "протечка на кухне") == set(ids)
    assert await found(world, "заявка") == set(ids)
    chunks = -(-rebuilt // 2)
    assert len(seen) <= 4 * chunks + 1  # the chunk's ids, its requests, their history, one update; the last select


async def test_closing_an_outage_makes_its_message_searched_on_every_request_it_completes(db, world) -> None:
    """The outage's closing words go to each linked request; their search texts are rebuilt together."""
    ids = [await _open(world, "Нет холодной воды") for _ in range(3)]
    dispatcher = world["dispatcher"]
    outage_id = await actions.record_outage(
        dispatcher,
        {
            "house_id": world["place"].house,
            "entrance_id": None,
            "riser_id": None,
            "service": "cold_water",
            "description": "Авария на вводе",
            "starts_at": NOW,
            "ends_at": None,
        },
        NOW,
    )
    outage = await queries.outage_for_staff(dispatcher, outage_id)
    for ticket_id in ids:
        await actions.link_outage(dispatcher, await queries.ticket_for_staff(dispatcher, ticket_id), outage, NOW)
    assert await actions.close_outage(dispatcher, outage, "Давление восстановлено в 14:00", NOW) == 3
    assert await found(world, "давление восстановлено") == set(ids)


async def test_assigning_one_executor_to_many_requests_rebuilds_their_search_texts_together(
    db, world, make_user
) -> None:
    """The bulk assignment names the executor in every request's search text, rebuilt once for the whole set:
    one read of the requests, one of their history and one update, whether two requests are ticked or six."""
    executor = await make_user(name="Слесарь Кулибин", roles=("executor",), houses=(world["place"].house,))
    dispatcher = world["dispatcher"]

    async def assign(count: int, executor_id: int | None) -> list[str]:
        ids = [await _open(world, f"Течёт кран {n}") for n in range(count)]
        tickets = await queries.tickets_for_staff(dispatcher, ids)
        chosen = queries.Option(executor_id, "Слесарь Кулибин") if executor_id else None
        with captured(db) as seen:
            assert await actions.assign_many(dispatcher, tickets, chosen, NOW) == count
        assert await found(world, "кулибин") >= set(ids)
        return [str(q) for q in seen]

    for count in (2, 6):
        statements = await assign(count, executor)
        rebuilds = [s for s in statements if "SET search_text" in s]
        histories = [s for s in statements if "PARTITION BY ticket" in s]
        assert (len(rebuilds), len(histories)) == (1, 1), statements
