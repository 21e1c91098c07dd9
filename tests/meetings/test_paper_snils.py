"""The СНИЛС written on a paper ballot (Приказ № 266/пр) is entered with it: optional, checked, kept with the ballot's
record, shown to staff masked but for its last four digits, and never written into the audit."""

from __future__ import annotations

import re

from portal.core import clock
from portal.core.tables import AuditEvent
from portal.meetings import queries
from portal.meetings.tables import Ballot
from tests.meetings.test_actions import _admin
from tests.meetings.test_paper_entry import PDF


async def test_the_snils_on_a_paper_ballot_is_checked_kept_and_shown_masked(
    client, login, make_user, example_house, make_meeting
):
    house = await example_house()
    meeting_id = await make_meeting(house.house)
    meeting = await queries.meeting_for_staff(await _admin(), meeting_id)
    entry = (await queries.register_of(meeting_id))[0].id
    await login(client, await make_user(roles=("moderator",), houses=(house.house,)))
    url = f"/staff/meetings/{meeting_id}/paper"
    now = clock.now().astimezone(clock.zone()).strftime("%Y-%m-%dT%H:%M")
    typed = {
        "entry": str(entry),
        "received_at": now,
        "snils": "112-233-445 96",
        **{f"q{i.id}": "for" for i in meeting.items},
    }
    scan = [("scan", ("ballot.pdf", PDF, "application/pdf"))]

    refused = await client.form(url, typed, files=scan)
    assert refused.status_code == 422
    assert "Это не СНИЛС: 11 цифр, последние две — контрольное число." in refused.text
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

    # none written: the field left empty is no error, and nothing is shown
    typed["snils"] = ""
    assert (await client.form(url, typed, files=scan)).status_code == 303
    rows = await Ballot.select(Ballot.snils).where(Ballot.meeting == meeting_id).order_by(Ballot.id)
    assert [r["snils"] for r in rows] == ["11223344595", ""]


async def test_the_snils_field_is_asked_only_where_the_meetings_order_has_it_on_the_ballots(
    client, login, make_user, example_house, make_meeting
):
    from datetime import date

    from portal.meetings.tables import Meeting

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
    from datetime import date

    from portal.meetings.tables import Meeting

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
