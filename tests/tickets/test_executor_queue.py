"""The executor's «Мои заявки» on a phone: the work to do comes first, the most urgent on top; the requests they
reported done (waiting for the resident's confirmation) come after it under a heading of their own, instead of
being sorted in among the work by their old deadlines, above an overdue emergency."""

from __future__ import annotations

import re
from datetime import UTC
from datetime import datetime
from datetime import timedelta

from portal.core.security import Principal
from portal.tickets import actions
from portal.tickets import queries
from portal.tickets.tables import Ticket
from portal.tickets.tables import TicketAttachment
from portal.tickets.tables import TicketEvent
from tests.tickets.conftest import jpeg_bytes


async def test_the_work_to_do_comes_before_the_requests_reported_done(client, login, make_user, make_account):
    place = await make_account()
    executor = await make_user(name="Мастер", roles=("executor",), houses=(place.house,))
    now = datetime.now(UTC)
    specs = [  # (description, status, deadline in hours from now)
        ("Сделано давно", "done", -200),
        ("Сделано вчера", "done", -20),
        ("Застряли в лифте", "in_work", -3),
        ("Течёт кран", "accepted", 30),
    ]
    for description, status, hours in specs:
        opened = await actions.open_ticket(
            account_id=place.account, category="leaking_taps", description=description, now=now - timedelta(days=9)
        )
        completed = now - timedelta(hours=1) if status == "done" else None
        await Ticket.update(
            {
                Ticket.status: status,
                Ticket.executor: executor,
                Ticket.deadline: now + timedelta(hours=hours),
                Ticket.completed_at: completed,
            }
        ).where(Ticket.id == opened.id)
    await login(client, executor)
    page = (await client.get("/staff/my-tickets")).text
    work = re.search(r'<ul class="ticket-cards" id="my-work">(.*?)<section aria-labelledby="my-done-h">', page, re.S)
    done = re.search(r'<section aria-labelledby="my-done-h">(.*?)</section>', page, re.S)
    assert work and done, page
    assert re.findall(r"Застряли в лифте|Течёт кран|Сделано \w+", work.group(1)) == ["Застряли в лифте", "Течёт кран"]
    assert "Выполнены, ждут подтверждения жителя" in done.group(1)
    assert sorted(re.findall(r"Сделано \w+", done.group(1))) == ["Сделано вчера", "Сделано давно"]
    await client.speak("en")  # the resident's words, Russian on an English card: marked so
    assert '<p class="muted"><span lang="ru">Течёт кран</span></p>' in (await client.get("/staff/my-tickets")).text


async def test_a_cards_photos_without_a_photo_are_refused_on_the_queue_and_with_one_are_sent(
    client, login, make_user, make_account
):
    """«Отправить фото» with no photo chosen posted «Фото работы» (in the executor's language) to the resident with
    no photo and said nothing; now the queue says to choose the photos first, and the photos go without words."""
    place = await make_account()
    executor = await make_user(name="Мастер", roles=("executor",), houses=(place.house,))
    opened = await actions.open_ticket(
        account_id=place.account, category="leaking_taps", description="Течёт кран", now=datetime.now(UTC)
    )
    await Ticket.update({Ticket.status: "in_work", Ticket.executor: executor}).where(Ticket.id == opened.id)
    events = await TicketEvent.count().where(TicketEvent.ticket == opened.id)
    await login(client, executor)
    url = f"/staff/tickets/{opened.id}/messages"
    await client.speak("en")

    refused = await client.form(
        url, {"back": "/staff/my-tickets"}, files=[("photos", ("", b"", "application/octet-stream"))]
    )
    assert refused.status_code == 303 and refused.headers["location"] == "/staff/my-tickets"
    assert await TicketEvent.count().where(TicketEvent.ticket == opened.id) == events
    queue = (await client.get("/staff/my-tickets")).text
    assert f"Request No. {opened.number}: Choose the photos of the work first." in queue

    sent = await client.form(
        url, {"back": "/staff/my-tickets"}, files=[("photos", ("work.jpg", jpeg_bytes(), "image/jpeg"))]
    )
    assert sent.status_code == 303 and sent.headers["location"] == "/staff/my-tickets"
    message = (
        await TicketEvent.select(TicketEvent.id, TicketEvent.comment, TicketEvent.visible_to_resident)
        .where(TicketEvent.ticket == opened.id)
        .order_by(TicketEvent.id, ascending=False)
        .first()
    )
    assert message["comment"] == "" and message["visible_to_resident"]
    assert await TicketAttachment.count().where(TicketAttachment.event == message["id"]) == 1
    assert f"The photos are sent to request No. {opened.number}." in (await client.get("/staff/my-tickets")).text


async def test_a_status_changed_from_a_card_says_which_request_it_was(client, login, make_user, make_account):
    """Back on «Мои заявки» after «Взять в работу», the message names the request («Заявка № 7: Статус изменён: В
    работе.»): among a dozen cards, «Статус изменён» alone did not say which."""
    place = await make_account()
    executor = await make_user(name="Мастер", roles=("executor",), houses=(place.house,))
    opened = await actions.open_ticket(
        account_id=place.account, category="leaking_taps", description="Течёт кран", now=datetime.now(UTC)
    )
    await Ticket.update({Ticket.status: "accepted", Ticket.executor: executor}).where(Ticket.id == opened.id)
    await login(client, executor)
    moved = await client.form(f"/staff/tickets/{opened.id}/status", {"status": "in_work", "back": "/staff/my-tickets"})
    assert moved.status_code == 303 and moved.headers["location"] == "/staff/my-tickets"
    queue = (await client.get("/staff/my-tickets")).text
    assert f"Заявка №\u00a0{opened.number}: Статус изменён: В работе." in queue


async def test_an_overdue_request_says_so_once_on_the_executors_card(client, login, make_user, make_account):
    """«Просрочена» beside the status and «Просрочена на 2 ч» below it said the same twice: the countdown alone."""
    place = await make_account()
    executor = await make_user(name="Мастер", roles=("executor",), houses=(place.house,))
    now = datetime.now(UTC)
    opened = await actions.open_ticket(account_id=place.account, category="leaking_taps", description="Кран", now=now)
    await Ticket.update(
        {Ticket.status: "in_work", Ticket.executor: executor, Ticket.deadline: now - timedelta(hours=2)}
    ).where(Ticket.id == opened.id)
    await login(client, executor)
    card = re.search(r'<li class="card ticket-card.*?</li>', (await client.get("/staff/my-tickets")).text, re.S)
    assert "Просрочена на 2\u00a0ч" in card.group(0) and card.group(0).count("Просрочена") == 1, card.group(0)


async def test_an_open_request_card_says_the_entrance_and_floor_and_calls_the_resident_a_done_one_does_not(
    client, login, make_user, make_account
):
    """On the stairs the executor needs where to go in the house and whom to call, without opening each request;
    once the work is reported done the resident's phone is no longer on their card."""
    place = await make_account(floor=7)
    executor = await make_user(name="Мастер", roles=("executor",), houses=(place.house,))
    now = datetime.now(UTC)
    ids = {}
    for description, status, phone in (("Течёт кран", "in_work", "+79780001122"), ("Сделано", "done", "+79780003344")):
        opened = await actions.open_ticket(
            account_id=place.account, category="leaking_taps", description=description, now=now
        )
        await Ticket.update({Ticket.status: status, Ticket.executor: executor, Ticket.contact_phone: phone}).where(
            Ticket.id == opened.id
        )
        ids[status] = opened.id
    await login(client, executor)
    page = (await client.get("/staff/my-tickets")).text
    work = re.search(r'id="my-work">(.*?)<section aria-labelledby="my-done-h">', page, re.S)
    done = re.search(r'<section aria-labelledby="my-done-h">(.*?)</section>', page, re.S)
    assert work and done, page
    assert '<p class="ticket-card-where">подъезд 1, этаж 7</p>' in work.group(1)
    assert 'href="tel:+79780001122"' in work.group(1) and "Позвонить жителю" in work.group(1)
    assert "tel:" not in done.group(1) and "ticket-card-where" not in done.group(1)
    me = Principal(
        user_id=executor, name="Мастер", staff_roles=frozenset({"executor"}), house_ids=frozenset({place.house})
    )
    assert set(await queries.at_the_door(me, [ids["in_work"], ids["done"]])) == {ids["in_work"]}
    other = await make_user(name="Другой", roles=("executor",), houses=(place.house,))
    await Ticket.update({Ticket.executor: other}).where(Ticket.id == ids["in_work"])
    assert await queries.at_the_door(me, [ids["in_work"]]) == {}


async def test_a_card_says_how_many_photos_its_request_has_read_at_once_for_the_page(
    db, client, login, make_user, make_account
):
    """Whether a request has photos (the leak, the broken lock) the executor learnt only by opening it: each card
    says how many, in words to a screen reader; a PDF scan is no photo. The counts are one query for the whole
    page, whatever the number of cards (QUERY_BUDGETS["/staff/my-tickets"])."""
    from portal.tickets.routes_staff import QUERY_BUDGETS
    from tests.querylog import captured

    place = await make_account()
    executor = await make_user(name="Мастер", roles=("executor",), houses=(place.house,))
    await login(client, executor)

    async def count_queries() -> int:
        await client.get("/staff/my-tickets")
        with captured(db) as seen:
            assert (await client.get("/staff/my-tickets")).status_code == 200
        return len(seen)

    made = {}
    for description, status, files in (("Течёт кран", "in_work", ["image/jpeg", "image/png", "application/pdf"]),
                                       ("Без фото", "accepted", ["application/pdf"]),
                                       ("Сделано", "done", ["image/webp"])):  # fmt: skip
        opened = await actions.open_ticket(
            account_id=place.account, category="leaking_taps", description=description, now=datetime.now(UTC)
        )
        await Ticket.update({Ticket.status: status, Ticket.executor: executor}).where(Ticket.id == opened.id)
        for n, kind in enumerate(files):
            await TicketAttachment(ticket=opened.id, file_key=f"t{opened.id}-{n}", content_type=kind).save()
        made[description] = opened.id
        if len(made) == 1:
            one_card = await count_queries()
    assert await count_queries() == one_card <= QUERY_BUDGETS["/staff/my-tickets"]
    page = (await client.get("/staff/my-tickets")).text
    card = r'(?s)<li class="card ticket-card">(?:(?!</li>).)*?{}.*?</li>'
    cards = {d: re.search(card.format(d), page).group(0) for d in made}
    assert '<span class="visually-hidden">2\u00a0фотографии</span>' in cards["Течёт кран"]
    assert '<span class="visually-hidden">1\u00a0фотография</span>' in cards["Сделано"]
    assert "photo-count" not in cards["Без фото"]


async def test_a_request_opened_from_my_requests_is_marked_there_in_the_menu(client, login, make_user, make_account):
    """The menu marked «Заявки» (and the phone's menu button said so) over a request the executor opened from «Мои
    заявки», whose breadcrumb leads back there: the menu marks the section they came from."""
    place = await make_account()
    executor = await make_user(name="Мастер", roles=("executor",), houses=(place.house,))
    opened = await actions.open_ticket(
        account_id=place.account, category="leaking_taps", description="Течёт кран", now=datetime.now(UTC)
    )
    await Ticket.update({Ticket.executor: executor}).where(Ticket.id == opened.id)
    await login(client, executor)

    def current(page: str) -> list[str]:
        nav = re.search(r'<nav class="sidebar"[^>]*>(.*?)</nav>', page, re.S)
        assert nav
        return re.findall(r'<a href="([^"]+)" class="current"', nav.group(1))

    await client.get("/staff/my-tickets")
    assert current((await client.get(f"/staff/tickets/{opened.id}")).text) == ["/staff/my-tickets"]
    await client.get("/staff/tickets")
    assert current((await client.get(f"/staff/tickets/{opened.id}")).text) == ["/staff/tickets"]
