"""Open emergencies stored typed or flagged «Плановая» or «Платная» before staff could no longer do so get their
category's type and their legal deadline by a data migration (both engines, no HTTP)."""

from __future__ import annotations

import importlib
from datetime import UTC
from datetime import datetime
from datetime import timedelta

from portal.accounts.principal import load_principal_for
from portal.tickets import actions
from portal.tickets import queries
from portal.tickets.tables import Ticket
from portal.tickets.tables import TicketEvent
from tests.querylog import captured

NOW = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)  # 12:00 in Simferopol, a Tuesday
LATER = datetime(2026, 12, 5, 2, 0, tzinfo=UTC)  # when the migration runs
migration = importlib.import_module("migrations.tickets.tickets_2026_12_05t01_30_00_000000")


async def _stored(account: int, category: str, ticket_type: str, *, status: str = "new", flags: dict | None = None):
    """A request as stored before: typed by agreement, so with no deadline, and flagged as its type."""
    opened = await actions.open_ticket(
        account_id=account, category=category, ticket_type=ticket_type, description="Заявка", now=NOW, by_staff=True
    )
    stored = {Ticket.status: status, Ticket.planned: ticket_type == "planned", Ticket.paid: ticket_type == "paid"}
    if ticket_type in ("planned", "paid"):
        stored[Ticket.deadline] = None
    await Ticket.update({**stored, **(flags or {})}).where(Ticket.id == opened.id)
    return opened.id


async def _row(ticket_id: int) -> dict:
    columns = (Ticket.type, Ticket.deadline, Ticket.planned, Ticket.paid)
    return await Ticket.select(*columns).where(Ticket.id == ticket_id).first()


def unflagged(ticket_type: str, deadline: datetime | None) -> dict:
    return {"type": ticket_type, "deadline": deadline, "planned": False, "paid": False}


async def _history(ticket_id: int) -> list[tuple[str, str, str]]:
    rows = await TicketEvent.select(TicketEvent.kind, TicketEvent.from_value, TicketEvent.to_value).where(
        (TicketEvent.ticket == ticket_id) & (TicketEvent.created_at == LATER)
    )
    return sorted((r["kind"], r["from_value"], r["to_value"]) for r in rows)


async def test_open_emergencies_typed_as_works_by_agreement_get_their_type_and_legal_deadline(
    db, make_account, make_user, monkeypatch
):
    place = await make_account()
    account = place.account
    trapped = await _stored(account, "lift_trapped", "planned")
    repair = await _stored(account, "emergency_repair", "paid", status="in_work")
    chute = await _stored(account, "garbage_chute", "planned")
    flagged = await _stored(account, "sewer_blockage", "emergency", flags={Ticket.paid: True})
    done = await _stored(account, "sewer_blockage", "planned", status="done")
    cancelled = await _stored(account, "lift_trapped", "paid", status="cancelled")
    taps = await _stored(account, "leaking_taps", "planned")
    agreed = await _stored(account, "lift_trapped", "planned")  # a date set by hand stands
    await Ticket.update({Ticket.deadline: NOW + timedelta(days=2)}).where(Ticket.id == agreed)
    # Returned to work two days later: its clock started again then.
    dispatcher = await load_principal_for(await make_user(roles=("dispatcher",), houses=(place.house,)))
    returned = await _stored(account, "sewer_blockage", "planned")
    for status, at in (("done", NOW + timedelta(hours=1)), ("reopened", NOW + timedelta(days=2))):
        await actions.move_status(dispatcher, await queries.ticket_for_staff(dispatcher, returned), status, "", at)
    await Ticket.update({Ticket.deadline: None}).where(Ticket.id == returned)

    monkeypatch.setattr(migration, "CHUNK", 2)
    with captured(db) as seen:
        assert await migration.backfill(LATER) == 6
    # Per chunk of 2: the chunk, its returns, ≤ 2 type and 2 flag updates, ≤ 2 dates, the history; the last select.
    assert len(seen) <= 9 * 3 + 1

    assert await _row(trapped) == unflagged("emergency", NOW + timedelta(minutes=30))
    assert await _history(trapped) == [
        ("deadline", "", (NOW + timedelta(minutes=30)).isoformat()),
        ("flag", "", "planned=0"),
        ("type", "planned", "emergency"),
    ]
    assert await _row(repair) == unflagged("ordinary", NOW + timedelta(days=3))
    assert (await _row(chute))["deadline"] == NOW + timedelta(hours=2)  # 12:00 local: the window is open
    assert await _row(returned) == unflagged("emergency", NOW + timedelta(days=2, hours=2))
    assert await _row(agreed) == unflagged("emergency", NOW + timedelta(days=2))
    assert await _history(agreed) == [("flag", "", "planned=0"), ("type", "planned", "emergency")]
    assert await _row(flagged) == unflagged("emergency", NOW + timedelta(hours=2))
    assert await _history(flagged) == [("flag", "", "paid=0")]
    said = (
        await TicketEvent.select(TicketEvent.comment, TicketEvent.comment_en, TicketEvent.author)
        .where((TicketEvent.ticket == trapped) & (TicketEvent.kind == "type"))
        .first()
    )
    assert said["author"] is None and said["comment"].startswith("Авария не может быть плановой или платной")
    assert said["comment_en"].startswith("An emergency cannot be planned or paid works")
    for untouched, ticket_type in ((done, "planned"), (cancelled, "paid"), (taps, "planned")):
        flags = {"planned": ticket_type == "planned", "paid": ticket_type == "paid"}
        assert await _row(untouched) == {"type": ticket_type, "deadline": None, **flags}
        assert await _history(untouched) == []

    events = await TicketEvent.count()
    assert await migration.backfill(LATER + timedelta(hours=1)) == 0  # run again: nothing left to change
    assert await TicketEvent.count() == events


finished_migration = importlib.import_module("migrations.tickets.tickets_2026_12_05t07_00_00_000000")


async def test_finished_emergencies_typed_as_works_by_agreement_get_their_legal_deadline(
    db, make_account, make_user, monkeypatch
):
    """An emergency keeps its legal term whatever its type (``deadlines.term_category``): one done typed «Плановая»
    with no deadline was counted done on time however late. It gets its category's deadline, from the registration
    or the damage, or its last return; the type it was finished with, and cancelled or ordinary requests, stand."""
    place = await make_account()
    account = place.account
    trapped = await _stored(account, "lift_trapped", "planned", status="done")
    repair = await _stored(account, "emergency_repair", "paid", status="closed")
    burst = NOW - timedelta(hours=10)
    await Ticket.update({Ticket.damage_at: burst}).where(Ticket.id == repair)
    cancelled = await _stored(account, "lift_trapped", "planned", status="cancelled")
    taps = await _stored(account, "leaking_taps", "planned", status="done")
    dispatcher = await load_principal_for(await make_user(roles=("dispatcher",), houses=(place.house,)))
    returned = await _stored(account, "sewer_blockage", "planned")
    for status, at in (("done", NOW + timedelta(hours=1)), ("reopened", NOW + timedelta(days=2))):
        await actions.move_status(dispatcher, await queries.ticket_for_staff(dispatcher, returned), status, "", at)
    await Ticket.update({Ticket.status: "done", Ticket.deadline: None}).where(Ticket.id == returned)

    monkeypatch.setattr(finished_migration, "CHUNK", 2)
    assert await finished_migration.backfill(LATER) == 3
    assert await _row(trapped) == {
        "type": "planned",
        "deadline": NOW + timedelta(minutes=30),
        "planned": True,
        "paid": False,
    }
    assert (await _row(repair))["deadline"] == burst + timedelta(days=3)
    assert (await _row(returned))["deadline"] == NOW + timedelta(days=2, hours=2)
    assert await _history(trapped) == [("deadline", "", (NOW + timedelta(minutes=30)).isoformat())]
    for untouched in (cancelled, taps):
        assert (await _row(untouched))["deadline"] is None and await _history(untouched) == []
    events = await TicketEvent.count()
    assert await finished_migration.backfill(LATER + timedelta(hours=1)) == 0
    assert await TicketEvent.count() == events
