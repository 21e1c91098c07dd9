"""The request an order of the catalogue opens is read by Russian dispatchers and by the resident, who may read
English: its text is kept in both languages and each reader reads theirs (both engines), and so is the message
it gets when staff attach the document."""

from __future__ import annotations

import importlib
import io
from decimal import Decimal

from PIL import Image

from portal.accounts.principal import load_principal_for
from portal.catalog import actions
from portal.catalog import queries
from portal.catalog.tables import PaidService
from portal.catalog.tables import ServiceCategory
from portal.core import clock
from portal.core.i18n import in_locale
from portal.core.pagination import PageRequest
from portal.tickets import queries as ticket_queries
from portal.tickets.filters import read_filters
from portal.tickets.tables import Ticket
from tests.catalog.test_actions import _visit_day


def _plain(text: str) -> str:
    return text.replace("\u00a0", " ")


async def _free_order(household, shop) -> int:
    """A free service with an English name, ordered by the resident: accepted at once, with its request open."""
    await ServiceCategory.update({ServiceCategory.title_en: "Plumbing"}).where(ServiceCategory.id == shop["works"])
    bulb = PaidService(
        category=shop["works"], title="Замена лампочки", title_en="Bulb replacement", description="", price_kopecks=0
    )
    await bulb.save()
    resident = await load_principal_for(household["resident"])
    place = queries.choose_place(await queries.places_of(resident, "tickets"), household["accounts"][0])
    assert place is not None
    offered = await queries.offered_services(place, [bulb.id])
    placed = await actions.order_services(
        resident, place, [actions.Wanted(offered[bulb.id], Decimal(1))], day=_visit_day(), slot="09:00–12:00",
        comment="Code 12", phone="", now=clock.now(),
    )  # fmt: skip
    return placed.id


async def test_the_request_of_an_order_reads_english_to_the_resident_and_russian_to_the_dispatcher(
    client, login, household, shop, make_user
):
    order_id = await _free_order(household, shop)
    ticket = await Ticket.select(Ticket.id, Ticket.description, Ticket.description_en).first()
    assert ticket is not None
    assert ticket["description"].startswith(f"Заказ №\u00a0{order_id} из каталога платных услуг.")
    assert "— Замена лампочки: 0,00" in _plain(ticket["description"])
    assert ticket["description_en"].startswith(f"Order No. {order_id} from the catalogue of paid services.")
    assert "— Bulb replacement: ₽0.00" in ticket["description_en"] and "Comment: Code 12" in ticket["description_en"]

    await login(client, household["resident"])
    await client.speak("en")
    page = _plain((await client.get(f"/tickets/{ticket['id']}")).text)
    assert f"Order No. {order_id} from the catalogue of paid services." in page and "Bulb replacement" in page
    assert "Заказ" not in page and "Замена лампочки" not in page
    await client.speak("ru")
    page = _plain((await client.get(f"/tickets/{ticket['id']}")).text)
    assert f"Заказ № {order_id} из каталога платных услуг." in page and "Bulb replacement" not in page

    dispatcher = await make_user(roles=("dispatcher",), houses=(household["house"],))
    await login(client, dispatcher)
    page = _plain((await client.get(f"/staff/tickets/{ticket['id']}")).text)
    assert f"Заказ № {order_id} из каталога платных услуг." in page and "Order No." not in page
    await client.speak("en")  # staff reading English read the English twin
    page = _plain((await client.get(f"/staff/tickets/{ticket['id']}")).text)
    assert f"Order No. {order_id} from the catalogue of paid services." in page and "Заказ №" not in page


async def test_the_document_ready_message_reads_each_readers_language(client, login, household, shop, make_user):
    """The message staff's attaching posts on the request: Russian to the dispatcher, English to the resident,
    whatever the language of the staff who attached it."""
    order_id = await _free_order(household, shop)
    ticket_id = (await Ticket.select(Ticket.id).first())["id"]
    dispatcher = await load_principal_for(await make_user(roles=("dispatcher",), houses=(household["house"],)))
    order = await queries.order_for_staff(dispatcher, order_id)
    assert order is not None

    photo = io.BytesIO()
    Image.new("RGB", (20, 20), "white").save(photo, "JPEG")
    with in_locale("en"):  # an English-speaking staff member attaches it
        await actions.attach_document(
            dispatcher, order, await actions.store_document(photo.getvalue()), "", clock.now()
        )

    await login(client, household["resident"])
    await client.speak("en")
    page = (await client.get(f"/tickets/{ticket_id}")).text
    assert "The document is ready: download it on the order" in page
    await client.speak("ru")
    page = (await client.get(f"/tickets/{ticket_id}")).text
    assert "Документ готов" in page and "The document is ready" not in page


async def test_staff_find_the_request_of_an_order_by_its_english_words_and_its_russian_ones(household, shop, make_user):
    """A dispatcher reading English searches «bulb»; one reading Russian, «лампочки»: both find the request, and so
    do they for a request stored before its English text was searched (the migration rebuilds its search text)."""
    await _free_order(household, shop)
    ticket_id = (await Ticket.select(Ticket.id).first())["id"]
    dispatcher = await load_principal_for(await make_user(roles=("dispatcher",), houses=(household["house"],)))

    async def found(q: str) -> set[int]:
        page = await ticket_queries.staff_list(
            dispatcher, read_filters({"q": q}, "UTC"), PageRequest(1, 50), clock.now()
        )
        return {row.id for row in page.items}

    for words in ("bulb", "Bulb replacement", "лампочки", "Замена лампочки"):
        assert await found(words) == {ticket_id}, words
    assert await found("kettle") == set()

    russian_only = (await Ticket.select(Ticket.search_text).first())["search_text"].split(" | order no.")[0]
    await Ticket.update({Ticket.search_text: russian_only}).where(Ticket.id == ticket_id)
    assert await found("bulb") == set()
    migration = importlib.import_module("migrations.tickets.tickets_2026_12_03t14_15_00_000000")
    await migration.backfill()
    assert await found("bulb") == {ticket_id} and await found("лампочки") == {ticket_id}
