"""The protocol's annexes are tables a housing inspector reads line by line: a word is never cut inside a cell,
and a name that wraps is not stretched across its cell; their votes add up as the count takes them, a joint premise
once. The protocol's signatures stay together with its last lines, whatever the length of the text above them."""

from __future__ import annotations

import dataclasses
import io
import re

import pytest
from pypdf import PdfReader

from portal.housing.tables import Owner
from portal.housing.tables import Ownership
from portal.meetings import actions
from portal.meetings import queries
from portal.meetings.routes import protocol_bytes
from tests.meetings.test_actions import _admin
from tests.meetings.test_actions import _paper_ballots


async def test_the_registers_words_are_whole_in_their_cells(example_house, make_meeting, make_account):
    house = await example_house()
    place = await make_account(house=house.house, kind="parking", premise_number="М-12", area="14.20")
    owner = Owner(kind="person", name="Константинопольская Александра Вячеславовна")
    await owner.save()
    await Ownership(premise=place.premise, owner=owner.id, share_numerator=1, share_denominator=1).save()
    meeting_id = await make_meeting(house.house, closed=True)
    meeting = await queries.meeting_for_staff(await _admin(), meeting_id)

    pages = PdfReader(io.BytesIO(await protocol_bytes(meeting))).pages
    texts = [page.extract_text() for page in pages]
    annexes = "\n".join(texts[next(i for i, text in enumerate(texts) if text.startswith("Приложение 1.")) :])
    # the column heads, the joint ownership of кв. 3 and a parking space's name, each in one piece
    for word in ("Помещение", "Площадь,", "(совместная)", "машино-место", "Получено"):
        assert word in annexes.split(), word
    # a name too long for one line wraps between its words, not spread out to both edges of its cell
    assert "  " not in annexes.replace("\n", " "), annexes


async def test_the_list_of_owners_who_took_part_adds_up_to_the_votes_the_protocol_counts(example_house, make_meeting):
    """DOMAIN.md §1.9: joint owners D and E of кв. 3 (60 m²) both voted, so each carries 30 votes. The list of those
    who took part gives each the votes counted for them, not the whole premise twice: its column adds up to the
    protocol's «votes of owners who took part» (A 50 + D 30 + E 30 = 110), and says so on its last line."""
    house = await example_house()
    meeting_id = await make_meeting(house.house)
    for ballot in await _paper_ballots(house, meeting_id, "ADE"):
        await actions.accept(await _admin(), (await queries.ballot_for_staff(await _admin(), ballot))[1])
    meeting = await queries.meeting_for_staff(await _admin(), meeting_id)

    pages = PdfReader(io.BytesIO(await protocol_bytes(meeting))).pages
    text = " ".join("\n".join(page.extract_text() for page in pages).replace("\u00a0", " ").split())
    assert "Голоса собственников, принявших участие: 110 (31,43 %)" in text, text
    took_part = text[text.index("Приложение 3.") :]
    rows = re.findall(r"(кв\. \d+) Собственник (\w) бумажное \d+ \w+ \d{4}, \d\d:\d\d (\d+(?:,\d+)?)", took_part)
    assert rows == [("кв. 1", "A", "50"), ("кв. 3", "D", "30"), ("кв. 3", "E", "30")], took_part
    assert took_part.endswith("Итого 110"), took_part


async def test_the_ballots_sheet_gives_the_votes_each_ballot_was_counted_with(
    client, login, make_user, example_house, make_meeting
):
    """The workbook's ballots: beside the votes of the owner's line, the votes the count took from the ballot —
    half of кв. 3 each for joint owners D and E who both voted, nothing for one waiting or rejected — so that the
    column adds up to the votes that took part (A 50 + D 30 + E 30 = 110)."""
    import openpyxl

    house = await example_house()
    meeting_id = await make_meeting(house.house)
    ids = await _paper_ballots(house, meeting_id, "ADEG")
    for ballot in ids[:3]:
        await actions.accept(await _admin(), (await queries.ballot_for_staff(await _admin(), ballot))[1])
    await login(client, await make_user(roles=("manager",), houses=(house.house,)))
    export = await client.get(f"/staff/meetings/{meeting_id}/export")
    export_book = openpyxl.load_workbook(io.BytesIO(export.content))
    sheet = export_book["Решения"]
    head, *rows = (list(r) for r in sheet.iter_rows(values_only=True))
    assert head[6:8] == ["Голоса", "Учтено голосов"], head
    assert [(r[1], r[6], r[7]) for r in rows] == [
        ("Собственник A", 50, 50),
        ("Собственник D", 60, 30),
        ("Собственник E", 60, 30),
        ("Собственник G", 124.5, 0),
    ], rows
    # its register, as the protocol's: the joint кв. 3 once, D and E together, adding up to the house's 350
    head, *lines = (list(r) for r in export_book["Реестр"].iter_rows(values_only=True))
    assert [(x[0], x[1], x[6]) for x in lines if x[0] == "кв. 3"] == [("кв. 3", "Собственник D, Собственник E", 60)]
    assert sum(x[6] for x in lines) == 350


async def test_a_question_removed_from_a_draft_takes_its_materials_file_with_it(
    client, login, make_user, example_house, draft_meeting
):
    """A question taken off a draft agenda left its materials' file stored, with no question to reach it by."""
    from portal.core import storage
    from portal.meetings.tables import AgendaItem

    house = await example_house()
    await login(client, await make_user(roles=("manager",), houses=(house.house,)))
    meeting_id = await draft_meeting(client, house.house)
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF"
    added = await client.form(
        f"/staff/meetings/{meeting_id}/items",
        {"text": "Заменить лифты", "subject": "p1"},
        files={"material": ("smeta.pdf", pdf, "application/pdf")},
    )
    assert added.status_code == 303
    (item,) = await AgendaItem.select().where(AgendaItem.meeting == meeting_id)
    assert item["material_key"] and storage.path_of(item["material_key"]).exists()
    removed = await client.form(f"/staff/meetings/{meeting_id}/items/{item['id']}/delete")
    assert removed.status_code == 303 and not await AgendaItem.exists().where(AgendaItem.id == item["id"])
    assert not storage.path_of(item["material_key"]).exists()


@pytest.mark.parametrize(("voters", "d_votes"), [("ADE", "30"), ("AD", "60")], ids=["both-joint-owners", "one"])
async def test_the_register_lists_a_joint_premise_once_as_the_count_takes_it(
    example_house, make_meeting, voters, d_votes
):
    """кв. 3 (60 m²) is owned jointly by D and E (DOMAIN.md §1.3, §1.9). The register's annex listed each of them
    with the whole 60 votes — 120 for a premise of 60 m², a register of 410 votes in a house of 350 — while the count
    takes the premise once, split between D and E only where both voted. The annex now lists кв. 3 once, D and E
    together with 60 votes, and adds up to the register's 350 on its last line; whatever D and E did, the list of
    those who took part gives кв. 3 no more than those 60."""
    house = await example_house()
    meeting_id = await make_meeting(house.house)
    for ballot in await _paper_ballots(house, meeting_id, voters):
        await actions.accept(await _admin(), (await queries.ballot_for_staff(await _admin(), ballot))[1])
    meeting = await queries.meeting_for_staff(await _admin(), meeting_id)

    pages = PdfReader(io.BytesIO(await protocol_bytes(meeting))).pages
    text = " ".join("\n".join(page.extract_text() for page in pages).replace("\u00a0", " ").split())
    register = text[text.index("Приложение 1.") : text.index("Приложение 3.")]
    assert register.count("кв. 3") == 1, register
    joint = register[register.index("кв. 3") : register.index("кв. 4")]
    for words in ("Собственник D", "Собственник E", "(совместная)", "ЕГРН № D-3", "ЕГРН № E-3"):
        assert words in joint, joint
    assert joint.split().count("60") == 2, joint  # its area, and its votes once
    assert register.rstrip().endswith("Итого 350"), register
    took_part = text[text.index("Приложение 3.") :]
    rows = re.findall(r"(кв\. \d+) Собственник (\w) бумажное \d+ \w+ \d{4}, \d\d:\d\d (\d+(?:,\d+)?)", took_part)
    joint = [votes for premise, _, votes in rows if premise == "кв. 3"]
    assert joint == [d_votes] * (len(voters) - 1), took_part


def _words(page: object) -> str:
    return " ".join(page.extract_text().replace("\u00a0", " ").split())  # type: ignore[attr-defined]


async def test_the_signatures_go_over_to_a_page_with_the_last_lines_never_alone(example_house, make_meeting):
    """The demo's protocol ran two lines onto a second page and left the rest of it blank. Its text now ends with
    the signatures of the chair, the secretary and the vote counters (44/пр п. 20), kept with the last paragraph:
    as the text above grows a line at a time, the block stays whole on the first page, then goes over whole with
    that paragraph — never a signature, nor the last lines alone, on a page of their own."""
    house = await example_house()
    meeting = await queries.meeting_for_staff(await _admin(), await make_meeting(house.house, closed=True))
    meeting = dataclasses.replace(meeting, chair="Смирнов И. П.", secretary="Егорова Н. В.", counters="Фомин Д. А.")
    last = "Решения, принятые в портале, подтверждены собственником в личном кабинете одноразовым кодом"
    signatures = ["Подписи", "Председатель собрания: Смирнов И. П.", "Секретарь собрания: Егорова Н. В.",
                  "Лицо, проводившее подсчёт голосов: Фомин Д. А."]  # fmt: skip
    seen = set()
    for lines in range(0, 64, 5):  # a page holds some 50 lines of the text
        storage = "\n".join(["г. Симферополь, ул. Киевская, 77, офис управляющей компании"] * (1 + lines))
        pages = [_words(p) for p in PdfReader(io.BytesIO(await protocol_bytes(
            dataclasses.replace(meeting, storage_place=storage)))).pages]  # fmt: skip
        body = pages[: next(i for i, text in enumerate(pages) if text.startswith("Приложение 1. Реестр"))]
        closing = body[-1]
        assert all(words in closing for words in signatures), (lines, closing)
        assert closing.count("Дата: ") == 3 and closing.endswith("Подпись: " + "_" * 20), (lines, closing)
        assert "Собственники — физические лица указывают свой СНИЛС" in closing and last in closing, (lines, closing)
        assert all("Подписи" not in page for page in body[:-1]), lines
        seen.add((len(body), closing.startswith("Собственники")))  # went over with the last paragraph, or fitted
    assert {(2, True), (2, False), (3, True)} <= seen, seen
