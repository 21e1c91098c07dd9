"""The demo's requests read as a dispatch service would have left them: each one's steps in order of time, the
work done after it was taken into work. Both engines."""

from __future__ import annotations

import random
from datetime import date
from datetime import timedelta

from portal.core.tables import OutboxMessage
from portal.demo import DemoContext
from portal.housing import demo as housing_demo
from portal.settings import get_settings
from portal.tickets import deadlines
from portal.tickets import demo
from portal.tickets import queries
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
        if "done" in dict(moves) and tickets[ticket_id]["completed_at"]:
            finished += 1
            assert dict(moves)["done"] == tickets[ticket_id]["completed_at"], ticket_id
    assert finished > 50


async def test_the_demo_resident_s_own_words_bear_the_name_of_their_user(db, make_user):
    """What the portal writes for a resident is signed with their user's name; the demo's requests of the resident
    who signs in were signed with the register's «Смирнов Иван Петрович» beside the portal's «Иван Петрович
    Смирнов» in one conversation."""
    ctx = DemoContext(rng=random.Random(20261202), today=date(2026, 12, 2))
    await housing_demo.seed(ctx)
    user = await make_user(name="Иван Петрович Смирнов")
    ctx.shared["users"] = {"resident": user}
    await demo.seed(ctx)
    theirs = [r["id"] for r in await Ticket.select(Ticket.id).where(Ticket.author == user)]
    assert theirs
    signed = await TicketEvent.select(TicketEvent.author_name).where(
        TicketEvent.ticket.is_in(theirs) & TicketEvent.by_staff.eq(False) & (TicketEvent.author_name != "")
    )
    assert {r["author_name"] for r in signed} == {"Иван Петрович Смирнов"}


async def test_every_rated_demo_request_has_its_rating_in_its_history(db):
    """The portal writes a resident's mark as an event as well: the demo's rated requests have it too, so a request
    staff reopen (which clears its rating for the redone work) still shows the mark it had in its history."""
    ctx = DemoContext(rng=random.Random(20261202), today=date(2026, 12, 2))
    await housing_demo.seed(ctx)
    await demo.seed(ctx)
    rated = {r["id"]: str(r["rating"]) for r in await Ticket.select(Ticket.id, Ticket.rating) if r["rating"]}
    assert len(rated) > 10
    events = await TicketEvent.select(TicketEvent.ticket, TicketEvent.to_value, TicketEvent.by_staff).where(
        TicketEvent.kind == "rating"
    )
    assert {e["ticket"]: e["to_value"] for e in events} == rated
    assert len(events) == len(rated) and not any(e["by_staff"] for e in events)


async def test_every_demo_request_is_due_by_its_legal_term_from_its_filing(db):
    """A sweep of the demo found request No. 1 due on 1 January 2020, before it was filed. Neither the demo nor the
    deadline table gives such a date: each demo request is due by deadline_for from its own filing (seeded here
    just after the New Year holidays). Only a deadline typed by hand could, and the staff form refuses one before
    the filing (tests/tickets/test_staff_detail.py)."""
    tz = get_settings().time_zone
    ctx = DemoContext(rng=random.Random(20261125), today=date(2026, 1, 12))  # the New Year holidays just behind
    await housing_demo.seed(ctx)
    await demo.seed(ctx)
    rows = await Ticket.select(
        Ticket.id, Ticket.number, Ticket.category, Ticket.type, Ticket.created_at, Ticket.deadline
    )
    assert len(rows) == demo.COUNT
    returned = 0
    for row in rows:
        clock_from = await queries.last_reopened(row["id"])  # a return to work starts the clock again
        returned += clock_from is not None
        due = deadlines.deadline_for(row["category"], clock_from or row["created_at"], tz, ticket_type=row["type"])
        assert row["deadline"] == due, row
        assert due is None or due >= row["created_at"], row
    assert returned > 5


async def test_a_demo_request_returned_to_work_is_due_by_its_term_from_the_return(db):
    """The demo's returned requests went from «Принята» straight to «Возвращена» (no return the portal knows as one)
    and stayed due from their filing. Each is now reported done, then returned by its resident, and is due by its
    term from the return (``rules.restarted_deadline``), as the portal counts it."""
    tz = get_settings().time_zone
    ctx = DemoContext(rng=random.Random(20261202), today=date(2026, 12, 2))
    await housing_demo.seed(ctx)
    await demo.seed(ctx)
    rows = await Ticket.select(Ticket.id, Ticket.category, Ticket.type, Ticket.deadline).where(
        Ticket.status == "reopened"
    )
    assert rows
    for row in rows:
        moves = (
            await TicketEvent.select(TicketEvent.from_value, TicketEvent.to_value, TicketEvent.created_at)
            .where((TicketEvent.ticket == row["id"]) & (TicketEvent.kind == "status"))
            .order_by(TicketEvent.created_at)
            .order_by(TicketEvent.id)
        )
        assert [(m["from_value"], m["to_value"]) for m in moves][-2:] == [("in_work", "done"), ("done", "reopened")]
        back = moves[-1]["created_at"]
        assert row["deadline"] == deadlines.deadline_for(row["category"], back, tz, ticket_type=row["type"]), row


async def test_no_demo_emergency_is_planned_or_paid_works_and_the_rest_of_the_demo_draws_as_before(db):
    """About one demo request in eight is drawn a planned, paid or warranty type whatever its category; an
    emergency drawn planned or paid keeps its category's type (staff could not type it so). The numbers drawn stay
    those of before (browser tests lean on the demo): after the requests, the demo's next number is the one it was
    before the change."""
    ctx = DemoContext(rng=random.Random(20261202), today=date(2026, 12, 2))
    await housing_demo.seed(ctx)
    ctx.rng.seed(7)  # the requests' draws alone, whatever the houses' demo draws
    await demo.seed(ctx)
    assert ctx.rng.random() == NEXT_AFTER_REQUESTS
    rows = await Ticket.select(Ticket.category, Ticket.type)
    assert not [r for r in rows if deadlines.agreed_type_refused(r["category"], r["type"])]
    assert {r["type"] for r in rows} >= {"planned", "paid", "warranty"}


NEXT_AFTER_REQUESTS = 0.5173934137549321  # ctx.rng.random() after the requests' demo, as drawn before the change


async def test_the_demo_history_reads_in_the_reader_s_language_where_the_portal_words_it(db):
    """An English reader of the demo read «Диспетчер» over the dispatch service's lines and «Отменена жителем» under
    a cancelling: the demo wrote them as names and words of its own. A line with no author's name is named by the
    page in its reader's language, and the portal's words of a cancelling come in both languages, as the portal
    writes them (tickets.actions.cancel_by_resident)."""
    ctx = DemoContext(rng=random.Random(20261204), today=date(2026, 12, 4))
    await housing_demo.seed(ctx)
    await demo.seed(ctx)
    names = await TicketEvent.count().where(TicketEvent.author_name.is_in(["Диспетчер", "Житель"]))
    assert names == 0
    cancelled = await TicketEvent.select(TicketEvent.comment, TicketEvent.comment_en).where(
        (TicketEvent.kind == "status") & (TicketEvent.to_value == "cancelled")
    )
    assert cancelled and all(
        e == {"comment": "Отменена жителем", "comment_en": "Cancelled by the resident"} for e in cancelled
    )


SHORT_TERMS = ("electrical_emergency", "lift_trapped", "emergency_localisation")  # «immediately», 30 and 30 minutes


async def test_the_demo_s_emergencies_of_a_short_term_are_mostly_done_within_it(db):
    """The demo did no request sooner than two hours after its filing: a short circuit («immediately») read 0 % on
    time, people trapped in a lift (30 minutes) mostly late. An emergency of a shorter term is now done within it about
    four times in five, the rest late, and went through its steps before it was done (the steps' test above)."""
    ctx = DemoContext(rng=random.Random(20261202), today=date(2026, 12, 2))
    await housing_demo.seed(ctx)
    await demo.seed(ctx)
    rows = await Ticket.select(
        Ticket.id, Ticket.category, Ticket.created_at, Ticket.deadline, Ticket.completed_at
    ).where(Ticket.category.is_in(list(SHORT_TERMS)) & Ticket.completed_at.is_not_null())
    on_time = {c: [r["completed_at"] <= r["deadline"] for r in rows if r["category"] == c] for c in SHORT_TERMS}
    for category, done in on_time.items():
        assert any(done), category
    every = [t for done in on_time.values() for t in done]
    assert 0.6 <= sum(every) / len(every) < 1, on_time
    late = [r["completed_at"] - r["deadline"] for r in rows if r["completed_at"] > r["deadline"]]
    assert max(late) <= timedelta(minutes=10), late  # late by minutes, not hours
    done = {r["id"]: r["completed_at"] for r in rows}
    named = await TicketEvent.select(TicketEvent.ticket, TicketEvent.created_at).where(
        TicketEvent.ticket.is_in(list(done)) & (TicketEvent.kind == "executor")
    )
    assert named and all(e["created_at"] <= done[e["ticket"]] for e in named)  # the executor named before it was done


async def test_every_demo_request_is_given_to_an_executor_of_its_house(db):
    """The demo gave half its requests to executors of other houses: they could not see them, and the dispatcher's
    list named them «не работает в доме заявки»."""
    from portal.accounts.tables import StaffHouse

    ctx = DemoContext(rng=random.Random(20261202), today=date(2026, 12, 2))
    await housing_demo.seed(ctx)
    await demo.seed(ctx)
    serving = {(r["user"], r["house"]) for r in await StaffHouse.select(StaffHouse.user, StaffHouse.house)}
    given = await Ticket.select(Ticket.executor, Ticket.house).where(Ticket.executor.is_not_null())
    assert len(given) > 50
    assert all((t["executor"], t["house"]) in serving for t in given), given


async def test_the_demo_resident_has_defects_filed_on_the_warranty_form_at_each_step_of_their_claim(db):
    """On the resident's house (its developer's e-mail and commissioning on record): one waits for the developer, one
    it accepted with a promised day, one it refused; each knows what is defective and was forwarded."""
    from portal.accounts import demo as accounts_demo
    from portal.core import clock

    ctx = DemoContext(rng=random.Random(20261202), today=date(2026, 12, 2))
    await housing_demo.seed(ctx)
    await accounts_demo.seed(ctx)
    await demo.seed(ctx)
    columns = (Ticket.type, Ticket.defect_kind, Ticket.internal_status, Ticket.developer_answer)
    rows = await Ticket.select(*columns, Ticket.developer_promised_on, Ticket.developer_sent_at, Ticket.account).where(
        Ticket.category == "warranty_defect"
    )
    assert sorted((r["defect_kind"], r["internal_status"], r["developer_answer"]) for r in rows) == [
        ("balcony", "", "refused"), ("walls", "developer", "accepted"), ("windows", "developer", "")
    ]  # fmt: skip
    assert all(r["type"] == "warranty" and r["developer_sent_at"] for r in rows)
    assert {r["account"] for r in rows} <= set(ctx.shared["resident_accounts"])
    [accepted] = [r for r in rows if r["developer_answer"] == "accepted"]
    assert accepted["developer_promised_on"] == clock.local(ctx.now).date() + demo.DEVELOPER_FIXES_IN
    # The made-up developers' letters go to a reserved domain no resolver answers (RFC 6761): nothing real is mailed.
    letters = await OutboxMessage.select(OutboxMessage.recipient).where(
        OutboxMessage.template == "tickets/developer_claim"
    )
    assert len(letters) == 3 and all(r["recipient"].endswith(".invalid") for r in letters), letters
