"""«Завершить обход» pressed twice at the same moment (a double click on a slow phone), each on a connection of its
own, on a database where everything is committed: one completion files the remarks' requests, the other is told
the round is completed and files nothing — on either engine."""

from __future__ import annotations

import asyncio
from datetime import datetime
from zoneinfo import ZoneInfo

from portal.accounts.principal import load_principal_for
from portal.core.web import Refused
from portal.inspections import actions
from portal.inspections import queries
from portal.inspections.forms import Answer
from portal.inspections.forms import NewRound
from portal.inspections.rules import RoundKind
from portal.inspections.rules import Verdict
from portal.tickets.tables import Ticket
from tests.meetings.test_code_race import committed_url  # noqa: F401 - the fixtures of a committed database
from tests.meetings.test_code_race import db  # noqa: F401

NOW = datetime(2026, 12, 6, 10, 0, tzinfo=ZoneInfo("Europe/Simferopol"))


async def test_two_completions_at_once_file_each_remark_once(db, walk):  # noqa: F811
    comendant = await load_principal_for(walk.user)
    round_id = await actions.start_round(comendant, NewRound(walk.house, RoundKind.CURRENT), NOW)
    round_ = await queries.round_for_staff(comendant, round_id)
    for name in ("door", "roof"):
        point = await queries.point(walk.points[name])
        remark = Answer(Verdict.REMARK, f"Замечание: {name}", None, None, no_request=False)
        await actions.answer_point(comendant, round_, point, remark, (), NOW)
    answers = await asyncio.gather(
        *(actions.complete_round(comendant, round_, NOW) for _ in range(2)), return_exceptions=True
    )
    assert sum(isinstance(a, Refused) for a in answers) == 1, answers
    assert [len(a) for a in answers if isinstance(a, list)] == [2]
    assert await Ticket.count().where(Ticket.house == walk.house) == 2
