"""The audit log reads the records a field holds by id as the portal names them, not as bare ids: a premise's
entrance, an ownership's premise and owner, a service's section, a listing's premise and the listing it was copied
from, the meeting an initiative went to, a removed question of the agenda, a paper ballot's owner from the
register and the outage a request was linked to — each kind looked up once for a whole page, however many events
it holds."""

from __future__ import annotations

from datetime import UTC
from datetime import date
from datetime import datetime
from decimal import Decimal

import pytest

from tests.accounts.test_audit_values import _page
from tests.words import as_read

ADDRESS = "г. Симферополь, ул. Киевская, д. 12"


async def _records(make_account) -> dict[str, int]:
    from portal.catalog.tables import ServiceCategory
    from portal.housing.tables import Owner
    from portal.housing.tables import Ownership
    from portal.meetings.tables import AgendaItem
    from portal.meetings.tables import Meeting
    from portal.meetings.tables import RegisterEntry
    from portal.showcase.tables import Listing
    from portal.tickets.tables import Outage

    place = await make_account(address=ADDRESS, premise_number="5")
    owner = Owner(name="Иванова Мария Петровна")
    await owner.save()
    share = Ownership(premise=place.premise, owner=owner.id)
    await share.save()
    section = ServiceCategory(title="Сантехника", position=1)
    await section.save()
    complex_id = (await Listing.raw("SELECT complex FROM house WHERE id = {}", place.house))[0]["complex"]
    listing = Listing(
        kind="rent",
        house=place.house,
        complex=complex_id,
        premise=place.premise,
        premise_number="5",
        address=ADDRESS,
        area=Decimal("54.00"),
        floor=3,
        rooms=2,
    )
    await listing.save()
    day = date(2026, 12, 1)
    moment = datetime(2026, 12, 1, 9, tzinfo=UTC)
    meeting = Meeting(
        house=place.house,
        title="Ремонт кровли",
        form="absentee",
        initiator="УК",
        notice_on=day,
        starts_on=day,
        voting_starts_at=moment,
        voting_ends_at=moment,
        register_on=day,
    )
    await meeting.save()
    item = AgendaItem(meeting=meeting.id, position=2, text="Выбор совета дома", subject="council", threshold="half")
    await item.save()
    entry = RegisterEntry(
        meeting=meeting.id,
        ownership=share.id,
        owner=owner.id,
        premise=place.premise,
        owner_name="Иванова Мария Петровна",
        premise_kind="flat",
        premise_number="5",
        area=Decimal("54.00"),
        weight_num=1,
        weight_den=1,
        group="",
        key=f"{meeting.id}:1",
    )
    await entry.save()
    outage = Outage(house=place.house, entrance=place.entrance, service="cold_water", starts_at=moment)
    await outage.save()
    return {
        "entrance": place.entrance,
        "premise": place.premise,
        "owner": owner.id,
        "ownership": share.id,
        "section": section.id,
        "listing": listing.id,
        "meeting": meeting.id,
        "item": item.id,
        "entry": entry.id,
        "outage": outage.id,
    }


def _events(r: dict[str, int]) -> list[tuple]:
    return [
        ("housing.premise.update", "premise", r["premise"], {"entrance": [None, r["entrance"]]}),
        ("housing.ownership.create", "ownership", r["ownership"], {"premise": r["premise"], "owner": r["owner"]}),
        ("catalog.service.create", "paid_service", 3, {"category": r["section"], "title": "Вызов сантехника"}),
        ("showcase.listing_update", "listing", r["listing"], {"premise": [None, r["premise"]]}),
        ("showcase.listing_duplicate", "listing", 10**9, {"from": r["listing"]}),
        ("initiative.held", "initiative", 4, {"meeting": r["meeting"]}),
        ("meeting.item_removed", "meeting", r["meeting"], {"item": r["item"]}),
        ("ballot.enter", "ballot", 8, {"entry": r["entry"], "received_at": "2026-12-01T09:00:00+00:00",
                                       "duplicate": False, "late": False}),
        ("ticket.outage", "ticket", 7, {"outage": [None, r["outage"]]}),
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("lang", "said"),
    [
        ("ru", [f"Подъезд</strong>: — → {ADDRESS}, подъезд 1", f"Помещение</strong>: {ADDRESS}, кв. 5",
                "Собственник</strong>: Иванова Мария Петровна", "Раздел</strong>: Сантехника",
                f"Помещение</strong>: — → {ADDRESS}, кв. 5",
                f"Скопировано из объявления</strong>: 2-комнатная квартира, 54\u00a0м² — {ADDRESS}",
                "Собрание</strong>: Ремонт кровли", "Номер вопроса</strong>: 2. Выбор совета дома",
                "Собственник из реестра</strong>: Иванова Мария Петровна, кв. 5",
                f"Связанное отключение</strong>: — → Холодная вода: {ADDRESS}, подъезд 1, "
                "с 1 декабря 2026, 12:00"]),
        ("en", [f"Entrance</strong>: — → {ADDRESS}, entrance 1", f"Premise</strong>: {ADDRESS}, flat 5",
                "Owner</strong>: Иванова Мария Петровна", "Section</strong>: Сантехника",
                f"Premise</strong>: — → {ADDRESS}, flat 5",
                f"Copied from listing</strong>: 2-room flat, 54\u00a0m² — {ADDRESS}",
                "Meeting</strong>: Ремонт кровли", "Question No.</strong>: 2. Выбор совета дома",
                "Owner from the register</strong>: Иванова Мария Петровна, flat 5",
                f"Linked outage</strong>: — → Cold water: {ADDRESS}, entrance 1, "
                "from 1 December 2026, 12:00"]),
    ],
)  # fmt: skip
async def test_the_records_a_field_holds_read_by_their_names(client, make_user, make_account, login, lang, said):
    r = await _records(make_account)
    page = await _page(client, make_user, login, lang, *_events(r))
    listed = as_read(page)  # as they read; the marks: test_audit_values
    for words in said:
        assert words in listed, words
    for key in ("entrance", "premise", "owner", "section", "listing", "meeting", "item", "entry", "outage"):
        assert f"</strong>: {r[key]}<" not in listed and f"→ {r[key]}<" not in listed, key


async def test_the_names_of_a_page_come_from_one_query_per_kind_of_record(
    client, make_user, make_account, login, audit_log_queries
):
    r = await _records(make_account)
    await _page(client, make_user, login, "ru", *_events(r))
    few = await audit_log_queries()
    many = await audit_log_queries(*(_events(r) * 4))
    assert len(many) == len(few)
    for table in ("entrance", "premise", "owner", "service_category", "listing", "meeting", "agenda_item",
                  "register_entry", "outage"):  # fmt: skip
        assert sum(f'FROM "{table}"' in q for q in many) == 1, table
