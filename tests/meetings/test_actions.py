"""Voting, paper ballots and moderation on both engines, without HTTP: the house of DOMAIN.md §1.9."""

from __future__ import annotations

import json
from datetime import timedelta
from fractions import Fraction

import pytest

from portal.core import clock
from portal.core.db import atomic
from portal.core.i18n import format_day
from portal.core.storage import StoredFile
from portal.core.tables import AuditEvent
from portal.core.tables import OutboxMessage
from portal.core.web import Refused
from portal.meetings import actions
from portal.meetings import queries
from portal.meetings import rules
from portal.meetings.tables import Ballot
from portal.meetings.tables import BallotStatus
from portal.meetings.tables import OwnerLink
from portal.meetings.tables import RegisterEntry

SCAN = StoredFile(key="2026/12/" + "s" * 32 + ".pdf", content_type="application/pdf", size=10, width=0, height=0)
SNILS = "112-233-445 95"  # as written on a natural person's paper ballot (Приказ № 266/пр)


async def _owner_user(make_user, house, name: str, account: str, role: str = "owner") -> int:
    user = await make_user(name=f"Житель {name}", accounts={house.accounts[account]: role})
    if role == "owner":
        await OwnerLink(user=user, owner=house.owners[name]).save()
    return user


async def _vote(principal, meeting, choice=rules.Choice.FOR) -> int:
    lines = await queries.voter_lines(principal, meeting.id)
    for line in lines:
        await actions.save_answers(principal, meeting, line.id, {i.id: choice for i in meeting.items})
    await actions.send_code(principal, meeting)
    code = await _code_from_outbox(principal.user_id)
    return (await actions.confirm(principal, meeting, code)).locked


async def _code_from_outbox(user_id: int) -> str:
    row = (
        await OutboxMessage.select(OutboxMessage.subject, OutboxMessage.body)
        .where((OutboxMessage.user_id == user_id) & (OutboxMessage.template == "meetings/code"))
        .order_by(OutboxMessage.id, ascending=False)
        .first()
    )
    assert row is not None, "no code was queued"
    return row["subject"].rsplit(" ", 1)[1]


async def test_the_register_is_fixed_with_exact_votes_and_joint_owners_once(db, example_house, make_meeting):
    house = await example_house()
    meeting = await queries.meeting_for_staff(await _admin(), await make_meeting(house.house))
    assert meeting.total == 350
    lines = {line.owner_name[-1]: line for line in await queries.register_of(meeting.id)}
    assert lines["F"].weight == Fraction(91, 2) and lines["B"].weight == 35
    assert lines["D"].group == lines["E"].group
    assert (
        rules.registered_votes(
            rules.RegisterLine(x.ownership_id, x.owner_id, 0, x.weight, x.group) for x in lines.values()
        )
        == 350
    )


async def _admin():
    from portal.core.security import Principal

    return Principal(user_id=None, name="Админ", staff_roles=frozenset({"admin"}), house_ids=None)


async def _paper_ballots(house, meeting_id: int, owners: str) -> list[int]:
    """Paper ballots of the example house's ``owners`` (their letters), each «for» every question, entered by an
    administrator now: their ids."""
    meeting = await queries.meeting_for_staff(await _admin(), meeting_id)
    register = {x.ownership_id: x for x in await queries.register_of(meeting_id)}
    answers = {i.id: "for" for i in meeting.items}
    return [
        await actions.enter_paper(
            await _admin(), meeting, register[house.ownerships[x]].id, "", clock.now(), answers, SCAN, SNILS
        )
        for x in owners
    ]


async def test_an_owner_votes_confirms_with_the_code_and_a_second_ballot_is_refused(
    db, example_house, make_meeting, make_user, principal_of_user
):
    house = await example_house()
    meeting = await queries.meeting_for_staff(await _admin(), await make_meeting(house.house))
    owner = await principal_of_user(await _owner_user(make_user, house, "A", "1"))
    assert await _vote(owner, meeting) == 1
    (line,) = await queries.voter_lines(owner, meeting.id)
    assert line.locked and line.ballot_status == BallotStatus.ACCEPTED
    with pytest.raises(Refused):
        await actions.save_answers(owner, meeting, line.id, {i.id: rules.Choice.AGAINST for i in meeting.items})
    # the database refuses a second electronic ballot for the ownership, whatever the code path
    with pytest.raises(Exception):  # noqa: B017 (the engines raise their own integrity errors)
        async with atomic():
            await Ballot(
                meeting=meeting.id, entry=line.id, source="electronic", electronic_key=f"{meeting.id}:{line.id}"
            ).save()
    outcome = await queries.outcome(meeting)
    assert outcome.participating == 50 and outcome.questions[0].votes_for == 50


async def test_a_wrong_code_confirms_nothing(db, example_house, make_meeting, make_user, principal_of_user):
    meeting, owner = await _owner_with_answers(example_house, make_meeting, make_user, principal_of_user)
    await actions.send_code(owner, meeting)
    code = await _code_from_outbox(owner.user_id)
    with pytest.raises(Refused):
        await actions.confirm(owner, meeting, f"{(int(code) + 1) % 10**6:06d}")
    assert (await queries.outcome(meeting)).participating == 0


async def test_a_vote_after_the_period_is_refused(db, example_house, make_meeting, make_user, principal_of_user):
    house = await example_house()
    meeting = await queries.meeting_for_staff(await _admin(), await make_meeting(house.house, days_left=-1))
    assert meeting.stage == rules.Stage.COUNTING
    owner = await principal_of_user(await _owner_user(make_user, house, "A", "1"))
    (line,) = await queries.voter_lines(owner, meeting.id)
    with pytest.raises(Refused):
        await actions.save_answers(owner, meeting, line.id, {i.id: rules.Choice.FOR for i in meeting.items})
    assert not await Ballot.exists().where(Ballot.meeting == meeting.id)


async def test_a_code_sent_in_time_does_not_confirm_after_the_period(
    db, example_house, make_meeting, make_user, principal_of_user
):
    house = await example_house()
    meeting_id = await make_meeting(house.house)
    meeting = await queries.meeting_for_staff(await _admin(), meeting_id)
    owner = await principal_of_user(await _owner_user(make_user, house, "A", "1"))
    (line,) = await queries.voter_lines(owner, meeting.id)
    await actions.save_answers(owner, meeting, line.id, {i.id: rules.Choice.FOR for i in meeting.items})
    await actions.send_code(owner, meeting)
    code = await _code_from_outbox(owner.user_id)
    meeting.voting_ends_at = clock.now() - timedelta(seconds=1)  # the period ended while the e-mail travelled
    with pytest.raises(Refused):
        await actions.confirm(owner, meeting, code)
    assert (await queries.outcome(meeting)).participating == 0


async def test_a_tenant_and_a_family_member_cannot_vote(db, example_house, make_meeting, make_user, principal_of_user):
    house = await example_house()
    meeting = await queries.meeting_for_staff(await _admin(), await make_meeting(house.house))
    entry = (
        await RegisterEntry.select(RegisterEntry.id)
        .where((RegisterEntry.meeting == meeting.id) & (RegisterEntry.ownership == house.ownerships["A"]))
        .first()
    )
    for role in ("tenant", "family"):
        user = await make_user(accounts={house.accounts["1"]: role}, rights=("view", "pay", "meters", "tickets"))
        resident = await principal_of_user(user)
        assert await queries.voter_lines(resident, meeting.id) == []
        # they see the meeting (it is their house) but may not vote on the owner's line
        assert (await queries.meeting_for_resident(resident, meeting.id)).id == meeting.id
        with pytest.raises(Refused):
            await actions.save_answers(resident, meeting, entry["id"], {i.id: rules.Choice.FOR for i in meeting.items})
    assert not await Ballot.exists().where(Ballot.meeting == meeting.id)


async def test_an_owner_of_two_premises_votes_for_each_and_co_owners_vote_their_share(
    db, example_house, make_meeting, make_user, principal_of_user
):
    from portal.housing.tables import Ownership

    house = await example_house()
    # A also owns the non-residential premise's neighbour: a second ownership in the same house
    await Ownership(premise=house.premises["4"], owner=house.owners["A"], share_numerator=1, share_denominator=2).save()
    await Ownership.update({Ownership.share_numerator: 1, Ownership.share_denominator: 2}).where(
        Ownership.id == house.ownerships["F"]
    )
    meeting = await queries.meeting_for_staff(await _admin(), await make_meeting(house.house))
    a = await principal_of_user(await _owner_user(make_user, house, "A", "1"))
    b = await principal_of_user(await _owner_user(make_user, house, "B", "2"))
    assert len(await queries.voter_lines(a, meeting.id)) == 2
    assert await _vote(a, meeting) == 2
    assert await _vote(b, meeting, rules.Choice.AGAINST) == 1
    outcome = await queries.outcome(meeting)
    assert outcome.participating == 50 + Fraction(91, 4) + 35
    assert outcome.questions[0].votes_for == 50 + Fraction(91, 4)
    assert outcome.questions[0].against == 35


async def test_a_paper_ballot_of_an_ownership_that_voted_electronically_is_flagged_and_counted_once(
    db, example_house, make_meeting, make_user, principal_of_user
):
    house = await example_house()
    meeting = await queries.meeting_for_staff(await _admin(), await make_meeting(house.house))
    owner = await principal_of_user(await _owner_user(make_user, house, "A", "1"))
    await _vote(owner, meeting)
    (line,) = await queries.voter_lines(owner, meeting.id)
    moderator = await principal_of_user(await make_user(roles=("moderator",), houses=(house.house,)))
    paper_id = await actions.enter_paper(
        moderator, meeting, line.id, "", clock.now(), {i.id: rules.Choice.AGAINST for i in meeting.items}, SCAN, SNILS
    )
    _, paper = await queries.ballot_for_staff(moderator, paper_id)
    assert paper.duplicate and paper.status == BallotStatus.MODERATION
    with pytest.raises(Refused):
        await actions.accept(moderator, paper)
    outcome = await queries.outcome(meeting)
    assert outcome.participating == 50 and outcome.questions[0].against == 0
    await actions.reject(moderator, paper, rules.Rejection.DUPLICATE, "")
    assert (await queries.outcome(meeting)).participating == 50
    # even if a duplicate were accepted by hand, the count takes one ballot per ownership
    await Ballot.update({Ballot.status: BallotStatus.ACCEPTED}).where(Ballot.id == paper_id)
    outcome = await queries.outcome(meeting)
    assert outcome.participating == 50 and outcome.questions[0].votes_for == 50


async def test_the_moderator_accepts_one_paper_ballot_and_rejects_another_with_a_reason(
    db, example_house, make_meeting, make_user, principal_of_user
):
    house = await example_house()
    meeting = await queries.meeting_for_staff(await _admin(), await make_meeting(house.house))
    register = {line.ownership_id: line for line in await queries.register_of(meeting.id)}
    moderator = await principal_of_user(await make_user(roles=("moderator",), houses=(house.house,)))
    answers = {meeting.items[0].id: rules.Choice.FOR, meeting.items[1].id: None}  # Q2 marked twice
    g = await actions.enter_paper(
        moderator, meeting, register[house.ownerships["G"]].id, "", clock.now(), answers, SCAN
    )
    f = await actions.enter_paper(
        moderator, meeting, register[house.ownerships["F"]].id, "", clock.now(), answers, SCAN, SNILS
    )
    assert (await queries.outcome(meeting)).participating == 0  # nothing counts before moderation
    await actions.accept(moderator, (await queries.ballot_for_staff(moderator, g))[1])
    await actions.reject(
        moderator, (await queries.ballot_for_staff(moderator, f))[1], rules.Rejection.UNSIGNED, "нет подписи"
    )
    outcome = await queries.outcome(meeting)
    assert outcome.participating == Fraction("124.5")
    assert outcome.questions[0].votes_for == Fraction("124.5")
    assert outcome.questions[1].invalid == Fraction("124.5") and outcome.questions[1].votes_for == 0
    events = await AuditEvent.select(
        AuditEvent.action, AuditEvent.entity_id, AuditEvent.actor_id, AuditEvent.changes
    ).where(AuditEvent.action.is_in(["ballot.accept", "ballot.reject"]))
    by_action = {e["action"]: e for e in events}
    assert by_action["ballot.accept"]["entity_id"] == g
    assert by_action["ballot.reject"]["entity_id"] == f
    assert by_action["ballot.reject"]["actor_id"] == moderator.user_id
    changes = by_action["ballot.reject"]["changes"]
    assert (json.loads(changes) if isinstance(changes, str) else changes)["rejection"] == "unsigned"
    with pytest.raises(Refused):  # a decision is final
        await actions.accept(moderator, (await queries.ballot_for_staff(moderator, f))[1])


async def test_a_late_paper_ballot_is_flagged_and_cannot_be_accepted(
    db, example_house, make_meeting, make_user, principal_of_user
):
    house = await example_house()
    meeting = await queries.meeting_for_staff(await _admin(), await make_meeting(house.house, days_left=-1))
    register = {line.ownership_id: line for line in await queries.register_of(meeting.id)}
    moderator = await principal_of_user(await make_user(roles=("moderator",), houses=(house.house,)))
    late = meeting.voting_ends_at + timedelta(minutes=1)
    ballot_id = await actions.enter_paper(
        moderator,
        meeting,
        register[house.ownerships["G"]].id,
        "",
        late,
        {i.id: rules.Choice.FOR for i in meeting.items},
        SCAN,
    )
    _, row = await queries.ballot_for_staff(moderator, ballot_id)
    assert row.late
    with pytest.raises(Refused):
        await actions.accept(moderator, row)


async def test_staff_of_another_house_do_not_see_the_meeting(
    db, example_house, make_meeting, make_user, principal_of_user
):
    from litestar.exceptions import NotFoundException

    house = await example_house()
    other = await example_house()
    meeting_id = await make_meeting(house.house)
    outsider = await principal_of_user(await make_user(roles=("moderator",), houses=(other.house,)))
    with pytest.raises(NotFoundException):
        await queries.meeting_for_staff(outsider, meeting_id)
    stranger = await principal_of_user(await make_user(accounts={other.accounts["1"]: "owner"}))
    with pytest.raises(NotFoundException):
        await queries.meeting_for_resident(stranger, meeting_id)


async def test_an_initiative_reaches_ten_per_cent(db, example_house, make_user, principal_of_user):
    house = await example_house()
    f = await principal_of_user(await _owner_user(make_user, house, "F", "4"))  # 45.5 of 350 = 13 %
    a = await principal_of_user(await _owner_user(make_user, house, "A", "1"))
    b = await principal_of_user(await _owner_user(make_user, house, "B", "2"))
    before = clock.today_local()
    initiative_id = await actions.start_initiative(b, house.house, "Сменить УК", "1. Выбрать УК")
    view = await queries.initiative_for_resident(b, initiative_id)
    assert view.support == 35 and view.total == 350  # exactly 10 %: "at least 10 %" is reached
    assert view.status == "reached" and view.reached_on in {before, clock.today_local()}  # midnight may pass
    await actions.support(a, view)
    view = await queries.initiative_for_resident(a, initiative_id)
    assert view.support == 85
    assert view.deadline == view.reached_on + timedelta(days=45)
    await actions.support(a, view)  # supporting twice changes nothing
    assert (await queries.initiative_for_resident(f, initiative_id)).support == 85
    tenant = await principal_of_user(await make_user(accounts={house.accounts["4"]: "tenant"}))
    with pytest.raises(Refused):
        await actions.support(tenant, view)


async def test_a_wrong_code_says_the_attempts_left_and_the_last_one_kills_the_code(
    db, example_house, make_meeting, make_user, principal_of_user
):
    """A wrong code said only «try again», five times, and the sixth try said «the code has expired»: the owner now
    learns how many attempts are left, that the last one killed the code, and why the right code no longer works."""
    from portal.core.i18n import set_locale

    set_locale("ru")
    meeting, owner = await _owner_with_answers(example_house, make_meeting, make_user, principal_of_user)
    await actions.send_code(owner, meeting)
    code = await _code_from_outbox(owner.user_id)
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    said = []
    for _ in range(actions.CODE_ATTEMPTS - 1):
        with pytest.raises(actions.WrongCode) as refused:
            await actions.confirm(owner, meeting, wrong)
        said.append(refused.value.message.rsplit(": ", 1)[1])
    assert said == ["осталось 4 попытки.", "осталось 3 попытки.", "осталось 2 попытки.", "осталась 1 попытка."]
    with pytest.raises(Refused) as last:
        await actions.confirm(owner, meeting, wrong)
    assert not isinstance(last.value, actions.WrongCode)  # no field to type into any more: a new code is offered
    assert "это была последняя попытка" in last.value.message
    assert not await actions.code_waiting(owner, meeting.id)
    with pytest.raises(Refused) as dead:
        await actions.confirm(owner, meeting, code)
    assert dead.value.message == "Код введён неверно 5 раз и больше не действует. Запросите новый."
    assert (await queries.outcome(meeting)).participating == 0


async def test_new_codes_are_limited_per_hour_and_the_owner_is_told_when_to_ask_again(
    db, example_house, make_meeting, make_user, principal_of_user
):
    """Five guesses per code, and a new code at every click, allowed guessing without end."""
    from portal.core.i18n import set_locale
    from portal.meetings.tables import BallotCode

    set_locale("ru")
    meeting, owner = await _owner_with_answers(example_house, make_meeting, make_user, principal_of_user)
    for _ in range(actions.CODES_PER_HOUR):
        await actions.send_code(owner, meeting)
    with pytest.raises(Refused) as refused:
        await actions.send_code(owner, meeting)
    assert refused.value.message.startswith("Вы запросили 5 кодов за час. Новый код можно получить после ")
    assert await BallotCode.count().where(BallotCode.user == owner.user_id) == actions.CODES_PER_HOUR
    first = (
        await BallotCode.select(BallotCode.id).where(BallotCode.user == owner.user_id).order_by(BallotCode.id).first()
    )
    hour_ago = clock.now() - timedelta(hours=1, minutes=1)
    await BallotCode.update({BallotCode.created_at: hour_ago}).where(BallotCode.id == first["id"])
    await actions.send_code(owner, meeting)  # the oldest of the five is an hour old: one more may go
    code = await _code_from_outbox(owner.user_id)
    assert (await actions.confirm(owner, meeting, code)).locked == 1


async def _owner_with_answers(example_house, make_meeting, make_user, principal_of_user):
    """A meeting of the example house and its owner A, whose answers wait for the code."""
    house = await example_house()
    meeting = await queries.meeting_for_staff(await _admin(), await make_meeting(house.house))
    owner = await principal_of_user(await _owner_user(make_user, house, "A", "1"))
    (line,) = await queries.voter_lines(owner, meeting.id)
    await actions.save_answers(owner, meeting, line.id, {i.id: rules.Choice.FOR for i in meeting.items})
    return meeting, owner


async def test_a_code_typed_after_the_owners_paper_ballot_was_accepted_is_refused_saying_so(
    db, example_house, make_meeting, make_user, principal_of_user
):
    """ЖК ст. 48: one decision per ownership, the first received counts, whatever its channel. The owner asked for a
    code, then handed in a paper ballot that was entered and accepted. Typing the code said «your paper ballot was
    received first» and spent the code; it now refuses, saying when the paper was accepted, and writes nothing: the
    code is not spent, the answers typed stay saved."""
    from portal.core.i18n import set_locale
    from portal.meetings.tables import BallotCode
    from portal.meetings.tables import Vote

    set_locale("ru")
    house = await example_house()
    meeting = await queries.meeting_for_staff(await _admin(), await make_meeting(house.house))
    owner = await principal_of_user(await _owner_user(make_user, house, "A", "1"))
    (line,) = await queries.voter_lines(owner, meeting.id)
    draft = await actions.save_answers(owner, meeting, line.id, {i.id: rules.Choice.AGAINST for i in meeting.items})
    await actions.send_code(owner, meeting)
    code = await _code_from_outbox(owner.user_id)
    (paper,) = await _paper_ballots(house, meeting.id, "A")
    await actions.accept(await _admin(), (await queries.ballots_of(meeting.id, statuses=[BallotStatus.MODERATION]))[0])
    with pytest.raises(Refused) as refused:
        await actions.confirm(owner, meeting, code)
    day = format_day(clock.now(), "day_month")
    assert refused.value.message == f"По этой собственности (кв. 1) уже учтено бумажное решение, принятое {day}."
    accepted = await Ballot.select(Ballot.id).where(
        (Ballot.entry == line.id) & (Ballot.status == BallotStatus.ACCEPTED)
    )
    assert [b["id"] for b in accepted] == [paper]
    assert (await queries.outcome(meeting)).questions[0].votes_for == 50  # the paper «for», not the draft «against»
    kept = await Ballot.select(Ballot.status).where(Ballot.id == draft).first()
    assert kept["status"] == BallotStatus.DRAFT and await Vote.count().where(Vote.ballot == draft) == len(meeting.items)
    assert await BallotCode.count().where(BallotCode.used_at.is_null() & (BallotCode.attempts == 0)) == 1


async def test_a_code_typed_while_the_owners_paper_ballot_is_being_checked_is_refused_saying_so(
    db, example_house, make_meeting, make_user, principal_of_user
):
    """The paper ballot handed in after the code was sent waits for the moderator: received first, it is the
    decision of the ownership (rejected, it would keep nothing out). The code says so and confirms nothing."""
    from portal.core.i18n import set_locale

    set_locale("ru")
    meeting, owner = await _owner_with_answers(example_house, make_meeting, make_user, principal_of_user)
    await actions.send_code(owner, meeting)
    code = await _code_from_outbox(owner.user_id)
    house_id = meeting.house_id
    (line,) = await queries.voter_lines(owner, meeting.id)
    paper = await actions.enter_paper(
        await _admin(), meeting, line.id, "", clock.now(), {i.id: "for" for i in meeting.items}, SCAN, SNILS
    )
    with pytest.raises(Refused) as refused:
        await actions.confirm(owner, meeting, code)
    day = format_day(clock.now(), "day_month")
    assert refused.value.message == (
        f"По этой собственности (кв. 1) {day} получено бумажное решение, оно на проверке: учитывается решение, "
        "полученное первым."
    )
    assert not await Ballot.exists().where((Ballot.meeting == meeting.id) & (Ballot.status == BallotStatus.ACCEPTED))
    # rejected, the paper keeps nothing out: the same code now confirms the answers typed in the portal
    moderator = await principal_of_user(await make_user(roles=("moderator",), houses=(house_id,)))
    await actions.reject(moderator, (await queries.ballot_for_staff(moderator, paper))[1], rules.Rejection.UNSIGNED, "")
    assert await actions.confirm(owner, meeting, code) == actions.Confirmed(1)


async def test_a_code_for_two_premises_confirms_the_one_without_a_paper_ballot_and_says_why_not_the_other(
    db, example_house, make_meeting, make_user, principal_of_user
):
    """An owner of flat 1 and half of flat 4 answered for both and asked for a code; flat 1's paper ballot was
    accepted meanwhile. The code confirms flat 4's answers, and says flat 1's decision is the paper one."""
    from portal.core.i18n import set_locale
    from portal.housing.tables import Ownership

    set_locale("ru")
    house = await example_house()
    await Ownership(premise=house.premises["4"], owner=house.owners["A"], share_numerator=1, share_denominator=2).save()
    await Ownership.update({Ownership.share_numerator: 1, Ownership.share_denominator: 2}).where(
        Ownership.id == house.ownerships["F"]
    )
    meeting = await queries.meeting_for_staff(await _admin(), await make_meeting(house.house))
    owner = await principal_of_user(await _owner_user(make_user, house, "A", "1"))
    for line in await queries.voter_lines(owner, meeting.id):
        await actions.save_answers(owner, meeting, line.id, {i.id: rules.Choice.AGAINST for i in meeting.items})
    await actions.send_code(owner, meeting)
    code = await _code_from_outbox(owner.user_id)
    (paper,) = await _paper_ballots(house, meeting.id, "A")
    await actions.accept(await _admin(), (await queries.ballot_for_staff(await _admin(), paper))[1])
    day = format_day(clock.now(), "day_month")
    assert await actions.confirm(owner, meeting, code) == actions.Confirmed(
        1, [f"По этой собственности (кв. 1) уже учтено бумажное решение, принятое {day}."]
    )
    outcome = await queries.outcome(meeting)
    assert outcome.questions[0].votes_for == 50 and outcome.questions[0].against == Fraction(91, 4)


async def test_a_guess_that_read_the_code_alive_is_not_compared_once_its_attempts_are_spent(
    db, example_house, make_meeting, make_user, principal_of_user, monkeypatch
):
    """Guesses sent all at once (SECURITY.md: brute force) each read the code alive before any was counted: the
    count in one statement with the comparison's condition refuses the guesses past the fifth, even the right code."""
    meeting, owner = await _owner_with_answers(example_house, make_meeting, make_user, principal_of_user)
    await actions.send_code(owner, meeting)
    code = await _code_from_outbox(owner.user_id)
    alive = await actions._waiting_code(owner, meeting.id)  # as a request of the burst read it
    for _ in range(actions.CODE_ATTEMPTS):
        with pytest.raises(Refused):
            await actions.confirm(owner, meeting, f"{(int(code) + 1) % 10**6:06d}")

    async def read_before_the_others(principal, meeting_id):
        return alive

    monkeypatch.setattr(actions, "_waiting_code", read_before_the_others)
    with pytest.raises(Refused) as refused:
        await actions.confirm(owner, meeting, code)
    assert not isinstance(refused.value, actions.WrongCode)
    assert (await queries.outcome(meeting)).participating == 0


async def test_another_owners_wrong_codes_do_not_kill_this_owners_code(
    db, example_house, make_meeting, make_user, principal_of_user
):
    """Attempts are counted on the code of the person typing: a neighbour's wrong guesses in the same meeting cannot
    lock out an owner's code."""
    meeting, owner = await _owner_with_answers(example_house, make_meeting, make_user, principal_of_user)
    house = await example_house()
    neighbour = await principal_of_user(await _owner_user(make_user, house, "B", "2"))
    await actions.send_code(owner, meeting)
    code = await _code_from_outbox(owner.user_id)
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    for _ in range(actions.CODE_ATTEMPTS + 1):
        with pytest.raises(Refused):
            await actions.confirm(neighbour, meeting, wrong)
    assert (await actions.confirm(owner, meeting, code)).locked == 1
