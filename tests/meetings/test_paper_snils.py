"""The СНИЛС written on a paper ballot (Приказ № 266/пр, DOMAIN.md §1.6) is entered with it: required of a natural
person under 266/пр, checked, kept with the ballot's record, shown to staff masked but for its last four digits, and
never written into the audit. None is kept where the decision carries none (44/пр, an organisation), whatever the
caller says the meeting asks: the action decides from the meeting and its owner."""

from __future__ import annotations

import re
from datetime import date

import pytest

from portal.core import clock
from portal.core import storage
from portal.core.tables import AuditEvent
from portal.meetings import actions
from portal.meetings import queries
from portal.meetings import rules
from portal.meetings.tables import Ballot
from portal.meetings.tables import Meeting
from tests.meetings.test_actions import SCAN
from tests.meetings.test_actions import _admin
from tests.meetings.test_paper_entry import PDF


async def test_the_snils_on_a_paper_ballot_is_checked_kept_and_shown_masked(client, paper_desk):
    desk = await paper_desk()
    meeting_id, meeting, entry, url, now = desk.meeting_id, desk.meeting, desk.entry, desk.url, desk.now
    typed = {
        "entry": str(entry),
        "received_at": now,
        "snils": "112-233-445 96",
        **{f"q{i.id}": "for" for i in meeting.items},
    }
    scan = [("scan", ("ballot.pdf", PDF, "application/pdf"))]

    refused = await client.form(url, typed, files=scan)
    assert refused.status_code == 422
    assert "Это не СНИЛС: 11\u00a0цифр, последние две — контрольное число." in refused.text
    assert re.search(r'<input id="f-snils" name="snils"[^>]*value="112-233-445 96"', refused.text)
    assert await Ballot.count().where(Ballot.meeting == meeting_id) == 0

    typed["snils"] = "112-233-445 95"
    assert (await client.form(url, typed, files=scan)).status_code == 303
    row = await Ballot.select(Ballot.id, Ballot.snils).where(Ballot.meeting == meeting_id).first()
    assert row["snils"] == "11223344595"
    page = (await client.get(f"/staff/meetings/{meeting_id}/moderation")).text
    assert "СНИЛС •••-•••-•45 95" in page and "112-233" not in page and "1122334" not in page
    audit = await AuditEvent.select().where((AuditEvent.entity == "ballot") & (AuditEvent.entity_id == row["id"]))
    assert audit and "1122334" not in str(audit) and "112-233" not in str(audit)

    # none written on a natural person's ballot: refused at the field, what was typed kept, nothing stored
    typed["snils"] = ""
    stored = len(list(storage.root().rglob("*.pdf")))
    missing = await client.form(url, typed, files=scan)
    assert missing.status_code == 422
    assert len(list(storage.root().rglob("*.pdf"))) == stored  # its scan not kept
    said = re.search(r'id="e-snils"[^>]*>(.*?)</p>', missing.text, re.S)
    assert said and "Укажите СНИЛС, написанный в решении" in said.group(1), missing.text[:3000]
    assert re.search(rf'value="{entry}" required checked>', missing.text)
    assert await Ballot.count().where(Ballot.meeting == meeting_id) == 1
    # an organisation's ballot carries none
    register = {line.owner_id: line for line in await queries.register_of(meeting_id)}
    typed["entry"] = str(register[desk.house.owners["G"]].id)
    assert (await client.form(url, typed, files=scan)).status_code == 303
    rows = await Ballot.select(Ballot.snils).where(Ballot.meeting == meeting_id).order_by(Ballot.id)
    assert [r["snils"] for r in rows] == ["11223344595", ""]


async def test_the_snils_field_is_asked_only_where_the_meetings_order_has_it_on_the_ballots(
    client, login, make_user, example_house, make_meeting
):
    house = await example_house()
    meeting_id = await make_meeting(house.house)
    await login(client, await make_user(roles=("moderator",), houses=(house.house,)))
    url = f"/staff/meetings/{meeting_id}/paper"
    assert 'name="snils"' in (await client.get(url)).text  # 266/пр

    await Meeting.update({Meeting.starts_on: date(2025, 8, 31)}).where(Meeting.id == meeting_id)  # 44/пр
    page = (await client.get(url)).text
    assert 'name="voter_name"' in page and 'name="snils"' not in page and "СНИЛС" not in page


async def test_a_snils_posted_for_a_44_pr_meeting_is_not_kept(client, login, make_user, example_house, make_meeting):
    # An old open form or a crafted request: the order of the meeting (44/пр) asks no СНИЛС, so none is stored —
    # and one not even a СНИЛС refuses nothing, its field being no part of the form.
    house = await example_house()
    meeting_id = await make_meeting(house.house)
    await Meeting.update({Meeting.starts_on: date(2025, 8, 31)}).where(Meeting.id == meeting_id)  # 44/пр
    meeting = await queries.meeting_for_staff(await _admin(), meeting_id)
    entry = (await queries.register_of(meeting_id))[0].id
    await login(client, await make_user(roles=("moderator",), houses=(house.house,)))
    url = f"/staff/meetings/{meeting_id}/paper"
    now = clock.now().astimezone(clock.zone()).strftime("%Y-%m-%dT%H:%M")
    typed = {"entry": str(entry), "received_at": now, **{f"q{i.id}": "for" for i in meeting.items}}
    scan = [("scan", ("ballot.pdf", PDF, "application/pdf"))]

    assert (await client.form(url, {**typed, "snils": "112-233-445 95"}, files=scan)).status_code == 303
    assert await Ballot.select(Ballot.snils).where(Ballot.meeting == meeting_id).output(as_list=True) == [""]
    assert (await client.form(url, {**typed, "snils": "112-233-445 96"}, files=scan)).status_code == 303
    assert await Ballot.count().where((Ballot.meeting == meeting_id) & (Ballot.snils == "")) == 2


@pytest.mark.parametrize(
    ("order_day", "owner", "told", "kept"),
    [
        (date(2025, 8, 31), "A", "112-233-445 95", ""),  # 44/пр: a СНИЛС the caller sent is not kept
        (date(2025, 8, 31), "A", "112-233-445 96", ""),  # nor refused, not even a СНИЛС: nothing asks for it
        (date(2025, 9, 1), "G", "112-233-445 95", ""),  # 266/пр, an organisation: named by its ОГРН
        (date(2025, 9, 1), "A", " 112-233-445 95 ", "11223344595"),  # 266/пр, a natural person: kept as digits
    ],
    ids=["44-pr sent", "44-pr not a snils", "266-pr organisation", "266-pr person"],
)
async def test_the_action_keeps_a_snils_only_where_the_meeting_and_its_owner_have_one(
    db, example_house, make_meeting, order_day, owner, told, kept
):
    ballot_id = await _enter(example_house, make_meeting, order_day, owner, told)
    assert await Ballot.select(Ballot.snils).where(Ballot.id == ballot_id).output(as_list=True) == [kept]


@pytest.mark.parametrize("told", ["", "112-233-445 96"], ids=["none", "not a snils"])
async def test_the_action_refuses_a_natural_persons_ballot_without_a_snils_under_266(
    db, example_house, make_meeting, told
):
    # The caller believed the meeting asks for none (a form of the old order left open, a wrong flag): the action
    # decides from the meeting's first day and the owner, and enters nothing.
    with pytest.raises(actions.SnilsRefused):
        await _enter(example_house, make_meeting, date(2025, 9, 1), "D", told)
    assert await Ballot.count() == 0


async def _enter(example_house, make_meeting, order_day: date, owner: str, snils: str) -> int:
    """A paper ballot of the example house's ``owner`` with ``snils``, in a meeting whose first day is ``order_day``
    (the order in force then says whether its decisions carry a СНИЛС), entered through the action alone."""
    house = await example_house()
    meeting_id = await make_meeting(house.house)
    await Meeting.update({Meeting.starts_on: order_day}).where(Meeting.id == meeting_id)
    meeting = await queries.meeting_for_staff(await _admin(), meeting_id)
    (line,) = [x for x in await queries.register_of(meeting_id) if x.owner_id == house.owners[owner]]
    answers = {i.id: rules.Choice.FOR for i in meeting.items}
    return await actions.enter_paper(await _admin(), meeting, line.id, "", clock.now(), answers, SCAN, snils)
