"""Entering a paper ballot: a moment of receipt that has not come yet (a year typed wrong) is refused at the field
with everything typed kept, instead of making a ballot received in time look late, to be rejected."""

from __future__ import annotations

import re
from datetime import timedelta

from portal.core import clock
from portal.core import storage
from portal.meetings import queries
from portal.meetings.tables import Ballot
from portal.meetings.tables import Meeting
from portal.meetings.tables import MeetingStatus
from tests.meetings.test_actions import SNILS
from tests.meetings.test_actions import _admin
from tests.meetings.test_actions import _paper_ballots

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF"


async def test_a_ballot_received_in_the_future_is_refused_and_today_is_taken(
    client, login, make_user, example_house, make_meeting
):
    house = await example_house()
    meeting_id = await make_meeting(house.house)
    meeting = await queries.meeting_for_staff(await _admin(), meeting_id)
    entry = (await queries.register_of(meeting_id))[0].id
    moderator = await make_user(roles=("moderator",), houses=(house.house,))
    await login(client, moderator)
    url = f"/staff/meetings/{meeting_id}/paper"
    answers = {f"q{i.id}": "for" for i in meeting.items}
    now = clock.now().astimezone(clock.zone())
    later = (now + timedelta(days=365)).strftime("%Y-%m-%dT%H:%M")
    typed = {"entry": str(entry), "voter_name": "Иванов И. И.", "received_at": later, "snils": SNILS, **answers}

    stored = len(list(storage.root().rglob("*.pdf")))
    refused = await client.form(url, typed, files=[("scan", ("ballot.pdf", PDF, "application/pdf"))])
    assert refused.status_code == 422
    assert "Это время ещё не наступило: укажите, когда получено решение." in refused.text
    assert len(list(storage.root().rglob("*.pdf"))) == stored  # the scan sent with it not kept, as its field says
    assert re.search(rf'<input id="f-received_at" name="received_at"[^>]*value="{later}"', refused.text)
    assert re.search(rf'value="{entry}" required checked>', refused.text)
    assert await Ballot.count().where(Ballot.meeting == meeting_id) == 0

    typed["received_at"] = now.strftime("%Y-%m-%dT%H:%M")
    taken = await client.form(url, typed, files=[("scan", ("ballot.pdf", PDF, "application/pdf"))])
    assert taken.status_code == 303
    assert await Ballot.count().where(Ballot.meeting == meeting_id) == 1


async def test_a_ballot_refused_for_the_meeting_or_the_owner_leaves_no_scan_behind(client, paper_desk):
    """Only a refusal at the form's fields removed the scan stored with it: a ballot refused because no such owner is
    in the register, or because the meeting closed while the form was filled in, left its scan stored, of no ballot."""
    desk = await paper_desk()
    meeting_id, meeting, entry, url, now = desk.meeting_id, desk.meeting, desk.entry, desk.url, desk.now
    typed = {"received_at": now, "snils": SNILS, **{f"q{i.id}": "for" for i in meeting.items}}
    scan = [("scan", ("ballot.pdf", PDF, "application/pdf"))]
    stored = len(list(storage.root().rglob("*.pdf")))

    nobody = await client.form(url, {**typed, "entry": str(entry + 10_000)}, files=scan)
    assert nobody.status_code == 303
    assert len(list(storage.root().rglob("*.pdf"))) == stored
    await Meeting.update({Meeting.status: MeetingStatus.CLOSED}).where(Meeting.id == meeting_id)
    closed = await client.form(url, {**typed, "entry": str(entry)}, files=scan)
    assert closed.status_code == 303
    assert len(list(storage.root().rglob("*.pdf"))) == stored
    assert await Ballot.count().where(Ballot.meeting == meeting_id) == 0


async def test_the_moderators_message_names_the_owner_after_the_words(
    client, login, make_user, example_house, make_meeting
):
    """«Решение собственника Иванова Ольга Петровна отклонено» put a name in the nominative after a genitive; the
    name now follows the words: «Решение отклонено: …»."""
    house = await example_house()
    meeting_id = await make_meeting(house.house)
    accepted, rejected = await _paper_ballots(house, meeting_id, "GD")
    await login(client, await make_user(roles=("moderator",), houses=(house.house,)))
    await client.form(f"/staff/meetings/ballots/{accepted}/accept")
    page = (await client.get(f"/staff/meetings/{meeting_id}/moderation")).text
    assert re.search(r"Решение принято: Собственник G\.", page), page[:3000]
    await client.form(f"/staff/meetings/ballots/{rejected}/reject", {"reason": "unsigned"})
    page = (await client.get(f"/staff/meetings/{meeting_id}/moderation")).text
    assert re.search(r"Решение отклонено: Собственник D\.", page)


async def test_a_paper_ballot_with_a_question_unanswered_names_it_in_the_summary_in_the_forms_order(
    client, login, make_user, example_house, make_meeting
):
    """The summary above the form said «Выберите ответ на этот вопрос.» first, above the owner and the scan, without
    saying which question: it now lists the errors in the form's order and names the question by its number."""
    house = await example_house()
    meeting_id = await make_meeting(house.house)
    meeting = await queries.meeting_for_staff(await _admin(), meeting_id)
    moderator = await make_user(roles=("moderator",), houses=(house.house,))
    await login(client, moderator)
    first, second = meeting.items
    typed = {"voter_name": "Иванов И. И.", f"q{first.id}": "for"}
    refused = await client.form(f"/staff/meetings/{meeting_id}/paper", typed, files={"x": ("", b"")})
    assert refused.status_code == 422
    summary = refused.text.split('class="error-summary"', 1)[1].split("</ul>", 1)[0]
    links = re.findall(r'<a href="#f-([^"]+)">([^<]*)</a>', summary)
    assert [name for name, _ in links] == ["entry", "received_at", "scan", f"q{second.id}"], links
    assert links[-1][1] == "Вопрос 2: Выберите ответ на этот вопрос."
    # the link leads to the question: its first answer
    assert re.search(rf'<input id="f-q{second.id}" type="radio" name="q{second.id}"', refused.text)
    assert "Иванов И. И." in refused.text


async def test_a_ballot_received_before_voting_opened_is_refused_and_a_late_one_is_said_not_to_count(
    client, login, make_user, example_house, make_meeting
):
    """Decisions are received while voting runs (ЖК ст. 47 ч. 1–2): a paper dated before voting opened was taken as
    any other; it is refused at the field, saying when voting opened. One received after the closing time is kept,
    marked late, and the operator is told that it is not counted."""
    house = await example_house()
    meeting_id = await make_meeting(house.house, days_left=-1)  # voting ran from 3 days ago until yesterday
    meeting = await queries.meeting_for_staff(await _admin(), meeting_id)
    entry = (await queries.register_of(meeting_id))[0].id
    await login(client, await make_user(roles=("moderator",), houses=(house.house,)))
    url = f"/staff/meetings/{meeting_id}/paper"
    form = (await client.get(url)).text
    assert "Решение, полученное после окончания, вносится, но не учитывается." in form
    answers = {f"q{i.id}": "for" for i in meeting.items}
    opens = meeting.voting_starts_at.astimezone(clock.zone())
    early = (opens - timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M")
    typed = {"entry": str(entry), "received_at": early, "snils": SNILS, **answers}

    refused = await client.form(url, typed, files=[("scan", ("ballot.pdf", PDF, "application/pdf"))])
    assert refused.status_code == 422
    said = re.search(r'id="e-received_at"[^>]*>(.*?)</p>', refused.text, re.S)
    assert said and "Голосование открылось" in said.group(1) and "Проверьте дату." in said.group(1), refused.text[:2000]
    assert await Ballot.count().where(Ballot.meeting == meeting_id) == 0

    typed["received_at"] = opens.strftime("%Y-%m-%dT%H:%M")  # the opening minute itself is in time
    assert (await client.form(url, typed, files=[("scan", ("b.pdf", PDF, "application/pdf"))])).status_code == 303
    assert await Ballot.count().where((Ballot.meeting == meeting_id) & (Ballot.late == False)) == 1  # noqa: E712

    # the first minute after the close (two hours after it had not yet come in the small hours of the night)
    typed["received_at"] = (meeting.voting_ends_at.astimezone(clock.zone()) + timedelta(seconds=1)).strftime(
        "%Y-%m-%dT%H:%M"
    )
    late = await client.form(url, typed, files=[("scan", ("b.pdf", PDF, "application/pdf"))])
    assert late.status_code == 303
    page = (await client.get(late.headers["location"])).text
    assert "получено после окончания голосования: оно не учитывается" in page
    assert await Ballot.count().where((Ballot.meeting == meeting_id) & (Ballot.late == True)) == 1  # noqa: E712
    # the moderator is offered only to reject it, as late
    (late_id,) = await Ballot.select(Ballot.id).where((Ballot.meeting == meeting_id) & (Ballot.late == True))  # noqa: E712
    queue = (await client.get(f"/staff/meetings/{meeting_id}/moderation")).text
    assert f'action="/staff/meetings/ballots/{late_id["id"]}/accept"' not in queue
    assert f'action="/staff/meetings/ballots/{late_id["id"]}/reject"' in queue


async def test_a_paper_ballot_of_an_owner_whose_vote_is_already_in_is_said_not_to_count_twice(
    client, login, make_user, example_house, make_meeting
):
    """The owner voted (online, or a paper entered before) and brings the signed copy too: the operator who enters it
    read «waiting for moderation», as if it would count; they are told that this ownership already has a ballot
    and that the moderator rejects this one as a duplicate."""
    house = await example_house()
    meeting_id = await make_meeting(house.house)
    meeting = await queries.meeting_for_staff(await _admin(), meeting_id)
    (first,) = await _paper_ballots(house, meeting_id, "A")
    entry = (await Ballot.select(Ballot.entry).where(Ballot.id == first).first())["entry"]
    await login(client, await make_user(roles=("moderator",), houses=(house.house,)))
    url = f"/staff/meetings/{meeting_id}/paper"
    now = clock.now().astimezone(clock.zone()).strftime("%Y-%m-%dT%H:%M")
    typed = {"entry": str(entry), "received_at": now, "snils": SNILS, **{f"q{i.id}": "for" for i in meeting.items}}
    again = await client.form(url, typed, files=[("scan", ("ballot.pdf", PDF, "application/pdf"))])
    assert again.status_code == 303
    page = (await client.get(again.headers["location"])).text
    assert "по этой собственности уже есть решение" in page and "Бумажное решение передано на модерацию." not in page
    other = (await queries.register_of(meeting_id))[-1].id
    typed["entry"] = str(other)
    fresh = await client.form(url, typed, files=[("scan", ("ballot.pdf", PDF, "application/pdf"))])
    assert "по этой собственности уже есть решение" not in (await client.get(fresh.headers["location"])).text


async def test_a_paper_ballot_needs_its_scan_and_a_file_not_a_document_is_refused_at_the_scans_field(
    client, paper_desk
):
    """The scan is stored as a document form's file is (``storage.required_file``): none chosen, or one neither a
    PDF nor a picture, is said at its field and no ballot is written."""
    desk = await paper_desk()
    meeting_id, meeting, entry, url, now = desk.meeting_id, desk.meeting, desk.entry, desk.url, desk.now
    typed = {"entry": str(entry), "received_at": now, "snils": SNILS, **{f"q{i.id}": "for" for i in meeting.items}}

    none = await client.form(url, typed, files=[("scan", ("", b"", "application/octet-stream"))])
    assert none.status_code == 422 and "Приложите скан подписанного решения." in none.text
    text = await client.form(url, typed, files=[("scan", ("ballot.pdf", b"not a ballot", "application/pdf"))])
    assert text.status_code == 422 and "Приложите PDF или фотографию документа." in text.text
    assert await Ballot.count().where(Ballot.meeting == meeting_id) == 0
