"""Codes asked for at the same moment, on a database of the test's own where everything is committed: each request
takes a connection of its own and sees what the others wrote, as two tabs of one owner do on the server."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from collections.abc import Iterator
from typing import Any

import pytest

from portal.core import clock
from portal.core.web import Refused
from portal.meetings import actions
from portal.meetings.tables import BallotCode
from tests.conftest import _RUN
from tests.conftest import POSTGRES_URL
from tests.conftest import _drop_postgres_database
from tests.conftest import _migrate
from tests.conftest import _postgres_database
from tests.conftest import missing
from tests.meetings.test_actions import _owner_with_answers


@pytest.fixture(params=["sqlite", "postgres"])
def committed_url(request: pytest.FixtureRequest) -> Iterator[str]:
    """A freshly migrated database of this module, dropped after."""
    if request.param == "sqlite":
        path = _RUN / f"race-{os.getpid()}.sqlite"
        path.unlink(missing_ok=True)
        _migrate(f"sqlite:///{path}")
        yield f"sqlite:///{path}"
        path.unlink(missing_ok=True)
        return
    url = _postgres_database(POSTGRES_URL, "race")
    if url is None:
        missing("PostgreSQL", "start it and set TEST_POSTGRES_URL")
    _migrate(url)
    yield url
    _drop_postgres_database(POSTGRES_URL, url)


@pytest.fixture
async def db(committed_url: str) -> AsyncIterator[Any]:
    """Overrides the rolled-back test transaction: what the test writes is committed, for other connections."""
    from portal.core import db as core_db

    previous = core_db.get_engine()
    engine = core_db.make_engine(committed_url)
    core_db.use_engine(engine)
    await core_db.start(engine)
    try:
        yield engine
    finally:
        await core_db.stop(engine)
        core_db.use_engine(previous)


async def test_codes_asked_for_at_once_from_several_tabs_stay_within_the_limit(
    db, example_house, make_meeting, make_user, principal_of_user
):
    """The codes were counted before the transaction that adds one: clicks at the same moment each counted the
    same few and all went through, more codes (and guesses) than the limit allows."""
    meeting, owner = await _owner_with_answers(example_house, make_meeting, make_user, principal_of_user)
    asked = 3 * actions.CODES_PER_HOUR
    answers = await asyncio.gather(*(actions.send_code(owner, meeting) for _ in range(asked)), return_exceptions=True)
    assert sum(isinstance(a, Refused) for a in answers) == asked - actions.CODES_PER_HOUR, answers
    assert await BallotCode.count().where(BallotCode.user == owner.user_id) == actions.CODES_PER_HOUR


async def test_one_code_typed_twice_at_once_confirms_once(
    db, example_house, make_meeting, make_user, principal_of_user
):
    """The code was read outside the transaction that used it, and its use did not check it was still unused: a
    double click (or two tabs) both read it waiting and both confirmed. Now one confirms, the other is told the vote
    is already received, and the ownership has one accepted ballot."""
    from portal.core.i18n import set_locale
    from portal.meetings import queries
    from portal.meetings.tables import Ballot
    from portal.meetings.tables import BallotStatus
    from tests.meetings.test_actions import _code_from_outbox

    set_locale("en")
    meeting, owner = await _owner_with_answers(example_house, make_meeting, make_user, principal_of_user)
    await actions.send_code(owner, meeting)
    code = await _code_from_outbox(owner.user_id)
    answers = await asyncio.gather(*(actions.confirm(owner, meeting, code) for _ in range(2)), return_exceptions=True)
    assert actions.Confirmed(1) in answers, answers
    (refused,) = [a for a in answers if a != actions.Confirmed(1)]
    assert isinstance(refused, Refused) and refused.message == "This code has already been used: your vote is received."
    accepted = await Ballot.count().where((Ballot.meeting == meeting.id) & (Ballot.status == BallotStatus.ACCEPTED))
    assert accepted == 1
    assert len((await queries.outcome(meeting)).counted) == 1


async def test_two_paper_ballots_of_one_ownership_accepted_at_once_count_once(db, example_house, make_meeting):
    """ЖК ст. 48: one decision per ownership. The owner's ballot and its repeat wait; two moderators accept one each
    at the same moment. Whether the ownership had a counted ballot was read outside the transaction that counts:
    both read «none» and both were counted. Now one is accepted, the other refused as a repeat."""
    from portal.core.i18n import set_locale
    from portal.meetings import queries
    from portal.meetings.tables import Ballot
    from portal.meetings.tables import BallotStatus
    from tests.meetings.test_actions import _admin
    from tests.meetings.test_actions import _paper_ballots

    set_locale("en")
    house = await example_house()
    meeting_id = await make_meeting(house.house)
    moderator = await _admin()
    owners = "ABCDEFG"  # seven ownerships, each ballot side by side with its repeat: the race met, not hoped for
    entered = await _paper_ballots(house, meeting_id, "".join(x + x for x in owners))
    waiting = [(await queries.ballot_for_staff(moderator, b))[1] for b in entered]
    answers = await asyncio.gather(*(actions.accept(moderator, b) for b in waiting), return_exceptions=True)
    refused = [a for a in answers if a is not None]
    assert len(refused) == len(owners) and all(isinstance(a, Refused) for a in refused), answers
    assert {a.message for a in refused} == {
        "This ownership already has a counted ballot: reject this one as a duplicate."
    }
    counted = await Ballot.select(Ballot.entry).where(
        (Ballot.meeting == meeting_id) & (Ballot.status == BallotStatus.ACCEPTED)
    )
    assert len({r["entry"] for r in counted}) == len(counted) == len(owners)


@pytest.mark.parametrize("committed_url", ["postgres"], indirect=True)  # SQLite's write transactions are serial
async def test_an_online_vote_and_a_paper_ballot_of_one_ownership_counted_at_once_count_once(
    db, committed_url, example_house, make_meeting, make_user, principal_of_user
):
    """ЖК ст. 48: one decision per ownership, the first received counts. The owner types the code while the office
    enters their paper ballot and a moderator accepts it. The confirmation read the ownership's paper ballots
    without the lock the moderator takes: it read «none», the paper was entered and accepted before it wrote, and
    both counted. Now the confirmation holds the register line's lock until it commits: the paper ballot waits,
    then is refused as a repeat. The meeting is made deterministic by a lock on the owner's draft that this test
    holds, so the confirmation stops between its read and its write while the paper goes its way."""
    import asyncpg

    from portal.core.i18n import set_locale
    from portal.meetings import queries
    from portal.meetings.tables import Ballot
    from portal.meetings.tables import BallotStatus
    from tests.meetings.test_actions import SCAN
    from tests.meetings.test_actions import SNILS
    from tests.meetings.test_actions import _admin
    from tests.meetings.test_actions import _code_from_outbox

    set_locale("en")
    meeting, owner = await _owner_with_answers(example_house, make_meeting, make_user, principal_of_user)
    await actions.send_code(owner, meeting)
    code = await _code_from_outbox(owner.user_id)
    (line,) = await queries.voter_lines(owner, meeting.id)
    assert Ballot._meta.tablename == "ballot"

    async def on_paper() -> None:
        answers = {i.id: "for" for i in meeting.items}
        paper = await actions.enter_paper(await _admin(), meeting, line.id, "", clock.now(), answers, SCAN, SNILS)
        await actions.accept(await _admin(), (await queries.ballot_for_staff(await _admin(), paper))[1])

    async def waiting(watch: asyncpg.Connection, sessions: int) -> None:
        """Until ``sessions`` sessions of the database wait for a lock."""
        for _ in range(500):
            query = "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = $1"
            if await watch.fetchval(query, "Lock") >= sessions:
                return
            await asyncio.sleep(0.01)
        raise AssertionError(f"{sessions} sessions never waited for a lock")

    holder, watch = await asyncpg.connect(committed_url), await asyncpg.connect(committed_url)
    try:
        hold = holder.transaction()
        await hold.start()
        await holder.execute("SELECT id FROM ballot WHERE id = $1 FOR UPDATE", line.ballot_id)
        confirming = asyncio.create_task(actions.confirm(owner, meeting, code))
        await waiting(watch, 1)  # the confirmation has read, and waits to write the draft accepted
        paper = asyncio.create_task(on_paper())
        both = asyncio.create_task(waiting(watch, 2))  # the paper waits for the confirmation, or went its way
        await asyncio.wait([paper, both], return_when=asyncio.FIRST_COMPLETED)
        both.cancel()
        await hold.rollback()
        confirmed, refused = await asyncio.gather(confirming, paper, return_exceptions=True)
    finally:
        await holder.close()
        await watch.close()
    assert confirmed == actions.Confirmed(1), confirmed
    assert isinstance(refused, Refused), refused
    assert refused.message == "This ownership already has a counted ballot: reject this one as a duplicate."
    counted = await Ballot.select(Ballot.source).where(
        (Ballot.entry == line.id) & (Ballot.status == BallotStatus.ACCEPTED)
    )
    assert [r["source"] for r in counted] == ["electronic"]
