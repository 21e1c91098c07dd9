"""СНИЛС under Приказ Минстроя № 266/пр (DOMAIN.md §1.6): the paper ballot an owner prints has a blank line for a
natural person's СНИЛС, to be written by hand; the protocol says only what is so of where the СНИЛС are."""

from __future__ import annotations

import io
import re
from dataclasses import replace
from datetime import date

from pypdf import PdfReader

from portal.core import clock
from portal.core.i18n import in_locale
from portal.meetings import actions
from portal.meetings import pdf
from portal.meetings import queries
from portal.meetings.routes import protocol_bytes
from tests.meetings.test_actions import SCAN
from tests.meetings.test_actions import SNILS
from tests.meetings.test_actions import _admin
from tests.meetings.test_routes import voter  # noqa: F401  (the fixture)
from tests.pdfs import text_heights
from tests.pdfs import text_off_the_page


def _text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


async def test_an_owner_prints_a_paper_ballot_with_a_blank_snils_line(client, voter):  # noqa: F811
    page = (await client.get(f"/meetings/{voter.meeting_id}")).text
    (line,) = [x for x in await queries.register_of(voter.meeting_id) if x.owner_id == voter.owner]
    url = f"/meetings/{voter.meeting_id}/ballots/{line.id}/paper"
    assert f'href="{url}"' in page
    printed = await client.get(url)
    assert printed.status_code == 200 and printed.headers["content-type"] == "application/pdf"
    text = _text(printed.content)
    # the owner's line from the register, a blank СНИЛС to fill in by hand (nothing stored to print there)
    assert "Собственник A" in text and "ЕГРН № A-1" in text
    assert re.search(r"СНИЛС: _{10,}", text), text
    assert "За" in text and "Против" in text and "Воздержался" in text and "Подпись" in text
    assert not text_off_the_page(printed.content)


async def test_no_paper_ballot_to_print_once_the_premises_ballot_is_being_checked(client, voter):  # noqa: F811
    (line,) = [x for x in await queries.register_of(voter.meeting_id) if x.owner_id == voter.owner]
    meeting = await queries.meeting_for_staff(await _admin(), voter.meeting_id)
    answers = {i.id: "for" for i in meeting.items}
    await actions.enter_paper(await _admin(), meeting, line.id, "", clock.now(), answers, SCAN, SNILS)
    assert (await client.get(f"/meetings/{voter.meeting_id}/ballots/{line.id}/paper")).status_code == 404
    assert "/paper" not in (await client.get(f"/meetings/{voter.meeting_id}")).text


async def test_an_organisation_and_a_meeting_before_266_have_no_snils_line(example_house, make_meeting):
    house = await example_house()
    meeting = await queries.meeting_for_staff(await _admin(), await make_meeting(house.house))
    register = {x.owner_id: x for x in await queries.register_of(meeting.id)}
    organisation = register[house.owners["G"]]
    assert not await queries.is_person(organisation.owner_id)
    assert "СНИЛС" not in _text(await _written(meeting, organisation, False))
    before = replace(meeting, starts_on=date(2025, 8, 31))  # Приказ № 44/пр: no СНИЛС on the decision
    assert "СНИЛС" not in _text(await _written(before, register[house.owners["A"]], True))
    assert "СНИЛС" in _text(await _written(meeting, register[house.owners["A"]], True))


async def _written(meeting: queries.MeetingView, line: queries.Line, person: bool) -> bytes:
    with in_locale(pdf.DOCUMENT_LOCALE):
        return pdf.paper_ballot_pdf(meeting, line, person)


async def test_the_protocol_says_the_snils_are_on_the_paper_ballots_only(example_house, make_meeting):
    house = await example_house()
    meeting = await queries.meeting_for_staff(await _admin(), await make_meeting(house.house, closed=True))
    text = " ".join(_text(await protocol_bytes(meeting)).split())
    # not that every decision carries one: those confirmed in the portal carry none
    assert "СНИЛС собственников указаны в их решениях" not in text
    assert "указывают свой СНИЛС в бумажных решениях собственноручно" in text, text
    assert "подтверждены собственником в личном кабинете одноразовым кодом; СНИЛС в них не указывается" in text


async def test_the_office_prints_every_owners_paper_ballot_a_page_each(
    client, login, make_user, example_house, make_meeting
):
    house = await example_house()
    meeting_id = await make_meeting(house.house)
    await login(client, await make_user(roles=("operator",), houses=(house.house,)))
    assert "/paper-ballots" in (await client.get(f"/staff/meetings/{meeting_id}")).text
    printed = await client.get(f"/staff/meetings/{meeting_id}/paper-ballots")
    assert printed.status_code == 200 and printed.headers["content-type"] == "application/pdf"
    pages = [page.extract_text() for page in PdfReader(io.BytesIO(printed.content)).pages]
    # the seven lines of the register, each on its own page; the six natural persons have a СНИЛС line, the LLC none
    assert [next(o for o in "ABCDEFG" if f"Собственник {o}" in p) for p in pages] == list("ABCDEFG")
    assert ["СНИЛС" in p for p in pages] == [True] * 6 + [False]
    closed = await make_meeting(house.house, closed=True)
    assert (await client.get(f"/staff/meetings/{closed}/paper-ballots")).status_code == 404


async def test_the_paper_ballots_answer_boxes_take_a_handwritten_mark_and_a_note(example_house, make_meeting):
    house = await example_house()
    meeting = await queries.meeting_for_staff(await _admin(), await make_meeting(house.house))
    line = (await queries.register_of(meeting.id))[0]
    heights = text_heights(await _written(meeting, line, True))
    first, second = meeting.items[0].text, meeting.items[1].text  # each a line of its own in the table
    assert heights[first] - heights[second] >= 12, heights
