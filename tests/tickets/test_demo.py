"""The demo's requests read as a dispatch service would have left them: each one's steps in order of time, the
work done after it was taken into work. Both engines."""

from __future__ import annotations

import random
from datetime import date

from portal.demo import DemoContext
from portal.housing import demo as housing_demo
from portal.tickets import demo
from portal.tickets.tables import Ticket
from portal.tickets.tables import TicketEvent


async def test_every_demo_request_s_steps_come_in_the_order_of_time(db):
    ctx = DemoContext(rng=random.Random(20261202), today=date(2026, 12, 2))
    await housing_demo.seed(ctx)
    await demo.seed(ctx)
    tickets = {r["id"]: r for r in await Ticket.select(Ticket.id, Ticket.created_at, Ticket.completed_at)}
    assert len(tickets) > 100
    steps: dict[int, list[tuple[str, object]]] = {}
    for e in (
        await TicketEvent.select(TicketEvent.ticket, TicketEvent.to_value, TicketEvent.created_at)
        .where(TicketEvent.kind == "status")
        .order_by(TicketEvent.id)
    ):
        steps.setdefault(e["ticket"], []).append((e["to_value"], e["created_at"]))
    finished = 0
    for ticket_id, moves in steps.items():
        times = [moment for _status, moment in moves]
        assert times == sorted(times), (ticket_id, moves)
        assert times[0] >= tickets[ticket_id]["created_at"], ticket_id
        if "done" in dict(moves):
            finished += 1
            assert dict(moves)["done"] == tickets[ticket_id]["completed_at"], ticket_id
    assert finished > 50
