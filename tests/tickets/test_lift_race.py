"""Two residents of one entrance press «Забронировать» for the same slot at the same moment, each on a connection of
its own, on a database where everything is committed (as two people on the server): one booking holds the slot,
the other is refused at its field and nothing of it is kept — on either engine."""

from __future__ import annotations

import asyncio
from datetime import date
from datetime import datetime
from zoneinfo import ZoneInfo

from portal.accounts.principal import load_principal_for
from portal.tickets import actions
from portal.tickets import forms
from portal.tickets.tables import LiftBooking
from portal.tickets.tables import Ticket
from portal.tickets.tables import TicketCounter
from tests.meetings.test_code_race import committed_url  # noqa: F401 - the fixtures of a committed database
from tests.meetings.test_code_race import db  # noqa: F401

NOW = datetime(2026, 9, 10, 9, 30, tzinfo=ZoneInfo("Europe/Simferopol"))


async def test_two_residents_pressing_at_once_cannot_both_book_one_slot(db, make_user, make_account):  # noqa: F811
    await TicketCounter.insert(TicketCounter(id=1, value=100))  # a company's requests are numbered already
    first = await make_account()
    second = await make_account(house=first.house, entrance=first.entrance)
    people = []
    for place in (first, second):
        user = await make_user(accounts={place.account: "owner"}, rights=("view", "tickets"))
        people.append((await load_principal_for(user), place))
    drafts = [
        forms.LiftBookingDraft(place.account, place.entrance, date(2026, 9, 11), 10, 2, "moving_in", "+79781112233")
        for _, place in people
    ]
    answers = await asyncio.gather(
        *(actions.book_lift(principal, draft, (), NOW) for (principal, _), draft in zip(people, drafts, strict=True)),
        return_exceptions=True,
    )
    refused = [a for a in answers if isinstance(a, forms.FieldRefused)]
    assert len(refused) == 1 and refused[0].name == "hour", answers
    assert await LiftBooking.count().where(LiftBooking.held.is_not_null()) == 1
    assert await Ticket.count().where(Ticket.category == "lift_booking") == 1  # the refused one left nothing
